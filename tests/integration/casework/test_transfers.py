"""End to end through GraphQL: a case transferred from 曾都区 (随州市, 湖北) to a 云南 department
and back with receipts; the receiver sees exactly that case and its materials and nothing else,
and loses it after close; each side's clocks on its own calendar."""

from __future__ import annotations

from datetime import date

from tests.integration.casework.flow import (
    HASHES,
    LIST,
    MATERIALS,
    ONE,
    clocks,
    department_id,
    do,
    docx_text,
    ok,
)
from tests.support import GraphQLClient
from xietong.deadlines.clock import ManualClock

SENDER, RECEIVER = "zengdu.housing", "wuhua.housing"
OTHER_YUNNAN = "wuhua.water"  # same unit as the receiver, another department
SEND = ("caseTransferSend", "CaseTransferSendInput")
COMPLAINTS = "query { complaints(first: 5) { nodes { id } } }"


async def send(cgql: GraphQLClient, **overrides: object) -> dict[str, object]:
    receiver = await department_id(cgql, "530102", "wuhua-housing", RECEIVER)
    fields = {
        "receiverJurisdiction": "530102",
        "receiverDepartmentId": receiver,
        "ground": "NOT_COMPETENT",
        "title": "昆明某建设公司涉嫌在曾都区项目中挂靠投标",
        "facts": "经查，投标人项目经理社保缴纳单位与投标人不一致，其注册单位在五华区。",
        "discoveredOn": "2026-09-28",
        "materials": MATERIALS,
        **overrides,
    }
    result = await ok(cgql, *SEND, SENDER, **fields)
    transfer: dict[str, object] = result["transfer"]
    return transfer


