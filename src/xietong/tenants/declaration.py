"""Reading and checking a tenant file. Pure: no database, so every rule has a fast test.

A file is checked whole and its problems are reported together, each naming the file, the entry and
what is wrong, so a clerk's IT contact can fix them in one pass. The first ``MAX_PROBLEMS`` are
kept and the rest only counted, so a broken 60,000-entry file costs neither memory nor a screen of
output per entry. Text fields follow the same input rules as the API (``xietong.inputs``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from xietong import inputs
from xietong.access import powers
from xietong.access.roles import DECLARABLE_ROLES, ROLES_BY_KIND, Role
from xietong.deadlines import declaration as deadlines
from xietong.jurisdictions import codes
from xietong.jurisdictions.enums import (
    MIN_OFFICERS_PER_UNIT,
    OFFICER_SUPPLYING_KINDS,
    DepartmentKind,
    Industry,
    JurisdictionLevel,
)
from xietong.people.enums import Qualification, Speciality
from xietong.tenants import yamlfile

MAX_PROBLEMS = 50


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    entry: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.entry}: {self.message}"


class TenantFileError(Exception):
    """One or more tenant files are wrong; nothing was loaded.

    ``problems`` holds at most ``MAX_PROBLEMS``; ``total`` counts them all.
    """

    def __init__(self, problems: list[Problem], total: int | None = None) -> None:
        self.problems = problems[:MAX_PROBLEMS]
        self.total = max(total or 0, len(problems))
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        """What to print: the kept problems, then how many more there are."""
        shown = [str(p) for p in self.problems]
        more = self.total - len(self.problems)
        if more:
            shown.append(f"… and {more:,} more problem(s)（另有{more}个问题未列出）")
        return shown


def _text(rule: inputs.TextRule, value: Any) -> str:
    """A text field under the API's rules; blank counts as missing."""
    text = inputs.clean_text(value, rule)
    if inputs.is_blank(text):
        raise ValueError("is empty（不能为空）")
    return text


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class JurisdictionEntry(_Entry):
    code: int
    name: str
    level: JurisdictionLevel
    parent: int | None = None
    retired: date | None = None

    @field_validator("code", "parent", mode="before")
    @classmethod
    def _code(cls, value: Any) -> int | None:
        return None if value is None else codes.parse_code(value)

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> str:
        return _text(inputs.SHORT_TEXT, value)


class DepartmentEntry(_Entry):
    key: str
    jurisdiction: int
    name: str
    kind: DepartmentKind
    industry: Industry | None = None
    powers: tuple[str, ...] = ()
    """The department's published power list (R-2): codes from ``policies/powers.yaml``."""

    @field_validator("jurisdiction", mode="before")
    @classmethod
    def _code(cls, value: Any) -> int:
        return codes.parse_code(value)

    @field_validator("key", mode="before")
    @classmethod
    def _key(cls, value: Any) -> str:
        return _text(inputs.IDENTIFIER, value)

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> str:
        return _text(inputs.SHORT_TEXT, value)

    @field_validator("powers", mode="before")
    @classmethod
    def _powers(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [_text(inputs.IDENTIFIER, v) for v in value]
        return value

    @property
    def effective_industry(self) -> Industry | None:
        # Finance departments supervise government procurement (财政 for 政府采购).
        if self.kind is DepartmentKind.FINANCE:
            return Industry.PROCUREMENT
        return self.industry


class OfficerEntry(_Entry):
    qualification: Qualification
    speciality: Speciality
    certificate: str | None = None

    @field_validator("certificate", mode="before")
    @classmethod
    def _certificate(cls, value: Any) -> str | None:
        if value is None:
            return None
        # A number in YAML (42282520210001) is still a certificate number.
        return _text(inputs.IDENTIFIER, str(value) if isinstance(value, int) else value)


class PersonEntry(_Entry):
    login: str
    name: str
    department: str
    roles: tuple[Role, ...] = ()
    officer: OfficerEntry | None = None

    @field_validator("login", "department", mode="before")
    @classmethod
    def _identifier(cls, value: Any) -> str:
        return _text(inputs.IDENTIFIER, value)

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> str:
        return _text(inputs.SHORT_TEXT, value)


@dataclass(frozen=True, slots=True)
class TenantDeclaration:
    """A checked tenant file: one province and everything under it."""

    file: str
    province: JurisdictionEntry
    jurisdictions: tuple[JurisdictionEntry, ...]  # province first, parents before children
    departments: tuple[DepartmentEntry, ...]
    people: tuple[PersonEntry, ...]
    deadlines: deadlines.DeadlineDeclaration = field(default_factory=deadlines.DeadlineDeclaration)
    """Calendar overrides and local promises (承诺时限), checked by ``xietong.deadlines``."""

    @property
    def province_code(self) -> int:
        return self.province.code


@dataclass(slots=True)
class _Checker:
    file: str
    problems: list[Problem] = field(default_factory=list)
    total: int = 0

    def add(self, entry: str, message: str) -> None:
        self.total += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(self.file, entry, message))

    def error(self) -> TenantFileError:
        return TenantFileError(self.problems, self.total)

    def parse(self, model: type[_Entry], section: str, index: int, raw: Any) -> Any:
        label = f"{section}[{index}]"
        if isinstance(raw, dict):
            ident = raw.get("code") or raw.get("key") or raw.get("login")
            if isinstance(ident, str | int) and not isinstance(ident, bool):
                label += f" ({inputs.preview(ident).strip('“”')})"
        if not isinstance(raw, dict):
            self.add(label, "expected a mapping of fields（应为键值对）")
            return None
        try:
            return model.model_validate(raw)
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"]) or "entry"
                message = str(err["msg"]).removeprefix("Value error, ")
                self.add(label, f"{where}: {message}")
            return None


