from __future__ import annotations

from enum import StrEnum


class ActorKind(StrEnum):
    """Who performed the action an audit event records."""

    PERSON = "person"  # a signed-in person; ``actor`` is the login
    API_KEY = (
        "api_key"  # an integrator's key; ``actor`` is the key's public prefix, never the secret
    )
    SYSTEM = "system"  # a job, the CLI, a migration; ``actor`` is "system" or the job's name
    ANONYMOUS = "anonymous"  # the public (e.g. an anonymous complaint); ``actor`` is "anonymous"