async def test_zengdu_to_yunnan_and_back_with_receipts(
    cgql: GraphQLClient, clock: ManualClock
) -> None:
    sent = await send(cgql)
    ident = sent["id"]
    assert sent["status"] == "SENT"
    assert [m["sha256"] for m in sent["materials"]] == HASHES  # type: ignore[index]
    sender_clock = clocks(sent)["R9.transfer"]  # type: ignore[arg-type]
    assert sender_clock["status"] == "OPEN"
    assert sender_clock["jurisdiction"]["code"] == "421303"
    assert sender_clock["calendar"]["jurisdiction"]["code"] == "421303"  # the sender's calendar
    assert date.fromisoformat(sender_clock["due"]) == date(2026, 10, 10)  # 5 wd, 10-10 make-up

    # The receiving department sees exactly this case and its materials.
    seen = (await cgql.data(ONE, {"id": ident}, login=RECEIVER))["caseTransfer"]
    assert seen["title"].startswith("昆明某建设公司")
    assert [m["sha256"] for m in seen["materials"]] == HASHES
    assert seen["obligations"] == []  # the sender's clock is the sender's
    incoming = (await cgql.data(LIST, {"incoming": True}, login=RECEIVER))["caseTransfers"]
    assert [n["id"] for n in incoming["nodes"]] == [ident]
    # ... and nothing else: not the sender's complaints, not another department's view of it.
    assert (await cgql.data(ONE, {"id": ident}, login=OTHER_YUNNAN))["caseTransfer"] is None
    assert (await cgql.data(ONE, {"id": ident}, login="kunming.housing"))["caseTransfer"] is None

    # A wrong receipt is refused; the right one completes the transfer (the sender's clock met).
    clock.advance(days=1)
    wrong = await do(
        cgql,
        "caseTransferReceive",
        "CaseTransferReceiveInput",
        RECEIVER,
        id=ident,
        materialHashes=list(reversed(HASHES)),
    )
    assert [e["code"] for e in wrong["errors"]] == ["INVALID"]
    received = (
        await ok(
            cgql,
            "caseTransferReceive",
            "CaseTransferReceiveInput",
            RECEIVER,
            id=ident,
            materialHashes=HASHES,
        )
    )["transfer"]
    assert received["status"] == "RECEIVED"
    assert received["receipt"]["receivedBy"] == RECEIVER
    back = clocks(received)["R9.return_out_of_scope"]
    assert back["jurisdiction"]["code"] == "530102"
    assert back["calendar"]["jurisdiction"]["code"] == "530102"  # the receiver's calendar
    assert date.fromisoformat(back["due"]) == date(2026, 10, 12)  # 5 wd from 29 September
    at_sender = (await cgql.data(ONE, {"id": ident}, login=SENDER))["caseTransfer"]
    assert clocks(at_sender)["R9.transfer"]["status"] == "MET"
    assert at_sender["receipt"]["digest"] == received["receipt"]["digest"]
    # Both sides read the same documents: the 移送函 and the 回执 listing every hash.
    kinds = {d["kind"]: d for d in at_sender["documents"]}
    assert set(kinds) == {"TRANSFER_LETTER", "RECEIPT"}
    assert kinds["RECEIPT"]["issuerJurisdiction"]["code"] == "530102"
    receipt = docx_text(kinds["RECEIPT"]["contentBase64"])
    assert all(h in receipt for h in HASHES)
    assert received["receipt"]["digest"] in receipt
    assert "昆明某建设公司" in docx_text(kinds["TRANSFER_LETTER"]["contentBase64"])

    # The sender cannot make the receiver's moves, nor the receiver the sender's.
    assert [
        e["code"]
        for e in (
            await do(cgql, "caseTransferAccept", "CaseTransferAcceptInput", SENDER, id=ident)
        )["errors"]
    ] == ["NOT_YOUR_MOVE"]
    # A return without reasons is not a move.
    bare = await do(cgql, "caseTransferReturn", "CaseTransferReturnInput", RECEIVER, id=ident)
    assert [e["code"] for e in bare["errors"]] == ["REASON_REQUIRED"]

    # Back: returned with reasons within the 5 working days, the sender signs for it and closes.
    clock.advance(days=2)
    returned = (
        await ok(
            cgql,
            "caseTransferReturn",
            "CaseTransferReturnInput",
            RECEIVER,
            id=ident,
            reason="该公司资质由云南省住房和城乡建设厅核准，不属本局职责。",
        )
    )["transfer"]
    assert returned["status"] == "RETURNED"
    (letter,) = [d for d in returned["documents"] if d["kind"] == "RETURN_LETTER"]
    assert "不属本局职责" in docx_text(letter["contentBase64"])
    assert clocks(returned)["R9.return_out_of_scope"]["status"] == "MET"
    closed = (await ok(cgql, "caseTransferClose", "CaseTransferRefInput", SENDER, id=ident))[
        "transfer"
    ]
    assert closed["status"] == "CLOSED"

    # After close, the receiver sees nothing of it any more.
    assert (await cgql.data(ONE, {"id": ident}, login=RECEIVER))["caseTransfer"] is None
    incoming = (await cgql.data(LIST, {"incoming": True}, login=RECEIVER))["caseTransfers"]
    assert incoming["nodes"] == []
    late = await do(cgql, "caseTransferReceive", "CaseTransferReceiveInput", RECEIVER, id=ident)
    assert [e["code"] for e in late["errors"]] == ["NOT_FOUND"]
    # The sender and its superiors keep the record.
    assert (await cgql.data(ONE, {"id": ident}, login="suizhou.office"))["caseTransfer"][
        "status"
    ] == "CLOSED"


