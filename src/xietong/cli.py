"""The ``xietong`` command: demo, serve, worker, migrate, tenants, import, calendar, rollup,
schema, token, audit.

Every command reads settings from the environment. Where no database URL is set, commands that need
a database start the embedded server in the data directory and stop it when they finish; only
``serve`` and ``worker`` refuse, because production never runs embedded databases; under
``XIETONG_ENV=production`` they also refuse unsafe settings (``xietong.production``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import signal
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import click

from xietong import embedded, production
from xietong import logging as xlogging
from xietong.access.scope_token import ScopeSigner
from xietong.audit import checkpoints as audit_checkpoints
from xietong.audit import service as audit_service
from xietong.audit.chain import Checkpoint
from xietong.audit.checkpoints import CheckpointSink, FileSink
from xietong.audit.service import ChainReport
from xietong.audit.signing import VerificationKeys
from xietong.config import Settings
from xietong.db import migrate as migrations
from xietong.db.engine import make_engine, make_sessionmaker, transaction
from xietong.jurisdictions import codes
from xietong.keys import Keyring, SecretProblem
from xietong.paths import default_tenants_dir, schema_file
from xietong.tenants.declaration import TenantFileError
from xietong.tenants.loader import LoadReport, load_tenants, tenant_files
from xietong.trading.rows import Kind


@dataclass(frozen=True, slots=True)
class DatabaseUrls:
    owner: str
    app: str


def _settings() -> Settings:
    settings = Settings.from_env()
    xlogging.configure(settings.log_level, json=settings.log_json)
    return settings


def _raise_system_exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@contextmanager
def _database(
    settings: Settings, supervised: list[embedded.Supervised] | None = None
) -> Iterator[DatabaseUrls]:
    """The configured database, or the embedded one (started here, stopped on exit; added to
    ``supervised`` when the caller watches it)."""
    db = settings.database
    if db.url is not None:
        yield DatabaseUrls(owner=db.owner_url or db.url, app=db.url)
        return
    try:
        pg = embedded.start_postgres(settings.data_dir, app_role=db.app_role)
    except embedded.EmbeddedUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    if supervised is not None:
        supervised.append(pg)
    try:
        yield DatabaseUrls(owner=pg.database.owner_url, app=pg.database.app_url)
    finally:
        pg.stop()


def _refuse_unsafe(settings: Settings, *, needs_redis: bool = True) -> None:
    """Production only: list every problem and exit 2 (no traceback) before starting anything."""
    found = production.check(settings, needs_redis=needs_redis)
    if not found:
        return
    click.secho(
        f"xietong: refusing to start with XIETONG_ENV=production; {len(found)} problem(s)"
        "（生产环境配置有误，拒绝启动）:",
        fg="red",
        err=True,
    )
    for problem in found:
        click.echo(f"  - {problem}", err=True)
    sys.exit(2)


def _scope_signer(settings: Settings) -> ScopeSigner:
    try:
        return ScopeSigner.from_keyring(Keyring.from_settings(settings))
    except SecretProblem as exc:
        raise click.UsageError(str(exc)) from None


async def _migrate(settings: Settings, url: str, revision: str = "head") -> None:
    """Upgrade, grant the application role its allow-list, install the scope key derived from
    XIETONG_SECRET_KEY (the API must run with the same secret; its readiness probe says if not)."""
    await migrations.upgrade(
        url,
        revision,
        app_role=settings.database.app_role,
        scope_key=_scope_signer(settings).material(),
    )


async def _seed_demo(settings: Settings, url: str) -> tuple[int, int, int]:
    """Demo complaints (``complaints.demo``), casework (``casework.demo``) in every state and a
    reporting period with one county late (``rollups.demo``), once each."""
    from xietong.casework import demo as casework_demo
    from xietong.complaints import demo as complaint_demo
    from xietong.deadlines.clock import SYSTEM_CLOCK
    from xietong.rollups import demo as report_demo

    engine = make_engine(url, pool_size=1)
    try:
        sessions = make_sessionmaker(engine, keyring=Keyring.from_settings(settings))
        async with transaction(sessions) as session:
            complaints = await complaint_demo.seed(session, SYSTEM_CLOCK.today())
        async with transaction(sessions) as session:
            casework = await casework_demo.seed(session, SYSTEM_CLOCK.today())
        async with transaction(sessions) as session:
            periodic = await report_demo.seed(session, SYSTEM_CLOCK.today())
        return complaints, casework, periodic
    finally:
        await engine.dispose()


async def _load(url: str, files: list[Path], keyring: Keyring) -> LoadReport:
    engine = make_engine(url, pool_size=1)
    try:
        # With the keyring: a changed calendar override moves deadlines, each with an audit event.
        async with transaction(make_sessionmaker(engine, keyring=keyring)) as session:
            return await load_tenants(session, files)
    finally:
        await engine.dispose()


def _keyring(settings: Settings) -> Keyring:
    try:
        return Keyring.from_settings(settings)
    except SecretProblem as exc:
        raise click.UsageError(str(exc)) from None


def _load_or_exit(url: str, files: list[Path], settings: Settings) -> LoadReport:
    try:
        return asyncio.run(_load(url, files, _keyring(settings)))
    except TenantFileError as exc:
        click.secho(
            "Tenant files refused; nothing was changed（租户文件有误，未做任何修改）:",
            fg="red",
            err=True,
        )
        for line in exc.lines():  # the first 50, then how many more
            click.echo(f"  {line}", err=True)
        sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="xietong")
def main() -> None:
    """协同 Xietong: collaborative supervision of public-resource trading."""


@main.command()
@click.option("--host", default=None, help="Interface to listen on [XIETONG_HOST, 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port to listen on [XIETONG_PORT, 8000].")
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Where the embedded servers keep data [XIETONG_DATA_DIR, ./.xietong].",
)
@click.option("--reset", is_flag=True, help="Start from a clean data directory.")
def demo(host: str | None, port: int | None, data_dir: Path | None, reset: bool) -> None:
    """Run everything on this machine: databases, migrations, seed tenants, the API.

    With XIETONG_DATABASE_URL / XIETONG_REDIS_URL set, uses those servers and starts nothing.
    Ctrl-C stops the API and every server this command started.
    """
    import uvicorn

    from xietong.app import create_app

    settings = _settings()
    if data_dir is not None:
        settings = dataclasses.replace(settings, data_dir=data_dir)
    server = dataclasses.replace(
        settings.server, host=host or settings.server.host, port=port or settings.server.port
    )
    signal.signal(signal.SIGTERM, _raise_system_exit)
    with ExitStack() as stack:
        # Refuse before printing anything: a second demo on this data directory would share (and
        # then stop) the first one's servers; a taken port would have us print a URL where
        # another program answers.
        servers: list[embedded.Supervised] = []
        if settings.database.url is None or settings.redis.url is None:
            try:
                stack.enter_context(embedded.lock_data_dir(settings.data_dir))
            except embedded.DataDirInUse as exc:
                raise click.ClickException(str(exc)) from None
        try:
            listener = embedded.bind_port(server.host, server.port)
        except embedded.PortTaken as exc:
            raise click.ClickException(str(exc)) from None
        stack.callback(listener.close)
        if reset:
            embedded.reset(settings.data_dir)
        urls = stack.enter_context(_database(settings, servers))
        redis_url = settings.redis.url
        if redis_url is None:
            try:
                redis = embedded.start_redis(settings.data_dir)
            except embedded.EmbeddedUnavailable as exc:
                raise click.ClickException(str(exc)) from None
            stack.callback(redis.stop)
            servers.append(redis)
            redis_url = redis.url
        if servers:
            supervisor = embedded.Supervisor(
                servers, say=lambda message: click.secho(message, fg="yellow", err=True)
            )
            supervisor.start()
            stack.callback(supervisor.stop)  # runs first: nothing is restarted while stopping
        asyncio.run(_migrate(settings, urls.owner))
        report = _load_or_exit(urls.owner, tenant_files([], default_tenants_dir()), settings)
        click.echo(
            "Tenants: "
            + (report.summary() if not report.unchanged else "already loaded; nothing changed.")
        )
        click.echo("Demo trading data: " + asyncio.run(_demo_data(settings, urls.app)))
        seeded, casework, periodic = asyncio.run(_seed_demo(settings, urls.owner))
        if seeded:
            click.echo(f"Demo complaints: {seeded} at 宣恩县, in every state, some overdue.")
        if casework:
            click.echo(
                f"Demo casework: {casework} transfers, letters (曾都区 → 五华区) and leads, "
                "in every state, some overdue."
            )
        if periodic:
            click.echo(
                f"Demo reports: a half year's reports of {periodic} units of 河南省, 新乡县's late."
            )
        settings = dataclasses.replace(
            settings,
            server=server,
            database=dataclasses.replace(settings.database, url=urls.app, migration_url=urls.owner),
            redis=dataclasses.replace(settings.redis, url=redis_url),
        )
        _banner(settings)
        config = uvicorn.Config(
            create_app(settings),
            log_config=None,
            lifespan="on",
            timeout_graceful_shutdown=5,
        )
        with suppress(KeyboardInterrupt):
            asyncio.run(_serve_and_work(uvicorn.Server(config), listener, settings))
    click.echo("Stopped; every server this command started has exited.")


async def _serve_and_work(server: Any, listener: Any, settings: Settings) -> None:
    """The API and, beside it in the same event loop, a worker (the deadline sweep every
    minute, the heartbeat); Ctrl-C stops the server, then the worker."""
    from xietong.jobs import worker as jobs_worker

    work = asyncio.create_task(jobs_worker.run_in_process(settings))
    try:
        await server.serve(sockets=[listener])
    finally:
        work.cancel()
        with suppress(asyncio.CancelledError):
            await work


async def _demo_data(settings: Settings, url: str) -> str:
    """The demo's trading record (``xietong.trading.demo``): reproducible, loaded once."""
    from xietong.trading import demo as trading_demo

    keyring = Keyring.from_settings(settings)
    engine = make_engine(url, pool_size=1)
    try:
        report = await trading_demo.load(
            make_sessionmaker(engine, keyring=keyring), ScopeSigner.from_keyring(keyring)
        )
    finally:
        await engine.dispose()
    return trading_demo.summary(report)


