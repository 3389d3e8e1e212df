"""Where the project's non-Python resources live.

In a source checkout (and an editable install) they are the top-level folders of the repository;
in a wheel they are shipped inside the package under ``_resources/`` (see pyproject's
force-include), so the container image needs no checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parents[1]


def _resource(name: str) -> Path:
    override = os.environ.get(f"XIETONG_{name.upper()}_DIR")
    if override:
        return Path(override)
    in_checkout = _CHECKOUT / name
    if in_checkout.is_dir() and (_CHECKOUT / "pyproject.toml").is_file():
        return in_checkout
    return _PACKAGE / "_resources" / name


def migrations_dir() -> Path:
    return _resource("migrations")


def policies_dir() -> Path:
    return _resource("policies")


def default_tenants_dir() -> Path:
    return _resource("tenants")


def schema_file() -> Path:
    return _CHECKOUT / "graphql" / "schema.graphql"
