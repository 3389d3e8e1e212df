"""The exported schema is what integrators read: it must match the code and document itself."""

from __future__ import annotations

from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLObjectType

from xietong.api.schema import build_schema, schema_sdl
from xietong.paths import schema_file


def test_schema_file_matches_the_code() -> None:
    assert schema_file().read_text(encoding="utf-8") == schema_sdl(), (
        "graphql/schema.graphql is out of date: run `make schema` and commit it"
    )


def test_every_type_and_field_has_a_description() -> None:
    schema = build_schema()._schema
    missing: list[str] = []
    for name, gtype in schema.type_map.items():
        if name.startswith("__") or name in {
            "String",
            "Boolean",
            "Int",
            "Float",
            "ID",
            "Date",
            "DateTime",
            "UUID",
            "JSON",
        }:
            continue
        if not gtype.description:
            missing.append(name)
        if isinstance(gtype, GraphQLObjectType | GraphQLInputObjectType):
            missing += [f"{name}.{f}" for f, field in gtype.fields.items() if not field.description]
            if isinstance(gtype, GraphQLObjectType):
                for fname, field in gtype.fields.items():
                    missing += [
                        f"{name}.{fname}({a})"
                        for a, arg in field.args.items()
                        if not arg.description
                    ]
        if isinstance(gtype, GraphQLEnumType):
            continue
    assert missing == []


def test_examples_are_valid_operations() -> None:
    from graphql import parse, validate

    from xietong.paths import schema_file

    schema = build_schema()._schema
    examples = sorted((schema_file().parent / "examples").glob("*.graphql"))
    assert examples
    for path in examples:
        errors = validate(schema, parse(path.read_text(encoding="utf-8")))
        assert errors == [], f"{path.name}: {errors}"
