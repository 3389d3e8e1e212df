"""The SQL that keeps the rollups exact, generated from the declared metrics.

Per source table and event (insert, update, delete) one statement-level trigger with a transition
table calls one function, which turns the statement's rows into month deltas for every metric
reading that table and appends them to ``rollup_journal`` with one ``INSERT``. The transition
table is read once for all those metrics: each record meets one ``VALUES`` row per metric (its
unit, month and sums, computed once) and is expanded into its total and dimension counters by a
second ``VALUES`` (``_scan``). An update subtracts the old rows' contributions and adds the new
rows', summed per counter key, so a state change moves a count from one bucket to another and
changes nothing else (deltas that net to zero are not written); an insert's or a delete's
entries all have one sign and are appended as they come, without an aggregate (``apply_sql``).
Appending takes no lock on a shared row, so writers of the same county and month do not queue
behind each other. The per-statement cost of all this was measured (docs/rollups.md "What it
costs writers"): what a one-row statement pays is the executor start-up of the journal insert,
so the generated SQL keeps its plan small.

``xietong_rollup_fold`` (run every few seconds by the worker, ``rollups.jobs``) moves journal
rows into ``rollup_counter`` at every grain (``rollups.grains``: month, quarter, half year,
year), deleting them in the same transaction. A rollup reads the counters plus the journal rows
not yet folded, in one statement (``service.counter_rows_sql``), so it is exact at commit.

The functions are ``SECURITY DEFINER`` (owned by the migration role, which has the counter table's
``maintenance`` policy), with a fixed ``search_path`` and qualified names: the application role
reads counters and journal (row-level security by read range) but can write neither, so a delta
is appended only with the rows it counts, in the same transaction, and only the fold moves it.
The fixed ``search_path`` stays although it costs a GUC save and restore per call: the metrics'
expressions use unqualified operators, functions and types (``=``, ``EXTRACT``, ``::text``),
which without it would resolve in the caller's path — and ``pg_temp``, searched first for types
unless listed, is writable by any role with ``TEMP``.
"""

from __future__ import annotations

from collections.abc import Iterable

from xietong.rollups import grains
from xietong.rollups.metrics import METRICS, Metric

EVENTS = ("insert", "update", "delete")
COUNTER_KEY = "metric, dimension, grain, jurisdiction_code, month, value"
COLUMNS = "metric, jurisdiction_code, province_code, month, dimension, value, n, sum_a, sum_b"
"""A month's counter as the folds and the ground truth give it (``grain`` 1)."""
GRAIN_COLUMNS = f"grain, {COLUMNS}"


def tables(metrics: Iterable[Metric] = METRICS) -> list[str]:
    """Every table some metric reads, in a stable order."""
    seen: dict[str, None] = {}
    for m in metrics:
        for table in m.tables:
            seen.setdefault(table, None)
    return list(seen)


def function_name(table: str, event: str) -> str:
    return f"xietong_rollup_{table}_{event}"


def trigger_name(event: str) -> str:
    return f"rollup_{event}"


def _scan(source: str, sign: int, metrics: list[Metric], parent_source: str | None = None) -> str:
    """One pass over ``source`` (``r``; the metrics' parent joined as ``p``, from
    ``parent_source`` if given): every counter delta of every metric in ``metrics`` — which
    share the table and the join — signed, one row each, those of uncounted records dropped.

    A record meets one ``VALUES`` row per metric (its unit, month and sums, computed once)
    and each counted one is expanded into its total and one row per dimension by a second
    ``VALUES`` of plain column references (re-initialised per row, so it must stay cheap)."""
    first = metrics[0]
    join = ""
    if first.join is not None:
        join = f" JOIN {parent_source or f'public.{first.join.table}'} p ON {first.join.on}"
    slots = max(len(m.dimensions) for m in metrics)
    names = "".join(f", n{i}, v{i}" for i in range(slots))
    expand = "".join(f", (m.n{i}, m.v{i})" for i in range(slots))
    entries = ", ".join(m.entry_sql(slots) for m in metrics)
    return (
        f"SELECT {sign}::bigint AS sign, m.metric, m.code, m.month, d.dimension, d.value, "
        f"m.a, m.b FROM {source} r{join} "
        f"CROSS JOIN LATERAL (VALUES {entries}) AS m(metric, code, month, a, b{names}) "
        f"CROSS JOIN LATERAL (VALUES ('', ''){expand}) AS d(dimension, value) "
        "WHERE m.month IS NOT NULL AND d.dimension IS NOT NULL"
    )