async def test_forwarded_to_the_competent_level_with_the_sender_told(
    cgql: GraphQLClient, clock: ManualClock
) -> None:
    sent = await send(cgql)
    ident = sent["id"]
    clock.advance(days=1)
    await ok(cgql, "caseTransferReceive", "CaseTransferReceiveInput", RECEIVER, id=ident)
    province = await department_id(cgql, "530000", "yunnan-housing", "yunnan.housing")
    forwarded = await ok(
        cgql,
        "caseTransferForward",
        "CaseTransferForwardInput",
        RECEIVER,
        id=ident,
        toJurisdiction="530000",
        toDepartmentId=province,
        reason="资质核准机关为云南省住房和城乡建设厅，由其依法处理。",
    )
    original, onward = forwarded["transfer"], forwarded["onward"]
    assert original["status"] == "FORWARDED"
    assert onward["status"] == "SENT"
    assert onward["receiverJurisdiction"]["code"] == "530000"
    assert clocks(original)["R9.return_out_of_scope"]["status"] == "CANCELLED"

    # The sender is told where the case went and why.
    told = (await cgql.data(ONE, {"id": ident}, login=SENDER))["caseTransfer"]
    assert told["status"] == "FORWARDED"
    assert told["forwardedToJurisdiction"]["code"] == "530000"
    assert told["forwardedToDepartment"]["key"] == "yunnan-housing"
    assert "云南省住房和城乡建设厅" in told["forwardReason"]

    # The competent level sees the onward transfer with the same materials and signs for it;
    # the forwarding unit's own receipt clock is met.
    at_province = (await cgql.data(ONE, {"id": onward["id"]}, login="yunnan.housing"))[
        "caseTransfer"
    ]
    assert [m["sha256"] for m in at_province["materials"]] == HASHES
    assert at_province["forwardedFromId"] == ident
    clock.advance(days=1)
    signed = (
        await ok(
            cgql,
            "caseTransferReceive",
            "CaseTransferReceiveInput",
            "yunnan.housing",
            id=onward["id"],
            materialHashes=HASHES,
        )
    )["transfer"]
    assert signed["status"] == "RECEIVED"
    at_forwarder = (await cgql.data(ONE, {"id": onward["id"]}, login=RECEIVER))["caseTransfer"]
    assert clocks(at_forwarder)["R9.transfer"]["status"] == "MET"
    # 曾都区 never sees the onward transfer (it lives in 五华区, granted to the province only).
    assert (await cgql.data(ONE, {"id": onward["id"]}, login=SENDER))["caseTransfer"] is None

    # The sender acknowledges and closes; the forwarder loses the original, keeps its own.
    await ok(cgql, "caseTransferClose", "CaseTransferRefInput", SENDER, id=ident)
    assert (await cgql.data(ONE, {"id": ident}, login=RECEIVER))["caseTransfer"] is None
    assert (await cgql.data(ONE, {"id": onward["id"]}, login=RECEIVER))["caseTransfer"] is not None


async def test_accepted_handled_and_reported_within_the_clocks(
    cgql: GraphQLClient, clock: ManualClock
) -> None:
    ident = (await send(cgql))["id"]
    await ok(cgql, "caseTransferReceive", "CaseTransferReceiveInput", RECEIVER, id=ident)
    # Reporting a result before accepting is not a move.
    early = await do(
        cgql,
        "caseTransferReport",
        "CaseTransferReportInput",
        RECEIVER,
        id=ident,
        concludedOn="2026-09-28",
        result="处罚",
    )
    assert [e["code"] for e in early["errors"]] == ["ILLEGAL_TRANSITION"]
    accepted = (
        await ok(cgql, "caseTransferAccept", "CaseTransferAcceptInput", RECEIVER, id=ident)
    )["transfer"]
    assert accepted["status"] == "ACCEPTED"
    assert clocks(accepted)["R9.acceptance_reply"]["status"] == "MET"
    assert clocks(accepted)["R9.return_out_of_scope"]["status"] == "CANCELLED"
    # Handling finished on 9 October; reported 23 October: the 10 working days ran out on the
    # 22nd (National Day, the make-up Saturday counted), so the report is late.
    clock.advance(days=25)
    assert clock.today() == date(2026, 10, 23)
    reported = (
        await ok(
            cgql,
            "caseTransferReport",
            "CaseTransferReportInput",
            RECEIVER,
            id=ident,
            concludedOn="2026-10-09",
            result="已立案调查，拟作出行政处罚。",
        )
    )["transfer"]
    result_clock = clocks(reported)["R9.result_reply"]
    assert result_clock["status"] == "MET"
    assert result_clock["due"] == "2026-10-22"
    at_sender = (await cgql.data(ONE, {"id": ident}, login=SENDER))["caseTransfer"]
    assert at_sender["result"] == "已立案调查，拟作出行政处罚。"
    await ok(cgql, "caseTransferClose", "CaseTransferRefInput", SENDER, id=ident)
    assert (await cgql.data(ONE, {"id": ident}, login=RECEIVER))["caseTransfer"] is None