def _label(section: str, index: int, ident: object) -> str:
    return f"{section}[{index}] ({ident})"


def read_file(path: Path) -> TenantDeclaration:
    """Parse and check one tenant file; raise ``TenantFileError`` naming its problems."""
    name = str(path)
    try:
        raw = yamlfile.read(path)
    except yamlfile.YamlProblem as exc:
        where = "file" if exc.line is None else f"line {exc.line}"
        raise TenantFileError([Problem(name, where, exc.message)]) from None
    return check(name, raw)


def check(file: str, raw: Any) -> TenantDeclaration:
    c = _Checker(file)
    if not isinstance(raw, dict):
        raise TenantFileError(
            [Problem(file, "file", "expected sections jurisdictions, departments, people")]
        )
    for name in raw:
        if name not in {"jurisdictions", "departments", "people", "deadlines"}:
            c.add(inputs.preview(name), "unknown section（未知的配置段）")

    def section(name: str) -> list[Any]:
        value = raw.get(name) or []
        if not isinstance(value, list):
            c.add(name, "expected a list（应为列表）")
            return []
        return value

    jurisdictions = [
        c.parse(JurisdictionEntry, "jurisdictions", i, e)
        for i, e in enumerate(section("jurisdictions"))
    ]
    departments = [
        c.parse(DepartmentEntry, "departments", i, e) for i, e in enumerate(section("departments"))
    ]
    people = [c.parse(PersonEntry, "people", i, e) for i, e in enumerate(section("people"))]

    province = _check_jurisdictions(c, jurisdictions)
    known_codes = {j.code for j in jurisdictions if j is not None}
    kinds = _check_departments(c, departments, known_codes, province)
    _check_people(c, people, kinds)
    declared, problems = deadlines.check_section(raw.get("deadlines"), known_codes)
    for problem in problems:
        c.add(problem.entry, problem.message)

    if c.total or province is None:
        raise c.error()
    return TenantDeclaration(
        file=file,
        province=province,
        jurisdictions=tuple(j for j in jurisdictions if j is not None),
        departments=tuple(d for d in departments if d is not None),
        people=tuple(p for p in people if p is not None),
        deadlines=declared,
    )


def _check_jurisdictions(
    c: _Checker, entries: list[JurisdictionEntry | None]
) -> JurisdictionEntry | None:
    provinces = [j for j in entries if j is not None and j.level is JurisdictionLevel.PROVINCE]
    if len(provinces) != 1:
        c.add(
            "jurisdictions",
            f"a tenant file declares exactly one province, found {len(provinces)}"
            "（每个文件应且只应包含一个省级区划）",
        )
    province = provinces[0] if len(provinces) == 1 else None
    seen: set[int] = set()
    for i, j in enumerate(entries):
        if j is None:
            continue
        label = _label("jurisdictions", i, f"{codes.format_code(j.code)} {j.name}")
        if j.code in seen:
            c.add(label, f"duplicate code {codes.format_code(j.code)}（区划代码重复）")
        problem = codes.structure_problem(j.code, j.level, j.parent)
        if problem:
            c.add(label, problem)
        elif j.parent is not None and j.parent not in seen:
            c.add(
                label,
                f"parent {codes.format_code(j.parent)} is not declared above this entry"
                "（上级区划不存在或未在其前声明）",
            )
        if province is not None and codes.province_of(j.code) != province.code:
            c.add(
                label,
                f"belongs to province {codes.format_code(codes.province_of(j.code))}, "
                f"not this file's {codes.format_code(province.code)}（不属于本省）",
            )
        seen.add(j.code)
    return province


