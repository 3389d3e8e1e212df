"""One report's whole story in one query: a complaint filed by the public at 曾都区, a lead
registered from it, a case transfer sent from it to 五华区 (云南) and signed for — the complaint
lists its leads and transfers, each names the complaint back. The nested paths are authorized as
the top-level queries: the receiver reads the transfer through its grant but never the sender's
complaint through it; the police read the unit's leads but not its complaints."""

from __future__ import annotations

from typing import Any

from tests.integration.casework.flow import department_id, ok
from tests.integration.complaints.flow import file_complaint
from tests.support import GraphQLClient

STORY = """query($id: ID!) { complaint(id: $id) {
  id trackingCode status jurisdiction { code }
  leads { number status source complaint { id } }
  caseTransfers { number status receiverJurisdiction { code } receiverDepartment { key }
    receipt { digest } documents { kind }
    obligations { rule { id } status jurisdiction { code } }
    complaint { id status } }
  timeline { action } } }"""
TRANSFER = "query($id: ID!) { caseTransfer(id: $id) { number complaintId complaint { id } } }"
LEAD = "query($id: ID!) { lead(id: $id) { number complaintId complaint { id } } }"
LEAD_REGISTER = """mutation($i: LeadRegisterInput!) { leadRegister(input: $i) {
  lead { id } errors { code } } }"""


async def test_a_report_walked_in_one_query_and_no_wider_than_the_top_level_queries(
    cgql: GraphQLClient,
) -> None:
    complaint, _, _ = await file_complaint(
        cgql, jurisdiction="421303", projectCode="ZD-2026-GC-031", knewOn="2026-09-27"
    )
    lead = (
        await cgql.data(
            LEAD_REGISTER,
            {
                "i": {
                    "source": "COMPLAINT",
                    "title": "投诉反映评标专家打分异常",
                    "facts": "投诉人反映评标专家对其业绩不予认可，疑有倾向性打分。",
                    "foundOn": "2026-09-28",
                    "complaintId": complaint,
                }
            },
            login="zengdu.office",
        )
    )["leadRegister"]
    assert lead["errors"] == []
    receiver = await department_id(cgql, "530102", "wuhua-housing", "wuhua.housing")
    sent = await ok(
        cgql,
        "caseTransferSend",
        "CaseTransferSendInput",
        "zengdu.housing",
        receiverJurisdiction="530102",
        receiverDepartmentId=receiver,
        ground="NOT_COMPETENT",
        title="被投诉企业注册于五华区",
        facts="投诉涉及的中标企业注册于五华区，其资质问题由贵局管辖。",
        discoveredOn="2026-09-28",
        complaintId=complaint,
    )
    transfer = sent["transfer"]["id"]
    await ok(cgql, "caseTransferReceive", "CaseTransferReceiveInput", "wuhua.housing", id=transfer)

    # The sender's office: the whole story in one query.
    story = (await cgql.data(STORY, {"id": complaint}, login="zengdu.office"))["complaint"]
    assert story["jurisdiction"]["code"] == "421303"
    assert [(x["source"], x["status"]) for x in story["leads"]] == [("COMPLAINT", "REGISTERED")]
    assert story["leads"][0]["complaint"]["id"] == complaint
    (moved,) = story["caseTransfers"]
    assert moved["status"] == "RECEIVED"
    assert moved["receiverJurisdiction"]["code"] == "530102"
    assert moved["receipt"]["digest"]
    assert {d["kind"] for d in moved["documents"]} >= {"TRANSFER_LETTER", "RECEIPT"}
    # The sender sees its own clock only (met by the receipt), not the receiver's.
    clocks = [
        (o["rule"]["id"], o["status"], o["jurisdiction"]["code"]) for o in moved["obligations"]
    ]
    assert clocks == [("R9.transfer", "MET", "421303")]
    assert moved["complaint"]["id"] == complaint
    assert "complaint.file" in {t["action"] for t in story["timeline"]}
    # The superior city reads the same story (its subtree).
    city: dict[str, Any] = (await cgql.data(STORY, {"id": complaint}, login="suizhou.office"))[
        "complaint"
    ]
    assert [t["number"] for t in city["caseTransfers"]] == [moved["number"]]
    assert len(city["leads"]) == 1

    # The receiver reads the transfer through its grant, never the sender's complaint.
    seen = (await cgql.data(TRANSFER, {"id": transfer}, login="wuhua.housing"))["caseTransfer"]
    assert seen["number"] == moved["number"]
    assert seen["complaint"] is None
    assert (await cgql.data(STORY, {"id": complaint}, login="wuhua.housing"))["complaint"] is None
    # The unit's police read its leads but not its complaints, nested or not.
    lead_seen = (await cgql.data(LEAD, {"id": lead["lead"]["id"]}, login="zengdu.police"))["lead"]
    assert lead_seen["complaintId"] == complaint
    assert lead_seen["complaint"] is None
    refused = await cgql(STORY, {"id": complaint}, login="zengdu.police")
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # Another county's office (宣恩县) sees nothing of it.
    assert (await cgql.data(STORY, {"id": complaint}, login="xuanen.office"))["complaint"] is None
