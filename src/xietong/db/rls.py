"""Row-level security for tenant tables: the one place that writes policy DDL.

Every table that belongs to a jurisdiction gets its policies from here, in its migration::

    from xietong.db import rls

    POLICY = rls.TenantPolicy(
        "complaint",
        read=rls.any_of(
            rls.in_read_scope("jurisdiction_code"),
            rls.granted("id", "complaint"),
        ),
        insert=rls.in_write_unit("jurisdiction_code"),
        update=rls.in_write_unit("jurisdiction_code"),
    )

    def upgrade() -> None:
        ...  # create the table
        for statement in POLICY.create():
            op.execute(statement)

    def downgrade() -> None:
        for statement in POLICY.drop():
            op.execute(statement)
        ...  # drop the table

``create()`` enables and *forces* row-level security (the owner is bound too), gives the table
owner — the role running the migration, which loads tenants and runs maintenance — a
``maintenance`` policy that lets everything through, and gives every other role (the application)
exactly the predicates written here:

- ``read``: which rows SELECT (and the WHERE of UPDATE) may see;
- ``insert``: which new rows INSERT may add (None: the application never inserts);
- ``update``: which rows UPDATE may change, before and after (None: never updates);
  ``update_check`` when the row after the change must satisfy something else (e.g. a revocation
  may only set ``revoked_at``, never clear it).

There is never a DELETE policy: the application deletes nothing (records are retired, revoked or
deactivated), so a DELETE by it affects no row. Table privileges come from
``xietong.db.privileges``; a table the application may not write gets no INSERT/UPDATE grant
there either, so both layers agree.

The predicates read the caller's scope through SQL functions that check its signature
(``xietong.access.scope_token``, migration 0004). Each call is wrapped in a scalar subquery,
``(SELECT public.xietong_read_lo())``, which PostgreSQL plans as an InitPlan: the signature is
checked once per statement, not once per row, and the value is a plain parameter that can bound
an index scan (``jurisdiction_code BETWEEN $0 AND $1`` uses the jurisdiction index). Keep
predicates to these building blocks and plain comparisons on the row's own columns, so they stay
indexable and leakproof.

Migrations are history: once a migration has run somewhere, what it created must not change. So
never change what an existing function here returns; add a new one (and a migration) instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")
_WORD = re.compile(r"^[a-z_]+$")

READ_LO = "(SELECT public.xietong_read_lo())"
READ_HI = "(SELECT public.xietong_read_hi())"
WRITE_CODE = "(SELECT public.xietong_write_code())"
ACTOR = "(SELECT public.xietong_actor())"
JURISDICTION = "(SELECT public.xietong_jurisdiction())"
DEPARTMENT = "(SELECT public.xietong_department())"


def _column(name: str) -> str:
    if not _IDENT.match(name):
        raise ValueError(f"not a plain column name: {name!r}")
    return name


def in_read_scope(column: str) -> str:
    """The row's jurisdiction is in the caller's read range (its unit's subtree)."""
    col = _column(column)
    return f"{col} BETWEEN {READ_LO} AND {READ_HI}"


def in_write_unit(column: str) -> str:
    """The row's jurisdiction is the one unit the caller may write in (casework is local).
    Read-only callers have none, so nothing matches."""
    return f"{_column(column)} = {WRITE_CODE}"


def in_own_unit(column: str) -> str:
    """The row's jurisdiction is the caller's own unit (not its subtree): an inbox."""
    return f"{_column(column)} = {JURISDICTION}"


def is_department(column: str) -> str:
    """The column names the caller's own department."""
    return f"{_column(column)} = {DEPARTMENT}"


def may_write() -> str:
    """The caller may write somewhere (it is not read-only)."""
    return f"{WRITE_CODE} IS NOT NULL"


def granted(id_column: str, object_type: str, action: str = "read") -> str:
    """The row is an object explicitly granted to the caller's unit for ``action``
    (``access.grants``; the same function feeds the application's own filter)."""
    for word in (object_type, action):
        if not _WORD.match(word):
            raise ValueError(f"not a plain word: {word!r}")
    # The cast keeps `= ANY (array)` from being read as `= ANY (subquery)`.
    return (
        f"{_column(id_column)} = ANY ((SELECT public.xietong_granted_ids("
        f"'{object_type}', '{action}'))::uuid[])"
    )


def is_actor(column: str) -> str:
    """The column names the signed caller (a login, ``key:<prefix>``…): records cannot be
    attributed to someone else."""
    return f"{_column(column)} = {ACTOR}"


def department_in(column: str) -> str:
    """The caller's department (signed in the scope) is one of the uuid array ``column``: e.g.
    a project's supervising departments. A caller without a department (an API key) matches
    nothing."""
    return f"(SELECT public.xietong_department()) = ANY ({_column(column)})"


def department_kind_in(*kinds: str) -> str:
    """The caller's department is of one of ``kinds`` (``department.kind``): e.g. the office,
    discipline inspection and audit. Department kinds decide a person's roles
    (``access.roles.ROLES_BY_KIND``), so this is the role as PostgreSQL can know it. One
    uncorrelated subquery: evaluated once per statement."""
    if not kinds:
        raise ValueError("department_kind_in needs at least one kind")
    for kind in kinds:
        if not _WORD.match(kind):
            raise ValueError(f"not a plain word: {kind!r}")
    listed = ", ".join(f"'{k}'" for k in kinds)
    return (
        "(SELECT d.kind FROM public.department d "
        f"WHERE d.id = (SELECT public.xietong_department())) IN ({listed})"
    )


def parent_visible(table: str, column: str, parent: str, parent_key: str = "id") -> str:
    """The row's parent (``parent.parent_key = table.column``) is visible to the caller under
    the parent's own policies: a child record is readable exactly when its parent is, whatever
    rule decides that (a classified project's children stay as hidden as the project)."""
    for name in (table, column, parent, parent_key):
        _column(name)
    return (
        f"EXISTS (SELECT 1 FROM public.{parent} parent "
        f"WHERE parent.{parent_key} = {table}.{column})"
    )


def parent_where_set(table: str, column: str, parent: str, *set_columns: str) -> str:
    """The row's parent (``parent.id = table.column``), as the caller may see it, has every one
    of ``set_columns`` set (NOT NULL): e.g. a child revealed once its parent has started."""
    for name in (table, column, parent, *set_columns):
        _column(name)
    if not set_columns:
        raise ValueError("parent_where_set needs at least one column")
    conditions = " AND ".join(f"parent.{c} IS NOT NULL" for c in set_columns)
    return (
        f"EXISTS (SELECT 1 FROM public.{parent} parent "
        f"WHERE parent.id = {table}.{column} AND {conditions})"
    )


def is_null(*columns: str) -> str:
    return all_of(*(f"{_column(c)} IS NULL" for c in columns))


def is_not_null(*columns: str) -> str:
    return all_of(*(f"{_column(c)} IS NOT NULL" for c in columns))


def any_of(*predicates: str) -> str:
    if not predicates:
        raise ValueError("any_of needs at least one predicate")
    return predicates[0] if len(predicates) == 1 else " OR ".join(f"({p})" for p in predicates)


def all_of(*predicates: str) -> str:
    if not predicates:
        raise ValueError("all_of needs at least one predicate")
    return predicates[0] if len(predicates) == 1 else " AND ".join(f"({p})" for p in predicates)


@dataclass(frozen=True, slots=True)
class TenantPolicy:
    """Row-level security for one tenant table. See the module docstring."""

    table: str
    read: str
    insert: str | None = None
    update: str | None = None
    update_check: str | None = None

    def __post_init__(self) -> None:
        _column(self.table)
        if self.update_check is not None and self.update is None:
            raise ValueError(f"{self.table}: update_check without update")

    def create(self) -> list[str]:
        table = self.table
        statements = [
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
            f"CREATE POLICY maintenance ON {table} TO CURRENT_USER USING (true) WITH CHECK (true)",
            f"CREATE POLICY scoped_read ON {table} FOR SELECT USING ({self.read})",
        ]
        if self.insert is not None:
            statements.append(
                f"CREATE POLICY scoped_insert ON {table} FOR INSERT WITH CHECK ({self.insert})"
            )
        if self.update is not None:
            check = self.update_check if self.update_check is not None else self.update
            statements.append(
                f"CREATE POLICY scoped_update ON {table} FOR UPDATE "
                f"USING ({self.update}) WITH CHECK ({check})"
            )
        return statements

    def drop(self) -> list[str]:
        """Undo ``create()``: the table is left without row-level security."""
        table = self.table
        return [
            *(
                f"DROP POLICY IF EXISTS {name} ON {table}"
                for name in ("maintenance", "scoped_read", "scoped_insert", "scoped_update")
            ),
            f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY",
            f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
        ]
