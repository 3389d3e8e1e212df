"""One transaction per mutation: a savepoint that is kept only if the mutation succeeds.

Resolvers raise ``Invalid`` for input a clerk can correct; ``atomic`` rolls the savepoint back and
returns the problems for the payload's ``errors`` list, so a refused mutation changes nothing.
Authorisation failures stay top-level errors (``AccessDenied``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    message: str
    field: str | None = None


class Invalid(Exception):
    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.problems = [Problem(code=code, message=message, field=field)]


async def atomic(
    session: AsyncSession, body: Callable[[], Awaitable[T]]
) -> tuple[T | None, list[Problem]]:
    """Run ``body`` in a savepoint: its result, or nothing and the problems it raised."""
    savepoint = await session.begin_nested()
    try:
        result = await body()
    except Invalid as exc:
        await savepoint.rollback()
        return None, exc.problems
    except BaseException:
        await savepoint.rollback()
        raise
    await savepoint.commit()
    return result, []
