"""Rows pushed by integrators or imported from files, checked field by field. Pure.

The GraphQL batch mutations and ``xietong import`` hand the same plain rows (field name → value)
to ``parse_rows``; every bad field of every row becomes a ``RowProblem`` naming the row's index
(0-based), the field (camelCase, as in the API), a ``TradingErrorCode`` and a message for a clerk.
A batch applies only when no row has a problem.

Values may arrive typed (GraphQL has already parsed enums and instants) or as text (a CSV cell):
enums accept their value or Chinese name (工程建设), booleans 是/否, amounts are yuan text parsed
exactly into fen, instants need an offset, identifiers follow the pure rules of this context.
Files may use Chinese headers (``HEADERS``: 项目编号, 项目名称, 预算金额（元）…).
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum, StrEnum
from functools import lru_cache
from typing import Any

from xietong import inputs
from xietong.jurisdictions.enums import Industry
from xietong.trading import credit_code, personal_id
from xietong.trading.enums import (
    ExpertStatus,
    FundingSource,
    LabelledEnum,
    ProjectAction,
    ProjectCategory,
    ReporterKind,
    ReportKind,
    TradingMethod,
    check_method,
)
from xietong.trading.errors import TradingError, TradingErrorCode
from xietong.trading.money import parse_yuan
from xietong.trading.supervision import INDUSTRY_ZH

MAX_BATCH = 1000
"""Rows one batch may hold: one transaction, all or nothing."""

CODE = TradingErrorCode


class Kind(StrEnum):
    """What a batch holds; also the ``KIND`` of ``xietong import``."""

    PROJECTS = "projects"
    BIDS = "bids"
    AWARDS = "awards"
    REPORTS = "reports"
    APPROVED = "approved-projects"


@dataclass(frozen=True, slots=True)
class RowProblem:
    """What is wrong with one field of one row."""

    index: int
    field: str | None
    code: TradingErrorCode
    message: str
    position: int | None = None
    """For identifiers: the 1-based character position that fails."""

    def __str__(self) -> str:
        where = f"第{self.index + 1}行" + (f" {self.field}" if self.field else "")
        return f"{where}: [{self.code.value}] {self.message}"


class RowsRefused(Exception):
    """A batch with problems: nothing of it was applied."""

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = list(problems)


Parser = Callable[[Any, str], Any]


def _refuse(code: TradingErrorCode, message: str) -> TradingError:
    return TradingError(code, message)


@lru_cache(maxsize=16_384)
def _clean(value: str, rule: inputs.TextRule) -> str:
    # Names repeat across the rows of a batch (a bidder, a manager): checked once each.
    return inputs.clean_text(value, rule)


def _rule(rule: inputs.TextRule) -> Parser:
    def parse(value: Any, field: str) -> str:
        if not isinstance(value, str):
            value = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        elif value.isascii() and value.isprintable() and len(value) <= rule.max_length:
            # Printable ASCII is already NFC and free of every character the rule refuses:
            # the rule's answer is the text stripped (most identifiers and serials are this).
            text = value.strip(" ")
            if text and (rule.spaces or " " not in text):
                return text
        try:
            text = _clean(value, rule) if isinstance(value, str) else inputs.clean_text(value, rule)
        except inputs.InputRejected as exc:
            raise _refuse(CODE.INVALID_VALUE, exc.message) from None
        if inputs.is_blank(text):
            raise _refuse(CODE.REQUIRED, "不能为空（must not be blank）")
        return text

    return parse


NAME = _rule(inputs.SHORT_TEXT)
IDENT = _rule(inputs.IDENTIFIER)
LONG = _rule(inputs.LONG_TEXT)


def _labelled(enum: type[LabelledEnum]) -> Parser:
    def parse(value: Any, field: str) -> LabelledEnum:
        if isinstance(value, enum):
            return value
        if isinstance(value, Enum):
            value = value.value
        if not isinstance(value, str):
            raise _refuse(CODE.INVALID_CHOICE, "应为文本（expected text）")
        return enum.parse(value, field=field)

    return parse


_INDUSTRY_WORDS = {
    **{i.value: i for i in Industry},
    **{zh: i for i, zh in INDUSTRY_ZH.items()},
    "住建": Industry.HOUSING,
    "交通": Industry.TRANSPORT,
    "农业": Industry.AGRICULTURE,
    "自然资源": Industry.NATURAL_RESOURCES,
    "生态": Industry.ECOLOGY,
    "卫健": Industry.HEALTH,
    "发改": Industry.DEVELOPMENT_REFORM,
}


def _industry(value: Any, field: str) -> Industry:
    if isinstance(value, Industry):
        return value
    if isinstance(value, str) and value.strip() in _INDUSTRY_WORDS:
        return _INDUSTRY_WORDS[value.strip()]
    choices = "、".join(INDUSTRY_ZH.values())
    raise _refuse(
        CODE.INVALID_CHOICE,
        f"{inputs.preview(value)}不是行业，可选：{choices}（not an industry）",
    )


_TRUE = {"true", "1", "是", "y", "yes", "t"}
_FALSE = {"false", "0", "否", "n", "no", "f"}


def _bool(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise _refuse(CODE.INVALID_VALUE, f"{inputs.preview(value)}应为“是”或“否”（expected yes/no）")


def _amount(value: Any, field: str) -> int:
    if isinstance(value, str | int) and not isinstance(value, bool):
        return parse_yuan(value, field=field)
    raise _refuse(CODE.INVALID_AMOUNT, "金额应为文本，以元计（an amount in yuan, as text）")


def _instant(value: Any, field: str) -> datetime:
    try:
        return inputs.aware_datetime(value)
    except inputs.InputRejected as exc:
        raise _refuse(CODE.INVALID_VALUE, exc.message) from None


def _day(value: Any, field: str) -> date:
    try:
        return inputs.china_day(value)
    except inputs.InputRejected as exc:
        raise _refuse(CODE.INVALID_VALUE, exc.message) from None


_CODES: dict[str, credit_code.CreditCode] = {}
"""Valid codes seen in this process (a batch names the same bidders again and again)."""


def _credit(value: Any, field: str) -> credit_code.CreditCode:
    if isinstance(value, credit_code.CreditCode):
        return value
    if isinstance(value, str) and (known := _CODES.get(value)) is not None:
        return known
    code = credit_code.parse(value, field=field)
    if isinstance(value, str) and len(_CODES) < 100_000:
        _CODES[value] = code
    return code


def personal_id_parser(today: date) -> Parser:
    def parse(value: Any, field: str) -> personal_id.PersonalIdNumber:
        return personal_id.parse(value, today=today, field=field)

    return parse


def _ip(value: Any, field: str) -> str:
    text = IDENT(value, field)
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise _refuse(
            CODE.INVALID_VALUE, f"{inputs.preview(text)}不是IP地址（not an IP address）"
        ) from None


_MAC = re.compile(r"[0-9A-Fa-f]{2}([-:]?)[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}")


def _mac(value: Any, field: str) -> str:
    text = IDENT(value, field)
    if not _MAC.fullmatch(text):
        raise _refuse(
            CODE.INVALID_VALUE,
            f"{inputs.preview(text)}不是MAC地址，应为 AA-BB-CC-DD-EE-FF（not a MAC address）",
        )
    digits = re.sub("[-:]", "", text).upper()
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def _keys(value: Any, field: str) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise _refuse(CODE.INVALID_VALUE, "应为部门标识列表（a list of department keys）")
    found = tuple(IDENT(v.strip() if isinstance(v, str) else v, field) for v in items if v != "")
    if len(found) > 10:
        raise _refuse(CODE.INVALID_VALUE, "监管部门最多10个（at most 10 departments）")
    return found


def _words(value: Any, field: str) -> tuple[str, ...]:
    items = re.split("[,，、]", value) if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise _refuse(CODE.INVALID_VALUE, "应为列表（a list）")
    found = tuple(NAME(v, field) for v in items if not (isinstance(v, str) and not v.strip()))
    if not found or len(found) > 20:
        raise _refuse(CODE.INVALID_VALUE, "专业应为1至20项（1 to 20 specialities）")
    return found


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    """camelCase, as in the API."""
    parse: Parser
    required: bool = True
    headers: tuple[str, ...] = ()
    """Other column headers a file may use for it (Chinese first)."""


def fields_of(kind: Kind, *, today: date) -> tuple[Field, ...]:
    pid = personal_id_parser(today)
    common = {
        Kind.PROJECTS: (
            Field("sourceSystem", IDENT, headers=("来源系统",)),
            Field("sourceId", IDENT, headers=("来源编号", "来源系统编号")),
            Field("projectCode", IDENT, headers=("项目编号",)),
            Field("name", NAME, headers=("项目名称",)),
            Field("category", _labelled(ProjectCategory), headers=("项目类别", "交易类别")),
            Field("industry", _industry, required=False, headers=("所属行业", "行业")),
            Field("method", _labelled(TradingMethod), headers=("交易方式", "招标方式")),
            Field(
                "tendererCreditCode",
                _credit,
                headers=("招标人统一社会信用代码", "采购人统一社会信用代码"),
            ),
            Field("tendererName", NAME, headers=("招标人", "采购人", "招标人名称")),
            Field("agencyCreditCode", _credit, False, ("代理机构统一社会信用代码",)),
            Field("agencyName", NAME, False, ("代理机构", "招标代理机构")),
            Field("budget", _amount, headers=("预算金额（元）", "预算金额", "预算金额(元)")),
            Field("classified", _bool, False, ("是否涉密", "涉密")),
            Field("separatedEvaluation", _bool, False, ("是否评定分离", "评定分离")),
            Field("approvalNumber", IDENT, False, ("投资项目代码", "项目代码")),
            Field("supervisors", _keys, False, ("监管部门", "行政监督部门")),
            Field("registeredAt", _instant, headers=("登记时间",)),
        ),
        Kind.BIDS: (
            Field("projectCode", IDENT, headers=("项目编号",)),
            Field("bidderCreditCode", _credit, headers=("投标人统一社会信用代码",)),
            Field("bidderName", NAME, headers=("投标人", "投标人名称")),
            Field("price", _amount, headers=("投标报价（元）", "投标报价", "投标报价(元)")),
            Field("submittedAt", _instant, headers=("递交时间", "投标时间")),
            Field("ip", _ip, False, ("IP地址", "投标IP")),
            Field("mac", _mac, False, ("MAC地址", "网卡地址")),
            Field("cpuSerial", IDENT, False, ("CPU序列号",)),
            Field("diskSerial", IDENT, False, ("硬盘序列号",)),
            Field("boardSerial", IDENT, False, ("主板序列号",)),
            Field("fileCreator", NAME, False, ("文件制作人", "标书制作人")),
            Field("fileMachineCode", IDENT, False, ("文件制作机器码", "制作机器码")),
            Field("pricingLockSerial", IDENT, False, ("计价软件加密锁号", "加密锁号")),
            Field("depositAccount", IDENT, False, ("保证金缴纳账户", "保证金账户")),
            Field("managerName", NAME, False, ("项目经理", "项目负责人")),
            Field("managerIdNumber", pid, False, ("项目经理身份证号", "项目负责人身份证号")),
        ),
        Kind.AWARDS: (
            Field("projectCode", IDENT, headers=("项目编号",)),
            Field("winnerCreditCode", _credit, headers=("中标人统一社会信用代码",)),
            Field("winnerName", NAME, headers=("中标人", "成交供应商", "中标人名称")),
            Field("amount", _amount, headers=("中标金额（元）", "中标金额", "成交金额（元）")),
            Field("awardedAt", _instant, headers=("定标时间", "中标时间")),
        ),
        Kind.REPORTS: (
            Field("projectCode", IDENT, headers=("项目编号",)),
            Field("sourceId", IDENT, headers=("来源编号", "报告编号")),
            Field("kind", _labelled(ReportKind), headers=("信息类别", "报告类别")),
            Field("reporter", _labelled(ReporterKind), headers=("报送主体",)),
            Field("reportedAt", _instant, headers=("报送时间",)),
            Field("title", NAME, headers=("标题",)),
            Field("content", LONG, headers=("内容",)),
        ),
        Kind.APPROVED: (
            Field("approvalNumber", IDENT, headers=("投资项目代码", "项目代码", "审批文号")),
            Field("name", NAME, headers=("项目名称",)),
            Field("ownerName", NAME, headers=("项目单位", "建设单位")),
            Field("ownerCreditCode", _credit, False, ("项目单位统一社会信用代码",)),
            Field("investment", _amount, headers=("总投资（元）", "总投资", "总投资(元)")),
            Field("category", _labelled(ProjectCategory), headers=("项目类别",)),
            Field("industry", _industry, False, ("所属行业", "行业")),
            Field("funding", _labelled(FundingSource), headers=("资金来源",)),
            Field("approvedOn", _day, headers=("审批日期", "批复日期")),
        ),
    }
    return common[kind]


CREDIT = _credit
AMOUNT = _amount
EXPERT_STATUS = _labelled(ExpertStatus)
MOVE_ACTION = _labelled(ProjectAction)
SPECIALITIES = _words


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    if value.isascii():
        return not value.strip()
    return inputs.is_blank(value)


def parse_row(
    index: int, raw: Mapping[str, Any], fields: Sequence[Field]
) -> tuple[dict[str, Any], list[RowProblem]]:
    """One row's values by field name (None where optional and absent), and its problems."""
    row: dict[str, Any] = {}
    problems: list[RowProblem] = []
    for spec in fields:
        value = raw.get(spec.name)
        if _empty(value):
            row[spec.name] = None
            if spec.required:
                problems.append(
                    RowProblem(index, spec.name, CODE.REQUIRED, "必填（this field is required）")
                )
            continue
        try:
            row[spec.name] = spec.parse(value, spec.name)
        except TradingError as exc:
            problems.append(
                RowProblem(
                    index, spec.name, exc.error_code, exc.message, exc.extensions.get("position")
                )
            )
            row[spec.name] = None
    if not problems and "category" in row and "method" in row:
        try:
            check_method(row["category"], row["method"])
        except TradingError as exc:
            problems.append(RowProblem(index, "method", exc.error_code, exc.message))
    return row, problems


