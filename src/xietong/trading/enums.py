"""The trading context's vocabularies, each value with its Chinese name (``zh``).

Values are stable English identifiers (they are stored and appear in the API); ``zh`` is what a
clerk reads, and ``parse`` accepts either, so an import file may say 政府采购 or
``government_procurement``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from xietong.trading.errors import TradingError, TradingErrorCode


class LabelledEnum(StrEnum):
    """A ``StrEnum`` whose members also carry their Chinese name."""

    zh: str

    def __new__(cls, value: str, zh: str = "") -> Self:
        # ``zh`` has a default only so that ``ProjectCategory("construction")`` (a lookup by
        # value, which never reaches ``__new__``) type-checks.
        if not zh:
            raise TypeError("a LabelledEnum member needs its Chinese name")
        member = str.__new__(cls, value)
        member._value_ = value
        member.zh = zh
        return member

    @classmethod
    def parse(cls, text: str, *, field: str | None = None) -> Self:
        """The member whose value or Chinese name is ``text`` (surrounding blanks ignored)."""
        wanted = text.strip()
        for member in cls:
            if wanted in (member.value, member.zh):
                return member
        choices = "、".join(m.zh for m in cls)
        raise TradingError(
            TradingErrorCode.INVALID_CHOICE,
            f"“{wanted[:40]}”不是可选值，可选：{choices}（not one of the {cls.__name__} values）",
            field=field,
        )


class ProjectCategory(LabelledEnum):
    """交易项目类别: what is traded."""

    CONSTRUCTION = "construction", "工程建设"
    GOVERNMENT_PROCUREMENT = "government_procurement", "政府采购"
    LAND_USE_RIGHTS = "land_use_rights", "土地使用权出让"
    MINING_RIGHTS = "mining_rights", "矿业权出让"
    STATE_PROPERTY = "state_property", "国有产权交易"
    OTHER = "other", "其他"


class TradingMethod(LabelledEnum):
    """交易方式: how the counterparty is chosen."""

    OPEN_TENDER = "open_tender", "公开招标"
    INVITED_TENDER = "invited_tender", "邀请招标"
    COMPETITIVE_NEGOTIATION = "competitive_negotiation", "竞争性谈判"
    COMPETITIVE_CONSULTATION = "competitive_consultation", "竞争性磋商"
    INQUIRY = "inquiry", "询价"
    SINGLE_SOURCE = "single_source", "单一来源"
    FRAMEWORK_AGREEMENT = "framework_agreement", "框架协议"
    COOPERATIVE_INNOVATION = "cooperative_innovation", "合作创新采购"
    AUCTION = "auction", "拍卖"
    LISTING = "listing", "挂牌"
    ONLINE_BIDDING = "online_bidding", "网络竞价"
    NEGOTIATED_TRANSFER = "negotiated_transfer", "协议转让"
    OTHER = "other", "其他"


_PROCUREMENT_METHODS = frozenset(
    {
        TradingMethod.OPEN_TENDER,
        TradingMethod.INVITED_TENDER,
        TradingMethod.COMPETITIVE_NEGOTIATION,
        TradingMethod.COMPETITIVE_CONSULTATION,
        TradingMethod.INQUIRY,
        TradingMethod.SINGLE_SOURCE,
        TradingMethod.FRAMEWORK_AGREEMENT,
        TradingMethod.COOPERATIVE_INNOVATION,
    }
)
_RIGHTS_METHODS = frozenset(
    {
        TradingMethod.OPEN_TENDER,
        TradingMethod.AUCTION,
        TradingMethod.LISTING,
        TradingMethod.NEGOTIATED_TRANSFER,
    }
)

METHODS_BY_CATEGORY: dict[ProjectCategory, frozenset[TradingMethod]] = {
    # 招标投标法 (tendering) for works that must be tendered; 政府采购工程 that are not tendered
    # use the procurement law's non-tender methods (政府采购法实施条例第二十五条).
    ProjectCategory.CONSTRUCTION: _PROCUREMENT_METHODS
    - {TradingMethod.FRAMEWORK_AGREEMENT, TradingMethod.COOPERATIVE_INNOVATION},
    # 政府采购法第二十六条; 财政部令第74号 (磋商), 第110号 (框架协议), 2024 合作创新采购.
    ProjectCategory.GOVERNMENT_PROCUREMENT: _PROCUREMENT_METHODS,
    # 招标拍卖挂牌出让国有建设用地使用权规定 (国土资源部令第39号); 协议出让 (第21号令).
    ProjectCategory.LAND_USE_RIGHTS: _RIGHTS_METHODS,
    # 矿业权出让交易规则: 招标、拍卖、挂牌, and 协议出让 where allowed.
    ProjectCategory.MINING_RIGHTS: _RIGHTS_METHODS,
    # 企业国有资产交易监督管理办法 (国资委 财政部令第32号): 公开挂牌, then 拍卖/招投标/网络竞价;
    # 非公开协议转让.
    ProjectCategory.STATE_PROPERTY: frozenset(
        {
            TradingMethod.LISTING,
            TradingMethod.AUCTION,
            TradingMethod.OPEN_TENDER,
            TradingMethod.ONLINE_BIDDING,
            TradingMethod.NEGOTIATED_TRANSFER,
        }
    ),
    ProjectCategory.OTHER: frozenset(TradingMethod),
}


def check_method(
    category: ProjectCategory, method: TradingMethod, *, field: str | None = "method"
) -> None:
    """Refuse a method that does not exist for the category (e.g. 挂牌 for a procurement)."""
    if method in METHODS_BY_CATEGORY[category] or method is TradingMethod.OTHER:
        return
    raise TradingError(
        TradingErrorCode.METHOD_NOT_FOR_CATEGORY,
        f"{category.zh}项目不能采用“{method.zh}”方式"
        f"（method {method.value} does not apply to {category.value} projects）",
        field=field,
    )


class EntityKind(LabelledEnum):
    """市场主体类型."""

    ENTERPRISE = "enterprise", "企业"
    PUBLIC_INSTITUTION = "public_institution", "事业单位"
    SOCIAL_ORGANISATION = "social_organisation", "社会组织"
    INDIVIDUAL_BUSINESS = "individual_business", "个体工商户"
    OTHER = "other", "其他"


class ExpertStatus(LabelledEnum):
    """评标专家在库状态 (评标专家和评标专家库管理办法)."""

    ACTIVE = "active", "正常"
    """In the library and may be drawn."""
    SUSPENDED = "suspended", "暂停"
    """Temporarily not drawn (暂停评标资格), e.g. during an investigation."""
    DISQUALIFIED = "disqualified", "取消资格"
    """Removed for misconduct (取消评标专家资格 / 清退)."""
    RETIRED = "retired", "退出"
    """Left the library: age limit, own request, or term not renewed."""


class FundingSource(LabelledEnum):
    """资金来源 of an approved investment project: decides whether it must be traded in the
    centre (XINXIANG 18; 必须招标的工程项目规定, 国家发展改革委令第16号)."""

    GOVERNMENT = "government", "政府投资"
    STATE_OWNED = "state_owned", "国有资金"
    INTERNATIONAL = "international", "国际组织或外国政府贷款、援助资金"
    NON_STATE = "non_state", "非国有资金"


class ProjectState(LabelledEnum):
    """Where a project stands in its lifecycle (see ``lifecycle``)."""

    REGISTERED = "registered", "已登记"
    ANNOUNCED = "announced", "已公告"
    BIDDING = "bidding", "投标中"
    EVALUATING = "evaluating", "评标中"
    AWARDED = "awarded", "已定标"
    CONTRACTED = "contracted", "已签约"
    PERFORMING = "performing", "履约中"
    CLOSED = "closed", "已完结"
    SUSPENDED = "suspended", "已暂停"
    FAILED = "failed", "流标"
    CANCELLED = "cancelled", "已终止"


class ProjectAction(LabelledEnum):
    """What moves a project from one state to the next."""

    REGISTER = "register", "登记"
    ANNOUNCE = "announce", "发布公告"
    OPEN_BIDDING = "open_bidding", "开始投标"
    OPEN_BIDS = "open_bids", "开标"
    AWARD = "award", "定标"
    SIGN_CONTRACT = "sign_contract", "签订合同"
    START_PERFORMANCE = "start_performance", "开始履约"
    CLOSE = "close", "完结"
    SUSPEND = "suspend", "暂停"
    RESUME = "resume", "恢复"
    FAIL = "fail", "流标"
    CANCEL = "cancel", "终止"


class ReportKind(LabelledEnum):
    """What a report filed against a project is about (R-4)."""

    PERFORMANCE = "performance", "履约信息"
    SUPERVISION = "supervision", "监管信息"
    CREDIT = "credit", "信用信息"


class ReporterKind(LabelledEnum):
    """Who files it (R-4: the tenderer and the industry department, in real time)."""

    TENDERER = "tenderer", "招标人"
    INDUSTRY_DEPARTMENT = "industry_department", "行业主管部门"
