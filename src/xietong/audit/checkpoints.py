"""Signed checkpoints of the audit chain heads, exported outside the database.

A MAC stops anyone without the server secret from forging or rewriting an event, but not from
deleting the newest ones (or restoring an older backup): the shorter chain is still valid. A
checkpoint, kept where the database's writers cannot reach, remembers how long each chain was
(``xietong.audit.chain.Checkpoint``); ``xietong audit verify --checkpoints FILE`` then finds any
checkpointed event that is gone or changed.

Where checkpoints go is a ``CheckpointSink``: a file (appended, one JSON line per province and
run, flushed to disk) or standard output. An object store is one more small class with the same
``write`` (one object per run, e.g. ``<prefix>/<taken_at>.jsonl``, ideally in a bucket with object
lock) and a scheme in ``sink_for``; ``verify`` reads the concatenated lines.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import BigInteger, Integer, Text, column, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.audit.chain import Checkpoint, NotACheckpoint
from xietong.audit.signing import SigningKey, VerificationKeys
from xietong.db.engine import keyring_of
from xietong.keys import Purpose


@dataclass(frozen=True, slots=True)
class ChainHead:
    province_code: int
    last_event_id: int | None
    last_hash: str | None
    event_count: int


async def heads(*, db_session: AsyncSession) -> list[ChainHead]:
    """The chain heads the session may see (``xietong_audit_heads()``: every one for the table
    owner, the provinces its read range covers for the application role), by province."""
    listed = func.xietong_audit_heads().table_valued(
        column("province_code", Integer),
        column("last_event_id", BigInteger),
        column("last_hash", Text),
        column("event_count", BigInteger),
    )
    rows = await db_session.execute(select(listed).order_by(listed.c.province_code))
    return [ChainHead(*row) for row in rows]


async def take(*, db_session: AsyncSession, now: datetime | None = None) -> list[Checkpoint]:
    """One checkpoint per chain head with events, signed with the checkpoint key of the keyring
    the session carries (``xietong.db.engine.make_sessionmaker``)."""
    signer = SigningKey.of(keyring_of(db_session), Purpose.CHECKPOINT)
    taken_at = (now or datetime.now(UTC)).astimezone(UTC)
    return [
        Checkpoint(
            province_code=head.province_code,
            last_event_id=head.last_event_id,
            last_hash=head.last_hash,
            event_count=head.event_count,
            taken_at=taken_at,
        ).signed(signer.key)
        for head in await heads(db_session=db_session)
        if head.last_event_id is not None and head.last_hash is not None
    ]


class CheckpointSink(Protocol):
    """Somewhere checkpoints are kept, outside the database."""

    def describe(self) -> str: ...

    async def write(self, lines: Sequence[str]) -> None:
        """Keep ``lines`` (one checkpoint each, no newline) durably, or raise."""


@dataclass(frozen=True, slots=True)
class FileSink:
    path: Path

    def describe(self) -> str:
        return str(self.path)

    def _append(self, data: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, data)  # one write: concurrent appenders never interleave lines
            os.fsync(fd)
        finally:
            os.close(fd)

    async def write(self, lines: Sequence[str]) -> None:
        if lines:
            data = "".join(line + "\n" for line in lines).encode("utf-8")
            await asyncio.to_thread(self._append, data)


@dataclass(frozen=True, slots=True)
class StdoutSink:
    def describe(self) -> str:
        return "standard output"

    async def write(self, lines: Sequence[str]) -> None:
        for line in lines:
            sys.stdout.write(line + "\n")
        sys.stdout.flush()


class UnknownTarget(ValueError):
    """A checkpoint target this installation cannot write to."""


def sink_for(target: str) -> CheckpointSink:
    """``-`` for standard output; a path or ``file://`` URL for a file (appended)."""
    if target == "-":
        return StdoutSink()
    if target.startswith("file://"):
        return FileSink(Path(target.removeprefix("file://")))
    scheme, sep, _ = target.partition("://")
    if sep:
        raise UnknownTarget(
            f"checkpoint target {target!r}: no sink for {scheme}:// yet; use a file path or '-'"
        )
    return FileSink(Path(target))


@dataclass(frozen=True, slots=True)
class CheckpointFile:
    """What a checkpoint file holds: the genuine checkpoints, and every line that is not one."""

    checkpoints: list[Checkpoint]
    problems: list[str]
    """``line N: what is wrong``; a line with a problem is not used."""


def check_lines(lines: Iterable[str], keys: VerificationKeys) -> CheckpointFile:
    """Parse and authenticate checkpoint lines (blank lines are skipped)."""
    genuine: list[Checkpoint] = []
    problems: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            checkpoint = Checkpoint.from_line(line)
        except NotACheckpoint as exc:
            problems.append(f"line {number}: not a checkpoint: {exc}")
            continue
        key = keys.checkpoints.get(checkpoint.key_id)
        if key is None:
            problems.append(
                f"line {number}: signed with key {checkpoint.key_id!r}, which is none of the "
                "known keys (forged, or a retired secret missing from "
                "XIETONG_AUDIT_RETIRED_SECRET_KEYS)"
            )
        elif not checkpoint.signature_matches(key):
            problems.append(f"line {number}: the signature does not match: the line was edited")
        else:
            genuine.append(checkpoint)
    return CheckpointFile(genuine, problems)


def read_checkpoints(path: Path, keys: VerificationKeys) -> CheckpointFile:
    """``check_lines`` over a file; ``OSError`` or ``UnicodeDecodeError`` if unreadable."""
    with path.open(encoding="utf-8") as lines:
        return check_lines(lines, keys)
