"""What the casework resolvers share: the actor, materials from input, coded errors."""

from __future__ import annotations

import strawberry

from xietong import inputs
from xietong.access.errors import Unauthenticated
from xietong.access.principal import PrincipalKind
from xietong.api.context import Context
from xietong.api.mutations import Invalid, Problem
from xietong.api.scalars import Base64, ShortText
from xietong.audit.enums import ActorKind
from xietong.casework import common
from xietong.casework.errors import CaseworkError
from xietong.casework.errors import CaseworkErrorCode as Code
from xietong.casework.graphql.types import CaseworkError as CaseworkErrorType
from xietong.complaints import attachments
from xietong.complaints.attachments import CheckedFile


@strawberry.input(description="A file handed over with a transfer or letter.")
class CaseMaterialInput:
    filename: ShortText = strawberry.field(description="The file's name, e.g. 调查笔录.pdf.")
    media_type: ShortText = strawberry.field(
        description="Its media type; must match the content (PDF, OFD, JPEG, PNG, .docx, .xlsx, "
        "plain text; never executables)."
    )
    content: Base64 = strawberry.field(
        description=f"The content, at most {attachments.MAX_FILE_BYTES // 1024} KiB per file, "
        f"{attachments.MAX_FILES} files and {attachments.MAX_TOTAL_BYTES // 1048576} MiB in all."
    )


def errors(problems: list[Problem]) -> list[CaseworkErrorType]:
    return [
        CaseworkErrorType(field=p.field, message=p.message, code=Code(p.code)) for p in problems
    ]


def invalid(exc: CaseworkError) -> Invalid:
    return Invalid(exc.error_code, exc.message, exc.field)


def actor(ctx: Context) -> common.Actor:
    principal = ctx.principal
    if principal.jurisdiction_code is None:
        raise Unauthenticated
    department = principal.department
    return common.Actor(
        name=principal.actor,
        kind=ActorKind.API_KEY if principal.kind is PrincipalKind.API_KEY else ActorKind.PERSON,
        jurisdiction_code=principal.jurisdiction_code,
        department_id=department.id if department else None,
    )


def switch(ctx: Context) -> common.Switch:
    return common.Switch(signer=ctx.signer, caller=ctx.scope)


def materials(items: list[CaseMaterialInput]) -> list[CheckedFile]:
    return common.check_materials([(m.filename, m.media_type, m.content) for m in items])


def blank_to_none(value: str | None) -> str | None:
    return None if value is None or inputs.is_blank(value) else value.strip()