def _banner(settings: Settings) -> None:
    base = f"http://{settings.server.host}:{settings.server.port}"
    query = '{ jurisdiction(code: "422825") { code name level ancestors { code name } } }'
    click.echo(
        f"\n协同 Xietong is serving at {base}\n"
        f"  GraphQL endpoint : {base}/graphql"
        + (" (open it in a browser for GraphiQL)" if settings.graphql.graphiql else "")
        + f"\n  Overview         : {base}/ (endpoints and where the docs are)"
        f"\n  Health           : {base}/health/ready"
        "\n  Worker           : in this process (deadline sweep every minute, heartbeat)\n"
        "  Try first        :\n"
        f"    curl -s {base}/graphql -H 'content-type: application/json' \\\n"
        f'      -d \'{{"query": "{query.replace(chr(34), chr(92) + chr(34))}"}}\'\n'
        "Press Ctrl-C to stop.\n"
    )


@main.command()
@click.option("--host", default=None, help="Interface [XIETONG_HOST].")
@click.option("--port", type=int, default=None, help="Port [XIETONG_PORT].")
@click.option("--workers", type=int, default=None, help="Processes [XIETONG_WORKERS].")
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """The production server (uvicorn, several workers). Never starts embedded databases.

    SIGTERM stops accepting connections and lets requests in flight finish (20 s at most).
    """
    import uvicorn

    settings = _settings()
    _refuse_unsafe(settings)
    if settings.database.url is None:
        raise click.UsageError(
            "XIETONG_DATABASE_URL is not set; `serve` never starts an "
            "embedded database (use `xietong demo` on a workstation)"
        )
    processes = workers or settings.server.workers
    with _metrics_dir(processes):
        uvicorn.run(
            "xietong.asgi:app",
            host=host or settings.server.host,
            port=port or settings.server.port,
            workers=processes,
            log_config=None,
            proxy_headers=True,
            timeout_graceful_shutdown=20,
        )


