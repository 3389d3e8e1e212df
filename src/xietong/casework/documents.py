"""Casework documents as ``.docx``: 移送函, 回执, 退回函, 转送告知函, 结果回告函, 协助办理函, its
退回函 and 复函, and lead dispositions — rendered with docxtpl from ``templates/*.docx`` (the
complaint notices' mechanism: autoescaped values, line breaks kept) and stored exactly as issued,
their SHA-256 in the audit trail.

A document belongs to its matter's unit (``jurisdiction_code``) and names the unit that issued it
(``issuer_jurisdiction_code``): the receiver issues its receipt into the sender's transfer under
its grant, so both sides read the same bytes while the grant lasts."""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from importlib import resources
from typing import Any

from docxtpl import DocxTemplate, Listing
from jinja2 import Environment, StrictUndefined
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.access.actions import ObjectType
from xietong.casework import common
from xietong.casework.common import Actor
from xietong.casework.enums import DocumentKind
from xietong.casework.models import CaseDocument, CaseMaterial
from xietong.complaints.notices import MEDIA_TYPE, china_day
from xietong.jurisdictions import codes
from xietong.jurisdictions.models import Department, Jurisdiction


@dataclass(frozen=True, slots=True)
class Facts:
    number: str
    authority: str
    recipient: str
    issued_on: str
    subject: str
    body: str
    basis: str
    materials: tuple[dict[str, Any], ...] = ()
    digest: str = ""

    def context(self) -> dict[str, Any]:
        values = asdict(self)
        values["materials"] = list(self.materials)
        values["body"] = Listing(self.body)  # line breaks a clerk typed stay line breaks
        return values


def render(kind: DocumentKind, facts: Facts) -> bytes:
    source = (resources.files("xietong.casework.templates") / f"{kind.value}.docx").read_bytes()
    template = DocxTemplate(io.BytesIO(source))
    # Autoescape: "<" or "&" typed by a clerk stays text inside the document's XML.
    template.render(
        facts.context(), jinja_env=Environment(autoescape=True, undefined=StrictUndefined)
    )
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


async def full_name(session: AsyncSession, department_id: uuid.UUID | None) -> str:
    """``云南省昆明市五华区住房和城乡建设局`` style: the unit's name and the department's."""
    if department_id is None:
        return ""
    row = (
        await session.execute(
            select(Jurisdiction.name, Department.name)
            .join(Department, Department.jurisdiction_code == Jurisdiction.code)
            .where(Department.id == department_id)
        )
    ).first()
    if row is None:
        return ""
    unit, name = row
    return name if name.startswith(unit[:2]) else f"{unit}{name}"


def listed(materials: Sequence[CaseMaterial]) -> tuple[dict[str, Any], ...]:
    return tuple({"filename": m.filename, "size": m.size, "sha256": m.sha256} for m in materials)


async def issue(
    session: AsyncSession,
    *,
    kind: DocumentKind,
    matter_type: str,
    matter_id: uuid.UUID,
    matter_jurisdiction_code: int,
    number: str,
    issued_on: date,
    issuer: Actor,
    recipient: str,
    subject: str,
    body: str,
    basis: str,
    materials: Sequence[CaseMaterial] = (),
) -> CaseDocument:
    """Render, store and audit one document; its number is ``<matter number>-<kind>``."""
    authority = await full_name(session, issuer.department_id)
    facts = Facts(
        number=number,
        authority=authority,
        recipient=recipient,
        issued_on=china_day(issued_on),
        subject=subject,
        body=body,
        basis=basis,
        materials=listed(materials),
        digest=common.digest([m.sha256 for m in materials]),
    )
    content = render(kind, facts)
    document = CaseDocument(
        id=uuid.uuid4(),
        matter_type=matter_type,
        matter_id=matter_id,
        jurisdiction_code=matter_jurisdiction_code,
        province_code=codes.province_of(matter_jurisdiction_code),
        issuer_jurisdiction_code=issuer.jurisdiction_code,
        kind=kind,
        number=number,
        issued_on=issued_on,
        filename=f"{kind.zh}-{number}.docx",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        created_by=issuer.name,
    )
    session.add(document)
    await session.flush()
    await common.record(
        session,
        issuer,
        action="casework.document",
        object_type=ObjectType.CASE if matter_type != "lead" else ObjectType.LEAD,
        object_id=matter_id,
        jurisdiction_code=issuer.jurisdiction_code,
        details={"kind": kind.value, "number": number, "sha256": document.sha256},
    )
    return document


MEDIA = MEDIA_TYPE
