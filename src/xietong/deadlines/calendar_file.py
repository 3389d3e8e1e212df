"""The file ``xietong calendar load FILE`` reads: one year of the State Council's holiday notice.

Pure: text in, a checked ``OfficialYear`` (or every problem) out. The format follows the notice
sentence by sentence, so a clerk can type it from the notice and a reviewer can check it against
the notice line by line::

    year: 2026
    notice: 国务院办公厅关于2026年部分节假日安排的通知
    holidays:
      - name: 国庆节
        from: 2026-10-01
        to: 2026-10-07
        workdays: [2026-09-20, 2026-10-10]   # 调休上班 (the notice's "…上班")

Rules, each checked and reported with the entry it concerns:

- ``year``, ``notice`` and ``holidays`` are required; no other keys anywhere.
- dates are written ``YYYY-MM-DD``; every date lies in the notice's year, or in the December
  before it (a notice may start New Year's Day on 30 December and put a make-up day on the 29th).
- a holiday runs ``from`` … ``to`` inclusive, at most 20 days; holidays do not overlap.
- a make-up working day (``workdays``) is a Saturday or a Sunday (a weekday is a working day
  anyway, so one listed is a typo) and is not inside any holiday; none is listed twice.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from xietong.deadlines.calendar import MAX_YEAR, MIN_YEAR, HolidaySpan, OfficialYear
from xietong.deadlines.errors import CalendarFileError, FileProblem

MAX_FILE_BYTES = 64 * 1024
MAX_HOLIDAY_DAYS = 20
MAX_HOLIDAYS = 20
MAX_WORKDAYS_PER_HOLIDAY = 6


class _Loader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so a bad date gets our message, not a traceback."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def strict_date(value: Any) -> date:
    if isinstance(value, datetime):
        raise ValueError("应为日期而非时间（a date YYYY-MM-DD, not a time）")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"“{value}”不是有效日期，应写作 YYYY-MM-DD（not a date YYYY-MM-DD）")


def clean_text(value: Any, what: str, limit: int) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what}应为文字（{what} must be text）")
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        raise ValueError(f"{what}不能为空（{what} is empty）")
    if len(text) > limit:
        raise ValueError(f"{what}超过{limit}字（{what} is longer than {limit} characters）")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") for c in text):
        raise ValueError(f"{what}含有控制字符（{what} contains control characters）")
    return text


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class _HolidayEntry(_Strict):
    name: str
    first: date = Field(alias="from")
    last: date = Field(alias="to")
    workdays: tuple[date, ...] = ()

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> str:
        return clean_text(value, "节日名称", 40)

    @field_validator("first", "last", mode="before")
    @classmethod
    def _date(cls, value: Any) -> date:
        return strict_date(value)

    @field_validator("workdays", mode="before")
    @classmethod
    def _workdays(cls, value: Any) -> tuple[date, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise ValueError("workdays 应为日期列表（a list of dates）")
        if len(value) > MAX_WORKDAYS_PER_HOLIDAY:
            raise ValueError(
                f"调休上班日超过{MAX_WORKDAYS_PER_HOLIDAY}天"
                f"（more than {MAX_WORKDAYS_PER_HOLIDAY} make-up working days）"
            )
        return tuple(strict_date(v) for v in value)


class _YearEntry(_Strict):
    year: int
    notice: str
    holidays: list[Any]

    @field_validator("year", mode="before")
    @classmethod
    def _year(cls, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"year 应为四位年份（a four-digit year），而不是 “{value}”")
        if not MIN_YEAR <= value <= MAX_YEAR:
            raise ValueError(
                f"年份应在 {MIN_YEAR}–{MAX_YEAR} 之间（year must be {MIN_YEAR}–{MAX_YEAR}）"
            )
        return value

    @field_validator("notice", mode="before")
    @classmethod
    def _notice(cls, value: Any) -> str:
        return clean_text(value, "通知名称", 200)

    @field_validator("holidays", mode="before")
    @classmethod
    def _holidays(cls, value: Any) -> list[Any]:
        if not isinstance(value, list) or not value:
            raise ValueError("holidays 应为非空列表（a non-empty list of holidays）")
        if len(value) > MAX_HOLIDAYS:
            raise ValueError(f"节日超过{MAX_HOLIDAYS}个（more than {MAX_HOLIDAYS} holidays）")
        return value


def pydantic_problems(exc: ValidationError, entry: str) -> list[FileProblem]:
    """pydantic's errors as problems a clerk can read (Chinese first), one per field."""
    out = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            message = "未知字段（unknown key）"
        elif kind == "missing":
            message = "缺少必填字段（required key missing）"
        elif kind == "enum":
            expected = err.get("ctx", {}).get("expected", "")
            message = f"应为以下之一：{expected}（must be one of {expected}）"
        elif kind in ("int_type", "int_parsing", "int_from_float"):
            message = "应为整数（must be a whole number）"
        elif kind in ("string_type",):
            message = "应为文字（must be text）"
        else:
            message = str(err["msg"]).removeprefix("Value error, ")
        out.append(FileProblem(f"{entry}.{where}" if where else entry, message))
    return out


