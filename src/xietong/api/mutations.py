"""One transaction per mutation: a savepoint that is kept only if the mutation succeeds.

Resolvers raise ``Invalid`` for input a clerk can correct; ``atomic`` rolls the savepoint back and
returns the problems for the payload's ``errors`` list, so a refused mutation changes nothing.
Authorisation failures stay top-level errors (``AccessDenied``). A reference to a row that does not
exist is ``NOT_FOUND`` (every context's error codes have it): resolvers check what they are given,
and a foreign key that still fails is answered the same way, never as a database error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")

FOREIGN_KEY_VIOLATION = "23503"


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
    except IntegrityError as exc:
        await savepoint.rollback()
        if getattr(exc.orig, "sqlstate", None) != FOREIGN_KEY_VIOLATION:
            raise
        return None, [
            Problem("NOT_FOUND", "引用的记录不存在（a referenced record does not exist）")
        ]
    except BaseException:
        await savepoint.rollback()
        raise
    await savepoint.commit()
    return result, []