def parse_rows(
    kind: Kind, raws: Sequence[Mapping[str, Any]], *, today: date
) -> tuple[list[dict[str, Any]], list[RowProblem]]:
    """Every row checked; the problems of all rows together."""
    if not 1 <= len(raws) <= MAX_BATCH:
        return [], [
            RowProblem(
                -1,
                None,
                CODE.BATCH_TOO_LARGE,
                f"每批1至{MAX_BATCH}行，收到{len(raws)}行（a batch holds 1 to {MAX_BATCH} rows）",
            )
        ]
    fields = fields_of(kind, today=today)
    rows: list[dict[str, Any]] = []
    problems: list[RowProblem] = []
    for index, raw in enumerate(raws):
        row, found = parse_row(index, raw, fields)
        rows.append(row)
        problems.extend(found)
    return rows, problems


def _fold_header(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def header_map(
    kind: Kind, headers: Iterable[str], *, today: date
) -> tuple[dict[int, str], list[str]]:
    """Which column holds which field (by its API name or any of its headers, compared after
    NFKC so 预算金额(元) and 预算金额（元） agree), and the headers nothing matched."""
    names: dict[str, str] = {}
    for spec in fields_of(kind, today=today):
        for label in (spec.name, *spec.headers):
            names[_fold_header(label)] = spec.name
    columns: dict[int, str] = {}
    unknown: list[str] = []
    for position, header in enumerate(headers):
        name = names.get(_fold_header(header)) if header else None
        if name is None:
            if header and header.strip():
                unknown.append(header)
        elif name not in columns.values():
            columns[position] = name
    return columns, unknown


def duplicates(
    rows: Sequence[Mapping[str, Any]], key: Callable[[Mapping[str, Any]], Any], field: str
) -> list[RowProblem]:
    """Rows naming the same record twice in one batch (the second and later are refused)."""
    seen: dict[Any, int] = {}
    found: list[RowProblem] = []
    for index, row in enumerate(rows):
        k = key(row)
        if k is None:
            continue
        if k in seen:
            found.append(
                RowProblem(
                    index,
                    field,
                    CODE.DUPLICATE_ROW,
                    f"与第{seen[k] + 1}行重复（the same record as row {seen[k] + 1}）",
                )
            )
        else:
            seen[k] = index
    return found