@contextmanager
def _metrics_dir(processes: int) -> Iterator[None]:
    """Several server processes answer /metrics in turn: they must share their figures through
    PROMETHEUS_MULTIPROC_DIR (the chart mounts an emptyDir there). Without one, make a private
    directory for this run; either way start it empty."""
    from xietong.observability.metrics import MULTIPROC_ENV, prepare_multiprocess_dir

    configured = os.environ.get(MULTIPROC_ENV)
    if configured:
        prepare_multiprocess_dir(configured)
        yield
        return
    if processes <= 1:
        yield
        return
    import tempfile

    path = tempfile.mkdtemp(prefix="xietong-metrics-")
    os.environ[MULTIPROC_ENV] = path  # inherited by the worker processes uvicorn spawns
    try:
        yield
    finally:
        os.environ.pop(MULTIPROC_ENV, None)
        shutil.rmtree(path, ignore_errors=True)


@main.command()
@click.option(
    "--check", is_flag=True, help="Exit 0 if this worker is alive (for a liveness probe)."
)
def worker(check: bool) -> None:
    """Run background jobs (arq). Start as many as you like: they compete for jobs.

    Needs XIETONG_REDIS_URL (never an embedded Redis) and, for jobs that touch data,
    XIETONG_DATABASE_URL. Serves its own metrics on XIETONG_WORKER_METRICS_PORT.
    """
    from prometheus_client import start_http_server

    from xietong.jobs import worker as jobs_worker
    from xietong.observability.metrics import Metrics

    settings = _settings()
    if check:
        sys.exit(0 if jobs_worker.check_health(settings) else 1)
    _refuse_unsafe(settings)
    if settings.redis.url is None:
        raise click.UsageError(
            "XIETONG_REDIS_URL is not set; `worker` never starts an embedded Redis"
        )
    metrics = Metrics(multiprocess="")  # one process: its own registry is the whole story
    if settings.worker.metrics_port:
        try:
            start_http_server(
                settings.worker.metrics_port, addr=settings.server.host, registry=metrics.registry
            )
        except OSError as exc:
            raise click.ClickException(
                f"cannot serve metrics on {settings.server.host}:{settings.worker.metrics_port} "
                f"({exc.strerror}); set XIETONG_WORKER_METRICS_PORT (0 turns it off)"
            ) from None
    asyncio.set_event_loop(asyncio.new_event_loop())  # arq's Worker takes the current loop
    try:
        worker = jobs_worker.create_worker(settings, metrics=metrics)
    except ValueError as exc:  # a schedule the settings describe badly, a bad secret
        raise click.UsageError(str(exc)) from None
    worker.run()


@main.group(invoke_without_command=True)
@click.pass_context
def migrate(ctx: click.Context) -> None:
    """Bring the database schema to the newest revision (or see `migrate --help`)."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(upgrade, revision="head")


@migrate.command()
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Upgrade to REVISION (default: head), then put back power lists a downgrade dropped."""
    settings = _settings()
    with _database(settings) as urls:
        asyncio.run(_migrate(settings, urls.owner, revision))
        click.echo(f"Database upgraded to {revision}.")
        _restore_power_lists(urls.owner, settings)


def _tenant_dir(settings: Settings) -> Path:
    return settings.tenants_dir if settings.tenants_dir.is_dir() else default_tenants_dir()


