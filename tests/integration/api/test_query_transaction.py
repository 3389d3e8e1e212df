"""A query is answered first and its transaction ends after; a mutation commits, then answers
(``api.http._execute``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bench import asgi
from litestar import Litestar
from sqlalchemy import event

from tests.conftest import Database
from tests.support import bearer, settings_for
from xietong.app import create_app

ME = "{ me { login } }"


@asynccontextmanager
async def _app(db: Database) -> AsyncIterator[Litestar]:
    app = create_app(settings_for(db))
    async with app.lifespan():  # in this test's event loop, which drives it by hand
        yield app


async def _answer_and_order(app: Litestar, query: str) -> tuple[dict[str, Any], list[str]]:
    """The answer, and whether it was sent before or after the transaction committed."""
    engine = app.state.engine.sync_engine
    order: list[str] = []

    def committed(_connection: Any) -> None:
        order.append("committed")

    event.listen(engine, "commit", committed)
    try:
        answer = (
            await asgi.post(
                app,
                "/graphql",
                {"query": query},
                bearer("xuanen.office"),
                answered=lambda: order.append("answered"),
            )
        ).json()
    finally:
        event.remove(engine, "commit", committed)
    return answer, order


async def test_a_query_is_answered_before_its_transaction_commits(seeded_db: Database) -> None:
    async with _app(seeded_db) as app:
        answer, order = await _answer_and_order(app, ME)
        assert answer == {"data": {"me": {"login": "xuanen.office"}}}
        assert order == ["answered", "committed"]
        assert app.state.engine.pool.checkedout() == 0  # ended within the request's cycle


async def test_a_mutation_commits_before_it_answers(seeded_db: Database) -> None:
    # an officer that does not exist: refused in the payload, the transaction still ends
    mutation = (
        'mutation { officerAvailabilitySet(input: {officerId: "T2ZmaWNlcjpub2JvZHk=", '
        "available: false}) { errors { code } } }"
    )
    async with _app(seeded_db) as app:
        answer, order = await _answer_and_order(app, mutation)
    assert "data" in answer, answer
    assert order == ["committed", "answered"]
