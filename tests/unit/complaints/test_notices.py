from __future__ import annotations

import io
from datetime import date

import docx
from docxtpl import DocxTemplate

from xietong.complaints import notices
from xietong.complaints.enums import NoticeKind
from xietong.deadlines.rules import RULES_BY_ID

FACTS = notices.NoticeFacts(
    number="宣住建投诉〔2026〕1号",
    authority="宣恩县住房和城乡建设局",
    issued_on="2026年10月8日",
    filer="张三 <w:t>&amp;",
    tracking_code="TS0123456789",
    received_on="2026年9月30日",
    subject="项目 XE-2026-001",
    regime="工程建设招投标",
    title="评标委员会未按招标文件评审",
    clauses=(
        notices.Clause.of(
            RULES_BY_ID["TB.decision"], notices.due_text(date(2026, 11, 12), provisional=True)
        ),
    ),
    ground_reason="投诉事项不具体",
    ground_citation="《工程建设项目招标投标活动投诉处理办法》第十二条第（二）项",
    decision="一、投诉成立。\n二、责令改正。",
)


def _text(content: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)


def test_every_template_uses_only_tags_the_facts_provide() -> None:
    provided = set(FACTS.context())
    for kind in NoticeKind:
        template = DocxTemplate(io.BytesIO(notices.template_bytes(kind)))
        assert template.get_undeclared_template_variables() <= provided, kind


def test_each_notice_renders_its_facts_and_the_rule_cited() -> None:
    for kind in NoticeKind:
        text = _text(notices.render(kind, FACTS))
        assert kind.zh in text.splitlines()[0]  # the title
        assert "TS0123456789" in text
        assert "宣恩县住房和城乡建设局" in text
        assert "TB.decision" in text
        assert "第六十一条第二款" in text
        assert "2026年11月12日" in text
        assert "暂按周末推算" in text
        assert "张三 <w:t>&amp;" in text  # escaped into the XML, read back as typed
    refusal = _text(notices.render(NoticeKind.REFUSAL, FACTS))
    assert "投诉事项不具体" in refusal
    assert "第十二条第（二）项" in refusal
    decision = _text(notices.render(NoticeKind.DECISION, FACTS))
    assert "一、投诉成立。\n二、责令改正。" in decision


def test_due_texts() -> None:
    assert notices.due_text(None) == "计时暂停中，恢复后顺延"
    assert notices.due_text(date(2026, 10, 10)) == "期限至2026年10月10日"
    assert notices.due_text(date(2026, 10, 10), met_on=date(2026, 10, 9)).startswith(
        "已于2026年10月9日完成"
    )