def _check_departments(
    c: _Checker,
    entries: list[DepartmentEntry | None],
    known_codes: set[int],
    province: JurisdictionEntry | None,
) -> dict[str, DepartmentKind]:
    kinds: dict[str, DepartmentKind] = {}
    names: dict[tuple[int, str], str] = {}
    for i, d in enumerate(entries):
        if d is None:
            continue
        label = _label("departments", i, d.key)
        if d.key in kinds:
            c.add(label, f"duplicate department key {d.key}（部门标识重复）")
        kinds[d.key] = d.kind
        twin = names.setdefault((d.jurisdiction, d.name), d.key)
        if twin != d.key:
            c.add(
                label,
                f"{codes.format_code(d.jurisdiction)} already has a department named "
                f"{d.name} ({twin})（同一辖区内部门名称重复）",
            )
        if d.jurisdiction not in known_codes:
            c.add(
                label,
                f"jurisdiction {codes.format_code(d.jurisdiction)} is not declared in this file"
                "（所属区划未声明）",
            )
        if d.kind is DepartmentKind.INDUSTRY and d.industry in (None, Industry.PROCUREMENT):
            c.add(label, "an industry department needs its industry（行业监管部门须注明行业）")
        if d.kind not in (DepartmentKind.INDUSTRY, DepartmentKind.FINANCE) and d.industry:
            c.add(label, f"a {d.kind.value} department has no industry（该类部门不应填写行业）")
        _check_powers(c, label, d)
    return kinds


def _check_powers(c: _Checker, label: str, d: DepartmentEntry) -> None:
    catalogue = powers.catalogue()
    if len(set(d.powers)) != len(d.powers):
        c.add(label, "a power is listed twice（权责清单事项重复）")
    for code in d.powers:
        power = catalogue.get(code)
        if power is None:
            c.add(
                label,
                f"power {inputs.preview(code)} is not in the power catalogue（权力事项不在目录中）",
            )
        elif not power.applies_to(d.kind, d.effective_industry):
            industry = f"/{d.effective_industry.value}" if d.effective_industry else ""
            c.add(
                label,
                f"power {code} does not apply to a {d.kind.value}{industry} department"
                "（该权力事项不适用于此类部门）",
            )


def _check_people(
    c: _Checker, entries: list[PersonEntry | None], kinds: dict[str, DepartmentKind]
) -> None:
    logins: set[str] = set()
    officers: Counter[str] = Counter()
    for i, p in enumerate(entries):
        if p is None:
            continue
        label = _label("people", i, p.login)
        if p.login in logins:
            c.add(label, f"duplicate login {p.login}（登录名重复）")
        logins.add(p.login)
        kind = kinds.get(p.department)
        if kind is None:
            c.add(
                label,
                f"department {inputs.preview(p.department)} is not declared in this file"
                "（所属部门未声明）",
            )
            continue
        for role in p.roles:
            if role not in DECLARABLE_ROLES:
                c.add(
                    label,
                    f"role {role.value} cannot be declared for a person（该角色不能在人员中声明）",
                )
            elif role not in ROLES_BY_KIND[kind]:
                c.add(
                    label,
                    f"role {role.value} does not fit a {kind.value} department"
                    "（角色与部门类型不符）",
                )
        if p.officer is not None:
            officers[p.department] += 1
    for key, kind in kinds.items():
        if kind in OFFICER_SUPPLYING_KINDS and officers[key] < MIN_OFFICERS_PER_UNIT:
            c.add(
                f"departments ({key})",
                f"names {officers[key]} officer(s) for the officer pool; each unit names at least "
                f"{MIN_OFFICERS_PER_UNIT}（每个单位明确执法人员不少于{MIN_OFFICERS_PER_UNIT}名，R-3）",
            )


def check_across(declarations: list[TenantDeclaration]) -> None:
    """Rules that span files: one file per province, and keys and logins unique across all."""
    problems: list[Problem] = []
    provinces: dict[int, str] = {}
    keys: dict[str, str] = {}
    logins: dict[str, str] = {}
    for decl in declarations:
        if decl.province_code in provinces:
            problems.append(
                Problem(
                    decl.file,
                    "jurisdictions",
                    f"province {codes.format_code(decl.province_code)} is also "
                    f"declared in {provinces[decl.province_code]}（省份重复声明）",
                )
            )
        provinces[decl.province_code] = decl.file
        for d in decl.departments:
            if d.key in keys:
                problems.append(
                    Problem(
                        decl.file,
                        f"departments ({d.key})",
                        f"key also used in {keys[d.key]}（部门标识重复）",
                    )
                )
            keys[d.key] = decl.file
        for p in decl.people:
            if p.login in logins:
                problems.append(
                    Problem(
                        decl.file,
                        f"people ({p.login})",
                        f"login also used in {logins[p.login]}（登录名重复）",
                    )
                )
            logins[p.login] = decl.file
    if problems:
        raise TenantFileError(problems)
