"""The casework and evaluation metrics through the real services: a case transfer counts for the
sender and, separately, for the receiver in another province; a remote evaluation for its home
and for its host. The host's rollups show its hosting and nothing of the sealed session's project
or home, before the start and after; the obligations of these rules (R-9, R-12) land in the
obligations metrics. Each read at both walls and with PostgreSQL's alone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date

import pytest

from tests.conftest import Database
from tests.integration.casework.flow import MATERIALS, department_id
from tests.integration.casework.flow import ok as casework_ok
from tests.integration.evaluation.support import HOSTINGS, a_project, schedule
from tests.integration.evaluation.support import ok as evaluation_ok
from tests.support import GraphQLClient, error_codes, graphql_client
from xietong.deadlines.clock import ManualClock
from xietong.rollups.metrics import METRICS

ROLLUP = """
query($m: RollupMetric!, $j: JurisdictionCode, $p: RollupPeriodInput!, $g: RollupGroupBy) {
  rollup(metric: $m, jurisdiction: $j, period: $p, groupBy: $g) {
    total { count } lines { key label count }
  }
}"""
YEAR = {"kind": "YEAR", "year": 2026}
ENSHI, SUIZHOU = "422800", "421300"


@dataclass
class Walls:
    both: GraphQLClient
    alone: GraphQLClient
    clock: ManualClock

    async def rollup(
        self, metric: str, code: str, login: str, group_by: str | None = None
    ) -> list[tuple[int, dict[str, int]]]:
        """(total, {line key: count}) at both walls and at PostgreSQL's alone."""
        answers = []
        for client in (self.both, self.alone):
            data = await client.data(
                ROLLUP, {"m": metric, "j": code, "p": YEAR, "g": group_by}, login=login
            )
            rollup = data["rollup"]
            answers.append(
                (rollup["total"]["count"], {ln["key"]: ln["count"] for ln in rollup["lines"]})
            )
        return answers

    async def same(
        self, metric: str, code: str, login: str, group_by: str | None = None
    ) -> tuple[int, dict[str, int]]:
        both, alone = await self.rollup(metric, code, login, group_by)
        assert both == alone, (metric, code, login, both, alone)
        return both


@pytest.fixture
async def walls(fresh_db: Database) -> AsyncIterator[Walls]:
    clock = ManualClock.on(date(2026, 9, 21))
    async with graphql_client(fresh_db) as both, graphql_client(fresh_db) as alone:
        both.app.state.clock = clock
        alone.app.state.clock = clock
        alone.app.state.app_wall = False
        yield Walls(both, alone, clock)


async def test_a_transfer_counts_for_each_side(walls: Walls) -> None:
    gql = walls.both
    walls.clock.set(ManualClock.on(date(2026, 9, 28)).now())
    receiver = await department_id(gql, "530102", "wuhua-housing", "wuhua.housing")
    sent = await casework_ok(
        gql,
        "caseTransferSend",
        "CaseTransferSendInput",
        "zengdu.housing",
        receiverJurisdiction="530102",
        receiverDepartmentId=receiver,
        ground="NOT_COMPETENT",
        title="昆明某建设公司涉嫌挂靠投标",
        facts="投标人项目经理社保缴纳单位与投标人不一致。",
        discoveredOn="2026-09-28",
        materials=MATERIALS,
    )
    ident = sent["transfer"]["id"]
    assert await walls.same("TRANSFERS_SENT", "421303", "zengdu.housing", "CROSS_PROVINCE") == (
        1,
        {"yes": 1},
    )
    # Not signed for yet: nothing received on the other side.
    assert await walls.same("TRANSFERS_RECEIVED", "530102", "wuhua.housing") == (0, {})
    walls.clock.advance(days=1)
    hashes = [m["sha256"] for m in sent["transfer"]["materials"]]
    await casework_ok(
        gql,
        "caseTransferReceive",
        "CaseTransferReceiveInput",
        "wuhua.housing",
        id=ident,
        materialHashes=hashes,
    )
    # The receipt (written by the receiver under its grant) counts in the receiver's unit, and
    # the receiver's province sees it; the sender's side sees the status move.
    assert await walls.same("TRANSFERS_RECEIVED", "530102", "wuhua.housing", "STATUS") == (
        1,
        {"received": 1},
    )
    assert (await walls.same("TRANSFERS_RECEIVED", "530000", "yunnan.office"))[0] == 1
    assert await walls.same("TRANSFERS_SENT", "421303", "zengdu.housing", "STATUS") == (
        1,
        {"received": 1},
    )
    assert (await walls.same("TRANSFERS_RECEIVED", "421303", "zengdu.housing"))[0] == 0
    # The sender's R9.transfer clock, met by the receipt, is in the obligations metric.
    met = await walls.same("OBLIGATIONS_MET", "421303", "zengdu.housing", "RULE")
    assert met[1].get("R9.transfer") == 1
    # Neither side rolls up the other's unit: refused by the application, nothing from the
    # database alone.
    args = {"m": "TRANSFERS_SENT", "j": "421303", "p": YEAR}
    assert error_codes(await gql(ROLLUP, args, login="wuhua.housing")) == ["FORBIDDEN"]
    alone = await walls.alone.data(ROLLUP, args, login="wuhua.housing")
    assert alone["rollup"]["total"]["count"] == 0


