"""The unified social credit code (统一社会信用代码, GB 32100-2015 with Amendment No. 1).

Eighteen characters from ``ALPHABET`` (digits and capitals without I, O, Z, S, V)::

    position  1     registration authority (登记管理部门代码)        AUTHORITIES
    position  2     type of organisation (机构类别代码), per authority AUTHORITIES[..].types
    positions 3–8   administrative division of the registering office (GB/T 2260)
    positions 9–17  organisation code (组织机构代码, GB 11714): 8 characters and its own check
    position  18    check character, ISO 7064 style mod 31 over positions 1–17

Both check characters are verified. Every refusal names the 1-based position that fails and why.
"""

from __future__ import annotations

from dataclasses import dataclass

from xietong.jurisdictions.codes import PROVINCE_PREFIXES
from xietong.trading.enums import EntityKind
from xietong.trading.errors import TradingError, TradingErrorCode
from xietong.trading.identifiers import CodeProblem, normalise

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters of GB 32100; a character's value is its index."""
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
LENGTH = 18
CHECK_WEIGHTS = tuple(pow(3, i, 31) for i in range(LENGTH - 1))
"""3^(i-1) mod 31 for positions i = 1…17: 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24…"""
ORGANISATION_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
"""GB 11714-1997 weights for the eight body characters of an organisation code."""
NATIONAL_DIVISION = "100000"
"""Positions 3–8 of codes registered by national bodies (国家层面登记)."""

_WHAT = "统一社会信用代码"
_CODE = TradingErrorCode.INVALID_CREDIT_CODE


@dataclass(frozen=True, slots=True)
class Authority:
    """A registration authority (position 1) and the organisation types it registers."""

    name: str
    types: dict[str, str]


