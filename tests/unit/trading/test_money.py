"""Money: integer fen, parsed exactly from yuan text; floats refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xietong.trading.errors import TradingError, TradingErrorCode
from xietong.trading.money import MAX_FEN, Unit, format_yuan, parse_amount, parse_yuan


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("0", 0),
        ("0.01", 1),
        ("12", 1200),
        ("12.5", 1250),
        ("1234.56", 123456),
        ("1,234.56", 123456),
        ("12,345,678.90", 1234567890),
        (" ￥1,234.56 ", 123456),
        ("¥99", 9900),
        ("100元", 10000),
    ],
)
def test_yuan_text(text: str, fen: int) -> None:
    assert parse_yuan(text) == fen


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1.234",  # three decimals
        "1,23.4",  # bad grouping
        "1,2345",
        ",123",
        "12.",
        ".5",
        "1e5",
        "NaN",
        "Infinity",
        "１２",  # full-width digits are refused, not converted
        "١٢",  # Arabic-Indic digits
        "12 34",
        "+12",
        "12万元",  # 万元 only when the unit says so
        "1" * 50,
        "12\x00",
    ],
)
def test_refused_text(text: str) -> None:
    with pytest.raises(TradingError) as caught:
        parse_yuan(text, field="budget")
    assert caught.value.code == TradingErrorCode.INVALID_AMOUNT
    assert caught.value.field == "budget"


def test_floats_and_bools_are_refused() -> None:
    for value in (0.1, 1.0, float("nan"), True):
        with pytest.raises(TradingError, match="（"):
            parse_yuan(value)  # type: ignore[arg-type]


def test_integers_and_decimals() -> None:
    assert parse_yuan(3) == 300
    assert parse_yuan(Decimal("1.23")) == 123
    assert parse_yuan(Decimal("1.230")) == 123  # trailing zero: still exact
    with pytest.raises(TradingError, match="2位小数"):
        parse_yuan(Decimal("1.235"))
    with pytest.raises(TradingError, match="有限"):
        parse_yuan(Decimal("NaN"))


def test_wan_yuan() -> None:
    assert parse_amount("12.5万元", unit=Unit.WAN_YUAN) == 12_500_000
    assert parse_amount("400", unit=Unit.WAN_YUAN) == 400_000_000
    assert parse_amount("0.000001", unit=Unit.WAN_YUAN) == 1
    with pytest.raises(TradingError):
        parse_amount("0.0000001", unit=Unit.WAN_YUAN)


def test_sign_and_bounds() -> None:
    with pytest.raises(TradingError, match="负数"):
        parse_yuan("-5")
    assert parse_amount("-5.5", allow_negative=True) == -550
    with pytest.raises(TradingError, match="范围"):
        parse_yuan(MAX_FEN // 100 + 1)
    assert parse_yuan(MAX_FEN // 100) == MAX_FEN


def test_format_yuan() -> None:
    assert format_yuan(123456789) == "1,234,567.89"
    assert format_yuan(5) == "0.05"
    assert format_yuan(-5) == "-0.05"
    assert format_yuan(100000, grouping=False) == "1000.00"


@given(st.integers(min_value=0, max_value=MAX_FEN))
def test_formatted_amounts_parse_back(fen: int) -> None:
    assert parse_yuan(format_yuan(fen)) == fen
    assert parse_yuan(format_yuan(fen, grouping=False)) == fen


@given(st.text(max_size=20))
def test_any_text_is_an_amount_or_a_coded_refusal(text: str) -> None:
    outcome: int | TradingError
    try:
        outcome = parse_yuan(text)
    except TradingError as error:
        outcome = error
    if isinstance(outcome, TradingError):
        assert outcome.code == TradingErrorCode.INVALID_AMOUNT
    else:
        assert 0 <= outcome <= MAX_FEN
