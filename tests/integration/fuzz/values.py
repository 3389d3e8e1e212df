"""Hostile values, by class, and hypothesis strategies over them.

Each value is paired with its class name so a failure says what kind of input broke the contract.
The classes are those the robustness issue names: wrong types, null and missing, odd Unicode
(other digits, zero-width, RTL, surrogates, NUL, control characters, ANSI escapes), huge sizes,
out-of-range numbers, bad ids and cursors, and ids of rows that belong to other tenants.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from tests.integration.fuzz.operations import MISSING, Enum, Raw

Probe = tuple[str, Any]  # (class, value)


def b64(text: str | bytes) -> str:
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


def cursor(values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


def _deep(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


UNIVERSAL: list[Probe] = [
    ("missing", MISSING),
    ("null", None),
    ("wrong-type/int", 7),
    ("wrong-type/float", 1.5),
    ("wrong-type/bool", True),
    ("wrong-type/list", ["a", 1]),
    ("wrong-type/object", {"a": 1}),
    ("wrong-type/string", "x"),
    ("huge/string", "x" * 100_000),
    ("huge/list", ["a"] * 2_000),
    ("huge/deep-list", _deep(200)),
    ("huge/object", {f"k{i}": i for i in range(500)}),
    ("number/int32+1", 2**31),
    ("number/int64", 2**63),
    ("number/1e30", 10**30),
    ("number/5000-digits", Raw("1" + "0" * 5000)),
    ("number/-1", -1),
    ("number/1e308", 1e308),
]

ODD_TEXT: list[Probe] = [
    ("unicode/full-width-digits", "４２２８２５"),
    ("unicode/arabic-indic-digits", "٤٢٢٨٢٥"),
    ("unicode/math-digits", "𝟒𝟐𝟐𝟖𝟐𝟓"),
    ("unicode/superscript", "42282²"),
    ("unicode/circled", "①②③④⑤⑥"),
    ("unicode/zero-width-only", "\u200b\u200b"),
    ("unicode/zero-width-inside", "42\u200b2825"),
    ("unicode/rtl-override", "\u202e528224"),
    ("unicode/lone-surrogate", "\ud800"),
    ("unicode/surrogate-inside", "a\udc80b"),
    ("unicode/nul", "\x00"),
    ("unicode/nul-inside", "422825\x00"),
    ("unicode/bell", "\x07"),
    ("unicode/ansi", "\x1b[31mred\x1b[0m"),
    ("unicode/c1-csi", "\x9b2J"),
    ("unicode/newline", "a\nb"),
    ("unicode/ideographic-space", "\u3000"),
    ("unicode/noncharacter", "\uffff"),
    ("text/empty", ""),
    ("text/blank", "   "),
    ("text/10000-cjk", "字" * 10_000),
    ("text/sql", "' OR 1=1 --"),
    ("text/emoji", "👩\u200d💻"),
]

DATETIMES: list[Probe] = [
    ("datetime/naive", "2026-12-01T00:00:00"),
    ("datetime/year-9999", "9999-12-31T23:59:59-12:00"),
    ("datetime/year-1", "0001-01-01T00:00:00+14:00"),
    ("datetime/impossible", "2026-02-30T00:00:00Z"),
    ("datetime/date-only", "2026-12-01"),
    ("datetime/past", "2001-01-01T00:00:00+08:00"),
    ("datetime/epoch-number", 1_790_000_000),
    ("datetime/words", "tomorrow"),
]

DATES: list[Probe] = [
    ("date/impossible", "2026-02-30"),
    ("date/year-99999", "99999-01-01"),
    ("date/year-0", "0000-01-01"),
    ("date/short", "2026-1-1"),
    ("date/with-time", "2026-12-01T00:00:00Z"),
    ("date/past", "2001-01-01"),
    ("date/number", 20261201),
]

ENUMS: list[Probe] = [
    ("enum/unknown", Enum("NOPE")),
    ("enum/lowercase", Enum("read")),
    ("enum/as-string", "READ"),
    ("enum/full-width", "ＲＥＡＤ"),
]


@dataclass
class Rows:
    """Real ids of the seeded database, some in other tenants than the caller's."""

    person_here: str  # 宣恩县
    person_elsewhere: str  # 五华区 (云南), another province
    officer_elsewhere: str
    department_elsewhere: str
    people_cursor: str  # a valid cursor of another list


