"""Global object ids: opaque to clients, ``base64("<Type>:<uuid>")`` underneath (Relay style)."""

from __future__ import annotations

import base64
import binascii
import uuid

import strawberry

from xietong.api.errors import BadUserInput


def to_global_id(type_name: str, value: uuid.UUID) -> strawberry.ID:
    return strawberry.ID(base64.b64encode(f"{type_name}:{value}".encode()).decode())


MAX_ID_LENGTH = 200  # ours are under 80 characters


def from_global_id(value: str, *, field: str = "id") -> tuple[str, uuid.UUID]:
    try:
        if len(value) > MAX_ID_LENGTH:
            raise ValueError(value)
        type_name, _, raw = base64.b64decode(value.encode(), validate=True).decode().partition(":")
        return type_name, uuid.UUID(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadUserInput("对象编号无效（invalid id）", field=field) from None


def expect_global_id(value: str, type_name: str, *, field: str = "id") -> uuid.UUID:
    found, ident = from_global_id(value, field=field)
    if found != type_name:
        raise BadUserInput(f"应为 {type_name} 的编号（expected a {type_name} id）", field=field)
    return ident
