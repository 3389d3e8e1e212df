"""应进未进: approved projects the catalogue says must trade in the centre, that have not entered.

R-16, XINXIANG 11 (share data with the investment-approval platform) and 18 (应进必进, joint checks,
通报 of 应进未进). Given the approved investment projects, the trading projects and the province's
catalogue, ``not_entered`` lists each approved project that

1. falls under a catalogue rule (category, industry, funding source, amount from the rule's
   threshold, rule in force on the approval date, project inside the catalogue's province),
2. is past its grace period (approval date + grace days, calendar days), and
3. matches no trading project, where a match is, in order:
   a. the same approval number (投资项目代码), compared after NFKC, case folding and removing
      blanks; or
   b. the same owner — equal credit codes when both sides have one, otherwise equal normalised
      names — and similar names: after normalisation (NFKC, case folding, only letters and
      digits, without the words 项目/工程/施工/招标/采购/公告/总承包 and lot markers such
      as 第一标段, 第2包, 包1), one name contains the other (at least 4 characters), or their
      character-bigram Dice coefficient reaches ``similarity`` (0.7 by default:
      新乡县第一小学教学楼 and 新乡县第一小学运动场 score 0.64 and must not match).

Each entry carries the first catalogue rule that put it there (catalogue order).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from xietong.jurisdictions.enums import Industry
from xietong.trading.catalogue import CatalogueRule, TradingCatalogue
from xietong.trading.credit_code import CreditCode
from xietong.trading.enums import FundingSource, ProjectCategory

DEFAULT_SIMILARITY = 0.7
MIN_CONTAINED = 4


@dataclass(frozen=True, slots=True)
class ApprovedProject:
    """An investment project approved on the investment-approval platform (审批/核准/备案)."""

    approval_number: str
    name: str
    owner_name: str
    owner_credit_code: CreditCode | None
    amount_fen: int
    category: ProjectCategory
    industry: Industry | None
    funding: FundingSource
    jurisdiction_code: int
    approved_on: date


@dataclass(frozen=True, slots=True)
class TradingProjectRef:
    """What the check needs of a trading project."""

    project_code: str
    name: str
    approval_number: str | None
    tenderer_name: str
    tenderer_credit_code: CreditCode | None


class MatchBasis(StrEnum):
    APPROVAL_NUMBER = "approval_number"
    OWNER_AND_NAME = "owner_and_name"


@dataclass(frozen=True, slots=True)
class TradingMatch:
    project_code: str
    basis: MatchBasis
    score: float


@dataclass(frozen=True, slots=True)
class NotEntered:
    """One line of the 应进未进 list."""

    approved: ApprovedProject
    rule: CatalogueRule
    due_on: date
    """The last day it could enter within the grace period."""
    days_overdue: int


def rule_for(catalogue: TradingCatalogue, project: ApprovedProject) -> CatalogueRule | None:
    """The first rule of the catalogue under which ``project`` must enter, or None."""
    if not catalogue.covers(project.jurisdiction_code):
        return None
    for rule in catalogue.rules:
        if rule.category is not project.category:
            continue
        if rule.industries and project.industry not in rule.industries:
            continue
        if rule.funding and project.funding not in rule.funding:
            continue
        if project.amount_fen < rule.min_amount_fen:
            continue
        if rule.effective_from and project.approved_on < rule.effective_from:
            continue
        if rule.effective_to and project.approved_on >= rule.effective_to:
            continue
        return rule
    return None


_N = "[0-9一二三四五六七八九十]+"
# Lot markers: 一标段, 第2标包, 第三包, 包1 — but not the 一标 inside 统一标准.
_LOT = re.compile(rf"第?{_N}(?:标段|标包)|第{_N}(?:包|标)|(?:标段|标包|包)[0-9]+")
_NOISE = re.compile(r"项目|工程|施工|招标|采购|公告|总承包")


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in folded if unicodedata.category(c)[0] in "LN")


def normalise_name(name: str) -> str:
    """A project name reduced to what identifies it (see the module docstring)."""
    return _NOISE.sub("", _LOT.sub("", _fold(name)))


def normalise_number(number: str) -> str:
    return "".join(unicodedata.normalize("NFKC", number).casefold().split())


@dataclass(frozen=True, slots=True)
class _Name:
    """A normalised name and its character bigrams, computed once per project."""

    text: str
    bigrams: Counter[str]
    size: int

    @classmethod
    def of(cls, name: str) -> _Name:
        text = normalise_name(name)
        grams = [text[i : i + 2] for i in range(len(text) - 1)] if len(text) > 1 else [text]
        return cls(text, Counter(grams), len(grams))


def name_similarity(a: str, b: str) -> float:
    """1.0 when one normalised name contains the other (≥ 4 characters), else bigram Dice."""
    return _similarity(_Name.of(a), _Name.of(b))


def _similarity(x: _Name, y: _Name) -> float:
    if not x.text or not y.text:
        return 0.0
    shorter, longer = sorted((x.text, y.text), key=len)
    if len(shorter) >= MIN_CONTAINED and shorter in longer:
        return 1.0
    common = sum((x.bigrams & y.bigrams).values())
    return 2 * common / (x.size + y.size)


def _owner_key(name: str, code: CreditCode | None) -> tuple[str, str]:
    return ("name", _fold(name)) if code is None else ("code", code.value)


class _Index:
    """Trading projects by approval number and by owner, so the check is linear in size."""

    def __init__(self, trading: Iterable[TradingProjectRef]) -> None:
        self.by_number: dict[str, TradingProjectRef] = {}
        # Each trading project with its normalised name, computed once.
        self.by_owner: dict[tuple[str, str], list[tuple[TradingProjectRef, _Name]]] = defaultdict(
            list
        )
        for project in trading:
            if project.approval_number and normalise_number(project.approval_number):
                self.by_number.setdefault(normalise_number(project.approval_number), project)
            entry = (project, _Name.of(project.name))
            self.by_owner[("name", _fold(project.tenderer_name))].append(entry)
            if project.tenderer_credit_code is not None:
                key = _owner_key(project.tenderer_name, project.tenderer_credit_code)
                self.by_owner[key].append(entry)

    def match(self, approved: ApprovedProject, similarity: float) -> TradingMatch | None:
        number = normalise_number(approved.approval_number)
        by_number = self.by_number.get(number) if number else None
        if by_number is not None:
            return TradingMatch(by_number.project_code, MatchBasis.APPROVAL_NUMBER, 1.0)
        best: TradingMatch | None = None
        name = _Name.of(approved.name)
        for project, other in self._same_owner(approved):
            score = _similarity(name, other)
            if score >= similarity and (best is None or score > best.score):
                best = TradingMatch(project.project_code, MatchBasis.OWNER_AND_NAME, score)
        return best

    def _same_owner(self, approved: ApprovedProject) -> list[tuple[TradingProjectRef, _Name]]:
        code = approved.owner_credit_code
        if code is not None:
            with_code = self.by_owner.get(("code", code.value), [])
            # A trading project without a code can still match the owner by name.
            by_name = [
                entry
                for entry in self.by_owner.get(("name", _fold(approved.owner_name)), [])
                if entry[0].tenderer_credit_code is None
            ]
            return with_code + by_name
        return self.by_owner.get(("name", _fold(approved.owner_name)), [])


def find_match(
    approved: ApprovedProject,
    trading: Iterable[TradingProjectRef],
    *,
    similarity: float = DEFAULT_SIMILARITY,
) -> TradingMatch | None:
    """The trading project that counts as ``approved`` having entered, and why."""
    return _Index(trading).match(approved, similarity)


def not_entered(
    approved: Iterable[ApprovedProject],
    trading: Iterable[TradingProjectRef],
    catalogue: TradingCatalogue,
    *,
    today: date,
    grace_days: int | None = None,
    similarity: float = DEFAULT_SIMILARITY,
) -> list[NotEntered]:
    """The 应进未进 list on ``today`` (China date), oldest due date first.

    ``grace_days`` overrides the catalogue's (and its rules') grace period when given.
    """
    index = _Index(trading)
    found: list[NotEntered] = []
    for project in approved:
        rule = rule_for(catalogue, project)
        if rule is None:
            continue
        grace = catalogue.grace_for(rule) if grace_days is None else grace_days
        due_on = project.approved_on + timedelta(days=grace)
        if today <= due_on:
            continue
        if index.match(project, similarity) is not None:
            continue
        found.append(NotEntered(project, rule, due_on, (today - due_on).days))
    found.sort(key=lambda e: (e.due_on, e.approved.approval_number))
    return found
