"""Resident ID numbers (居民身份证号码, GB 11643-1999): personal data that never leaves here whole.

Eighteen characters: a 6-digit address code (GB/T 2260), the date of birth ``YYYYMMDD``, a 3-digit
sequence (odd for men), and a check character under ISO 7064 MOD 11-2 (0–9 or X).

A ``PersonalIdNumber`` holds the number but shows only its masked form (``4228**********123X``)
to ``repr``, ``str``, f-strings, structlog and JSON; it refuses to be pickled (job queues pickle
their arguments). What is stored is a ``ProtectedPersonalId``: the masked form for display and an
HMAC-SHA256 under the server's ``PERSONAL_ID`` key for matching; the number itself is not.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date
from hashlib import sha256
from typing import Any, NoReturn, Self

from xietong.jurisdictions.codes import PROVINCE_PREFIXES
from xietong.keys import Keyring, Purpose
from xietong.trading.errors import TradingErrorCode
from xietong.trading.identifiers import CodeProblem, normalise

LENGTH = 18
WEIGHTS = tuple(pow(2, LENGTH - 1 - i, 11) for i in range(LENGTH - 1))
"""2^(18-i) mod 11 for positions i = 1…17: 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2."""
EARLIEST_BIRTH = date(1900, 1, 1)
RESIDENCE_PERMIT_PREFIXES = frozenset({81, 82, 83})
"""港澳台居民居住证 numbers follow GB 11643 with 810000 (香港), 820000 (澳门), 830000 (台湾)."""
MASK_KEEP = 4

_WHAT = "身份证号码"
_CODE = TradingErrorCode.INVALID_PERSONAL_ID


def check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits."""
    if len(first17) != LENGTH - 1 or not first17.isdigit():
        raise ValueError("the check character covers 17 digits")
    total = sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def mask(number: str) -> str:
    """First four and last four characters; the rest (address and birth date) hidden."""
    hidden = max(len(number) - 2 * MASK_KEEP, 0)
    return number[:MASK_KEEP] + "*" * hidden + number[-MASK_KEEP:]


def _fold(text: str) -> str:
    # Only the check character may be a letter; a lower-case x is the same X.
    return text.replace("x", "X")


def _at(position: int, message: str) -> CodeProblem:
    return CodeProblem(_CODE, position, f"{_WHAT}第{position}位{message}")


def _check(raw: object, today: date) -> str | CodeProblem:
    # Messages never repeat the number or its characters: an invalid number is personal data too.
    text = normalise(raw, _CODE, _WHAT, fold=_fold, redact=True)
    if isinstance(text, CodeProblem):
        return text
    if len(text) == 15 and text.isdigit():
        return CodeProblem(
            _CODE,
            None,
            f"{_WHAT}为15位旧号码，请提供18位号码（15-digit first-generation numbers are no "
            "longer valid; give the 18-digit number）",
        )
    if len(text) != LENGTH:
        return CodeProblem(
            _CODE,
            min(len(text), LENGTH) + 1,
            f"{_WHAT}应为18位，实有{len(text)}位（18 characters expected, got {len(text)}）",
        )
    for index, char in enumerate(text[:17]):
        if not char.isdigit():
            return _at(index + 1, "应为数字（positions 1-17 are digits）")
    if not (text[17].isdigit() or text[17] == "X"):
        return _at(18, "应为数字或X（the check character is a digit or X）")
    prefix = int(text[:2])
    if prefix not in PROVINCE_PREFIXES | RESIDENCE_PERMIT_PREFIXES:
        return _at(1, "起的地址码没有对应的省级行政区划（no such province in the address code）")
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return _at(
            7, "起的出生日期不是有效日期（the date of birth, positions 7-14, is not a date）"
        )
    if not EARLIEST_BIRTH <= born <= today:
        return _at(
            7,
            "起的出生日期不在1900年至今天之间（the date of birth must be between 1900 and today）",
        )
    if text[17] != check_char(text[:17]):
        return _at(
            18,
            "校验码不符，请核对号码（check character does not match: a digit was mistyped）",
        )
    return text


def problem(raw: object, *, today: date) -> CodeProblem | None:
    """Why ``raw`` is not a valid ID number, or None. ``today`` is the China date."""
    checked = _check(raw, today)
    return checked if isinstance(checked, CodeProblem) else None


@dataclass(frozen=True, slots=True)
class ProtectedPersonalId:
    """What is stored and shown: the masked number and a keyed hash for matching."""

    masked: str
    digest: str
    """Hex HMAC-SHA256 of the number under ``Purpose.PERSONAL_ID``; equal numbers, equal digests."""

    def __str__(self) -> str:
        return self.masked


class PersonalIdNumber:
    """A valid ID number that shows itself only masked. Build it with ``parse``."""

    __slots__ = ("_number",)
    _number: str

    def __init__(self, number: str, /, *, _checked: bool = False) -> None:
        if not _checked:
            raise TypeError("use personal_id.parse() to build a PersonalIdNumber")
        object.__setattr__(self, "_number", number)

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("a PersonalIdNumber cannot be changed")

    @property
    def masked(self) -> str:
        return mask(self._number)

    @property
    def birth_date(self) -> date:
        n = self._number
        return date(int(n[6:10]), int(n[10:12]), int(n[12:14]))

    def keyed_hash(self, keyring: Keyring) -> str:
        """HMAC-SHA256 of the normalised number under the server's personal-id key, in hex."""
        key = keyring.key(Purpose.PERSONAL_ID)
        return hmac.new(key, self._number.encode("ascii"), sha256).hexdigest()

    def protect(self, keyring: Keyring) -> ProtectedPersonalId:
        return ProtectedPersonalId(masked=self.masked, digest=self.keyed_hash(keyring))

    def __repr__(self) -> str:
        return f"PersonalIdNumber({self.masked!r})"

    def __str__(self) -> str:
        return self.masked

    def __format__(self, spec: str) -> str:
        return format(self.masked, spec)

    def __structlog__(self) -> str:
        """What structlog's JSON renderer writes."""
        return self.masked

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PersonalIdNumber):
            return NotImplemented
        return hmac.compare_digest(self._number, other._number)

    def __hash__(self) -> int:
        return hash((PersonalIdNumber, self._number))

    def __copy__(self) -> Self:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        return self

    def __reduce__(self) -> NoReturn:
        raise TypeError("a PersonalIdNumber is not serialisable; store protect(keyring) instead")


def parse(raw: object, *, today: date, field: str | None = "idNumber") -> PersonalIdNumber:
    """The valid number in ``raw``, or ``TradingError`` ``INVALID_PERSONAL_ID`` naming the
    position at fault (the message never repeats the number)."""
    checked = _check(raw, today)
    if isinstance(checked, CodeProblem):
        raise checked.error(field)
    return PersonalIdNumber(checked, _checked=True)
