"""Writes the starting notice templates (``*.docx`` beside this file) with python-docx.

Run once: ``python -m xietong.complaints.templates.make``. The templates are ordinary Word
documents with docxtpl (Jinja) tags; an office restyles or rewords them in Word and keeps the tags
(``README.md`` lists them). Rerunning overwrites such edits, so it is not part of any build.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

HERE = Path(__file__).resolve().parent

CLAUSES = [
    "{%p for c in clauses %}",
    "{{ loop.index }}. {{ c.owed }}：{{ c.period }}，{{ c.due }}。依据：{{ c.citation }}"
    "（时限规则 {{ c.rule }}）",
    "{%p endfor %}",
]

HEADER = ["{{ number }}", "", "{{ filer }}："]
FOOTER = ["", "{{ authority }}", "{{ issued_on }}"]

TEMPLATES: dict[str, tuple[str, list[str]]] = {
    "acceptance": (
        "投诉受理通知书",
        [
            *HEADER,
            "你（单位）于{{ received_on }}提交的关于{{ subject }}的{{ regime }}投诉"
            "（查询码 {{ tracking_code }}，事项：{{ title }}），经审查，符合受理条件，"
            "本机关决定受理。收到完整投诉书之日即为受理之日：{{ review_on }}。",
            "本案的处理期限如下：",
            *CLAUSES,
            "检验、检测、鉴定、专家评审及补正所需时间不计算在处理期限内。"
            "你（单位）可凭查询码和密码在网上查询办理进度。",
            "特此通知。",
            *FOOTER,
        ],
    ),
    "refusal": (
        "投诉不予受理通知书",
        [
            *HEADER,
            "你（单位）于{{ received_on }}提交的关于{{ subject }}的{{ regime }}投诉"
            "（查询码 {{ tracking_code }}，事项：{{ title }}），经审查，{{ ground_reason }}。",
            "依照{{ ground_citation }}的规定，本机关决定不予受理。",
            "本通知依据的时限：",
            *CLAUSES,
            "如不服本决定，可以依法申请行政复议或者提起行政诉讼。",
            "特此通知。",
            *FOOTER,
        ],
    ),
    "correction": (
        "投诉补正通知书",
        [
            *HEADER,
            "你（单位）于{{ received_on }}提交的关于{{ subject }}的{{ regime }}投诉"
            "（查询码 {{ tracking_code }}，事项：{{ title }}），经审查，投诉书内容不符合规定，"
            "请一次性补正以下事项：",
            "{{ correction_items }}",
            "请于{{ reply_by }}前提交补正材料。补正期间不计算在投诉处理期限内；"
            "逾期未补正或者补正后仍不符合规定的，不予受理。",
            "本通知依据的时限：",
            *CLAUSES,
            "特此通知。",
            *FOOTER,
        ],
    ),
    "redirect": (
        "投诉告知书",
        [
            *HEADER,
            "你（单位）于{{ received_on }}提交的关于{{ subject }}的{{ regime }}投诉"
            "（查询码 {{ tracking_code }}，事项：{{ title }}），经审查，不属于本机关管辖。",
            "请你（单位）向{{ redirect_to }}提出投诉。",
            "本告知依据的时限：",
            *CLAUSES,
            "特此告知。",
            *FOOTER,
        ],
    ),
    "decision": (
        "投诉处理决定书",
        [
            *HEADER,
            "你（单位）于{{ received_on }}提交的关于{{ subject }}的{{ regime }}投诉"
            "（查询码 {{ tracking_code }}，事项：{{ title }}），本机关已于{{ review_on }}受理，"
            "经调查核实，作出如下处理决定：",
            "{{ decision }}",
            "本决定依据的时限：",
            *CLAUSES,
            "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，"
            "或者六个月内依法提起行政诉讼。",
            *FOOTER,
        ],
    ),
}


def write(kind: str, title: str, lines: list[str]) -> None:
    document = Document()
    style = document.styles["Normal"]
    style.font.size = Pt(14)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(title)
    run.bold = True
    run.font.size = Pt(22)
    for line in lines:
        paragraph = document.add_paragraph()
        paragraph.add_run(line)  # one run per tag, so docxtpl sees each tag whole
        if line in ("{{ number }}",):
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if line in ("{{ authority }}", "{{ issued_on }}"):
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.save(str(HERE / f"{kind}.docx"))


def main() -> None:
    for kind, (title, lines) in TEMPLATES.items():
        write(kind, title, lines)


if __name__ == "__main__":
    main()
