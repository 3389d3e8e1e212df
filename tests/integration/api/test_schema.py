"""The exported schema is what integrators read: it must match the code, and the examples must
run against it. (What it must look like: tests/unit/api/test_schema_lint.py.)"""

from __future__ import annotations

from xietong.paths import schema_file
from xietong.schema import build_schema, schema_sdl


def test_schema_file_matches_the_code() -> None:
    assert schema_file().read_text(encoding="utf-8") == schema_sdl(), (
        "graphql/schema.graphql is out of date: run `make schema` and commit it"
    )


def test_examples_are_valid_operations() -> None:
    from graphql import parse, validate

    from xietong.paths import schema_file

    schema = build_schema()._schema
    examples = sorted((schema_file().parent / "examples").glob("*.graphql"))
    assert examples
    for path in examples:
        errors = validate(schema, parse(path.read_text(encoding="utf-8")))
        assert errors == [], f"{path.name}: {errors}"
