"""Money is an integer number of fen (分, CNY 0.01). Never a float.

``parse_amount`` reads what people and spreadsheets write — ``"1,234.56"``, ``"￥1234.5"``,
``"12.5万元"`` with ``unit=WAN_YUAN`` — exactly, or refuses it with ``INVALID_AMOUNT``. Floats are
refused: ``0.1 + 0.2`` is not an amount anyone owes. ``Decimal`` and ``int`` are accepted.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from enum import Enum

from xietong.trading.errors import TradingError, TradingErrorCode

FEN_PER_YUAN = 100
MAX_FEN = 10**16
"""100 trillion yuan: far above any project, far below PostgreSQL's bigint."""
_MAX_TEXT = 40


class Unit(Enum):
    """The unit a figure is written in, and how many decimals it may have without losing fen."""

    YUAN = ("元", 100, 2)
    WAN_YUAN = ("万元", 1_000_000, 6)

    def __init__(self, zh: str, fen: int, decimals: int) -> None:
        self.zh = zh
        self.fen = fen
        self.decimals = decimals


# [0-9], not \d: \d also matches full-width and other scripts' digits, which we refuse.
_GROUPED = r"[0-9]{1,3}(?:,[0-9]{3})+"
_PATTERNS = {
    unit: re.compile(
        rf"(?P<sign>-)?[¥￥]?(?P<int>{_GROUPED}|[0-9]+)(?:\.(?P<frac>[0-9]{{1,{unit.decimals}}}))?"
        rf"(?:{unit.zh})?"
    )
    for unit in Unit
}


def _refuse(reason: str, field: str | None) -> TradingError:
    return TradingError(TradingErrorCode.INVALID_AMOUNT, reason, field=field)


def parse_amount(
    value: str | int | Decimal,
    *,
    unit: Unit = Unit.YUAN,
    field: str | None = None,
    allow_negative: bool = False,
) -> int:
    """The amount in fen. Text: optional ¥/￥, digits with optional ``,`` thousands grouping, at
    most two decimals for yuan (six for 万元), optional unit suffix; ASCII digits only."""
    if isinstance(value, bool):
        raise _refuse("金额应为文本或整数（expected text or an integer）", field)
    if isinstance(value, float):
        raise _refuse(
            "金额不能以浮点数提供，请用文本或整数"
            "（a float cannot hold an exact amount; send text）",
            field,
        )
    if isinstance(value, int):
        fen = value * unit.fen
    elif isinstance(value, Decimal):
        fen = _from_decimal(value, unit, field)
    elif isinstance(value, str):
        fen = _from_text(value, unit, field)
    else:
        raise _refuse("金额应为文本或整数（expected text or an integer）", field)
    if fen < 0 and not allow_negative:
        raise _refuse("金额不能为负数（the amount cannot be negative）", field)
    if abs(fen) > MAX_FEN:
        raise _refuse("金额超出可接受范围（the amount is implausibly large）", field)
    return fen


def parse_yuan(value: str | int | Decimal, *, field: str | None = None) -> int:
    """A non-negative amount in yuan with at most two decimals, as fen."""
    return parse_amount(value, unit=Unit.YUAN, field=field)


def _from_decimal(value: Decimal, unit: Unit, field: str | None) -> int:
    if not value.is_finite():
        raise _refuse("金额不是有限数（not a finite number）", field)
    scaled = value * unit.fen
    if scaled != scaled.to_integral_value():
        raise _refuse(
            f"金额以{unit.zh}计最多{unit.decimals}位小数（at most {unit.decimals} decimals in "
            f"{unit.name.lower()}）",
            field,
        )
    return int(scaled)


def _from_text(value: str, unit: Unit, field: str | None) -> int:
    text = value.strip()
    if len(text) > _MAX_TEXT:
        raise _refuse("金额文本过长（the amount text is too long）", field)
    match = _PATTERNS[unit].fullmatch(text)
    if match is None:
        raise _refuse(
            f"“{text[:_MAX_TEXT]}”不是有效金额：应为半角数字，可带千分位逗号，以{unit.zh}计最多"
            f"{unit.decimals}位小数（not an amount: ASCII digits, optional thousands commas, at "
            f"most {unit.decimals} decimals）",
            field,
        )
    try:
        number = Decimal(match["int"].replace(",", "") + "." + (match["frac"] or "0"))
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise _refuse("金额无法解析（cannot read the amount）", field) from None
    fen = _from_decimal(number, unit, field)
    return -fen if match["sign"] else fen


def format_yuan(fen: int, *, grouping: bool = True) -> str:
    """``123456789`` → ``"1,234,567.89"`` (yuan, always two decimals)."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), FEN_PER_YUAN)
    whole = f"{yuan:,}" if grouping else str(yuan)
    return f"{sign}{whole}.{cents:02d}"
