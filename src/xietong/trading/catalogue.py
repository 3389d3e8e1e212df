"""The trading catalogue (公共资源交易目录, 应进必进): which projects must trade in the centre.

Each province publishes one (XINXIANG 18; ANYANG 八); it will live in the province's tenant file.
A rule names a category, optionally industries and funding sources, and an amount from which
(inclusive: "以上" includes the figure, 民法典第一千二百五十九条) an approved project must enter.
``grace_days`` is how many calendar days after approval a project may take to enter before the
office's "应进未进" list shows it.

Amounts are written in yuan (``"4,000,000"`` or ``4000000``) and held in fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from xietong import inputs
from xietong.jurisdictions import codes
from xietong.jurisdictions.enums import Industry, JurisdictionLevel
from xietong.trading.enums import FundingSource, LabelledEnum, ProjectCategory
from xietong.trading.errors import TradingError, TradingErrorCode
from xietong.trading.money import format_yuan, parse_yuan
from xietong.trading.supervision import INDUSTRY_OF_CATEGORY

DEFAULT_GRACE_DAYS = 30
MAX_GRACE_DAYS = 366
BASIS_TEXT = inputs.TextRule(max_length=500, zh="依据", en="the basis")
"""A rule's legal basis: one line, the same text rules as every name in a tenant file."""


def _clean(rule: inputs.TextRule, value: Any) -> Any:
    # The tenant files' text rules (NFC, no control characters, not blank); pydantic reports
    # the ValueError an InputRejected is.
    if not isinstance(value, str):
        return value
    text = inputs.clean_text(value, rule)
    if inputs.is_blank(text):
        raise ValueError("is empty（不能为空）")
    return text


def _labelled(enum: type[LabelledEnum], value: Any) -> Any:
    # Catalogue files may say 工程建设 or construction. Pydantic reports only ValueErrors.
    if not isinstance(value, str):
        return value
    try:
        return enum.parse(value)
    except TradingError as error:
        raise ValueError(error.message) from None


class CatalogueRule(BaseModel):
    """One line of the catalogue."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    code: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
    """Short stable identifier the 应进未进 list cites, e.g. ``HN-GC-01``."""
    name: str = Field(min_length=1, max_length=200)
    category: ProjectCategory
    industries: frozenset[Industry] = frozenset()
    """Empty: every industry of the category."""
    funding: frozenset[FundingSource] = frozenset()
    """Empty: whatever the money's source."""
    min_amount_fen: int = Field(default=0, ge=0, validation_alias="min_amount")
    """From this investment on (inclusive) the project must enter; written in yuan."""
    basis: str = Field(min_length=1, max_length=500)
    """Where the rule comes from (the law, decree or local catalogue and its article)."""
    effective_from: date | None = None
    effective_to: date | None = None
    """Exclusive: the first day the rule no longer applies."""
    grace_days: int | None = Field(default=None, ge=0, le=MAX_GRACE_DAYS)
    """Overrides the catalogue's grace days for this rule."""

    @field_validator("category", mode="before")
    @classmethod
    def _category(cls, value: Any) -> Any:
        return _labelled(ProjectCategory, value)

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> Any:
        return _clean(inputs.SHORT_TEXT, value)

    @field_validator("basis", mode="before")
    @classmethod
    def _basis(cls, value: Any) -> Any:
        return _clean(BASIS_TEXT, value)

    def document(self) -> dict[str, Any]:
        """The rule as its file says it (amounts in yuan): what the database keeps, read back
        through ``parse_catalogue``."""
        found: dict[str, Any] = {
            "code": self.code,
            "name": self.name,
            "category": self.category.value,
            "industries": sorted(i.value for i in self.industries),
            "funding": sorted(f.value for f in self.funding),
            "min_amount": format_yuan(self.min_amount_fen, grouping=False),
            "basis": self.basis,
        }
        for key in ("effective_from", "effective_to"):
            value = getattr(self, key)
            if value is not None:
                found[key] = value.isoformat()
        if self.grace_days is not None:
            found["grace_days"] = self.grace_days
        return found

    @field_validator("funding", mode="before")
    @classmethod
    def _funding(cls, value: Any) -> Any:
        if isinstance(value, list | tuple | set | frozenset):
            return [_labelled(FundingSource, v) for v in value]
        return value

    @field_validator("min_amount_fen", mode="before")
    @classmethod
    def _amount(cls, value: Any) -> int:
        # Every value goes through the one money parser: a YAML float (4000000.0) is refused
        # rather than taken for fen.
        try:
            return parse_yuan(value)
        except TradingError as error:
            raise ValueError(error.message) from None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        fixed = INDUSTRY_OF_CATEGORY.get(self.category)
        if fixed is not None and self.industries - {fixed}:
            raise ValueError(
                f"{self.category.zh}的行业固定为{fixed.value}，不应另列行业"
                "（industries do not apply to this category）"
            )
        if Industry.PROCUREMENT in self.industries and fixed is not Industry.PROCUREMENT:
            raise ValueError("procurement is not an industry of this category（行业不适用）")
        if self.effective_from and self.effective_to and self.effective_to <= self.effective_from:
            raise ValueError("effective_to must be after effective_from（失效日期应晚于生效日期）")
        return self


