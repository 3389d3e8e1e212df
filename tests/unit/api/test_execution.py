"""The short path for plain leaf fields answers exactly as graphql-core's full path does."""

from __future__ import annotations

import asyncio
import enum
from typing import Any

import strawberry
from graphql import ExecutionResult, execute, parse
from hypothesis import given, settings
from hypothesis import strategies as st
from strawberry.execution import optimized_is_awaitable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from xietong.api.execution import LEAF, Execution
from xietong.api.schema import build


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Item:
    name: str
    nickname: str | None
    size: int
    colour: Colour

    @strawberry.field
    def doubled(self) -> int:
        return self.size * 2

    @strawberry.field
    def shout(self) -> str | None:
        if self.name == "boom":
            raise ValueError("no shouting")
        return self.name.upper() if self.name else None

    @strawberry.field
    async def later(self) -> int:
        return self.size


@strawberry.type
class Query:
    items: list[Item]
    maybe_items: list[Item | None] | None


@strawberry.type
class Mutation:
    @strawberry.mutation
    def noop(self) -> bool:
        return True


SCHEMA = build(Query, Mutation)
DOCUMENT = parse(
    "{ items { name nickname size colour doubled shout alias: size }"
    "  maybeItems { name size shout } }"
)


def run(root: Any, executor: type[Any]) -> ExecutionResult:
    result = execute(
        SCHEMA._schema,
        DOCUMENT,
        root_value=root,
        executor_class=executor,
        is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
    )
    if asyncio.iscoroutine(result):
        result = asyncio.run(result)
    assert isinstance(result, ExecutionResult)
    return result


def answers(result: ExecutionResult) -> tuple[Any, list[tuple[str, Any]]]:
    errors = sorted((e.message, e.path) for e in result.errors or ())
    return result.data, errors


def test_plain_scalar_fields_take_the_short_path_and_no_other() -> None:
    fields = SCHEMA._schema.type_map["Item"].fields  # type: ignore[attr-defined]
    short = {name for name, field in fields.items() if hasattr(field, LEAF)}
    assert short == {"name", "nickname", "size", "colour", "doubled", "shout"}  # not ``later``


# Values a row could hold, right and wrong: odd text, NUL, huge numbers, the wrong types.
values = st.one_of(
    st.none(),
    st.text(max_size=5),
    st.sampled_from(["boom", "\x00", "\ud800", "名称"]),
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.sampled_from(list(Colour)),
)


@st.composite
def items(draw: st.DrawFn) -> Any:
    return Item(name=draw(values), nickname=draw(values), size=draw(values), colour=draw(values))


@settings(max_examples=300, deadline=None)
@given(st.lists(items(), max_size=4), st.none() | st.lists(st.none() | items(), max_size=3))
def test_the_short_path_answers_what_the_full_path_answers(
    listed: list[Item], maybe: list[Item | None] | None
) -> None:
    root = Query(items=listed, maybe_items=maybe)
    assert answers(run(root, Execution)) == answers(
        run(root, StrawberryGraphQLCoreExecutionContext)
    )


def test_a_null_where_the_schema_promises_a_value_is_still_an_error_at_its_path() -> None:
    nameless = Item(name=None, nickname=None, size=1, colour=Colour.RED)  # type: ignore[arg-type]
    result = run(Query(items=[nameless], maybe_items=None), Execution)
    assert result.data is None  # ``items`` is non-null too: the null reaches the root
    assert [(e.message, e.path) for e in result.errors or ()] == [
        ("Cannot return null for non-nullable field Item.name.", ["items", 0, "name"])
    ]
