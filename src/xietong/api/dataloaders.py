"""One way to batch: a per-request DataLoader over a service function returning ``{key: value}``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def keyed_loader(
    session: AsyncSession,
    fetch: Callable[..., Awaitable[dict[K, V]]],
    *,
    key_arg: str,
    default: Callable[[], V] | None = None,
) -> DataLoader[K, V | None]:
    """Wrap ``fetch(db_session=…, <key_arg>=keys) -> {key: value}`` as a DataLoader.

    Missing keys load as ``default()`` (for list-valued loaders) or ``None``.
    """

    async def batch(keys: Sequence[K]) -> list[V | None]:
        found = await fetch(db_session=session, **{key_arg: list(keys)})
        return [found.get(k, default() if default else None) for k in keys]

    return DataLoader(load_fn=batch)