def check_year_document(raw: Any, file: str = "<input>") -> OfficialYear:
    """Check a parsed YAML document; raise ``CalendarFileError`` naming every problem."""
    if not isinstance(raw, dict):
        raise CalendarFileError(
            file,
            [
                FileProblem(
                    "file", "应包含 year、notice、holidays（expected year, notice, holidays）"
                )
            ],
        )
    problems: list[FileProblem] = []
    try:
        head: _YearEntry | None = _YearEntry.model_validate(raw)
    except ValidationError as exc:
        head = None
        problems.extend(pydantic_problems(exc, "file"))
    # Check the holidays even when the head is wrong, so one pass reports everything.
    items = head.holidays if head else raw.get("holidays")
    items = items[:MAX_HOLIDAYS] if isinstance(items, list) else []
    year = head.year if head else _year_or_none(raw.get("year"))

    spans: list[tuple[str, _HolidayEntry]] = []
    for i, item in enumerate(items):
        label = f"holidays[{i}]"
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            label += f" ({item['name'].strip()[:40]})"
        if not isinstance(item, dict):
            problems.append(FileProblem(label, "应为键值对（expected name, from, to, workdays）"))
            continue
        try:
            spans.append((label, _HolidayEntry.model_validate(item)))
        except ValidationError as exc:
            problems.extend(pydantic_problems(exc, label))
    if year is None:
        raise CalendarFileError(file, problems)

    window = (date(year - 1, 12, 1), date(year, 12, 31))

    def outside(day: date) -> bool:
        return not window[0] <= day <= window[1]

    taken: dict[date, str] = {}  # holiday day → label
    for label, span in spans:
        if span.last < span.first:
            problems.append(FileProblem(label, "结束日期早于开始日期（to is before from）"))
            continue
        length = (span.last - span.first).days + 1
        if length > MAX_HOLIDAY_DAYS:
            problems.append(
                FileProblem(
                    label,
                    f"放假{length}天，超过{MAX_HOLIDAY_DAYS}天，请核对"
                    f"（{length} days off: more than {MAX_HOLIDAY_DAYS}, check the dates）",
                )
            )
            continue
        if outside(span.first) or outside(span.last):
            problems.append(FileProblem(label, _outside_message(year)))
            continue
        for day in HolidaySpan(span.name, span.first, span.last).days():
            if day in taken:
                problems.append(
                    FileProblem(
                        label,
                        f"{day.isoformat()} 与 {taken[day]} 重叠（overlaps another holiday）",
                    )
                )
                break
            taken[day] = label

    seen_workdays: set[date] = set()
    for label, span in spans:
        for day in span.workdays:
            where = f"{label}.workdays ({day.isoformat()})"
            if outside(day):
                problems.append(FileProblem(where, _outside_message(year)))
            elif day.weekday() < 5:
                problems.append(
                    FileProblem(
                        where,
                        f"{day.isoformat()} 是{_WEEKDAY_ZH[day.weekday()]}，"
                        "调休上班日应为周六或周日"
                        "（a make-up working day falls on a Saturday or Sunday）",
                    )
                )
            elif day in taken:
                problems.append(
                    FileProblem(where, "该日已在放假期间内（the day is inside a holiday）")
                )
            elif day in seen_workdays:
                problems.append(FileProblem(where, "调休上班日重复（listed twice）"))
            seen_workdays.add(day)

    if problems or head is None:
        raise CalendarFileError(file, problems)
    return OfficialYear(
        year=year,
        notice=head.notice,
        holidays=tuple(
            HolidaySpan(s.name, s.first, s.last, tuple(sorted(s.workdays)))
            for _, s in sorted(spans, key=lambda pair: pair[1].first)
        ),
    )


def parse_year_file(text: str, file: str = "<input>") -> OfficialYear:
    """Parse and check the text of a calendar file."""
    if len(text.encode("utf-8", errors="replace")) > MAX_FILE_BYTES:
        raise CalendarFileError(
            file, [FileProblem("file", f"文件超过 {MAX_FILE_BYTES // 1024} KB（file too large）")]
        )
    if "\x00" in text:
        raise CalendarFileError(file, [FileProblem("file", "文件含有NUL字符（contains NUL）")])
    try:
        raw = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise CalendarFileError(
            file, [FileProblem("file", f"不是有效的YAML（not valid YAML）: {exc}")]
        ) from None
    return check_year_document(raw, file)


def read_year_file(path: Path) -> OfficialYear:
    """Read, parse and check a calendar file on disk."""
    name = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CalendarFileError(name, [FileProblem("file", "文件不存在（no such file）")]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CalendarFileError(
            name, [FileProblem("file", "文件应为UTF-8编码（the file is not UTF-8）")]
        ) from None
    return parse_year_file(text, name)


def to_document(official: OfficialYear) -> dict[str, Any]:
    """The file's content for ``official``: what the later step stores and shows back."""
    holidays: list[dict[str, Any]] = []
    for span in official.holidays:
        item: dict[str, Any] = {
            "name": span.name,
            "from": span.first.isoformat(),
            "to": span.last.isoformat(),
        }
        if span.workdays:
            item["workdays"] = [d.isoformat() for d in span.workdays]
        holidays.append(item)
    return {"year": official.year, "notice": official.notice, "holidays": holidays}


def dump_year_file(official: OfficialYear) -> str:
    """``official`` written in the file format (it parses back to an equal ``OfficialYear``)."""
    return yaml.safe_dump(to_document(official), allow_unicode=True, sort_keys=False)


def _year_or_none(value: Any) -> int | None:
    try:
        return _YearEntry._year(value)
    except ValueError:
        return None


def _outside_message(year: int) -> str:
    return f"日期应在{year}年内或{year - 1}年12月（dates lie in {year} or in December {year - 1}）"


_WEEKDAY_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")

# Re-exported so callers need one import for the file format.
__all__ = [
    "MAX_FILE_BYTES",
    "CalendarFileError",
    "FileProblem",
    "check_year_document",
    "clean_text",
    "dump_year_file",
    "parse_year_file",
    "pydantic_problems",
    "read_year_file",
    "strict_date",
    "to_document",
]
