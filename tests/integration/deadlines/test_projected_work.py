"""``myWork`` and ``escalations`` answered by PostgreSQL-built nodes (``api.projection``) give
exactly the answer the ordinary resolvers give: same values, same key order, same errors, over
random selections (aliases, fragments, ``__typename``, edges, every projected field) and rows in
every state, with text no clerk would type."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from tests.integration.deadlines.conftest import Db, hold_for_expert_review, open_clock
from tests.support import GraphQLClient
from xietong.api import projection
from xietong.deadlines.clock import ManualClock
from xietong.deadlines.obligations import MatterRef

XUANEN = 422825
TODAY = date(2026, 10, 12)  # a Monday
ODD = "a\"b\\c\n\t\x01\x1f é 中文 😀 \u2028 </script> 'quoted'"

LEAVES = [
    "id",
    "matterType",
    "counterparty",
    "startedOn",
    "countedFrom",
    "amount",
    "unit",
    "due",
    "promisedAmount",
    "promisedDue",
    "promiseSource",
    "status",
    "overdue",
    "metOn",
    "metLate",
    "cancelledOn",
    "cancelReason",
    "paused",
    "pausedSince",
    "pausedDays",
    "provisional",
    "__typename",
]
NESTED = {"rule": ["id", "__typename"], "jurisdiction": ["code", "__typename"]}


@pytest.fixture
async def clocks(fresh_gql: GraphQLClient, db: Db) -> GraphQLClient:
    """宣恩县住建局's clocks in every state, some with odd text, on Monday 12 October 2026."""
    clock = ManualClock.on(TODAY, 10, 30)
    fresh_gql.app.state.clock = clock
    started = [date(2026, 9, 1), date(2026, 9, 30), date(2026, 10, 9), date(2026, 10, 12)]
    ids = [
        await open_clock(db, clock, rule, started=day)
        for rule in ("TB.acceptance_decision", "R7.report_to_office", "TB.decision", "GP.review")
        for day in started
    ]
    held = MatterRef("complaint", uuid.uuid4())
    await open_clock(db, clock, "TB.decision", started=date(2026, 10, 9), matter=held)
    await hold_for_expert_review(db, clock, held)
    edits = [
        "status = 'overdue'",
        "status = 'met', met_on = due_on + 2",  # late
        "status = 'met', met_on = started_on",  # in time
        "status = 'cancelled', cancelled_on = started_on, cancel_reason = :odd",
        "counterparty = :odd, promise_source = :odd, promised_amount = 1, "
        "promised_due_on = started_on + 1",
        # hour clocks: one past its instant, one not yet, one met after it
        "due_at = :past, due_on = DATE '2026-10-12'",
        "due_at = :future, due_on = DATE '2026-10-12'",
        "due_at = :past, due_on = DATE '2026-10-12', status = 'met', met_on = DATE '2026-10-12'",
        "counterparty = '', promise_source = ''",
    ]
    async with db.owner.begin() as conn:
        for edit, ident in zip(edits, ids, strict=False):
            await conn.execute(
                text(f"UPDATE obligation SET {edit} WHERE id = :id"),
                {
                    "id": ident,
                    "odd": ODD,
                    "past": datetime(2026, 10, 12, 1, 0, tzinfo=UTC),
                    "future": datetime(2026, 10, 12, 9, 0, tzinfo=UTC),
                },
            )
    return fresh_gql


name = st.sampled_from(["a", "b", "x_1", "Z"])


@st.composite
def node_selection(draw: st.DrawFn) -> str:
    """Fields of ``Obligation``: leaves, nested objects, aliases, duplicates, fragments."""
    parts: list[str] = []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["leaf", "leaf", "leaf", "nested", "inline", "spread"]))
        if kind == "leaf":
            field = draw(st.sampled_from(LEAVES))
            alias = draw(st.none() | name)
            # One alias names one field only: "a: id a: status" is not a valid document.
            parts.append(f"{alias}_{field}: {field}" if alias else field)
        elif kind == "nested":
            field = draw(st.sampled_from(sorted(NESTED)))
            inner = draw(st.lists(st.sampled_from(NESTED[field]), min_size=1, max_size=3))
            parts.append(f"{field} {{ {' '.join(inner)} }}")
        elif kind == "inline":
            parts.append(f"... on Obligation {{ {draw(st.sampled_from(LEAVES))} }}")
        else:
            parts.append("...Clock")
    return " ".join(parts)


