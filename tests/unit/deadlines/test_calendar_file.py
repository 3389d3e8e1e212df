"""The calendar file (``xietong calendar load FILE``): strict, every problem named."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.unit.deadlines.conftest import FIXTURES, NOTICE_2026, PLAUSIBLE_2027
from xietong.deadlines.calendar import HolidaySpan, OfficialYear
from xietong.deadlines.calendar_file import (
    MAX_FILE_BYTES,
    CalendarFileError,
    dump_year_file,
    parse_year_file,
    read_year_file,
    to_document,
)

GOOD = """\
year: 2026
notice: 国务院办公厅关于2026年部分节假日安排的通知
holidays:
  - name: 国庆节
    from: 2026-10-01
    to: 2026-10-07
    workdays: [2026-09-20, 2026-10-10]
"""


def problems(text: str) -> list[str]:
    with pytest.raises(CalendarFileError) as caught:
        parse_year_file(text, "2027.yaml")
    assert caught.value.file == "2027.yaml"
    return [str(p) for p in caught.value.problems]


def test_a_good_file() -> None:
    official = parse_year_file(GOOD)
    assert official.year == 2026
    assert official.holidays == (
        HolidaySpan(
            "国庆节", date(2026, 10, 1), date(2026, 10, 7), (date(2026, 9, 20), date(2026, 10, 10))
        ),
    )
    entries = official.entries()
    assert entries[date(2026, 10, 10)].working
    assert not entries[date(2026, 10, 3)].working


def test_the_fixtures_parse() -> None:
    assert PLAUSIBLE_2027.year == 2027
    assert len(PLAUSIBLE_2027.holidays) == 7
    assert NOTICE_2026.year == 2026


def test_quoted_dates_are_accepted() -> None:
    assert parse_year_file(GOOD.replace("2026-10-07", '"2026-10-07"')) == parse_year_file(GOOD)


def test_what_is_written_reads_back_the_same() -> None:
    for official in (PLAUSIBLE_2027, NOTICE_2026):
        assert parse_year_file(dump_year_file(official)) == official
        assert to_document(official)["year"] == official.year


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- 1\n- 2\n", "file: 应包含 year、notice、holidays"),
        ("year: [\n", "file: 不是有效的YAML"),
        (GOOD + "extra: 1\n", "file.extra: 未知字段"),
        (GOOD.replace("year: 2026", "year: '2026'"), "file.year: year 应为四位年份"),
        (GOOD.replace("year: 2026", "year: true"), "file.year: year 应为四位年份"),
        (GOOD.replace("year: 2026", "year: 1999"), "file.year: 年份应在 2000–2199 之间"),
        (GOOD.replace("notice: 国务院", "notice: 国\u0000务院"), "file: 文件含有NUL字符"),
        (
            GOOD.replace("notice: 国务院", "notice: 国\u200b务院"),
            "file.notice: 通知名称含有控制字符",
        ),
        (
            GOOD.replace("notice: 国务院办公厅关于2026年部分节假日安排的通知", "notice: ''"),
            "通知名称不能为空",
        ),
        ("year: 2026\nnotice: x\nholidays: []\n", "file.holidays: holidays 应为非空列表"),
        ("year: 2026\nnotice: x\n", "file.holidays: 缺少必填字段"),
        (GOOD.replace("    to: 2026-10-07\n", ""), "holidays[0] (国庆节).to: 缺少必填字段"),
        (GOOD.replace("2026-10-07", "2026-10-32"), "“2026-10-32”不是有效日期"),
        (GOOD.replace("2026-10-07", "2026/10/07"), "“2026/10/07”不是有效日期"),
        (GOOD.replace("2026-10-07", "2026-10-07 18:00"), "不是有效日期"),
        (GOOD.replace("2026-10-07", "20261007"), "“20261007”不是有效日期"),
        (GOOD.replace("    to: 2026-10-07", "    to: 2026-10-07\n    days: 7"), "days: 未知字段"),
        (GOOD.replace("2026-10-07", "2026-09-30"), "holidays[0] (国庆节): 结束日期早于开始日期"),
        (GOOD.replace("2026-10-07", "2026-10-30"), "放假30天，超过20天"),
        (
            GOOD.replace("2026-10-01", "2025-11-30").replace("2026-10-07", "2025-12-02"),
            "日期应在2026年内或2025年12月",
        ),
        (GOOD.replace("2026-09-20", "2026-09-21"), "2026-09-21 是周一，调休上班日应为周六或周日"),
        (GOOD.replace("2026-09-20", "2026-10-03"), "(2026-10-03): 该日已在放假期间内"),
        (GOOD.replace("2026-09-20", "2026-10-10"), "(2026-10-10): 调休上班日重复"),
        (GOOD.replace("2026-09-20", "2027-01-02"), "(2027-01-02): 日期应在2026年内"),
        (
            GOOD.replace(
                "workdays: [",
                "workdays: [2026-01-03, 2026-01-04, 2026-01-10, 2026-01-11, 2026-01-17, ",
            ),
            "调休上班日超过6天",
        ),
        (
            GOOD + "  - name: 重叠\n    from: 2026-10-07\n    to: 2026-10-08\n",
            "holidays[1] (重叠): 2026-10-07 与 holidays[0] (国庆节) 重叠",
        ),
        (GOOD + "  - 5\n", "holidays[1]: 应为键值对"),
        (GOOD + "  - name: ''\n    from: 2026-05-01\n    to: 2026-05-05\n", "节日名称不能为空"),
        (GOOD + "  - name: 5\n    from: 2026-05-01\n    to: 2026-05-05\n", "节日名称应为文字"),
    ],
)
def test_each_problem_is_named(text: str, expected: str) -> None:
    found = problems(text)
    assert any(expected in p for p in found), found


def test_every_problem_is_reported_in_one_pass() -> None:
    text = (
        "extra: 1\n"
        + GOOD.replace("2026-09-20", "2026-09-21")
        + "  - name: 春节\n    from: 2026-02-23\n    to: 2026-02-15\n"
    )
    found = problems(text)
    assert len(found) == 3, found
    with pytest.raises(CalendarFileError) as caught:
        parse_year_file(text, "2027.yaml")
    assert all(line.startswith("2027.yaml: ") for line in str(caught.value).splitlines())


def test_huge_files_are_refused_before_parsing() -> None:
    found = problems(GOOD + "#" * MAX_FILE_BYTES)
    assert found == ["file: 文件超过 64 KB（file too large）"]


def test_reading_from_disk(tmp_path: Path) -> None:
    assert read_year_file(FIXTURES / "2026.yaml") == NOTICE_2026
    missing = tmp_path / "none.yaml"
    with pytest.raises(CalendarFileError, match="文件不存在"):
        read_year_file(missing)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("notice: caf\xe9".encode("latin-1"))
    with pytest.raises(CalendarFileError, match="UTF-8"):
        read_year_file(latin)


@st.composite
def official_years(draw: st.DrawFn) -> OfficialYear:
    year = draw(st.integers(2001, 2199))
    spans = []
    day = date(year, 1, 1) + timedelta(days=draw(st.integers(0, 20)))
    for i in range(draw(st.integers(1, 7))):
        length = draw(st.integers(1, 9))
        last = day + timedelta(days=length - 1)
        if last.year != year:
            break
        after = last + timedelta(days=1)
        weekend = [after + timedelta(days=k) for k in range(1, 15)]
        weekend = [d for d in weekend if d.weekday() >= 5 and d.year == year]
        workdays = tuple(sorted(draw(st.lists(st.sampled_from(weekend), max_size=2, unique=True))))
        spans.append(HolidaySpan(f"节日{i}", day, last, workdays if weekend else ()))
        day = last + timedelta(days=draw(st.integers(20, 60)))
    return OfficialYear(year, "测试通知", tuple(spans))


@given(official_years())
@settings(deadline=None)  # timing is bench/'s job, not the tests'
def test_any_valid_year_round_trips(official: OfficialYear) -> None:
    # Make-up days may fall in the next holiday's span: skip those generated years.
    taken = {d for s in official.holidays for d in s.days()}
    assume(official.holidays)
    assume(not any(d in taken for s in official.holidays for d in s.workdays))
    assert parse_year_file(dump_year_file(official)) == official


def test_the_example_in_the_docs_is_the_2026_notice() -> None:
    docs = Path(__file__).resolve().parents[3] / "docs" / "deadlines.md"
    block = docs.read_text(encoding="utf-8").split("```yaml\n")[1].split("```")[0]
    assert parse_year_file(block) == NOTICE_2026