def _restore_power_lists(url: str, settings: Settings) -> None:
    from sqlalchemy import text

    from xietong.tenants.restore import restore_power_lists

    files = tenant_files([], _tenant_dir(settings))

    async def restore() -> None:
        engine = make_engine(url, pool_size=1)
        try:
            async with transaction(make_sessionmaker(engine)) as session:
                if await session.scalar(text("SELECT to_regclass('department_power')")) is None:
                    return  # not upgraded that far
                report = await restore_power_lists(session, files)
        finally:
            await engine.dispose()
        if report.restored:
            click.echo(
                f"Restored the power lists of {report.restored} department(s) from the tenant "
                f"files in {_tenant_dir(settings)}（已从租户文件恢复权力清单）."
            )
        if report.differing:
            click.secho(
                f"{report.differing} department(s) have no power list and differ from the tenant "
                "files; run `xietong tenants load` with your files（请重新加载租户文件）.",
                fg="yellow",
                err=True,
            )

    if not files:
        return
    try:
        asyncio.run(restore())
    except TenantFileError as exc:
        click.secho(
            "Power lists not restored: the tenant files have problems; fix them and run "
            "`xietong tenants load`（租户文件有误，权力清单未恢复）:",
            fg="yellow",
            err=True,
        )
        for problem in exc.problems[:20]:
            click.echo(f"  {problem}", err=True)


@migrate.command(context_settings={"ignore_unknown_options": True})
@click.argument("revision")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def downgrade(revision: str, yes: bool) -> None:
    """Downgrade to REVISION: -1 (one step back), -2, a revision id, or base (remove every table).

    A downgrade DROPS DATA: the tables and columns of every revision it undoes go, with their
    rows. Back the database up first. `xietong migrate` brings the schema back, but not the data
    (except power lists, which it restores from the tenant files).
    """
    settings = _settings()
    with _database(settings) as urls:
        try:
            plan = asyncio.run(migrations.downgrade_plan(urls.owner, revision))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="REVISION") from None
        if not plan:
            click.echo("Nothing to downgrade.")
            return
        click.secho(
            "A downgrade drops data（降级会删除数据）: undoing these revisions drops their tables "
            "and columns with every row in them:",
            fg="red",
            err=True,
        )
        for rev, doc in plan:
            click.echo(f"  {rev}  {doc}", err=True)
        if not yes and sys.stdin.isatty():
            click.confirm("Downgrade anyway?", abort=True, err=True)
        asyncio.run(migrations.downgrade(urls.owner, revision))
        now = asyncio.run(_current_revision(urls.owner))
    click.echo(f"Database downgraded to {now or 'base (no tables)'}.")


@migrate.command()
def current() -> None:
    """Print the database's revision and the code's head."""
    settings = _settings()
    with _database(settings) as urls:
        click.echo(
            f"database: {asyncio.run(_current_revision(urls.owner))}  "
            f"head: {migrations.head_revision()}"
        )


async def _current_revision(url: str) -> str | None:
    engine = make_engine(url, pool_size=1)
    try:
        return await migrations.current_revision(engine)
    finally:
        await engine.dispose()


@main.group()
def tenants() -> None:
    """Tenant files: provinces, their units, departments and people."""


@tenants.command("load")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
def tenants_load(files: tuple[Path, ...]) -> None:
    """Make the database match FILES (default: every tenants/*.yaml). Idempotent; a file
    with any problem is refused whole and changes nothing."""
    settings = _settings()
    paths = tenant_files(list(files), _tenant_dir(settings))
    if not paths:
        raise click.UsageError("no tenant files given and none found in tenants/")
    with _database(settings) as urls:
        report = _load_or_exit(urls.owner, paths, settings)
    click.echo(
        report.summary()
        if not report.unchanged
        else f"{len(report.files)} file(s) already loaded; nothing changed."
    )


