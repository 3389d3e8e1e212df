"""Vocabularies: stable values, Chinese names, and which methods fit which category."""

from __future__ import annotations

import pytest

from xietong.trading.enums import (
    METHODS_BY_CATEGORY,
    EntityKind,
    ExpertStatus,
    FundingSource,
    LabelledEnum,
    ProjectAction,
    ProjectCategory,
    ProjectState,
    TradingMethod,
    check_method,
)
from xietong.trading.errors import TradingError, TradingErrorCode

ALL: list[type[LabelledEnum]] = [
    ProjectCategory,
    TradingMethod,
    EntityKind,
    ExpertStatus,
    FundingSource,
    ProjectState,
    ProjectAction,
]


@pytest.mark.parametrize("enum", ALL)
def test_values_and_chinese_names_are_unique_and_parse_back(enum: type[LabelledEnum]) -> None:
    members = list(enum)
    assert len({m.value for m in members}) == len(members)
    assert len({m.zh for m in members}) == len(members)
    for member in members:
        assert enum.parse(member.value) is member
        assert enum.parse(f" {member.zh} ") is member
        assert enum(member.value) is member
        assert member == member.value  # a StrEnum: stored and sent as its value


def test_the_issue_s_chinese_names() -> None:
    assert [c.zh for c in ProjectCategory] == [
        "工程建设",
        "政府采购",
        "土地使用权出让",
        "矿业权出让",
        "国有产权交易",
        "其他",
    ]
    assert [k.zh for k in EntityKind] == ["企业", "事业单位", "社会组织", "个体工商户", "其他"]
    methods = {m.zh for m in TradingMethod}
    wanted = {"公开招标", "邀请招标", "竞争性谈判", "竞争性磋商", "询价", "单一来源"}
    assert wanted | {"拍卖", "挂牌", "框架协议"} <= methods


def test_an_unknown_label_is_a_coded_refusal() -> None:
    with pytest.raises(TradingError) as caught:
        ProjectCategory.parse("工程", field="category")
    assert caught.value.code == TradingErrorCode.INVALID_CHOICE
    assert caught.value.field == "category"
    assert "工程建设" in caught.value.message


def test_methods_fit_their_categories() -> None:
    assert set(METHODS_BY_CATEGORY) == set(ProjectCategory)
    check_method(ProjectCategory.GOVERNMENT_PROCUREMENT, TradingMethod.COMPETITIVE_CONSULTATION)
    check_method(ProjectCategory.LAND_USE_RIGHTS, TradingMethod.LISTING)
    check_method(ProjectCategory.STATE_PROPERTY, TradingMethod.ONLINE_BIDDING)
    check_method(ProjectCategory.MINING_RIGHTS, TradingMethod.OTHER)  # 其他 is always possible
    for category, method in [
        (ProjectCategory.GOVERNMENT_PROCUREMENT, TradingMethod.LISTING),
        (ProjectCategory.LAND_USE_RIGHTS, TradingMethod.COMPETITIVE_CONSULTATION),
        (ProjectCategory.CONSTRUCTION, TradingMethod.AUCTION),
    ]:
        with pytest.raises(TradingError) as caught:
            check_method(category, method)
        assert caught.value.code == TradingErrorCode.METHOD_NOT_FOR_CATEGORY
        assert caught.value.field == "method"
        assert method.zh in caught.value.message