class TradingCatalogue(BaseModel):
    """A province's catalogue."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    province: int
    grace_days: int = Field(default=DEFAULT_GRACE_DAYS, ge=0, le=MAX_GRACE_DAYS)
    rules: tuple[CatalogueRule, ...] = Field(min_length=1)

    @field_validator("province", mode="before")
    @classmethod
    def _province(cls, value: Any) -> int:
        code = codes.parse_code(value)
        if codes.level_of(code) is not JurisdictionLevel.PROVINCE:
            raise ValueError(f"{codes.format_code(code)} is not a province（应为省级区划代码）")
        return code

    @model_validator(mode="after")
    def _unique_codes(self) -> Self:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.code in seen:
                raise ValueError(f"rule code {rule.code} is repeated（目录规则编号重复）")
            seen.add(rule.code)
        return self

    def document(self) -> dict[str, Any]:
        """The catalogue as plain JSON (``parse_catalogue`` reads it back unchanged)."""
        return {
            "province": codes.format_code(self.province),
            "grace_days": self.grace_days,
            "rules": [rule.document() for rule in self.rules],
        }

    def covers(self, jurisdiction_code: int) -> bool:
        return codes.province_of(jurisdiction_code) == self.province

    def grace_for(self, rule: CatalogueRule) -> int:
        return self.grace_days if rule.grace_days is None else rule.grace_days


@dataclass(frozen=True, slots=True)
class CatalogueProblem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def parse_catalogue(raw: object) -> TradingCatalogue:
    """A checked catalogue, or ``TradingError`` ``INVALID_CATALOGUE`` listing every problem
    (``extensions['problems']``), each naming where it is: ``rules[2] (HN-GC-01).min_amount``."""
    try:
        return TradingCatalogue.model_validate(raw)
    except ValidationError as exc:
        problems = problems_of(raw, exc)
    raise TradingError(
        TradingErrorCode.INVALID_CATALOGUE,
        "交易目录有误（the trading catalogue is invalid）：" + "；".join(map(str, problems)),
        problems=[str(p) for p in problems],
    )


def problems_of(raw: object, exc: ValidationError) -> list[CatalogueProblem]:
    """Each of pydantic's errors as a problem naming where it is:
    ``rules[2] (HN-GC-01).min_amount``."""
    rules = raw.get("rules") if isinstance(raw, dict) else None
    errors = exc.errors()
    rule_errors = any(len(e["loc"]) > 1 and e["loc"][0] == "rules" for e in errors)
    problems = []
    for err in errors:
        loc = list(err["loc"])
        if loc == ["rules"] and rule_errors and err["type"] == "too_short":
            continue  # pydantic's echo of rules that failed, not a problem of its own
        where = str(loc[0]) if loc else "catalogue"
        if len(loc) > 1 and loc[0] == "rules" and isinstance(loc[1], int):
            where = f"rules[{loc[1]}]"
            if isinstance(rules, list) and isinstance(rules[loc[1]], dict):
                where += f" ({str(rules[loc[1]].get('code', ''))[:32]})"
            loc = loc[2:]
        else:
            loc = loc[1:]
        where = ".".join([where, *map(str, loc)])
        problems.append(CatalogueProblem(where, str(err["msg"]).removeprefix("Value error, ")))
    return problems