@main.command("import")
@click.argument("kind", type=click.Choice([k.value for k in Kind]), metavar="KIND")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--as",
    "login",
    required=True,
    metavar="LOGIN",
    help="Import as this active person, e.g. xinxiangxian.centre: their roles, scope and "
    "power list decide, as for the API.",
)
@click.option(
    "--jurisdiction",
    default=None,
    metavar="CODE",
    help="The unit the rows belong to (default: the person's own).",
)
@click.option("--check", is_flag=True, help="Check every row against the database; apply nothing.")
def import_(kind: str, file: Path, login: str, jurisdiction: str | None, check: bool) -> None:
    """Import a CSV or .xlsx FILE of KIND: projects, bids, awards, reports or
    approved-projects. Headers may be the API's field names or Chinese (项目编号, 项目名称,
    预算金额（元）…; docs/trading.md lists them). Every row goes through the API's checks, in
    batches of 1,000, one audit event per batch; the whole file is one transaction: all rows
    apply or none.

    \b
    Exit codes:
      0  every row applied (or, with --check, would apply)
      1  rows refused: nothing applied; the first 50 are listed, then how many more
      2  usage: a bad option, an unknown person, a file that cannot be read, unknown columns
      3  access refused: the person may not write these rows in that unit
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from xietong.access.errors import AccessDenied
    from xietong.deadlines.clock import SYSTEM_CLOCK
    from xietong.trading import importer

    settings = _settings()
    try:
        keyring = Keyring.from_settings(settings)
    except SecretProblem as exc:
        raise click.UsageError(str(exc)) from None
    signer = ScopeSigner.from_keyring(keyring)
    what = Kind(kind)
    try:
        header, data = importer.read_table(file)
        raws = importer.raw_rows(what, header, data, SYSTEM_CLOCK.today())
    except importer.FileProblem as exc:
        raise click.UsageError(f"{file}: {exc}") from None
    unit = None if jurisdiction is None else _unit_option(jurisdiction)

    async def run(url: str) -> importer.ImportReport:
        engine = make_engine(url, pool_size=1)
        try:
            sessions = make_sessionmaker(engine, keyring=keyring)
            async with sessions() as session:
                tx = await session.begin()
                guard = await importer.signed_in_as(session, login, signer)
                if guard is None:
                    raise click.UsageError(f"no active person with login {login!r}")
                code = unit or guard.principal.jurisdiction_code
                assert code is not None
                with Progress(
                    "[progress.description]{task.description}",
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeElapsedColumn(),
                    console=None,
                    transient=False,
                ) as bar:
                    task = bar.add_task(f"{what.value} → {code}", total=len(raws))
                    report = await importer.import_rows(
                        guard, what, code, raws, progress=lambda n: bar.advance(task, n)
                    )
                if report.ok and not check:
                    await tx.commit()
                else:
                    await tx.rollback()
                return report
        finally:
            await engine.dispose()

    with _database(settings) as urls:
        try:
            report = asyncio.run(run(urls.app))
        except AccessDenied as exc:
            click.secho(f"Refused（无权导入）: {exc.message}", fg="red", err=True)
            sys.exit(3)
    if not report.ok:
        click.secho(
            f"{len(report.problems)} problem(s) in {report.rows} row(s); nothing was imported"
            "（文件有误，未导入任何数据）:",
            fg="red",
            err=True,
        )
        for line in importer.lines(report):
            click.echo(f"  {line}", err=True)
        sys.exit(1)
    verb = "would be" if check else "were"
    click.echo(
        f"{report.rows} row(s) checked: {report.created} {verb} created, {report.updated} "
        f"updated, {report.unchanged} unchanged."
    )


def _unit_option(text: str) -> int:
    try:
        return codes.parse_code(text)
    except codes.InvalidCode as exc:
        raise click.BadParameter(str(exc), param_hint="--jurisdiction") from exc


@main.group()
def calendar() -> None:
    """The working-day calendar: State Council notices loaded by an operator (工作日历)."""


@calendar.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--by",
    default=None,
    help="Who is loading it, for the record [the operating-system user].",
)
def calendar_load(file: Path, by: str | None) -> None:
    """Load one year of the State Council's holiday notice from FILE (format: docs/deadlines.md).

    The file is checked whole first; any problem refuses it and changes nothing. Loading the same
    dates again changes nothing. Otherwise the year replaces the calendar package's (or the
    previous load's) dates, and every open obligation that may reach into it is recomputed:
    provisional deadlines become exact, and each one whose date or version changes gets an audit
    event with the old and new values. The load is recorded in every province's audit trail.
    """
    import getpass

    from xietong.deadlines import calendar_ops
    from xietong.deadlines.calendar_file import read_year_file
    from xietong.deadlines.clock import SYSTEM_CLOCK
    from xietong.deadlines.errors import CalendarFileError

    try:
        official = read_year_file(file)
    except CalendarFileError as exc:
        click.secho(
            "Calendar file refused; nothing was changed（日历文件有误，未做任何修改）:",
            fg="red",
            err=True,
        )
        for problem in exc.problems:
            click.echo(f"  {exc.file}: {problem}", err=True)
        sys.exit(1)
    settings = _settings()
    keyring = _keyring(settings)
    who = (by or getpass.getuser() or "operator").strip()[:64]

    async def run(url: str) -> calendar_ops.LoadReport:
        engine = make_engine(url, pool_size=1)
        try:
            async with transaction(make_sessionmaker(engine, keyring=keyring)) as session:
                return await calendar_ops.load(session, official, by=who, clock=SYSTEM_CLOCK)
        finally:
            await engine.dispose()

    with _database(settings) as urls:
        report = asyncio.run(run(urls.owner))
    click.echo(report.summary())


@calendar.command("show")
@click.argument("year", type=int)
@click.option(
    "--jurisdiction",
    default=None,
    metavar="CODE",
    help="Include the local closures and working days of this unit's chain (e.g. 422825).",
)
def calendar_show(year: int, jurisdiction: str | None) -> None:
    """Show YEAR as deadlines count it: where its dates come from (a loaded notice, the
    calendar package, or nothing: provisional), its version, and every day that differs from
    Monday-to-Friday."""
    from xietong.deadlines import calendar_ops, store
    from xietong.deadlines.errors import DeadlineError

    code = None
    if jurisdiction is not None:
        try:
            code = codes.parse_code(jurisdiction)
        except codes.InvalidCode as exc:
            raise click.BadParameter(str(exc), param_hint="--jurisdiction") from None
    settings = _settings()

    async def run(url: str) -> calendar_ops.YearView:
        engine = make_engine(url, pool_size=1)
        try:
            async with transaction(make_sessionmaker(engine)) as session:
                state = await store.build_state(session)
            return calendar_ops.describe(state, year, code)
        finally:
            await engine.dispose()

    with _database(settings) as urls:
        try:
            view = asyncio.run(run(urls.owner))
        except DeadlineError as exc:
            raise click.BadParameter(exc.message, param_hint="YEAR") from None
    where = f" for {codes.format_code(code)}" if code is not None else " (national)"
    click.echo(f"{view.year}{where}: {view.source}")
    click.echo(f"version {view.version}")
    for line in view.lines:
        click.echo(f"  {line}")


@main.group()
def rollup() -> None:
    """Rollups of the declared metrics (汇总统计), as files (docs/rollups.md)."""


@rollup.command("export")
@click.option("--metric", required=True, metavar="METRIC", help="A declared metric: projects…")
@click.option(
    "--jurisdiction",
    default=None,
    metavar="CODE",
    help="The unit whose subtree to sum (default: the person's own; required with --system).",
)
@click.option(
    "--period",
    required=True,
    metavar="PERIOD",
    help="2026, 2026-09, 2026-Q3, 2026-H1 or 2025-01..2026-06 (China months).",
)
@click.option(
    "--group-by", default=None, metavar="DIM", help="jurisdiction, or a dimension of the metric."
)
@click.option(
    "--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True
)
@click.option("--out", required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--as",
    "login",
    default=None,
    metavar="LOGIN",
    help="Export as this active person: their roles, scope and power list decide, as for the "
    "API's rollupExport.",
)
@click.option(
    "--system",
    "as_system",
    is_flag=True,
    help="Export as the system (an operator): reads exactly the --jurisdiction subtree.",
)
def rollup_export(
    metric: str,
    jurisdiction: str | None,
    period: str,
    group_by: str | None,
    fmt: str,
    out: Path,
    login: str | None,
    as_system: bool,
) -> None:
    """Write a rollup to OUT as .xlsx or CSV: the same lines and total as the API's
    rollupExport (Chinese headers, money in yuan, the total last).

    \b
    Exit codes:
      0  written
      2  usage: a bad option, an unknown metric, person or period
      3  access refused: the person may not roll up that unit
    """
    from xietong.access.errors import AccessDenied
    from xietong.rollups import files

    if (login is None) == (not as_system):
        raise click.UsageError("give exactly one of --as LOGIN or --system")
    if as_system and jurisdiction is None:
        raise click.UsageError("--system needs --jurisdiction")
    settings = _settings()
    try:
        keyring = Keyring.from_settings(settings)
        declared = files.metric_of(metric)
        wanted = files.check_group_by(declared, group_by)
        months = files.parse_period(period)
    except (SecretProblem, files.ExportProblem) as exc:
        raise click.UsageError(str(exc)) from None
    signer = ScopeSigner.from_keyring(keyring)
    code = None if jurisdiction is None else _unit_option(jurisdiction)

    async def run(url: str) -> files.ExportedFile:
        engine = make_engine(url, pool_size=1)
        try:
            sessions = make_sessionmaker(engine, keyring=keyring)
            async with sessions() as session, session.begin():
                if login is not None:
                    span, unit = await files.span_for_person(session, login, signer, code)
                else:
                    assert code is not None
                    span, unit = await files.span_for_system(session, signer, code)
                return await files.export_file(
                    session,
                    span=span,
                    code=unit,
                    metric=declared,
                    period=months,
                    group_by=wanted,
                    fmt=files.FileFormat(fmt),
                )
        finally:
            await engine.dispose()

    with _database(settings) as urls:
        try:
            written = asyncio.run(run(urls.app))
        except files.ExportProblem as exc:
            raise click.UsageError(str(exc)) from None
        except AccessDenied as exc:
            click.secho(f"Refused（无权汇总）: {exc.message}", fg="red", err=True)
            sys.exit(3)
    out.write_bytes(written.content)
    result = written.result
    click.echo(
        f"Wrote {out} ({written.filename}): {result.metric.name} "
        f"{codes.format_code(result.jurisdiction_code)} {result.period.label()}, "
        f"{len(result.lines)} line(s), total {result.total.n}."
    )


@rollup.command("not-entered")
@click.option(
    "--on",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    metavar="DATE",
    help="The China date to take (default: today). The rollup counts a month's first day's.",
)
@click.option(
    "--jurisdiction",
    default=None,
    metavar="CODE",
    help="Only the units of this subtree (default: every unit with a supervision office).",
)
def rollup_not_entered(on: Any, jurisdiction: str | None) -> None:
    """Take each unit's dated 应进未进 snapshot (as the worker's daily job does): its own
    approved projects that should have entered trading but had not, written once per unit and
    date (a date already taken is skipped)."""
    from xietong.deadlines.clock import SYSTEM_CLOCK
    from xietong.rollups import not_entered

    settings = _settings()
    try:
        keyring = Keyring.from_settings(settings)
    except SecretProblem as exc:
        raise click.UsageError(str(exc)) from None
    code = None if jurisdiction is None else _unit_option(jurisdiction)
    day = None if on is None else on.date()

    async def run(url: str) -> not_entered.Taken:
        engine = make_engine(url, pool_size=1)
        try:
            sessions = make_sessionmaker(engine, keyring=keyring)
            return await not_entered.take(sessions, clock=SYSTEM_CLOCK, on=day, under=code)
        finally:
            await engine.dispose()

    with _database(settings) as urls:
        taken = asyncio.run(run(urls.app))
    click.echo(
        f"应进未进 snapshot {day or SYSTEM_CLOCK.today()}: {taken.lines} line(s) in "
        f"{taken.units} unit(s); {taken.skipped} unit(s) already taken."
    )


@rollup.command("report")
@click.option(
    "--template",
    required=True,
    metavar="NAME",
    help="annual, half_year or separated_monthly.",
)
@click.option("--period", required=True, metavar="PERIOD", help="2026, 2026-H1 or 2026-09.")
@click.option(
    "--jurisdiction",
    default=None,
    metavar="CODE",
    help="The reporting unit (default: the person's own; required with --system).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True
)
@click.option("--out", required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--as", "login", default=None, metavar="LOGIN", help="Export as this person.")
@click.option("--system", "as_system", is_flag=True, help="Export as the system (an operator).")
def rollup_report(
    template: str,
    period: str,
    jurisdiction: str | None,
    fmt: str,
    out: Path,
    login: str | None,
    as_system: bool,
) -> None:
    """Write a unit's periodic report to OUT as .xlsx or CSV: the same file as the API's
    periodicReport { export } (figures own and consolidated, their sources, the narrative).

    \b
    Exit codes:
      0  written
      2  usage: a bad option, an unknown template, person or period
      3  access refused: the person may not read that unit's reports
      4  no such report
    """
    from xietong.access.errors import AccessDenied
    from xietong.rollups import files, report_export

    if (login is None) == (not as_system):
        raise click.UsageError("give exactly one of --as LOGIN or --system")
    if as_system and jurisdiction is None:
        raise click.UsageError("--system needs --jurisdiction")
    settings = _settings()
    try:
        keyring = Keyring.from_settings(settings)
        files.report_of(template, period)
    except (SecretProblem, files.ExportProblem) as exc:
        raise click.UsageError(str(exc)) from None
    signer = ScopeSigner.from_keyring(keyring)
    code = None if jurisdiction is None else _unit_option(jurisdiction)

    async def run(url: str) -> tuple[str, str, bytes] | None:
        engine = make_engine(url, pool_size=1)
        try:
            sessions = make_sessionmaker(engine, keyring=keyring)
            async with sessions() as session, session.begin():
                if login is not None:
                    found = await files.report_as_person(
                        session, login, signer, template=template, period_text=period, code=code
                    )
                else:
                    assert code is not None
                    found = await files.report_as_system(
                        session, signer, template=template, period_text=period, code=code
                    )
                if found is None:
                    return None
                return await report_export.export(session, found, xlsx=fmt == "xlsx")
        finally:
            await engine.dispose()

    with _database(settings) as urls:
        try:
            written = asyncio.run(run(urls.app))
        except files.ExportProblem as exc:
            raise click.UsageError(str(exc)) from None
        except AccessDenied as exc:
            click.secho(f"Refused（无权查看报告）: {exc.message}", fg="red", err=True)
            sys.exit(3)
    if written is None:
        click.secho("No such report（没有该报告）.", fg="red", err=True)
        sys.exit(4)
    name, _type, content = written
    out.write_bytes(content)
    click.echo(f"Wrote {out} ({name}).")


@main.group()
def schema() -> None:
    """The GraphQL schema file integrators read (graphql/schema.graphql)."""


@schema.command("export")
@click.option("--check", is_flag=True, help="Fail if the file differs from the code.")
@click.option("--output", type=click.Path(path_type=Path), default=None)
def schema_export(check: bool, output: Path | None) -> None:
    """Write the schema SDL (or, with --check, verify the committed file)."""
    from xietong.schema import schema_sdl

    target = output or schema_file()
    sdl = schema_sdl()
    if check:
        if not target.exists() or target.read_text(encoding="utf-8") != sdl:
            click.secho(f"{target} is out of date; run `make schema`", fg="red", err=True)
            sys.exit(1)
        click.echo(f"{target} matches the code.")
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(sdl, encoding="utf-8")
    click.echo(f"Wrote {target}.")


@main.command()
@click.argument("login")
@click.option(
    "--minutes",
    type=int,
    default=None,
    help="Lifetime, at most XIETONG_TOKEN_MAX_MINUTES [XIETONG_TOKEN_TTL_MINUTES].",
)
def token(login: str, minutes: int | None) -> None:
    """Print a bearer token for LOGIN (an active person in the tenant files), signed with this
    installation's key. Use it as `Authorization: Bearer <token>`."""
    from datetime import timedelta

    from xietong.access.authentication import person_principal
    from xietong.access.scope import scope_status
    from xietong.access.scope_token import STATUS_HINTS
    from xietong.access.tokens import TokenService

    settings = _settings()
    longest = settings.auth.token_max_minutes
    if minutes is not None and not 1 <= minutes <= longest:
        raise click.BadParameter(
            f"{minutes} is not between 1 and {longest} (XIETONG_TOKEN_MAX_MINUTES)",
            param_hint="--minutes",
        )
    try:
        tokens = TokenService.from_settings(settings)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    signer = _scope_signer(settings)

    async def lookup(url: str) -> str | None:
        engine = make_engine(url, pool_size=1)
        try:
            async with transaction(make_sessionmaker(engine)) as session:
                principal = await person_principal(session, login, signer)
                if principal is None and (status := await scope_status(session, signer)) != "ok":
                    raise click.ClickException(STATUS_HINTS.get(status, status))
                return None if principal is None else principal.name
        finally:
            await engine.dispose()

    with _database(settings) as urls:
        name = asyncio.run(lookup(urls.app))
    if name is None:
        raise click.ClickException(
            f"no active person with login {login!r} (unknown or deactivated); see tenants/*.yaml"
        )
    try:
        issued = tokens.issue(login, ttl=None if minutes is None else timedelta(minutes=minutes))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(issued)


