from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xietong.jurisdictions import codes
from xietong.jurisdictions.enums import JurisdictionLevel as L


@pytest.mark.parametrize(
    ("code", "level"),
    [
        (420000, L.PROVINCE),
        (422800, L.CITY),
        (422825, L.COUNTY),
        (429004, L.COUNTY),
        (110101, L.COUNTY),
        (410581, L.COUNTY),
    ],
)
def test_level_follows_the_code(code: int, level: L) -> None:
    assert codes.level_of(code) is level


@pytest.mark.parametrize("bad", ["42282", "4228250", "42a825", "", "012345", " 42 825"])
def test_malformed_codes_are_refused(bad: str) -> None:
    with pytest.raises(codes.InvalidCode):
        codes.parse_code(bad)


def test_codes_may_be_written_as_numbers_or_text() -> None:
    assert codes.parse_code(422825) == codes.parse_code("422825") == 422825
    assert codes.format_code(422825) == "422825"


def test_parents_by_structure() -> None:
    assert codes.expected_parents(420000) == ()
    assert codes.expected_parents(422800) == (420000,)
    assert codes.expected_parents(422825) == (422800,)
    # 仙桃市, a county-level city governed by the province directly
    assert codes.expected_parents(429004) == (420000,)


@pytest.mark.parametrize(
    ("code", "level", "parent", "fragment"),
    [
        (422825, L.CITY, 420000, "is a county code"),
        (422800, L.CITY, 410000, "does not match the code prefix"),
        (422825, L.COUNTY, 421300, "does not match the code prefix"),
        (422825, L.COUNTY, None, "needs a parent"),
        (420000, L.PROVINCE, 410000, "has no parent"),
        (429000, L.CITY, 420000, "reserved for counties"),
        (429004, L.COUNTY, 429000, "does not match"),
    ],
)
def test_structure_problems_are_named(
    code: int, level: L, parent: int | None, fragment: str
) -> None:
    problem = codes.structure_problem(code, level, parent)
    assert problem is not None
    assert fragment in problem


@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        (420000, L.PROVINCE, None),
        (422800, L.CITY, 420000),
        (422825, L.COUNTY, 422800),
        (429004, L.COUNTY, 420000),
    ],
)
def test_well_formed_entries_have_no_problem(code: int, level: L, parent: int | None) -> None:
    assert codes.structure_problem(code, level, parent) is None


county_codes = st.builds(
    lambda p, c, z: p * 10000 + c * 100 + z,
    st.integers(11, 82),
    st.integers(1, 99),
    st.integers(1, 99),
)


@given(county_codes)
def test_every_unit_lies_in_the_subtree_of_each_ancestor(code: int) -> None:
    chain = [code]
    while parents := codes.expected_parents(chain[-1]):
        chain.append(parents[0])
    assert codes.level_of(chain[-1]) is L.PROVINCE
    for ancestor in chain:
        assert code in codes.subtree(ancestor)


@given(county_codes, county_codes)
def test_sibling_subtrees_do_not_overlap(a: int, b: int) -> None:
    city_a, city_b = a - a % 100, b - b % 100
    if city_a != city_b:
        assert a not in codes.subtree(city_b)
        assert b not in codes.subtree(city_a)
    if a != b:
        assert a not in codes.subtree(b)
