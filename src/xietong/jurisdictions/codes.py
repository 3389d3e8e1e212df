"""GB/T 2260 six-digit codes: what the code itself says about the tree.

Province ``XX0000``, city ``XXYY00``, county ``XXYYZZ``. A county-level unit governed directly by
its province (省直辖县级行政单位, e.g. 429004 仙桃市) uses ``YY = 90``. Because the code encodes
the path, a subtree is an integer range, which PostgreSQL can use inside row-level security.
"""

from __future__ import annotations

from dataclasses import dataclass

from xietong.inputs.codes import InvalidCode as InvalidCode  # callers catch codes.InvalidCode
from xietong.inputs.codes import jurisdiction_code
from xietong.jurisdictions.enums import JurisdictionLevel

DIRECTLY_ADMINISTERED = 90  # the YY of counties under a province directly

PROVINCE_PREFIXES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82}
)
"""The first two digits of every provincial-level unit in GB/T 2260 (71 台湾, 81 香港, 82 澳门)."""


def parse_code(value: object) -> int:
    """A code written by a person or a file: six ASCII digits (``xietong.inputs`` has the rule),
    or a YAML number such as ``420000`` in a tenant file."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**6:
        value = str(value)
    return jurisdiction_code(value)


def format_code(code: int) -> str:
    return f"{code:06d}"


def level_of(code: int) -> JurisdictionLevel:
    """The level the code's structure implies."""
    if code % 10000 == 0:
        return JurisdictionLevel.PROVINCE
    if code % 100 == 0:
        return JurisdictionLevel.CITY
    return JurisdictionLevel.COUNTY


def province_of(code: int) -> int:
    return code - code % 10000


def expected_parents(code: int) -> tuple[int, ...]:
    """Codes that may be the parent of ``code``, by structure alone."""
    level = level_of(code)
    if level is JurisdictionLevel.PROVINCE:
        return ()
    if level is JurisdictionLevel.CITY:
        return (province_of(code),)
    if (code // 100) % 100 == DIRECTLY_ADMINISTERED:
        return (province_of(code),)
    return (code - code % 100,)


@dataclass(frozen=True, slots=True)
class CodeRange:
    """Inclusive range of codes covering a unit and everything under it."""

    lo: int
    hi: int

    def __contains__(self, code: object) -> bool:
        return isinstance(code, int) and self.lo <= code <= self.hi


def subtree(code: int) -> CodeRange:
    level = level_of(code)
    if level is JurisdictionLevel.PROVINCE:
        return CodeRange(code, code + 9999)
    if level is JurisdictionLevel.CITY:
        return CodeRange(code, code + 99)
    return CodeRange(code, code)


def structure_problem(code: int, level: JurisdictionLevel, parent: int | None) -> str | None:
    """Why ``code`` at ``level`` under ``parent`` contradicts the code's structure, or None."""
    implied = level_of(code)
    if implied is not level:
        return (
            f"code {format_code(code)} is a {implied.value} code but the entry says {level.value}"
            f"（代码结构表示{_LEVEL_ZH[implied]}，与所填级别{_LEVEL_ZH[level]}不符）"
        )
    if level is JurisdictionLevel.CITY and (code // 100) % 100 == DIRECTLY_ADMINISTERED:
        return f"code {format_code(code)}: 90 is reserved for counties under the province"
    allowed = expected_parents(code)
    if not allowed:
        if parent is not None:
            return f"a province has no parent, but {format_code(parent)} is given（省级无上级）"
        return None
    if parent is None:
        return (
            f"a {level.value} needs a parent; by its code it is {format_code(allowed[0])}"
            "（缺少上级区划）"
        )
    if parent not in allowed:
        return (
            f"parent {format_code(parent)} does not match the code prefix; expected "
            f"{format_code(allowed[0])}（上级区划与代码前缀不符）"
        )
    return None


_LEVEL_ZH = {
    JurisdictionLevel.PROVINCE: "省级",
    JurisdictionLevel.CITY: "市级",
    JurisdictionLevel.COUNTY: "县级",
}