async def _verify_audit(
    url: str, province: int | None, keys: VerificationKeys, checkpoints: list[Checkpoint]
) -> list[ChainReport]:
    # The owner role sees every row (row-level security would hide parts of a chain).
    engine = make_engine(url, pool_size=1)
    try:
        sessions = make_sessionmaker(engine)
        if province is None:
            async with transaction(sessions) as session:
                provinces = await audit_service.provinces(db_session=session)
            # A province whose whole chain is gone is known from its checkpoints alone.
            provinces = sorted({*provinces, *(c.province_code for c in checkpoints)})
        else:
            provinces = [province]
        reports = []
        for code in provinces:
            async with transaction(sessions) as session:
                reports.append(
                    await audit_service.verify(
                        db_session=session,
                        province_code=code,
                        keys=keys,
                        checkpoints=checkpoints,
                    )
                )
        return reports
    finally:
        await engine.dispose()


async def _take_checkpoints(url: str, keyring: Keyring, sink: CheckpointSink) -> int:
    engine = make_engine(url, pool_size=1)
    try:
        async with transaction(make_sessionmaker(engine, keyring=keyring)) as session:
            taken = await audit_checkpoints.take(db_session=session)
    finally:
        await engine.dispose()
    await sink.write([c.to_line() for c in taken])
    return len(taken)


