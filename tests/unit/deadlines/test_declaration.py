"""The ``deadlines`` section of a tenant file: overrides and promises, checked whole."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml

from xietong.deadlines.calendar import Calendars
from xietong.deadlines.declaration import check_section
from xietong.deadlines.enums import OverrideKind

KNOWN = {420000, 422800, 422825}

SECTION: dict[str, Any] = {
    "calendar": [
        {
            "jurisdiction": "420000",
            "kind": "closed",
            "from": date(2020, 1, 31),
            "to": date(2020, 2, 9),
            "reason": "湖北省延长春节假期",
        },
        {"jurisdiction": 422825, "kind": "open", "from": "2020-02-08", "reason": "县调休上班"},
    ],
    "promises": [
        {
            "jurisdiction": "420000",
            "rule": "TB.acceptance_decision",
            "amount": 2,
            "unit": "working_days",
            "source": "湖北省公共资源交易投诉处理服务承诺",
        }
    ],
}


def messages(raw: Any) -> list[str]:
    _, problems = check_section(raw, KNOWN)
    return [str(p) for p in problems]


def test_a_good_section() -> None:
    declaration, problems = check_section(SECTION, KNOWN)
    assert problems == []
    assert len(declaration.overrides) == 11  # ten closed days and one open one
    assert declaration.overrides[-1].kind is OverrideKind.OPEN
    assert declaration.promises[0].amount == 2
    # And it builds calendars: the county works on the Saturday its province closed.
    calendars = Calendars(overrides=declaration.overrides)
    assert not calendars.for_jurisdiction(422800).is_working_day(date(2020, 2, 3))
    assert calendars.for_jurisdiction(422825).is_working_day(date(2020, 2, 8))


def test_no_section_is_fine() -> None:
    declaration, problems = check_section(None, KNOWN)
    assert (declaration.overrides, declaration.promises, problems) == ((), (), [])


def test_every_problem_is_named() -> None:
    raw = {
        "calendar": [
            {"jurisdiction": "530000", "kind": "closed", "from": "2020-01-31", "reason": "x"},
            {"jurisdiction": "420000", "kind": "shut", "from": "2020-01-31", "reason": "x"},
            {"jurisdiction": "4200", "kind": "closed", "from": "2020-01-31", "reason": "x"},
            {
                "jurisdiction": "420000",
                "kind": "closed",
                "from": "2020-02-09",
                "to": "2020-02-01",
                "reason": "x",
            },
            {
                "jurisdiction": "420000",
                "kind": "closed",
                "from": "2020-01-01",
                "to": "2021-06-01",
                "reason": "x",
            },
            {"jurisdiction": "420000", "kind": "closed", "from": "2020-03-02", "reason": "a"},
            {
                "jurisdiction": "420000",
                "kind": "open",
                "from": "2020-03-01",
                "to": "2020-03-02",
                "reason": "b",
            },
            {"jurisdiction": "420000", "kind": "closed", "from": "2020-03-05", "reason": ""},
            {"jurisdiction": "420000", "kind": "closed", "from": "1999-03-05", "reason": "x"},
            "not a mapping",
        ],
        "promises": [
            {
                "jurisdiction": "420000",
                "rule": "GP.decision",
                "amount": 31,
                "unit": "working_days",
                "source": "x",
            },
            {
                "jurisdiction": "420000",
                "rule": "GP.review",
                "amount": "2",
                "unit": "working_days",
                "source": "x",
            },
            {
                "jurisdiction": "420000",
                "rule": "GP.review",
                "amount": 2,
                "unit": "weeks",
                "source": "x",
            },
            {
                "jurisdiction": "530000",
                "rule": "GP.review",
                "amount": 2,
                "unit": "working_days",
                "source": "x",
            },
        ],
        "holidays": [],
    }
    found = messages(raw)
    expected = [
        "deadlines.holidays: 未知的配置段",
        "deadlines.calendar[0] (530000): 区划 530000 未在本文件中声明",
        "deadlines.calendar[1].kind: 应为以下之一",
        "deadlines.calendar[2].jurisdiction:",
        "deadlines.calendar[3] (420000): 结束日期早于开始日期",
        "deadlines.calendar[4] (420000): 一次最多366天",
        "deadlines.calendar[6] (420000): 2020-03-02 已由 deadlines.calendar[5] (420000) 声明",
        "deadlines.calendar[7].reason: 原因不能为空",
        "deadlines.calendar[8] (420000): 日期应在 2000–2199 年间",
        "deadlines.calendar[9]: 应为键值对",
        "promises (420000 GP.decision): 承诺时限 31个工作日 长于法定时限 30个工作日",
        "deadlines.promises[1].amount: 应为整数",
        "deadlines.promises[2].unit: 应为以下之一",
        "deadlines.promises[3]: 区划 530000 未在本文件中声明",
    ]
    for fragment in expected:
        assert any(m.startswith(fragment) for m in found), (fragment, found)
    assert len(found) == len(expected), found


def test_wrong_shapes() -> None:
    assert messages([1, 2]) == [
        "deadlines: 应包含 calendar、promises（expected calendar, promises）"
    ]
    assert messages({"calendar": {"a": 1}}) == ["deadlines.calendar: 应为列表（expected a list）"]


def test_the_example_in_the_docs_is_valid() -> None:
    docs = Path(__file__).resolve().parents[3] / "docs" / "deadlines.md"
    block = docs.read_text(encoding="utf-8").split("```yaml\n")[2].split("```")[0]
    declaration, problems = check_section(yaml.safe_load(block)["deadlines"], KNOWN)
    assert problems == []
    assert len(declaration.overrides) == 10
    assert declaration.promises[0].rule_id == "TB.acceptance_decision"