def ids(rows: Rows) -> list[Probe]:
    some = uuid.UUID(int=1)
    return [
        ("id/empty", ""),
        ("id/not-base64", "!!!"),
        ("id/base64-garbage", b64(b"\xff\xfe\x00")),
        ("id/no-uuid", b64("Person:not-a-uuid")),
        ("id/no-type", b64(str(some))),
        ("id/wrong-type", b64(f"Jurisdiction:{some}")),
        ("id/unknown-type", b64(f"Spaceship:{some}")),
        ("id/unknown-row", b64(f"Person:{some}")),
        ("id/huge", b64("Person:" + "0" * 100_000)),
        ("id/other-tenant-person", rows.person_elsewhere),
        ("id/other-tenant-officer", rows.officer_elsewhere),
        ("id/other-tenant-department", rows.department_elsewhere),
        ("id/number", 12345),
    ]


def cursors(rows: Rows) -> list[Probe]:
    return [
        ("cursor/garbage", "!!!"),
        ("cursor/not-json", base64.urlsafe_b64encode(b"\xff\xfe").decode()),
        ("cursor/not-a-list", cursor({"a": 1})),
        ("cursor/wrong-width", cursor(["1"])),
        ("cursor/int-out-of-range", cursor(["99999999999999999999", "x.y"])),
        ("cursor/int-full-width", cursor(["４２２８２５", "x.y"])),
        ("cursor/date-year-9999", cursor(["9999-12-31T23:59:59-12:00", str(uuid.UUID(int=1))])),
        ("cursor/date-naive", cursor(["2026-01-01T00:00:00", str(uuid.UUID(int=1))])),
        ("cursor/nul", cursor(["420000", "a\u0000b"])),
        ("cursor/surrogate", cursor(["420000", "\ud800"])),
        ("cursor/deep-json", base64.urlsafe_b64encode(b"[" * 5000 + b"]" * 5000).decode()),
        ("cursor/huge", "A" * 100_000),
        ("cursor/other-list", rows.people_cursor),
    ]


def curated(named_type: str, rows: Rows) -> list[Probe]:
    """Every curated probe that makes sense at a position of this type (and the universal ones)."""
    extra: dict[str, Callable[[], list[Probe]]] = {
        "JurisdictionCode": lambda: ODD_TEXT,
        "ShortText": lambda: ODD_TEXT,
        "LongText": lambda: ODD_TEXT,
        "Login": lambda: ODD_TEXT,
        "String": lambda: ODD_TEXT + cursors(rows),
        "ID": lambda: ODD_TEXT[:12] + ids(rows),
        "DateTime": lambda: DATETIMES,
        "Date": lambda: DATES,
        "Int": lambda: [("number/0", 0), ("number/101", 101), ("number/-2^31-1", -(2**31) - 1)],
        "Boolean": lambda: [("wrong-type/string-true", "true"), ("wrong-type/int-1", 1)],
    }
    more = extra.get(named_type, lambda: ENUMS)()
    return UNIVERSAL + more


# Hypothesis: anything JSON can carry, with text drawn from every code point (surrogates too).
ANY_TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=64)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ANY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4),
    max_leaves=12,
)


def generated(named_type: str, rows: Rows) -> st.SearchStrategy[Probe]:
    """Curated probes, random JSON, and random mutations of valid-looking values."""
    near_valid = st.one_of(
        st.builds(lambda s: s + "".join(["422825"]), ANY_TEXT),
        st.builds(lambda a, b: a + "422825" + b, ANY_TEXT, ANY_TEXT),
        st.builds(lambda t: b64(f"Person:{t}"), ANY_TEXT),
        st.builds(lambda t: cursor(["420000", t]), ANY_TEXT),
        st.builds(lambda t: f"2026-12-01T{t}", ANY_TEXT),
    )
    return st.one_of(
        st.sampled_from(curated(named_type, rows)),
        st.tuples(st.just("random/json"), JSON_VALUES),
        st.tuples(st.just("random/near-valid"), near_valid),
    )
