"""Legal grounds to refuse a complaint (不予受理), coded, each with the articles that allow it.

A ground exists in a regime only where a text says so; the notice prints the citation. Articles
were checked against published texts; legal staff should confirm them once before notices go out
(as for the rules table, ``docs/deadlines.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from xietong.complaints.enums import ComplaintRegime, RefusalGround
from xietong.complaints.errors import ComplaintError, ComplaintErrorCode
from xietong.deadlines.rules import (
    PROCUREMENT_MEASURES,
    TENDERING_COMPLAINT_MEASURES,
    TENDERING_REGULATION,
    Citation,
)

G = RefusalGround
T = ComplaintRegime.TENDERING
P = ComplaintRegime.PROCUREMENT

_TB_12 = TENDERING_COMPLAINT_MEASURES  # 第十二条 lists the six grounds of the 11号令


@dataclass(frozen=True, slots=True)
class Ground:
    """A refusal ground in one regime."""

    ground: RefusalGround
    regime: ComplaintRegime
    reason: str
    """The sentence the notice prints (Chinese; the law's own words where it has them)."""
    citations: tuple[Citation, ...]
    anonymous_only: bool = False
    """Only for a complaint filed without a name (the ground would be false otherwise)."""

    @property
    def citation(self) -> str:
        return "；".join(str(c) for c in self.citations)


GROUNDS: tuple[Ground, ...] = (
    # 工程建设招投标: 招标投标法实施条例 Art. 60-61; 11号令 第十二条 (the six grounds).
    Ground(
        G.NOT_INTERESTED_PARTY,
        T,
        "投诉人不是所投诉招标投标活动的参与者，或者与投诉项目无任何利害关系",
        (Citation(TENDERING_REGULATION, "第六十条第一款"), Citation(_TB_12, "第十二条第（一）项")),
    ),
    Ground(
        G.NO_SPECIFIC_MATTER,
        T,
        "投诉事项不具体，且未提供有效线索，难以查证",
        (Citation(_TB_12, "第十二条第（二）项"),),
    ),
    Ground(
        G.ANONYMOUS,
        T,
        "投诉书未署具投诉人真实姓名、签字和有效联系方式",
        (Citation(_TB_12, "第十二条第（三）项"),),
        anonymous_only=True,
    ),
    Ground(
        G.LATE,
        T,
        "超过投诉时效：投诉应当自知道或者应当知道之日起10日内提出",
        (Citation(TENDERING_REGULATION, "第六十条第一款"), Citation(_TB_12, "第十二条第（四）项")),
    ),
    Ground(
        G.ALREADY_DECIDED,
        T,
        "已经作出处理决定，并且投诉人没有提出新的证据",
        (Citation(_TB_12, "第十二条第（五）项"),),
    ),
    Ground(
        G.IN_RECONSIDERATION_OR_LITIGATION,
        T,
        "投诉事项已进入行政复议或者行政诉讼程序",
        (Citation(_TB_12, "第十二条第（六）项"),),
    ),
    Ground(
        G.NO_PRIOR_OBJECTION,
        T,
        "就资格预审文件、招标文件或评标结果投诉的，应当先向招标人提出异议，而投诉人未提出",
        (Citation(TENDERING_REGULATION, "第六十条第二款"),),
    ),
    # 政府采购: 94号令 第十八条 (contents), 第十九条 (conditions), 第二十条, 第二十一条.
    Ground(
        G.NOT_INTERESTED_PARTY,
        P,
        "投诉人不是参与所投诉采购活动并依法提出质疑的供应商",
        (Citation(PROCUREMENT_MEASURES, "第十一条"), Citation(PROCUREMENT_MEASURES, "第十九条")),
    ),
    Ground(
        G.NO_PRIOR_OBJECTION,
        P,
        "提起投诉前未依法进行质疑",
        (Citation(PROCUREMENT_MEASURES, "第十九条第（一）项"),),
    ),
    Ground(
        G.ANONYMOUS,
        P,
        "投诉书未载明投诉人的姓名或者名称、通讯地址、联系人及联系电话",
        (Citation(PROCUREMENT_MEASURES, "第十八条"), Citation(PROCUREMENT_MEASURES, "第十九条")),
        anonymous_only=True,
    ),
    Ground(
        G.LATE,
        P,
        "未在质疑答复期满后15个工作日内提起投诉",
        (Citation(PROCUREMENT_MEASURES, "第十七条"), Citation(PROCUREMENT_MEASURES, "第十九条")),
    ),
    Ground(
        G.ALREADY_DECIDED,
        P,
        "同一投诉事项已经财政部门投诉处理",
        (Citation(PROCUREMENT_MEASURES, "第十九条第（四）项"),),
    ),
    Ground(
        G.BEYOND_QUERY_SCOPE,
        P,
        "投诉事项超出已质疑事项的范围，且非基于质疑答复内容提出",
        (Citation(PROCUREMENT_MEASURES, "第二十条"),),
    ),
    Ground(
        G.NOT_CORRECTED,
        P,
        "未按照补正期限进行补正，或者补正后仍不符合规定",
        (Citation(PROCUREMENT_MEASURES, "第二十一条第（一）项"),),
    ),
)

GROUNDS_BY_KEY: Mapping[tuple[ComplaintRegime, RefusalGround], Ground] = MappingProxyType(
    {(g.regime, g.ground): g for g in GROUNDS}
)


def grounds_for(regime: ComplaintRegime) -> tuple[Ground, ...]:
    return tuple(g for g in GROUNDS if g.regime is regime)


def ground(regime: ComplaintRegime, code: RefusalGround, *, anonymous: bool) -> Ground:
    """The ground ``code`` in ``regime`` for this complaint, or ``GROUND_NOT_FOR_REGIME``."""
    found = GROUNDS_BY_KEY.get((regime, code))
    if found is None:
        allowed = "、".join(g.ground.zh for g in grounds_for(regime)) or "无（该类投诉举报不适用）"
        raise ComplaintError(
            ComplaintErrorCode.GROUND_NOT_FOR_REGIME,
            f"“{code.zh}”不是{regime.zh}投诉的法定不予受理理由，可选：{allowed}"
            f"（not a legal ground to refuse a {regime.value} complaint）",
            field="ground",
        )
    if found.anonymous_only and not anonymous:
        raise ComplaintError(
            ComplaintErrorCode.GROUND_NOT_FOR_REGIME,
            "该投诉已署名并留有联系方式，不能以匿名为由不予受理"
            "（the complaint is named: it cannot be refused as anonymous）",
            field="ground",
        )
    return found
