"""The policy helper every tenant table's migration uses (xietong.db.rls)."""

from __future__ import annotations

import pytest

from xietong.db import rls


def test_a_tenant_table_gets_forced_rls_and_exactly_the_policies_asked_for() -> None:
    policy = rls.TenantPolicy(
        "complaint",
        read=rls.any_of(rls.in_read_scope("jurisdiction_code"), rls.granted("id", "complaint")),
        insert=rls.in_write_unit("jurisdiction_code"),
    )
    statements = policy.create()
    assert statements[:3] == [
        "ALTER TABLE complaint ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE complaint FORCE ROW LEVEL SECURITY",
        "CREATE POLICY maintenance ON complaint TO CURRENT_USER USING (true) WITH CHECK (true)",
    ]
    assert statements[3] == (
        "CREATE POLICY scoped_read ON complaint FOR SELECT USING ("
        "(jurisdiction_code BETWEEN (SELECT public.xietong_read_lo()) AND "
        "(SELECT public.xietong_read_hi())) OR "
        "(id = ANY ((SELECT public.xietong_granted_ids('complaint', 'read'))::uuid[])))"
    )
    assert statements[4] == (
        "CREATE POLICY scoped_insert ON complaint FOR INSERT WITH CHECK ("
        "jurisdiction_code = (SELECT public.xietong_write_code()))"
    )
    assert len(statements) == 5  # no update, never a delete
    assert not any("DELETE" in s for s in statements)
    assert policy.drop()[-1] == "ALTER TABLE complaint DISABLE ROW LEVEL SECURITY"


def test_updates_may_check_the_new_row_differently() -> None:
    policy = rls.TenantPolicy(
        "api_key",
        read=rls.in_read_scope("jurisdiction_code"),
        update=rls.is_null("revoked_at"),
        update_check=rls.all_of(rls.is_not_null("revoked_at"), rls.is_actor("revoked_by")),
    )
    assert policy.create()[-1] == (
        "CREATE POLICY scoped_update ON api_key FOR UPDATE USING (revoked_at IS NULL) WITH CHECK "
        "((revoked_at IS NOT NULL) AND (revoked_by = (SELECT public.xietong_actor())))"
    )


@pytest.mark.parametrize(
    "bad",
    [
        lambda: rls.in_read_scope("code; DROP TABLE person"),
        lambda: rls.granted("id", "person'); --"),
        lambda: rls.TenantPolicy("x y", read="true"),
        lambda: rls.TenantPolicy("t", read="true", update_check="true"),
        lambda: rls.any_of(),
    ],
)
def test_names_are_checked(bad: object) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        bad()  # type: ignore[operator]