@main.group()
def audit() -> None:
    """Audit events: the hash-chained, MAC-signed record of every change (审计留痕)."""


def _province_option(province: str | None) -> int | None:
    if province is None:
        return None
    try:
        code = codes.parse_code(province)
    except codes.InvalidCode as exc:
        raise click.BadParameter(str(exc), param_hint="--province") from exc
    if code != codes.province_of(code):
        raise click.BadParameter(
            f"{province} is not a province code (省级代码以0000结尾)", param_hint="--province"
        )
    return code


@audit.command("verify")
@click.option(
    "--province",
    default=None,
    metavar="CODE",
    help="Only this province's chain (six-digit code, e.g. 420000); default: every province.",
)
@click.option(
    "--checkpoints",
    "checkpoint_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A file of signed checkpoints (`audit checkpoint --out`); each must still hold.",
)
def audit_verify(province: str | None, checkpoint_file: Path | None) -> None:
    """Check the audit trail: every event's hash, link to the one before and MAC, each chain
    head, and (with --checkpoints) that no checkpointed event is gone or changed. The first bad
    link of each province is named: event id and what is wrong.

    \b
    Exit codes:
      0  every chain verified, and every checkpoint held
      1  a chain is broken (an event changed, missing, forged or unsigned; a head that
         does not match; a checkpoint naming an event that is gone or different)
      2  usage: a bad option, an unreadable checkpoint file, no server secret
      3  the chains verified, but lines of the checkpoint file are not genuine
         checkpoints (unparseable, edited, or signed with an unknown key)
    """
    code = _province_option(province)
    settings = _settings()
    try:
        keys = VerificationKeys.from_settings(settings)
    except SecretProblem as exc:
        raise click.UsageError(str(exc)) from None
    genuine: list[Checkpoint] = []
    file_problems: list[str] = []
    if checkpoint_file is not None:
        try:
            read = audit_checkpoints.read_checkpoints(checkpoint_file, keys)
        except (OSError, UnicodeDecodeError) as exc:
            raise click.UsageError(f"cannot read {checkpoint_file}: {exc}") from None
        genuine, file_problems = read.checkpoints, read.problems
        for problem in file_problems:
            click.secho(f"{checkpoint_file}: {problem}（检查点文件有误）", fg="yellow", err=True)
    with _database(settings) as urls:
        reports = asyncio.run(_verify_audit(urls.owner, code, keys, genuine))
    if not reports:
        click.echo("No audit events yet; nothing to verify.")
    for report in reports:
        if report.ok:
            held = f", {report.checkpoints} checkpoint(s) held" if checkpoint_file else ""
            click.echo(f"{report.province_code}: ok, {report.checked} event(s) verified{held}")
        else:
            click.secho(
                f"{report.province_code}: BROKEN at event {report.first_broken_id}"
                f" after {report.checked} event(s): {report.problem}（审计链校验失败）",
                fg="red",
                err=True,
            )
    if not all(r.ok for r in reports):
        sys.exit(1)
    if file_problems:
        sys.exit(3)


@audit.command("checkpoint")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Append to this file (created if missing); default: standard output.",
)
def audit_checkpoint(out: Path | None) -> None:
    """Export a signed checkpoint of every province's audit chain head (last event id, hash,
    count, time): one JSON line per province. Keep them where the database's writers cannot
    reach; `audit verify --checkpoints FILE` then detects a truncated or rewritten chain. The
    worker does this on a schedule when XIETONG_AUDIT_CHECKPOINT_TARGET is set."""
    settings = _settings()
    try:
        keyring = Keyring.from_settings(settings)
    except SecretProblem as exc:
        raise click.UsageError(str(exc)) from None
    sink: CheckpointSink = audit_checkpoints.StdoutSink() if out is None else FileSink(out)
    with _database(settings) as urls:
        try:
            count = asyncio.run(_take_checkpoints(urls.owner, keyring, sink))
        except OSError as exc:
            raise click.ClickException(f"cannot write to {sink.describe()}: {exc}") from None
    if out is not None:
        click.echo(f"Appended {count} checkpoint(s) to {out}.", err=True)
