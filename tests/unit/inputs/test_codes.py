"""Jurisdiction codes are exactly six ASCII digits: ``int()`` and ``isdigit`` accept far more."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xietong.inputs import InvalidCode, jurisdiction_code
from xietong.jurisdictions import codes


@pytest.mark.parametrize(
    "value",
    [
        "42282²",  # superscript two: isdigit() is true, int() crashed
        "①②③④⑤⑥",
        "４２２８２５",  # full-width: int() read it as 422825
        "٤٢٢٨٢٥",  # Arabic-Indic
        "𝟒𝟐𝟐𝟖𝟐𝟓",  # mathematical bold
        "४२२८२५",  # Devanagari
        "422825\n",
        " 422825",
        "42 825",
        "4228250",
        "42282",
        "",
        "422825\x00",
        "\ud800",
        "012345",  # no province prefix
        True,
        422825.0,
        None,
        [422825],
        -422825,
        10**400,
        422825,  # a JSON number is not a code written as text
    ],
)
def test_anything_but_six_ascii_digits_is_refused(value: object) -> None:
    with pytest.raises(InvalidCode) as caught:
        jurisdiction_code(value)
    assert len(caught.value.message) < 200
    assert "\x00" not in caught.value.message


@given(st.integers(min_value=110000, max_value=999999))
def test_six_ascii_digits_are_their_value(code: int) -> None:
    assert jurisdiction_code(str(code)) == code
    assert codes.parse_code(code) == code  # a YAML number in a tenant file


@given(st.text(max_size=12))
def test_any_other_text_is_refused(value: str) -> None:
    if len(value) == 6 and all("0" <= ch <= "9" for ch in value) and value >= "110000":
        assert jurisdiction_code(value) == int(value)
    else:
        with pytest.raises(InvalidCode):
            jurisdiction_code(value)