AUTHORITIES: dict[str, Authority] = {
    "1": Authority(
        "机构编制",
        {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    ),
    "2": Authority("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": Authority(
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": Authority("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": Authority("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": Authority(
        "旅游",
        {
            "1": "外国旅游部门常驻代表机构",
            "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
            "9": "其他",
        },
    ),
    "7": Authority("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": Authority("工会", {"1": "基层工会", "9": "其他"}),
    "9": Authority("工商（市场监管）", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": Authority("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": Authority(
        "农业",
        {
            "1": "组级集体经济组织",
            "2": "村级集体经济组织",
            "3": "乡镇级集体经济组织",
            "9": "其他",
        },
    ),
    "Y": Authority("其他", {"1": "其他"}),
}
"""GB 32100-2015 Appendix A (登记管理部门代码和机构类别代码), with Amendment No. 1."""

_ENTITY_KINDS: dict[tuple[str, str], EntityKind] = {
    ("9", "1"): EntityKind.ENTERPRISE,
    ("9", "2"): EntityKind.INDIVIDUAL_BUSINESS,
    ("1", "2"): EntityKind.PUBLIC_INSTITUTION,
    ("A", "1"): EntityKind.PUBLIC_INSTITUTION,
    ("1", "3"): EntityKind.SOCIAL_ORGANISATION,
    ("5", "1"): EntityKind.SOCIAL_ORGANISATION,
    ("5", "2"): EntityKind.SOCIAL_ORGANISATION,
    ("5", "3"): EntityKind.SOCIAL_ORGANISATION,
    ("5", "9"): EntityKind.SOCIAL_ORGANISATION,
}


def _gb11714_value(char: str) -> int:
    # GB 11714 counts letters A=10 … Z=35 over the whole Latin alphabet (not GB 32100's 31).
    return int(char) if char.isdigit() else ord(char) - ord("A") + 10


def organisation_check_char(body: str) -> str:
    """GB 11714 check character of an 8-character organisation-code body: 0–9 or X."""
    if len(body) != len(ORGANISATION_WEIGHTS):
        raise ValueError("an organisation-code body has 8 characters")
    total = sum(_gb11714_value(c) * w for c, w in zip(body, ORGANISATION_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def check_char(first17: str) -> str:
    """GB 32100 check character (position 18) of the first 17 characters."""
    if len(first17) != LENGTH - 1:
        raise ValueError("the check character covers 17 characters")
    total = sum(_VALUE[c] * w for c, w in zip(first17, CHECK_WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


@dataclass(frozen=True, slots=True)
class CreditCode:
    """A valid unified social credit code. Build it with ``parse`` (or ``compose``)."""

    value: str

    def __post_init__(self) -> None:
        # Also when built from stored data: a CreditCode is valid, whatever made it.
        found = _structure_problem(self.value) if isinstance(self.value, str) else None
        if found is not None or not isinstance(self.value, str):
            message = found.message if found else "统一社会信用代码应为文本（expected text）"
            raise TradingError(
                _CODE, message, field="creditCode", position=found.position if found else None
            )

    def __str__(self) -> str:
        return self.value

    @property
    def authority(self) -> Authority:
        return AUTHORITIES[self.value[0]]

    @property
    def organisation_type(self) -> str:
        """机构类别, e.g. 企业, 事业单位, 社会团体."""
        return self.authority.types[self.value[1]]

    @property
    def division(self) -> str:
        """The registering office's administrative division code (positions 3–8)."""
        return self.value[2:8]

    @property
    def organisation_code(self) -> str:
        """GB 11714 organisation code, printed as on the old certificates: ``XXXXXXXX-X``."""
        return f"{self.value[8:16]}-{self.value[16]}"

    @property
    def entity_kind(self) -> EntityKind:
        """The market-entity kind the authority and type imply (企业, 事业单位…)."""
        return _ENTITY_KINDS.get((self.value[0], self.value[1]), EntityKind.OTHER)


def _at(position: int, message: str) -> CodeProblem:
    return CodeProblem(_CODE, position, f"{_WHAT}第{position}位{message}")


def _check(raw: object) -> str | CodeProblem:
    text = normalise(raw, _CODE, _WHAT)
    if isinstance(text, CodeProblem):
        return text
    return _structure_problem(text) or text


def problem(raw: object) -> CodeProblem | None:
    """Why ``raw`` is not a valid code, or None. Checks run left to right; the first fails."""
    checked = _check(raw)
    return checked if isinstance(checked, CodeProblem) else None


def _structure_problem(text: str) -> CodeProblem | None:
    if len(text) < LENGTH:
        return CodeProblem(
            _CODE,
            len(text) + 1,
            f"{_WHAT}应为18位，只有{len(text)}位，缺少第{len(text) + 1}位起的字符"
            f"（18 characters expected, got {len(text)}）",
        )
    if len(text) > LENGTH:
        return CodeProblem(
            _CODE,
            LENGTH + 1,
            f"{_WHAT}应为18位，实有{len(text)}位（18 characters expected, got {len(text)}）",
        )
    for index, char in enumerate(text):
        if char not in _VALUE:
            return _at(
                index + 1,
                f"“{char}”不在代码字符集中（不使用I、O、Z、S、V及符号）"
                f"（character not allowed: GB 32100 uses 0-9 and A-Z without I, O, Z, S, V）",
            )
    authority = AUTHORITIES.get(text[0])
    if authority is None:
        return _at(
            1,
            f"“{text[0]}”不是登记管理部门代码，应为{'、'.join(AUTHORITIES)}之一"
            "（unknown registration authority）",
        )
    if text[1] not in authority.types:
        allowed = "、".join(f"{k}{v}" for k, v in authority.types.items())
        return _at(
            2,
            f"“{text[1]}”不是{authority.name}部门登记的机构类别，应为{allowed}"
            "（organisation type not defined for this registration authority）",
        )
    for position in range(3, 9):
        if not text[position - 1].isdigit():
            return _at(
                position,
                "应为数字：第3–8位为登记管理机关行政区划码"
                "（positions 3-8 are a six-digit administrative division code）",
            )
    division = text[2:8]
    prefix = int(division[:2])
    if division != NATIONAL_DIVISION and prefix not in PROVINCE_PREFIXES:
        return _at(
            3,
            f"起的行政区划码“{division}”没有对应的省级代码“{division[:2]}”"
            "（no such province in GB/T 2260）",
        )
    expected_org = organisation_check_char(text[8:16])
    if text[16] != expected_org:
        return _at(
            17,
            f"组织机构代码校验码不符：第9–16位“{text[8:16]}”的校验码应为“{expected_org}”，"
            f"实为“{text[16]}”（organisation code check character does not match, GB 11714）",
        )
    expected = check_char(text[:17])
    if text[17] != expected:
        return _at(
            18,
            f"校验码不符：应为“{expected}”，实为“{text[17]}”，请核对各位字符"
            "（check character does not match: a character was mistyped）",
        )
    return None


def parse(raw: object, *, field: str | None = "creditCode") -> CreditCode:
    """The valid code in ``raw`` (stripped, ASCII letters upper-cased), or ``TradingError``
    ``INVALID_CREDIT_CODE`` with ``extensions['position']`` naming the failing position."""
    checked = _check(raw)
    if isinstance(checked, CodeProblem):
        raise checked.error(field)
    return CreditCode(checked)


def compose(authority: str, kind: str, division: str, organisation_body: str) -> CreditCode:
    """A code built from its parts, both check characters computed (demo data, tests)."""
    first16 = authority + kind + division + organisation_body
    first17 = first16 + organisation_check_char(organisation_body)
    code = first17 + check_char(first17)
    return CreditCode(code)


def is_valid(raw: object) -> bool:
    return problem(raw) is None


__all__ = [
    "ALPHABET",
    "AUTHORITIES",
    "Authority",
    "CreditCode",
    "check_char",
    "compose",
    "is_valid",
    "organisation_check_char",
    "parse",
    "problem",
]