def _scans(table: str, event: str, metrics: Iterable[Metric]) -> list[str]:
    """The passes a statement of ``event`` on ``table`` needs: its old rows subtracted, its new
    rows added, each read once for all the metrics that count them (per join); and for a
    parent's update, the children it moves, once per child table."""
    own: dict[tuple[str, object], list[Metric]] = {}
    children: dict[tuple[str, object], list[Metric]] = {}
    for m in metrics:
        if m.table == table:
            own.setdefault((m.table, m.join), []).append(m)
        elif m.join is not None and m.join.table == table and event == "update":
            # A parent's insert or delete cannot change a child's contribution (the child
            # refers to the parent by a foreign key, so it comes after and goes before); an
            # update can move it between buckets.
            children.setdefault((m.table, m.join), []).append(m)
    scans: list[str] = []
    for group in own.values():
        if event in ("delete", "update"):
            scans.append(_scan("old_rows", -1, group))
        if event in ("insert", "update"):
            scans.append(_scan("new_rows", 1, group))
    for (child, _), group in children.items():
        scans.append(_scan(f"public.{child}", -1, group, parent_source="old_rows"))
        scans.append(_scan(f"public.{child}", 1, group, parent_source="new_rows"))
    return scans


def apply_sql(scans: list[str], event: str) -> str:
    """Append every non-zero month delta to the journal: an insert, no lock on a counter.

    An update's deltas are summed per counter key first, so the old and new rows' entries that
    cancel (a change of a column no metric reads) write nothing. An insert's or a delete's
    cannot cancel — every entry of the statement has the same sign — so they are appended as
    they come, one per record and counter, without the aggregate (a hash table built and torn
    down for every statement, most of them of one row); the fold sums them."""
    rows = " UNION ALL ".join(scans)
    head = f"INSERT INTO public.rollup_journal ({COLUMNS}) "
    if event != "update":
        return (
            f"{head}SELECT x.metric, x.code, x.code - x.code % 10000, x.month, x.dimension, "
            f"x.value, x.sign, x.sign * x.a, x.sign * x.b FROM ({rows}) x"
        )
    return (
        f"{head}SELECT x.metric, x.code, x.code - x.code % 10000, x.month, x.dimension, x.value, "
        "sum(x.sign)::bigint, sum(x.sign * x.a)::bigint, sum(x.sign * x.b)::bigint "
        f"FROM ({rows}) x "
        "GROUP BY x.metric, x.code, x.month, x.dimension, x.value "
        "HAVING sum(x.sign) <> 0 OR sum(x.sign * x.a) <> 0 OR sum(x.sign * x.b) <> 0"
    )


def upsert_sql(deltas: str) -> str:
    """Month deltas added to the counters at every grain, in key order (two concurrent folds
    lock counter rows in the same order, so they cannot deadlock). The deltas are summed per
    month key before they are spread over the grains: a batch of the journal holds a few hundred
    keys in tens of thousands of rows, and spreading first made four rows of each."""
    per_month = (
        "SELECT metric, jurisdiction_code, province_code, month, dimension, value, "
        "sum(n) AS n, sum(sum_a) AS sum_a, sum(sum_b) AS sum_b "
        f"FROM ({deltas}) d GROUP BY metric, jurisdiction_code, province_code, month, "
        "dimension, value"
    )
    return (
        f"INSERT INTO public.rollup_counter AS c ({GRAIN_COLUMNS}) "
        f"SELECT {GRAIN_COLUMNS} FROM ({grains.expand_sql(per_month)}) f "
        "WHERE f.n <> 0 OR f.sum_a <> 0 OR f.sum_b <> 0 "
        f"ORDER BY {COUNTER_KEY} "
        f"ON CONFLICT ({COUNTER_KEY}) DO UPDATE SET "
        "n = c.n + EXCLUDED.n, sum_a = c.sum_a + EXCLUDED.sum_a, "
        "sum_b = c.sum_b + EXCLUDED.sum_b"
    )


FOLD_FUNCTION = "xietong_rollup_fold"


