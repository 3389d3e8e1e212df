"""Who may do what where: identities, roles held in a jurisdiction, policy and scope."""
