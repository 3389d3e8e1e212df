"""The GraphQL edge: context, errors, limits and the schema composed from each context's parts."""