def fold_statements() -> list[str]:
    """``xietong_rollup_fold(batch)``: move up to ``batch`` journal rows into the counters, in
    one transaction (the caller's), and say how many. Rows another fold holds are skipped, so
    any number may run at once; a row is deleted and counted in the same commit, so a reader
    (one statement, one snapshot) sees it in the journal or in the counters, never both."""
    return [
        f"CREATE OR REPLACE FUNCTION public.{FOLD_FUNCTION}(batch integer) RETURNS integer "
        "LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$\n"
        "DECLARE folded integer;\nBEGIN\n"
        "  WITH taken AS (DELETE FROM public.rollup_journal j WHERE j.ctid = ANY (ARRAY("
        "SELECT ctid FROM public.rollup_journal LIMIT batch FOR UPDATE SKIP LOCKED)) "
        f"RETURNING {COLUMNS}), "
        f"applied AS ({upsert_sql('SELECT * FROM taken')}) "
        "SELECT count(*) INTO folded FROM taken;\n"
        "  RETURN folded;\nEND\n$$",
        f"REVOKE ALL ON FUNCTION public.{FOLD_FUNCTION}(integer) FROM PUBLIC",
    ]


def drop_fold_statements() -> list[str]:
    return [f"DROP FUNCTION IF EXISTS public.{FOLD_FUNCTION}(integer)"]


def install_statements(metrics: Iterable[Metric] = METRICS) -> list[str]:
    """Create (or replace) the functions and triggers for ``metrics``' tables."""
    chosen = list(metrics)
    statements: list[str] = []
    for table in tables(chosen):
        for event in EVENTS:
            scans = _scans(table, event, chosen)
            if not scans:
                continue
            fn = function_name(table, event)
            statements.append(
                f"CREATE OR REPLACE FUNCTION public.{fn}() RETURNS trigger "
                "LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$\n"
                f"BEGIN\n  {apply_sql(scans, event)};\n  RETURN NULL;\nEND\n$$"
            )
            statements.append(f"REVOKE ALL ON FUNCTION public.{fn}() FROM PUBLIC")
            transition = {
                "insert": "NEW TABLE AS new_rows",
                "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                "delete": "OLD TABLE AS old_rows",
            }[event]
            statements.append(f"DROP TRIGGER IF EXISTS {trigger_name(event)} ON public.{table}")
            statements.append(
                f"CREATE TRIGGER {trigger_name(event)} AFTER {event.upper()} ON public.{table} "
                f"REFERENCING {transition} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION public.{fn}()"
            )
    return statements


def drop_statements(metrics: Iterable[Metric] = METRICS) -> list[str]:
    statements: list[str] = []
    for table in tables(metrics):
        for event in EVENTS:
            statements.append(f"DROP TRIGGER IF EXISTS {trigger_name(event)} ON public.{table}")
            statements.append(f"DROP FUNCTION IF EXISTS public.{function_name(table, event)}()")
    return statements


def rebuild_statements(metrics: Iterable[Metric] = METRICS) -> list[str]:
    """Recompute the counters of ``metrics`` from the base tables (run as the owner, in one
    transaction, with the tables' writers locked out: a new metric, or a repair)."""
    statements: list[str] = []
    for m in metrics:
        statements.append(f"DELETE FROM public.rollup_journal WHERE metric = '{m.name}'")
        statements.append(f"DELETE FROM public.rollup_counter WHERE metric = '{m.name}'")
        statements.append(
            f"INSERT INTO public.rollup_counter ({GRAIN_COLUMNS}) "
            f"SELECT {GRAIN_COLUMNS} FROM ({grains.expand_sql(m.ground_truth_sql())}) f "
            "WHERE f.n <> 0 OR f.sum_a <> 0 OR f.sum_b <> 0"
        )
    return statements


def trigger_switch_statements(enabled: bool, metrics: Iterable[Metric] = METRICS) -> list[str]:
    """Turn the maintenance off or on (the benchmark's comparison; a bulk load followed by a
    rebuild). Owner only."""
    verb = "ENABLE" if enabled else "DISABLE"
    return [
        f"ALTER TABLE public.{table} {verb} TRIGGER {trigger_name(event)}"
        for table in tables(metrics)
        for event in EVENTS
        if _scans(table, event, list(metrics))
    ]
