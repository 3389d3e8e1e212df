"""A lead (R-8) through GraphQL: reported by 曾都区's trading centre, verified jointly by three
departments (each its own finding), transferred to the police; the police of the unit reads it."""

from __future__ import annotations

from typing import Any

from tests.integration.casework.flow import department_id
from tests.support import GraphQLClient

FIELDS = """id number status source serious disposition dispositionNote
  dispositionDepartment { key } competentDepartment { key }
  participants { department { key } finding foundBy } documents { kind number }"""
ONE = "query($id: ID!) { lead(id: $id) { " + FIELDS + " } }"
LIST = "query { leads(first: 50) { nodes { id disposition } } }"


def doc(name: str, input_type: str) -> str:
    return (
        f"mutation($i: {input_type}!) {{ {name}(input: $i) {{ lead {{ {FIELDS} }} "
        "errors { field code message } } }"
    )


async def call(gql: GraphQLClient, name: str, input_type: str, login: str, **fields: Any) -> Any:
    body = await gql(doc(name, input_type), {"i": fields}, login=login)
    assert "errors" not in body, body["errors"]
    return body["data"][name]


async def test_a_lead_verified_jointly_by_three_departments_and_transferred_to_police(
    cgql: GraphQLClient,
) -> None:
    ids = {
        key: await department_id(cgql, "421303", f"zengdu-{key}", "zengdu.office")
        for key in ("housing", "finance", "water", "police", "transport")
    }
    registered = await call(
        cgql,
        "leadRegister",
        "LeadRegisterInput",
        "zengdu.centre",
        source="MONITORING",
        title="三家投标人投标文件制作机器码一致",
        facts="系统监测发现三家投标人投标文件的制作机器码、联系人电话相同，疑似围标串标。",
        foundOn="2026-09-28",
        serious=True,
        projectCode="ZD-2026-GC-031",
    )
    assert registered["errors"] == []
    ident = registered["lead"]["id"]

    # Only the office organises joint verification; it needs at least two departments.
    refused = await cgql(
        doc("leadVerifyJointly", "LeadVerifyJointlyInput"),
        {"i": {"id": ident, "departmentIds": [ids["housing"], ids["finance"]]}},
        login="zengdu.housing",
    )
    assert refused["errors"][0]["extensions"]["code"] in {"FORBIDDEN", "POWER_NOT_LISTED"}
    one = await call(
        cgql,
        "leadVerifyJointly",
        "LeadVerifyJointlyInput",
        "zengdu.office",
        id=ident,
        departmentIds=[ids["housing"]],
    )
    assert [e["code"] for e in one["errors"]] == ["PARTICIPANTS_REQUIRED"]
    verifying = await call(
        cgql,
        "leadVerifyJointly",
        "LeadVerifyJointlyInput",
        "zengdu.office",
        id=ident,
        departmentIds=[ids["housing"], ids["finance"], ids["water"]],
    )
    assert verifying["lead"]["status"] == "VERIFYING"
    assert len(verifying["lead"]["participants"]) == 3

    # Each participant records its own finding, once; others cannot.
    outsider = await call(
        cgql,
        "leadRecordFinding",
        "LeadRecordFindingInput",
        "zengdu.transport",
        id=ident,
        finding="x",
    )
    assert [e["code"] for e in outsider["errors"]] == ["NOT_YOUR_MOVE"]
    for key, finding in (
        ("housing", "项目经理为同一人挂靠，属实。"),
        ("finance", "保证金从同一账户转出，属实。"),
    ):
        done = await call(
            cgql,
            "leadRecordFinding",
            "LeadRecordFindingInput",
            f"zengdu.{key}",
            id=ident,
            finding=finding,
        )
        assert done["errors"] == []
    twice = await call(
        cgql,
        "leadRecordFinding",
        "LeadRecordFindingInput",
        "zengdu.housing",
        id=ident,
        finding="again",
    )
    assert [e["code"] for e in twice["errors"]] == ["ILLEGAL_TRANSITION"]
    early = await call(
        cgql,
        "leadDispose",
        "LeadDisposeInput",
        "zengdu.office",
        id=ident,
        disposition="POLICE",
        departmentId=ids["police"],
        note="涉嫌串通投标罪",
    )
    assert [e["code"] for e in early["errors"]] == ["FINDINGS_MISSING"]
    await call(
        cgql,
        "leadRecordFinding",
        "LeadRecordFindingInput",
        "zengdu.water",
        id=ident,
        finding="无水利工程关联，同意移送。",
    )

    # To the police: the recipient must be the police.
    wrong = await call(
        cgql,
        "leadDispose",
        "LeadDisposeInput",
        "zengdu.office",
        id=ident,
        disposition="POLICE",
        departmentId=ids["housing"],
        note="涉嫌串通投标罪",
    )
    assert [e["code"] for e in wrong["errors"]] == ["WRONG_RECIPIENT"]
    disposed = await call(
        cgql,
        "leadDispose",
        "LeadDisposeInput",
        "zengdu.office",
        id=ident,
        disposition="POLICE",
        departmentId=ids["police"],
        note="投标人均非公职人员，涉嫌串通投标罪（刑法第二百二十三条），移送公安机关。",
    )
    lead = disposed["lead"]
    assert lead["status"] == "DISPOSED"
    assert lead["disposition"] == "POLICE"
    assert lead["dispositionDepartment"]["key"] == "zengdu-police"
    assert [d["kind"] for d in lead["documents"]] == ["LEAD_DISPOSITION"]
    assert sorted(p["department"]["key"] for p in lead["participants"] if p["finding"]) == [
        "zengdu-finance",
        "zengdu-housing",
        "zengdu-water",
    ]
    # The police of the unit reads it; a sibling county does not.
    police = (await cgql.data(LIST, login="zengdu.police"))["leads"]["nodes"]
    assert [(n["id"], n["disposition"]) for n in police] == [(ident, "POLICE")]
    assert (await cgql.data(ONE, {"id": ident}, login="xuanen.office"))["lead"] is None
    # Disposed is final.
    again = await call(
        cgql,
        "leadTransfer",
        "LeadTransferInput",
        "zengdu.office",
        id=ident,
        departmentId=ids["housing"],
    )
    assert [e["code"] for e in again["errors"]] == ["ILLEGAL_TRANSITION"]