@st.composite
def document(draw: st.DrawFn) -> tuple[str, str]:
    """A ``myWork`` or ``escalations`` document and who asks."""
    node = draw(node_selection())
    connection: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["nodes", "edges", "pageInfo", "totalCount", "__typename"]))
        if kind == "nodes":
            connection.append(f"nodes {{ {node} }}")
        elif kind == "edges":
            inner = draw(st.sampled_from(["cursor", "node", "__typename"]))
            edge = f"node {{ {node} }}" if inner == "node" else inner
            connection.append(f"edges {{ {edge} cursor }}")
        elif kind == "pageInfo":
            fields = draw(
                st.lists(
                    st.sampled_from(
                        ["hasNextPage", "hasPreviousPage", "startCursor", "endCursor", "__typename"]
                    ),
                    min_size=1,
                    max_size=4,
                )
            )
            connection.append(f"pageInfo {{ {' '.join(fields)} }}")
        else:
            connection.append(kind)
    status = draw(
        st.sampled_from(
            [
                "",
                "filter: {status: [MET, CANCELLED]}",
                "filter: {overdue: true}",
                "filter: {status: [OPEN, OVERDUE, MET, CANCELLED]}",
            ]
        )
    )
    first = draw(st.sampled_from(["", "first: 1", "first: 3", "first: 100"]))
    arguments = ", ".join(a for a in (status, first) if a)
    field, login = draw(
        st.sampled_from([("myWork", "xuanen.housing"), ("escalations", "enshi.office")])
    )
    call = f"{field}({arguments})" if arguments else field
    body = " ".join(connection)
    fragment = "fragment Clock on Obligation { id status due rule { id } }"
    return f"{{ {call} {{ {body} }} }} {fragment if '...Clock' in body else ''}", login


@contextmanager
def ordinary(gql: GraphQLClient) -> Iterator[None]:
    """Every list through the ordinary resolvers (``XIETONG_GRAPHQL_PROJECTED_LISTS=0``)."""
    state = gql.app.state
    before = state.settings
    state.settings = dataclasses.replace(
        before, graphql=dataclasses.replace(before.graphql, projected_lists=False)
    )
    try:
        yield
    finally:
        state.settings = before


async def both(gql: GraphQLClient, query: str, login: str, **variables: Any) -> tuple[str, str]:
    projected = await gql(query, variables, login=login)
    with ordinary(gql):
        plain = await gql(query, variables, login=login)
    return json.dumps(projected, ensure_ascii=False), json.dumps(plain, ensure_ascii=False)


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The plans that answered, one per projected answer."""
    plans: list[object] = []
    answer = projection.ConnectionPlan.answer

    async def counted(self: projection.ConnectionPlan, page: Any) -> Any:
        plans.append(self)
        return await answer(self, page)

    monkeypatch.setattr(projection.ConnectionPlan, "answer", counted)
    return plans


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(asked=document())
async def test_projected_lists_answer_as_the_resolvers_do(
    clocks: GraphQLClient, taken: list[object], asked: tuple[str, str]
) -> None:
    query, login = asked
    before = len(taken)
    projected, plain = await both(clocks, query, login)
    assert projected == plain
    assert '"errors"' not in plain
    assert len(taken) == before + 1  # the first answer was the projection's


async def test_the_projection_is_taken_and_pages_on(
    clocks: GraphQLClient, taken: list[object]
) -> None:

    query = """query($after: String, $f: ObligationFilter) {
      myWork(first: 2, after: $after, filter: $f) {
        edges { cursor node { id due overdue status rule { id } } }
        pageInfo { hasNextPage hasPreviousPage endCursor }
        totalCount
      }
    }"""
    seen: list[str] = []
    after = None
    pages = 0
    for _ in range(20):
        pages += 1
        projected, plain = await both(
            clocks, query, "xuanen.housing", after=after, f={"status": ["OPEN", "MET"]}
        )
        assert projected == plain
        page = json.loads(projected)["data"]["myWork"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) > 4
    assert len(taken) == pages

    # What the projection cannot build takes the ordinary path, with the same answer.
    taken.clear()
    for other in (
        "{ myWork { nodes { id owingDepartment { key } } } }",
        "{ myWork { nodes { id rule { citation } } } }",
        "{ myWork { nodes { id @include(if: true) } } }",
        "{ myWork { nodes { dueAt calendar { version } pauses { reason } } } }",
    ):
        projected, plain = await both(clocks, other, "xuanen.housing")
        assert projected == plain
        assert '"errors"' not in plain
    assert taken == []

    # An odd text survives the round trip through PostgreSQL's JSON.
    body = json.loads(
        (await both(clocks, "{ myWork { nodes { counterparty } } }", "xuanen.housing"))[0]
    )
    assert ODD in [n["counterparty"] for n in body["data"]["myWork"]["nodes"]]


async def test_a_bad_cursor_is_refused_alike(clocks: GraphQLClient) -> None:
    query = "query($a: String) { myWork(after: $a) { nodes { id } } }"
    for cursor in ("nonsense", "WyIyMDI2LTEzLTAxIiwieCJd", "W10="):
        projected, plain = await both(clocks, query, "xuanen.housing", a=cursor)
        assert projected == plain
        assert "BAD_USER_INPUT" in projected
