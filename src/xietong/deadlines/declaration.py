"""What a tenant file may say about deadlines: calendar overrides and local promises. Pure.

The tenant loader (a later step) reads a ``deadlines`` section and hands it here::

    deadlines:
      calendar:                      # local closures and local working days
        - jurisdiction: "420000"
          kind: closed               # closed: not a working day; open: a working day
          from: 2020-01-31
          to: 2020-02-09
          reason: 湖北省延长春节假期
      promises:                      # 承诺时限: only ever tighter than the law
        - jurisdiction: "420000"
          rule: TB.acceptance_decision
          amount: 2
          unit: working_days
          source: 湖北省公共资源交易投诉处理服务承诺

Every problem is reported with its entry, so the loader can add them to the file's own list and
refuse the file whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from xietong.deadlines.calendar import MAX_YEAR, MIN_YEAR, CalendarOverride
from xietong.deadlines.calendar_file import clean_text, pydantic_problems, strict_date
from xietong.deadlines.enums import DeadlineUnit, OverrideKind
from xietong.deadlines.errors import FileProblem
from xietong.deadlines.promises import LocalPromise, check_promises
from xietong.jurisdictions import codes

MAX_OVERRIDE_DAYS = 366
SECTIONS = frozenset({"calendar", "promises"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("jurisdiction", mode="before", check_fields=False)
    @classmethod
    def _code(cls, value: Any) -> int:
        try:
            return codes.parse_code(value)
        except codes.InvalidCode as exc:
            raise ValueError(str(exc)) from None


class OverrideEntry(_Strict):
    jurisdiction: int
    kind: OverrideKind
    first: date = Field(alias="from")
    last: date | None = Field(default=None, alias="to")
    reason: str

    @field_validator("first", "last", mode="before")
    @classmethod
    def _date(cls, value: Any) -> date | None:
        return None if value is None else strict_date(value)

    @field_validator("reason", mode="before")
    @classmethod
    def _reason(cls, value: Any) -> str:
        return clean_text(value, "原因", 100)


class PromiseEntry(_Strict):
    jurisdiction: int
    rule: str
    amount: int = Field(strict=True)
    unit: DeadlineUnit
    source: str

    @field_validator("rule", mode="before")
    @classmethod
    def _rule(cls, value: Any) -> str:
        return clean_text(value, "规则", 60)

    @field_validator("source", mode="before")
    @classmethod
    def _source(cls, value: Any) -> str:
        return clean_text(value, "承诺依据", 200)


@dataclass(frozen=True, slots=True)
class DeadlineDeclaration:
    overrides: tuple[CalendarOverride, ...] = ()
    promises: tuple[LocalPromise, ...] = ()


def _parse(model: type[_Strict], label: str, raw: Any, problems: list[FileProblem]) -> Any:
    if not isinstance(raw, dict):
        problems.append(FileProblem(label, "应为键值对（expected a mapping of fields）"))
        return None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems.extend(pydantic_problems(exc, label))
        return None


def _list(raw: dict[str, Any], name: str, problems: list[FileProblem]) -> list[Any]:
    value = raw.get(name) or []
    if not isinstance(value, list):
        problems.append(FileProblem(f"deadlines.{name}", "应为列表（expected a list）"))
        return []
    return value


def check_section(
    raw: Any, known_codes: Iterable[int]
) -> tuple[DeadlineDeclaration, list[FileProblem]]:
    """Check a tenant file's ``deadlines`` section. ``known_codes``: the jurisdictions the file
    declares (an override or promise for another is refused)."""
    problems: list[FileProblem] = []
    if raw is None:
        return DeadlineDeclaration(), problems
    if not isinstance(raw, dict):
        return DeadlineDeclaration(), [
            FileProblem("deadlines", "应包含 calendar、promises（expected calendar, promises）")
        ]
    for name in sorted(set(raw) - SECTIONS, key=str):
        problems.append(FileProblem(f"deadlines.{name}", "未知的配置段（unknown section）"))
    known = set(known_codes)

    overrides: list[CalendarOverride] = []
    seen: dict[tuple[int, date], str] = {}
    for i, item in enumerate(_list(raw, "calendar", problems)):
        label = f"deadlines.calendar[{i}]"
        entry: OverrideEntry | None = _parse(OverrideEntry, label, item, problems)
        if entry is None:
            continue
        label += f" ({codes.format_code(entry.jurisdiction)})"
        last = entry.last or entry.first
        if entry.jurisdiction not in known:
            problems.append(FileProblem(label, _unknown_code(entry.jurisdiction)))
            continue
        if last < entry.first:
            problems.append(FileProblem(label, "结束日期早于开始日期（to is before from）"))
            continue
        if not (entry.first.year >= MIN_YEAR and last.year <= MAX_YEAR):
            problems.append(
                FileProblem(label, f"日期应在 {MIN_YEAR}–{MAX_YEAR} 年间（dates out of range）")
            )
            continue
        if (last - entry.first).days + 1 > MAX_OVERRIDE_DAYS:
            problems.append(
                FileProblem(
                    label,
                    f"一次最多{MAX_OVERRIDE_DAYS}天（at most {MAX_OVERRIDE_DAYS} days per entry）",
                )
            )
            continue
        day = entry.first
        while day <= last:
            key = (entry.jurisdiction, day)
            if key in seen:
                problems.append(
                    FileProblem(
                        label,
                        f"{day.isoformat()} 已由 {seen[key]} 声明（the day is already declared）",
                    )
                )
                break
            seen[key] = label
            overrides.append(CalendarOverride(entry.jurisdiction, day, entry.kind, entry.reason))
            day += timedelta(days=1)

    promises: list[LocalPromise] = []
    for i, item in enumerate(_list(raw, "promises", problems)):
        label = f"deadlines.promises[{i}]"
        p: PromiseEntry | None = _parse(PromiseEntry, label, item, problems)
        if p is None:
            continue
        if p.jurisdiction not in known:
            problems.append(FileProblem(label, _unknown_code(p.jurisdiction)))
            continue
        promises.append(LocalPromise(p.jurisdiction, p.rule, p.amount, p.unit, p.source))
    problems.extend(check_promises(promises))
    return DeadlineDeclaration(tuple(overrides), tuple(promises)), problems


def _unknown_code(code: int) -> str:
    return f"区划 {codes.format_code(code)} 未在本文件中声明（not declared in this file）"
