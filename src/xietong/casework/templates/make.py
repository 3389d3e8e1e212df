"""Writes the starting casework templates (``*.docx`` beside this file) with python-docx, like
the complaint notices' (``complaints/templates/make.py``).

Run once: ``python -m xietong.casework.templates.make``. An office restyles or rewords them in
Word and keeps the docxtpl tags: ``number``, ``authority``, ``recipient``, ``issued_on``,
``subject``, ``body`` (multi-line), ``materials`` (each ``filename``, ``size``, ``sha256``),
``digest``, ``basis``. Rerunning overwrites such edits, so it is not part of any build.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from xietong.casework.enums import DocumentKind

HERE = Path(__file__).resolve().parent

MATERIALS = [
    "{%p for m in materials %}",
    "{{ loop.index }}. {{ m.filename }}（{{ m.size }} 字节，SHA-256：{{ m.sha256 }}）",
    "{%p endfor %}",
]
HEADER = ["{{ number }}", "", "{{ recipient }}："]
FOOTER = ["", "依据：{{ basis }}", "", "{{ authority }}", "{{ issued_on }}"]

K = DocumentKind
TEXTS: dict[DocumentKind, list[str]] = {
    K.TRANSFER_LETTER: [
        "现将{{ subject }}一案移送你单位依法处理。案情如下：",
        "{{ body }}",
        "随函移送材料如下：",
        *MATERIALS,
        "材料摘要值（SHA-256）：{{ digest }}。请于收到后签收回执；不属你单位职责的，"
        "请于收到之日起5个工作日内书面说明理由退回。",
    ],
    K.RECEIPT: [
        "你单位移送的{{ subject }}一案及下列材料已于{{ issued_on }}收到：",
        *MATERIALS,
        "材料摘要值（SHA-256）：{{ digest }}。",
        "{{ body }}",
    ],
    K.RETURN_LETTER: [
        "你单位移送的{{ subject }}一案，经审查不属于本单位职责，现退回。理由如下：",
        "{{ body }}",
    ],
    K.FORWARD_NOTICE: [
        "你单位移送的{{ subject }}一案，本单位已转送有管辖权的机关处理，特此告知：",
        "{{ body }}",
    ],
    K.RESULT_REPLY: ["你单位移送的{{ subject }}一案，办理结果如下：", "{{ body }}"],
    K.ASSISTANCE_LETTER: [
        "本单位在办理{{ subject }}一案中，需你单位协助办理。",
        "{{ body }}",
        "随函附证据材料：",
        *MATERIALS,
        "请予协助。超出你单位职能范围的，请于收到之日起5个工作日内说明原因退回。",
    ],
    K.LETTER_RETURN: [
        "你单位发来的关于{{ subject }}的协助办理函，超出本单位职能范围，现退回。原因如下：",
        "{{ body }}",
    ],
    K.LETTER_REPLY: ["你单位发来的关于{{ subject }}的协助办理函，办理情况如下：", "{{ body }}"],
    K.LEAD_DISPOSITION: ["关于{{ subject }}的问题线索，处置决定如下：", "{{ body }}"],
}


def write(kind: DocumentKind, lines: list[str]) -> None:
    document = Document()
    document.styles["Normal"].font.size = Pt(14)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(kind.zh)
    run.bold = True
    run.font.size = Pt(22)
    for line in [*HEADER, *lines, *FOOTER]:
        paragraph = document.add_paragraph()
        paragraph.add_run(line)  # one run per tag, so docxtpl sees each tag whole
        if line == "{{ number }}":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if line in ("{{ authority }}", "{{ issued_on }}"):
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.save(str(HERE / f"{kind.value}.docx"))


def main() -> None:
    for kind, lines in TEXTS.items():
        write(kind, lines)


if __name__ == "__main__":
    main()
