"""Regressions from the robustness issue (input rules, mutations' input, the error contract):
each reproduction answered as the issue found it broken, now with a coded, bounded answer that
changes nothing."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from tests.conftest import Database
from tests.integration.fuzz.operations import SCHEMA
from tests.support import GraphQLClient, bearer, error_codes
from xietong.access.models import ApiKey
from xietong.api.mutations import atomic
from xietong.db.engine import make_engine, make_sessionmaker, transaction
from xietong.deadlines.clock import SYSTEM_CLOCK
from xietong.inputs import CHINA, end_of_china_day

CODE_QUERY = "query($c: JurisdictionCode!) { jurisdiction(code: $c) { code } }"
KEY = """mutation($input: ApiKeyCreateInput!) { apiKeyCreate(input: $input) {
  apiKey { id expiresAt name } secret errors { field code message } } }"""
GRANT = """mutation($input: GrantCreateInput!) { grantCreate(input: $input) {
  grant { id } errors { field code message } } }"""
AVAILABILITY = """mutation($id: ID!, $r: LongText) { officerAvailabilitySet(input:
  {officerId: $id, available: false, reason: $r}) { officer { available }
  errors { field code } } }"""


async def post(gql: GraphQLClient, query: str, variables: Any, login: str | None) -> Any:
    """Send exactly these bytes (lone surrogates survive as JSON escapes)."""
    body = json.dumps({"query": query, "variables": variables})
    response = await gql.http.post(
        "/graphql",
        content=body,
        headers={"content-type": "application/json", **(bearer(login) if login else {})},
    )
    assert response.status_code < 500, response.text
    return response.json()


@pytest.mark.parametrize(
    "code", ["42282²", "①②③④⑤⑥", "４２２８２５", "٤٢٢٨٢٥", "𝟒𝟐𝟐𝟖𝟐𝟓", "422825\x00", "\ud800"]
)
async def test_codes_in_other_digits_are_bad_user_input_not_a_crash_or_a_match(
    gql: GraphQLClient, code: str
) -> None:
    for body in (
        await post(gql, CODE_QUERY, {"c": code}, None),
        await post(gql, f"{{ jurisdiction(code: {json.dumps(code)}) {{ code }} }}", {}, None),
    ):
        assert body.get("data") is None  # a request that cannot run has no data entry
        # A lone surrogate written inline is a syntax error in GraphQL itself.
        assert error_codes(body) in (
            ["BAD_USER_INPUT"],
            ["GRAPHQL_VALIDATION_FAILED"],
            ["GRAPHQL_PARSE_FAILED"],
        ), body
        assert "422825" not in json.dumps(body.get("data"))


async def test_a_code_error_quotes_at_most_a_preview(gql: GraphQLClient) -> None:
    # Under the 1 MiB body limit, over which the edge refuses the request before any scalar.
    body = await post(gql, CODE_QUERY, {"c": "9" * 900_000}, None)
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert len(error["message"]) < 300
    assert "（共900000字符 900000 chars）" in error["message"]


@pytest.mark.parametrize("login", ["xuanen\x00office", "\ud800", "x" * 10_000, "a\x1b[2Jb"])
async def test_nul_surrogates_and_huge_text_never_reach_postgresql(
    gql: GraphQLClient, login: str
) -> None:
    query = (
        "query($l: Login!, $o: ID!) { explainAccess(login: $l, action: READ, objectId: $o) "
        "{ allowed } }"
    )
    person = base64.b64encode(b"Person:00000000-0000-0000-0000-000000000001").decode()
    body = await post(gql, query, {"l": login, "o": person}, "xuanen.office")
    assert error_codes(body) == ["BAD_USER_INPUT"]


def cursor(values: list[str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


@pytest.mark.parametrize(
    ("query", "after"),
    [
        ("people", cursor(["99999999999999999999", "xuanen.office"])),  # out of int4
        ("people", cursor(["４２２８２５", "xuanen.office"])),
        ("people", cursor(["422825", "xuanen\x00office"])),
        ("grants", cursor(["9999-12-31T23:59:59-12:00", "00000000-0000-0000-0000-000000000001"])),
        ("grants", cursor(["2026-01-01T00:00:00", "00000000-0000-0000-0000-000000000001"])),
        ("grants", cursor(["2026-01-01T00:00:00+08:00", "not-a-uuid"])),
        ("apiKeys", base64.urlsafe_b64encode(b"[" * 5000 + b"]" * 5000).decode()),
        ("apiKeys", "A" * 100_000),
    ],
)
async def test_cursors_that_decode_to_nonsense_are_bad_user_input(
    gql: GraphQLClient, query: str, after: str
) -> None:
    body = await post(
        gql,
        f"query($a: String) {{ {query}(after: $a) {{ totalCount }} }}",
        {"a": after},
        "hubei.office",
    )
    assert error_codes(body) == ["BAD_USER_INPUT"], body
    assert body["errors"][0]["extensions"]["field"] == "after"


async def test_filters_on_units_that_do_not_exist_are_not_found(gql: GraphQLClient) -> None:
    for query in (
        '{ officerPool(jurisdiction: "429999") { totalCount } }',
        '{ people(under: "429999") { totalCount } }',
        '{ apiKeys(under: "429999") { totalCount } }',
        '{ jurisdictions(under: "429999") { code } }',
    ):
        body = await gql(query, login="hubei.office")
        assert error_codes(body) == ["NOT_FOUND"], (query, body)


MUTATIONS = {
    "officerAvailabilitySet": (
        AVAILABILITY,
        {
            "id": base64.b64encode(
                b"OfficerPoolMember:00000000-0000-0000-0000-000000000001"
            ).decode()
        },
    ),
    "apiKeyCreate": (
        KEY,
        {"input": {"name": "x", "jurisdiction": "422825", "roles": ["INTEGRATOR"]}},
    ),
    "apiKeyRevoke": (
        "mutation($id: ID!) { apiKeyRevoke(input: {id: $id}) { errors { code } } }",
        {"id": base64.b64encode(b"ApiKey:00000000-0000-0000-0000-000000000001").decode()},
    ),
    "grantCreate": (
        GRANT,
        {
            "input": {
                "objectId": base64.b64encode(
                    b"Person:00000000-0000-0000-0000-000000000001"
                ).decode(),
                "granteeJurisdiction": "530102",
                "actions": ["READ"],
                "reason": "r",
                "expiresAt": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
            }
        },
    ),
    "grantRevoke": (
        "mutation($id: ID!) { grantRevoke(input: {id: $id}) { errors { code } } }",
        {"id": base64.b64encode(b"Grant:00000000-0000-0000-0000-000000000001").decode()},
    ),
    "notificationMarkRead": (
        "mutation($id: ID!) { notificationMarkRead(input: {notificationId: $id}) "
        "{ errors { code } } }",
        {"id": base64.b64encode(b"Notification:00000000-0000-0000-0000-000000000001").decode()},
    ),
    **{
        name: (
            f"mutation($i: {kind}!) {{ {name}(input: $i) {{ errors {{ code }} }} }}",
            {"i": value},
        )
        for name, kind, value in (
            (
                "projectRegister",
                "ProjectRegisterInput",
                {
                    "jurisdiction": "422825",
                    "project": {
                        "sourceSystem": "s",
                        "sourceId": "1",
                        "projectCode": "p",
                        "name": "n",
                        "category": "CONSTRUCTION",
                        "method": "OPEN_TENDER",
                        "tendererCreditCode": "x",
                        "tendererName": "t",
                        "budget": "1",
                        "registeredAt": "2026-01-01T00:00:00Z",
                    },
                },
            ),
            ("projectsRegister", "ProjectsRegisterInput", {"jurisdiction": "422825", "rows": []}),
            ("bidsRecord", "BidsRecordInput", {"jurisdiction": "422825", "rows": []}),
            ("awardsRecord", "AwardsRecordInput", {"jurisdiction": "422825", "rows": []}),
            ("reportsFile", "ReportsFileInput", {"jurisdiction": "422825", "rows": []}),
            (
                "approvedProjectsPush",
                "ApprovedProjectsPushInput",
                {"jurisdiction": "422825", "rows": []},
            ),
            (
                "projectMove",
                "ProjectMoveInput",
                {
                    "jurisdiction": "422825",
                    "projectCode": "p",
                    "action": "ANNOUNCE",
                    "at": "2026-01-01T00:00:00Z",
                },
            ),
            (
                "contractRecord",
                "ContractRecordInput",
                {
                    "jurisdiction": "422825",
                    "projectCode": "p",
                    "contractNumber": "c",
                    "supplierCreditCode": "x",
                    "supplierName": "s",
                    "amount": "1",
                    "signedAt": "2026-01-01T00:00:00Z",
                },
            ),
            (
                "contractChange",
                "ContractChangeInput",
                {
                    "jurisdiction": "422825",
                    "projectCode": "p",
                    "amount": "1",
                    "changedAt": "2026-01-01T00:00:00Z",
                    "reason": "r",
                },
            ),
            (
                "expertUpsert",
                "ExpertUpsertInput",
                {"jurisdiction": "422825", "name": "n", "idNumber": "x", "specialities": ["a"]},
            ),
        )
    },
}


_COMPLAINT = base64.b64encode(b"Complaint:00000000-0000-0000-0000-000000000001").decode()
for _name, _input in {
    "complaintReport": "ComplaintRefInput",
    "complaintAssign": "ComplaintAssignInput",
    "complaintAccept": "ComplaintRefInput",
    "complaintRequestCompletion": "ComplaintRequestCompletionInput",
    "complaintResume": "ComplaintResumeInput",
    "complaintPause": "ComplaintPauseInput",
    "complaintRefuse": "ComplaintRefuseInput",
    "complaintRedirect": "ComplaintRedirectInput",
    "complaintSuspendProcurement": "ComplaintRefInput",
    "complaintResumeProcurement": "ComplaintRefInput",
    "complaintNotifyRespondent": "ComplaintRefInput",
    "complaintRespondentAnswered": "ComplaintRefInput",
    "complaintDecide": "ComplaintDecideInput",
    "complaintFeedback": "ComplaintRefInput",
}.items():
    _fields: dict[str, object] = {
        "id": _COMPLAINT,
        "items": "x",
        "replyBy": "2199-01-01",
        "document": "x",
        "reason": "TESTING",
        "ground": "LATE",
        "authority": "x",
        "decision": "x",
    }
    _wanted = {
        "ComplaintRefInput": ("id",),
        "ComplaintAssignInput": ("id",),
        "ComplaintRequestCompletionInput": ("id", "items", "replyBy"),
        "ComplaintResumeInput": ("id", "document"),
        "ComplaintPauseInput": ("id", "reason", "document"),
        "ComplaintRefuseInput": ("id", "ground"),
        "ComplaintRedirectInput": ("id", "authority"),
        "ComplaintDecideInput": ("id", "decision"),
    }[_input]
    MUTATIONS[_name] = (
        f"mutation($i: {_input}!) {{ {_name}(input: $i) {{ errors {{ code }} }} }}",
        {"i": {k: _fields[k] for k in _wanted}},
    )

MUTATIONS["notificationMarkRead"] = (
    "mutation($i: NotificationMarkReadInput!) { notificationMarkRead(input: $i) { errors { code "
    "} } }",
    {
        "i": {
            "notificationId": base64.b64encode(
                b"Notification:00000000-0000-0000-0000-000000000001"
            ).decode()
        }
    },
)

_REPORT = base64.b64encode(b"PeriodicReport:00000000-0000-0000-0000-000000000001").decode()
MUTATIONS["reportDraft"] = (
    "mutation($i: ReportDraftInput!) { reportDraft(input: $i) { errors { code } } }",
    {"i": {"template": "ANNUAL", "period": {"year": 2026}}},
)
for _name, _input, _value in (
    ("reportSubmit", "ReportRefInput", {"id": _REPORT}),
    ("reportAccept", "ReportRefInput", {"id": _REPORT}),
    ("reportReturn", "ReportReasonInput", {"id": _REPORT, "reason": "x"}),
    ("reportReopen", "ReportReasonInput", {"id": _REPORT, "reason": "x"}),
):
    MUTATIONS[_name] = (
        f"mutation($i: {_input}!) {{ {_name}(input: $i) {{ errors {{ code }} }} }}",
        {"i": _value},
    )


# Casework (issue 10): every move on one unknown transfer, letter or lead; sends with the minimum.
_UNKNOWN = "00000000-0000-0000-0000-000000000001"


def _gid_of(type_name: str) -> str:
    return base64.b64encode(f"{type_name}:{_UNKNOWN}".encode()).decode()


for _name, (_input, _fields_cw) in {
    "caseTransferSend": (
        "CaseTransferSendInput",
        {
            "receiverJurisdiction": "530102",
            "receiverDepartmentId": _gid_of("Department"),
            "ground": "NOT_COMPETENT",
            "title": "x",
            "facts": "x",
            "discoveredOn": "2026-01-05",
        },
    ),
    "caseTransferReceive": ("CaseTransferReceiveInput", {"id": _gid_of("CaseTransfer")}),
    "caseTransferAccept": ("CaseTransferAcceptInput", {"id": _gid_of("CaseTransfer")}),
    "caseTransferReturn": ("CaseTransferReturnInput", {"id": _gid_of("CaseTransfer")}),
    "caseTransferForward": (
        "CaseTransferForwardInput",
        {
            "id": _gid_of("CaseTransfer"),
            "toJurisdiction": "530000",
            "toDepartmentId": _gid_of("Department"),
            "reason": "x",
        },
    ),
    "caseTransferReport": (
        "CaseTransferReportInput",
        {"id": _gid_of("CaseTransfer"), "concludedOn": "2026-01-05", "result": "x"},
    ),
    "caseTransferClose": ("CaseTransferRefInput", {"id": _gid_of("CaseTransfer")}),
    "assistanceLetterSend": (
        "AssistanceLetterSendInput",
        {
            "helperJurisdiction": "530102",
            "helperDepartmentId": _gid_of("Department"),
            "caseSummary": "x",
            "helpAsked": "x",
            "reasons": "x",
        },
    ),
    "assistanceLetterReceive": ("AssistanceLetterRefInput", {"id": _gid_of("AssistanceLetter")}),
    "assistanceLetterReturn": ("AssistanceLetterReturnInput", {"id": _gid_of("AssistanceLetter")}),
    "assistanceLetterAnswer": (
        "AssistanceLetterAnswerInput",
        {"id": _gid_of("AssistanceLetter"), "answer": "x"},
    ),
    "assistanceLetterClose": ("AssistanceLetterRefInput", {"id": _gid_of("AssistanceLetter")}),
    "leadRegister": (
        "LeadRegisterInput",
        {"source": "MONITORING", "title": "x", "facts": "x", "foundOn": "2026-01-05"},
    ),
    "leadTransfer": (
        "LeadTransferInput",
        {"id": _gid_of("Lead"), "departmentId": _gid_of("Department")},
    ),
    "leadVerifyJointly": (
        "LeadVerifyJointlyInput",
        {"id": _gid_of("Lead"), "departmentIds": [_gid_of("Department")]},
    ),
    "leadRecordFinding": ("LeadRecordFindingInput", {"id": _gid_of("Lead"), "finding": "x"}),
    "leadDispose": (
        "LeadDisposeInput",
        {"id": _gid_of("Lead"), "disposition": "UNFOUNDED", "note": "x"},
    ),
}.items():
    MUTATIONS[_name] = (
        f"mutation($i: {_input}!) {{ {_name}(input: $i) {{ errors {{ code }} }} }}",
        {"i": _fields_cw},
    )

PUBLIC_MUTATIONS = {"complaintFile", "complaintTrack", "complaintRate"}
"""Public by design (docs/complaints.md): the filer has no sign-in, only a tracking code."""


async def test_every_mutation_refuses_anonymous_callers_first(gql: GraphQLClient) -> None:
    assert SCHEMA.mutation_type is not None
    assert set(SCHEMA.mutation_type.fields) - PUBLIC_MUTATIONS == set(MUTATIONS), (
        "add the new mutation here"
    )
    for name, (query, variables) in MUTATIONS.items():
        body = await post(gql, query, variables, None)
        assert error_codes(body) == ["UNAUTHENTICATED"], (name, body)


async def test_a_key_for_a_unit_that_does_not_exist_is_not_found(fresh_gql: GraphQLClient) -> None:
    # 429999 is inside 湖北省's range, so the office may manage keys there: only the foreign key
    # stood between this request and an INTERNAL_ERROR.
    result = (
        await fresh_gql.data(
            KEY,
            {"input": {"name": "x", "jurisdiction": "429999", "roles": ["INTEGRATOR"]}},
            login="hubei.office",
        )
    )["apiKeyCreate"]
    assert result["errors"] == [
        {
            "field": "jurisdiction",
            "code": "NOT_FOUND",
            "message": "没有该行政区划（unknown jurisdiction）",
        }
    ]


async def test_an_api_key_works_until_the_end_of_its_last_day_china_time(
    fresh_gql: GraphQLClient,
) -> None:
    today = SYSTEM_CLOCK.today()
    result = (
        await fresh_gql.data(
            KEY,
            {
                "input": {
                    "name": "县交易系统对接",
                    "jurisdiction": "422825",
                    "roles": ["INTEGRATOR"],
                    "expiresOn": today.isoformat(),  # today is allowed: it works until midnight
                }
            },
            login="xuanen.office",
        )
    )["apiKeyCreate"]
    assert result["errors"] == []
    expires = datetime.fromisoformat(result["apiKey"]["expiresAt"])
    assert expires == end_of_china_day(today)
    assert result["apiKey"]["expiresAt"].endswith("T00:00:00+08:00")  # shown in China time
    assert expires.astimezone(CHINA).date() == today + timedelta(days=1)


async def _grant_input(gql: GraphQLClient, **change: Any) -> dict[str, Any]:
    people = await gql.data(
        '{ people(under: "410522", first: 1) { nodes { id } } }', login="anyangxian.office"
    )
    return {
        "objectId": people["people"]["nodes"][0]["id"],
        "granteeJurisdiction": "530102",
        "actions": ["READ"],
        "reason": "联合检查",
        "expiresAt": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
        **change,
    }


async def _grant_count(db: Database) -> int:
    engine = make_engine(db.owner_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(text("SELECT count(*) FROM access_grant"))).scalar_one())
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        (
            {
                "startsAt": (datetime.now(UTC) - timedelta(days=10)).isoformat(),
                "expiresAt": (datetime.now(UTC) - timedelta(days=1)).isoformat(),
            },
            "expiresAt",
            "INVALID",
        ),
        (
            {
                "granteeDepartmentId": base64.b64encode(
                    b"Department:00000000-0000-0000-0000-000000000001"
                ).decode()
            },
            "granteeDepartmentId",
            "NOT_FOUND",
        ),
        ({"reason": "\u200b\u200b"}, "reason", "INVALID"),
        ({"granteeJurisdiction": "539999"}, "granteeJurisdiction", "NOT_FOUND"),
    ],
    ids=["already-expired", "unknown-department", "zero-width-reason", "unknown-unit"],
)
async def test_grant_input_problems_are_in_the_payload_and_store_nothing(
    fresh_gql: GraphQLClient,
    fresh_db: Database,
    change: dict[str, Any],
    field: str,
    code: str,
) -> None:
    result = (
        await fresh_gql.data(
            GRANT, {"input": await _grant_input(fresh_gql, **change)}, login="anyangxian.office"
        )
    )["grantCreate"]
    assert result["grant"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [(field, code)]
    assert await _grant_count(fresh_db) == 0


async def test_a_department_of_another_unit_is_refused(
    fresh_gql: GraphQLClient, fresh_db: Database
) -> None:
    other = await fresh_gql.data('{ jurisdiction(code: "410522") { departments { id } } }')
    change = {"granteeDepartmentId": other["jurisdiction"]["departments"][0]["id"]}
    result = (
        await fresh_gql.data(
            GRANT, {"input": await _grant_input(fresh_gql, **change)}, login="anyangxian.office"
        )
    )["grantCreate"]
    assert [(e["field"], e["code"]) for e in result["errors"]] == [
        ("granteeDepartmentId", "INVALID")
    ]


@pytest.mark.parametrize(
    ("expires", "reason"),
    [
        ("2026-12-01T00:00:00", "NAIVE_DATETIME"),
        ("9999-12-31T23:59:59-12:00", "OUT_OF_RANGE"),
        ("0001-01-01T00:00:00+14:00", "OUT_OF_RANGE"),
    ],
)
async def test_naive_or_out_of_range_instants_are_bad_user_input(
    fresh_gql: GraphQLClient, fresh_db: Database, expires: str, reason: str
) -> None:
    body = await post(
        fresh_gql,
        GRANT,
        {"input": await _grant_input(fresh_gql, expiresAt=expires)},
        "anyangxian.office",
    )
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["reason"] == reason
    assert await _grant_count(fresh_db) == 0


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("\u200b\u200b\u200b", "REASON_REQUIRED"),  # zero-width only counts as no reason
        ("休假\x1b[31m", "BAD_USER_INPUT"),  # ANSI escape
        ("休假\x00", "BAD_USER_INPUT"),
        ("回避" * 5_000, "BAD_USER_INPUT"),  # 10,000 characters
    ],
)
async def test_reasons_must_be_visible_printable_and_bounded(
    fresh_gql: GraphQLClient, fresh_db: Database, reason: str, code: str
) -> None:
    pool = await fresh_gql.data(
        '{ officerPool(jurisdiction: "422825", first: 1) { nodes { id } } }', login="xuanen.office"
    )
    ident = pool["officerPool"]["nodes"][0]["id"]
    body = await post(fresh_gql, AVAILABILITY, {"id": ident, "r": reason}, "xuanen.office")
    codes = error_codes(body) or [
        e["code"] for e in body["data"]["officerAvailabilitySet"]["errors"]
    ]
    assert codes == [code], body
    engine = make_engine(fresh_db.owner_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            stored = (
                await conn.execute(
                    text("SELECT count(*) FROM officer_pool_member WHERE NOT available")
                )
            ).scalar_one()
    finally:
        await engine.dispose()
    assert stored == 0


async def test_a_foreign_key_that_still_fails_is_not_found_never_a_database_error(
    fresh_db: Database,
) -> None:
    """The safety net under the explicit checks: a mutation body whose insert hits a foreign key
    gets a NOT_FOUND problem and its savepoint rolled back."""
    engine = make_engine(fresh_db.owner_url, pool_size=1)
    try:
        async with transaction(make_sessionmaker(engine)) as session:

            async def body() -> None:
                session.add(
                    ApiKey(
                        prefix="xt_test",
                        secret_hash="0" * 64,
                        name="x",
                        jurisdiction_code=999999,
                        province_code=990000,
                        roles=["integrator"],
                        created_by="test",
                    )
                )
                await session.flush()

            result, problems = await atomic(session, body)
            assert result is None
            assert [(p.code, p.field) for p in problems] == [("NOT_FOUND", None)]
            assert (await session.scalars(select(ApiKey))).all() == []
    finally:
        await engine.dispose()


async def test_ids_of_kinds_that_cannot_be_granted_are_bad_user_input(gql: GraphQLClient) -> None:
    ident = base64.b64encode(b"\x1b[2J:00000000-0000-0000-0000-000000000001").decode()
    body = await post(
        gql, "query($o: ID) { grants(objectId: $o) { totalCount } }", {"o": ident}, "xuanen.office"
    )
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "objectId"}
    assert "\x1b" not in error["message"]  # the decoded type is quoted escaped


def _eval_id(type_name: str) -> str:
    return base64.b64encode(f"{type_name}:00000000-0000-0000-0000-000000000001".encode()).decode()


for _name, _input, _values in (
    (
        "evaluationSchedule",
        "EvaluationScheduleInput",
        {
            "projectId": _eval_id("Project"),
            "number": "x",
            "scheduledStart": "2026-09-22T09:00:00+08:00",
            "scheduledEnd": "2026-09-22T17:00:00+08:00",
            "homeSeats": 1,
            "hosts": [{"jurisdiction": "421300", "seats": 1}],
        },
    ),
    ("evaluationStart", "EvaluationRefInput", {"id": _eval_id("EvaluationSession")}),
    ("evaluationFinish", "EvaluationRefInput", {"id": _eval_id("EvaluationSession")}),
    ("evaluationAbort", "EvaluationRefInput", {"id": _eval_id("EvaluationSession")}),
    (
        "evaluationFaultRecord",
        "EvaluationFaultRecordInput",
        {
            "sessionId": _eval_id("EvaluationSession"),
            "siteId": _eval_id("EvaluationSite"),
            "cause": "x",
        },
    ),
    ("evaluationFaultEnd", "EvaluationFaultRefInput", {"id": _eval_id("EvaluationFault")}),
    (
        "evaluationSeatExpert",
        "EvaluationSeatExpertInput",
        {"seatId": _eval_id("EvaluationSeat"), "expertId": _eval_id("Expert")},
    ),
    ("evaluationHandOver", "EvaluationHandOverInput", {"siteId": _eval_id("EvaluationSite")}),
    (
        "evaluationInvestigationOpen",
        "EvaluationInvestigationOpenInput",
        {
            "sessionId": _eval_id("EvaluationSession"),
            "seatIds": [_eval_id("EvaluationSeat")],
            "subject": "x",
        },
    ),
    (
        "evaluationInvestigationEnd",
        "EvaluationInvestigationEndInput",
        {"id": _eval_id("EvaluationInvestigation"), "result": "x", "decision": "x"},
    ),
    (
        "evaluationInvestigationCopy",
        "EvaluationInvestigationRefInput",
        {"id": _eval_id("EvaluationInvestigation")},
    ),
    # Evaluation follow-up (issue 11, second slice).
    ("evaluationCopyAcknowledge", "EvaluationCopyRefInput", {"id": _eval_id("EvaluationCopy")}),
    (
        "evaluationConductRecord",
        "EvaluationConductRecordInput",
        {"seatId": _eval_id("EvaluationSeat"), "kind": "PHONE", "note": "x"},
    ),
    # Attendance and audio/video record references per site (issue 11, eval4).
    (
        "evaluationAttendanceRecord",
        "EvaluationAttendanceRecordInput",
        {"seatId": _eval_id("EvaluationSeat"), "kind": "ARRIVED"},
    ),
    (
        "evaluationRecordingRecord",
        "EvaluationRecordingRecordInput",
        {
            "siteId": _eval_id("EvaluationSite"),
            "reference": "x",
            "startedAt": "2026-09-22T09:00:00+08:00",
            "endedAt": "2026-09-22T10:00:00+08:00",
            "sha256": "0" * 64,
        },
    ),
):
    MUTATIONS[_name] = (
        f"mutation($i: {_input}!) {{ {_name}(input: $i) {{ errors {{ code }} }} }}",
        {"i": _values},
    )
