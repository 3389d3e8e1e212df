"""An enum reaches GraphQL only with a description for every value."""

from __future__ import annotations

from enum import StrEnum

import pytest

from xietong.api.enums import graphql_enum


def test_a_value_without_a_description_is_refused() -> None:
    class Colour(StrEnum):
        RED = "red"
        GREEN = "green"

    with pytest.raises(TypeError, match=r"missing \['GREEN'\]"):
        graphql_enum(Colour, description="Colours.", values={Colour.RED: "红: red."})


def test_each_value_gets_its_own_description() -> None:
    class Level(StrEnum):
        PROVINCE = "province"
        CITY = "city"

    graphql_enum(
        Level,
        description="Levels.",
        values={Level.PROVINCE: "省级.", Level.CITY: "地市级."},
        name="TestLevel",
    )
    definition = Level.__strawberry_definition__  # type: ignore[attr-defined]
    assert definition.name == "TestLevel"
    assert {v.name: v.description for v in definition.values} == {
        "PROVINCE": "省级.",
        "CITY": "地市级.",
    }
