"""MACs, key ids and checkpoints, pure: what an auditor re-implements from xietong.audit.chain."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xietong.audit.chain import (
    Checkpoint,
    NotACheckpoint,
    canonical_json,
    event_mac,
    key_id,
    mac_matches,
)
from xietong.audit.checkpoints import FileSink, StdoutSink, UnknownTarget, check_lines, sink_for
from xietong.audit.jobs import CHECKPOINT_JOB, checkpoint_schedule
from xietong.audit.signing import SigningKey, VerificationKeys
from xietong.config import AuditSettings, Settings
from xietong.jobs.queue import Schedule, every, load_jobs
from xietong.keys import Keyring, Purpose

SECRET = "a-server-secret-that-is-long-enough-0123456789"
RING = Keyring.of(SECRET)
KEY = RING.key(Purpose.CHECKPOINT)
KEYS = VerificationKeys.of([RING])
WHEN = datetime(2026, 11, 26, 4, 0, 0, 5, tzinfo=UTC)
HASH = "ab" * 32
CHECKPOINT = Checkpoint(
    province_code=420000, last_event_id=1234, last_hash=HASH, event_count=57, taken_at=WHEN
).signed(KEY)


def test_a_mac_is_hmac_sha256_of_the_hex_hash_under_the_audit_key() -> None:
    key = RING.key(Purpose.AUDIT)
    assert event_mac(key, HASH) == hmac.new(key, HASH.encode(), hashlib.sha256).hexdigest()
    assert mac_matches(key, HASH, event_mac(key, HASH))
    assert not mac_matches(key, "cd" * 32, event_mac(key, HASH))
    assert not mac_matches(RING.key(Purpose.CHECKPOINT), HASH, event_mac(key, HASH))
    assert not mac_matches(key, HASH, "非十六进制")  # tampered rows may hold anything


def test_a_key_id_names_a_key_without_revealing_it() -> None:
    key = RING.key(Purpose.AUDIT)
    assert key_id(key) == hmac.new(key, b"xietong key id", hashlib.sha256).hexdigest()[:16]
    assert key_id(key) != key_id(RING.key(Purpose.CHECKPOINT))
    assert key_id(key) != key_id(Keyring.of(SECRET + "x").key(Purpose.AUDIT))
    assert SigningKey.of(RING, Purpose.AUDIT) == SigningKey(key_id(key), key)


def test_a_checkpoint_is_one_canonical_json_line_signed_over_its_other_members() -> None:
    line = CHECKPOINT.to_line()
    document = json.loads(line)
    assert document == {
        "v": 1,
        "kind": "xietong.audit.checkpoint",
        "province_code": 420000,
        "last_event_id": 1234,
        "last_hash": HASH,
        "event_count": 57,
        "taken_at": "2026-11-26T04:00:00.000005+00:00",
        "key_id": key_id(KEY),
        "signature": CHECKPOINT.signature,
    }
    assert line.encode() == canonical_json(document)
    unsigned = {k: v for k, v in document.items() if k != "signature"}
    expected = hmac.new(KEY, canonical_json(unsigned), hashlib.sha256).hexdigest()
    assert document["signature"] == expected
    assert Checkpoint.from_line(line) == CHECKPOINT
    assert Checkpoint.from_line(line).signature_matches(KEY)
    assert not CHECKPOINT.signature_matches(RING.key(Purpose.AUDIT))


def test_the_time_zone_of_taken_at_does_not_matter() -> None:
    beijing = WHEN.astimezone(timezone(timedelta(hours=8)))
    assert dataclasses.replace(CHECKPOINT, taken_at=beijing).signature_matches(KEY)


MEMBERS: dict[str, st.SearchStrategy[Any]] = {
    "province_code": st.integers(11, 82).map(lambda p: p * 10000),
    "last_event_id": st.integers(1, 2**62),
    "last_hash": st.text("0123456789abcdef", min_size=64, max_size=64),
    "event_count": st.integers(1, 2**62),
    "taken_at": st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
}


@given(member=st.sampled_from(list(MEMBERS)), data=st.data())
def test_changing_any_member_breaks_the_signature(member: str, data: st.DataObject) -> None:
    current = getattr(CHECKPOINT, member)
    value = data.draw(MEMBERS[member].filter(lambda v: v != current), label=member)
    edited = dataclasses.replace(CHECKPOINT, **{member: value})
    assert not edited.signature_matches(KEY)
    assert not Checkpoint.from_line(edited.to_line()).signature_matches(KEY)


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"v": 1}', "members are not exactly"),
        (CHECKPOINT.to_line().replace('"v":1', '"v":2'), "not a version 1"),
        (CHECKPOINT.to_line().replace('"event_count":57', '"event_count":"57"'), "not an integer"),
        (CHECKPOINT.to_line().replace('"event_count":57', '"event_count":true'), "not an integer"),
        (CHECKPOINT.to_line().replace(f'"last_hash":"{HASH}"', '"last_hash":1'), "not text"),
        (CHECKPOINT.to_line().replace("+00:00", "+08:00"), "in UTC with microseconds"),
        (CHECKPOINT.to_line().replace("2026-11-26T", "yesterday "), "ISO 8601"),
        (CHECKPOINT.to_line().replace("}", ',"extra":1}'), "members are not exactly"),
    ],
)
def test_malformed_lines_are_not_checkpoints(line: str, fragment: str) -> None:
    with pytest.raises(NotACheckpoint, match=fragment):
        Checkpoint.from_line(line)


def test_a_checkpoint_file_keeps_genuine_lines_and_names_every_other_one() -> None:
    forged_key = Keyring.of(SECRET + "-forger").key(Purpose.CHECKPOINT)
    edited = CHECKPOINT.to_line().replace('"event_count":57', '"event_count":56')
    lines = [
        CHECKPOINT.to_line(),
        "",
        edited,
        dataclasses.replace(CHECKPOINT, event_count=3).signed(forged_key).to_line(),
        "{",
        CHECKPOINT.to_line(),
    ]
    read = check_lines(lines, KEYS)
    assert read.checkpoints == [CHECKPOINT, CHECKPOINT]
    assert [p.split(":")[0] for p in read.problems] == ["line 3", "line 4", "line 5"]
    assert "signature does not match" in read.problems[0]
    assert "none of the known keys" in read.problems[1]
    assert "not JSON" in read.problems[2]


def test_retired_secrets_verify_but_never_sign(tmp_path: Path) -> None:
    retired = "an-earlier-server-secret-that-was-rotated-away"
    settings = dataclasses.replace(
        Settings(data_dir=tmp_path),
        secret_key=SECRET,
        audit=AuditSettings(retired_secret_keys=(retired,)),
    )
    keys = VerificationKeys.from_settings(settings)
    old = Keyring.of(retired)
    assert set(keys.events) == {
        key_id(RING.key(Purpose.AUDIT)),
        key_id(old.key(Purpose.AUDIT)),
    }
    assert keys.checkpoints[key_id(old.key(Purpose.CHECKPOINT))] == old.key(Purpose.CHECKPOINT)


def test_settings_read_retired_secrets_and_checkpoint_target(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XIETONG_AUDIT_RETIRED_SECRET_KEYS", " first-secret, second-secret ")
    monkeypatch.setenv("XIETONG_AUDIT_CHECKPOINT_TARGET", "/var/lib/xietong/checkpoints.jsonl")
    monkeypatch.setenv("XIETONG_AUDIT_CHECKPOINT_INTERVAL_MINUTES", "15")
    audit = Settings.from_env().audit
    assert audit.retired_secret_keys == ("first-secret", "second-secret")
    assert audit.checkpoint_target == "/var/lib/xietong/checkpoints.jsonl"
    assert audit.checkpoint_interval_minutes == 15


def test_targets() -> None:
    assert sink_for("-") == StdoutSink()
    assert sink_for("/srv/cp.jsonl") == FileSink(Path("/srv/cp.jsonl"))
    assert sink_for("file:///srv/cp.jsonl") == FileSink(Path("/srv/cp.jsonl"))
    with pytest.raises(UnknownTarget, match="no sink for s3://"):
        sink_for("s3://bucket/prefix")


async def test_a_file_sink_appends_lines(tmp_path: Path) -> None:
    sink = FileSink(tmp_path / "sub" / "cp.jsonl")
    await sink.write(["a", "b"])
    await sink.write([])
    await sink.write(["c"])
    assert (tmp_path / "sub" / "cp.jsonl").read_text() == "a\nb\nc\n"


@pytest.mark.parametrize(
    ("minutes", "hours", "at_minutes"),
    [
        (1, None, set(range(60))),
        (15, None, {0, 15, 30, 45}),
        (60, set(range(24)), {0}),
        (360, {0, 6, 12, 18}, {0}),
        (1440, {0}, {0}),
    ],
)
def test_every_runs_on_the_clock(
    minutes: int, hours: set[int] | None, at_minutes: set[int]
) -> None:
    schedule = every(minutes, "job")
    assert schedule.hour == (None if hours is None else frozenset(hours))
    assert schedule.minute == frozenset(at_minutes)


@pytest.mark.parametrize("minutes", [0, -5, 7, 45, 90, 420])
def test_every_refuses_what_does_not_divide_an_hour_or_a_day(minutes: int) -> None:
    with pytest.raises(ValueError, match="does not divide"):
        every(minutes, "job")


def test_the_checkpoint_job_is_scheduled_only_with_a_target() -> None:
    jobs = load_jobs()
    assert CHECKPOINT_JOB in jobs.jobs
    off = Settings()
    assert checkpoint_schedule(off) is None
    assert CHECKPOINT_JOB not in [s.job for s in jobs.schedules_for(off)]
    on = dataclasses.replace(off, audit=AuditSettings(checkpoint_target="-"))
    assert checkpoint_schedule(on) == Schedule(
        job=CHECKPOINT_JOB, hour=frozenset(range(24)), minute=frozenset({0})
    )
    assert CHECKPOINT_JOB in [s.job for s in jobs.schedules_for(on)]
    for bad, problem in (
        (AuditSettings(checkpoint_target="s3://bucket"), "no sink for s3://"),
        (AuditSettings(checkpoint_target="-", checkpoint_interval_minutes=7), "does not divide"),
    ):
        with pytest.raises(ValueError, match=problem):
            jobs.schedules_for(dataclasses.replace(off, audit=bad))
