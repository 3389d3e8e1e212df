"""Notices as documents: ``.docx`` rendered from the templates in ``templates/`` with docxtpl.

Pure: facts in, bytes out. The service gathers the facts (the case, the ground, the rules whose
clocks the notice states and their due dates from the obligations service) and stores what was
rendered, so a notice reads tomorrow exactly as it was issued. Every value is escaped by docxtpl's
Jinja environment (autoescape), so what a filer typed cannot inject markup into the document.
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass, field
from datetime import date
from importlib import resources
from typing import Any

from docxtpl import DocxTemplate, Listing
from jinja2 import Environment, StrictUndefined

from xietong.complaints.enums import NoticeKind
from xietong.deadlines.rules import Rule

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def china_day(day: date) -> str:
    """2026年10月8日: how an official document writes a date."""
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True, slots=True)
class Clause:
    """One clock the notice states: the rule, its citation and when it falls due."""

    rule: str
    owed: str
    period: str
    citation: str
    due: str

    @classmethod
    def of(cls, rule: Rule, due: str) -> Clause:
        owed = rule.owed.split("（")[0]  # the Chinese part; the English is for clerks' screens
        return cls(rule=rule.id, owed=owed, period=rule.period, citation=rule.citation, due=due)


def due_text(due_on: date | None, *, met_on: date | None = None, provisional: bool = False) -> str:
    """How a notice states a clock's due date."""
    if met_on is not None:
        return f"已于{china_day(met_on)}完成" + (
            f"（期限至{china_day(due_on)}）" if due_on is not None else ""
        )
    if due_on is None:
        return "计时暂停中，恢复后顺延"
    text = f"期限至{china_day(due_on)}"
    return text + "（暂按周末推算，待国家节假日安排公布后确定）" if provisional else text


MULTILINE = ("correction_items", "decision", "ground_reason", "redirect_to")


@dataclass(frozen=True, slots=True)
class NoticeFacts:
    """Everything a template may print (``templates/README.md`` lists the tags)."""

    number: str
    authority: str
    issued_on: str
    filer: str
    tracking_code: str
    received_on: str
    subject: str
    regime: str
    title: str
    review_on: str = ""
    clauses: tuple[Clause, ...] = ()
    ground_reason: str = ""
    ground_citation: str = ""
    correction_items: str = ""
    reply_by: str = ""
    redirect_to: str = ""
    decision: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def context(self) -> dict[str, Any]:
        values = asdict(self)
        values["clauses"] = [asdict(c) for c in self.clauses]
        for key in MULTILINE:  # line breaks the filer or clerk typed stay line breaks
            values[key] = Listing(values[key])
        values.update(values.pop("extra"))
        return values


def _environment() -> Environment:
    # Autoescape: a filer's text with "<" or "&" stays text inside the document's XML.
    return Environment(autoescape=True, undefined=StrictUndefined)


def template_bytes(kind: NoticeKind) -> bytes:
    return (resources.files("xietong.complaints.templates") / f"{kind.value}.docx").read_bytes()


def render(kind: NoticeKind, facts: NoticeFacts) -> bytes:
    """The notice as a ``.docx`` file."""
    template = DocxTemplate(io.BytesIO(template_bytes(kind)))
    template.render(facts.context(), jinja_env=_environment())
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def filename(kind: NoticeKind, number: str) -> str:
    return f"{kind.zh}-{number}.docx"