async def _nonzero(walls: Walls, code: str, login: str) -> dict[str, int]:
    found = {}
    for m in METRICS:
        total, _ = await walls.same(m.name.upper(), code, login)
        if total:
            found[m.name] = total
    return found


async def test_a_host_sees_its_hosting_and_nothing_of_the_sealed_project(
    walls: Walls, fresh_db: Database
) -> None:
    gql = walls.both
    project_id = await a_project(fresh_db, gql, int(ENSHI), 7)
    ident = await schedule(gql, "enshi.centre", project_id, "ES-2026-0007", [(int(SUIZHOU), 1)])

    # Sealed: the host's unit sums its hosting and nothing else — no project, no home.
    assert await _nonzero(walls, SUIZHOU, "suizhou.office") == {"evaluations_hosted": 1}
    # The home's unit sums its session and its project, and no host.
    home = await _nonzero(walls, ENSHI, "enshi.office")
    assert home["evaluations_home"] == 1
    assert "evaluations_hosted" not in home
    # The host's metric has no dimension that could name the project or the home.
    args = {"m": "EVALUATIONS_HOSTED", "j": SUIZHOU, "p": YEAR, "g": "CATEGORY"}
    assert error_codes(await gql(ROLLUP, args, login="suizhou.office")) == ["BAD_USER_INPUT"]
    # The province above both reads both sides (as it reads both site rows).
    by_city = await walls.same("EVALUATIONS_HOSTED", "420000", "hubei.office", "JURISDICTION")
    assert by_city == (1, {SUIZHOU: 1})

    # Started, finished, records handed over: the host's clock met, still nothing else.
    walls.clock.set(ManualClock.on(date(2026, 9, 22), 9, 0).now())
    await evaluation_ok(
        gql, "evaluationStart", "EvaluationRefInput", "enshi.centre", "session { state }", id=ident
    )
    walls.clock.set(ManualClock.on(date(2026, 9, 22), 17, 30).now())
    await evaluation_ok(
        gql, "evaluationFinish", "EvaluationRefInput", "enshi.centre", "session { state }", id=ident
    )
    walls.clock.set(ManualClock.on(date(2026, 9, 24)).now())
    (hosting,) = (await gql.data(HOSTINGS, login="suizhou.centre"))["evaluationHostings"]["nodes"]
    await evaluation_ok(
        gql,
        "evaluationHandOver",
        "EvaluationHandOverInput",
        "suizhou.centre",
        "site { handedOverOn }",
        siteId=hosting["id"],
    )
    assert await walls.same("EVALUATIONS_HOSTED", SUIZHOU, "suizhou.office", "HANDED_OVER") == (
        1,
        {"yes": 1},
    )
    met = await walls.same("OBLIGATIONS_MET", SUIZHOU, "suizhou.office", "RULE")
    assert met == (1, {"REMOTE.handover_records": 1})
    assert set(await _nonzero(walls, SUIZHOU, "suizhou.office")) == {
        "evaluations_hosted",
        "obligations_met",
    }
    assert await walls.same("EVALUATIONS_HOME", ENSHI, "enshi.office", "SESSION_STATE") == (
        1,
        {"finished": 1},
    )
