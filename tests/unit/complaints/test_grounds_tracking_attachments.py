from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xietong.complaints import attachments, grounds, tracking
from xietong.complaints.enums import ComplaintRegime, RefusalGround
from xietong.complaints.errors import ComplaintError, ComplaintErrorCode

TB = ComplaintRegime.TENDERING
GP = ComplaintRegime.PROCUREMENT


def test_the_grounds_the_brief_names_exist_in_both_regimes() -> None:
    for regime in (TB, GP):
        codes = {g.ground for g in grounds.grounds_for(regime)}
        assert {
            RefusalGround.LATE,
            RefusalGround.NOT_INTERESTED_PARTY,
            RefusalGround.ANONYMOUS,
            RefusalGround.ALREADY_DECIDED,
            RefusalGround.NO_PRIOR_OBJECTION,
        } <= codes
    assert RefusalGround.IN_RECONSIDERATION_OR_LITIGATION in {
        g.ground for g in grounds.grounds_for(TB)
    }
    assert RefusalGround.NO_SPECIFIC_MATTER in {g.ground for g in grounds.grounds_for(TB)}
    assert grounds.grounds_for(ComplaintRegime.OTHER) == ()


def test_every_ground_cites_a_text() -> None:
    for g in grounds.GROUNDS:
        assert g.citations
        assert "《" in g.citation
        assert "第" in g.citation
        assert g.reason


def test_a_ground_outside_its_regime_or_facts_is_refused() -> None:
    with pytest.raises(ComplaintError) as caught:
        grounds.ground(GP, RefusalGround.IN_RECONSIDERATION_OR_LITIGATION, anonymous=False)
    assert caught.value.error_code is ComplaintErrorCode.GROUND_NOT_FOR_REGIME
    with pytest.raises(ComplaintError):
        grounds.ground(TB, RefusalGround.ANONYMOUS, anonymous=False)
    assert grounds.ground(TB, RefusalGround.ANONYMOUS, anonymous=True).citation.endswith(
        "第十二条第（三）项"
    )


def test_tracking_codes_and_secrets() -> None:
    code, secret = tracking.new_code(), tracking.new_secret()
    assert tracking.looks_like_code(code)
    assert tracking.looks_like_secret(secret)
    assert tracking.matches(secret, tracking.secret_hash(secret))
    assert not tracking.matches(tracking.new_secret(), tracking.secret_hash(secret))
    assert tracking.normalise(f" {code.lower()[:5]}-{code.lower()[5:]} ") == code
    assert tracking.actor(code) == f"public:{code}"


@given(st.text(max_size=40))
def test_normalised_input_never_crashes(value: str) -> None:
    tracking.looks_like_code(tracking.normalise(value))
    tracking.looks_like_secret(tracking.normalise(value))


PDF = b"%PDF-1.7\n" + b"x" * 100


def _zip(*names: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in names:
            z.writestr(name, "<x/>")
    return out.getvalue()


def test_accepted_files() -> None:
    checked = attachments.check_file("证据.pdf", "application/pdf", PDF, "attachments.0")
    assert checked.size == len(PDF)
    assert len(checked.sha256) == 64
    docx = _zip("[Content_Types].xml", "word/document.xml")
    assert attachments.check_file("a.docx", attachments.DOCX.media_type, docx, "f").size
    assert attachments.check_file("a.txt", "text/plain", "说明\n".encode(), "f").size


@pytest.mark.parametrize(
    ("name", "media_type", "content"),
    [
        ("setup.exe", "application/pdf", b"MZ\x90\x00" + b"\0" * 10),
        ("a.pdf", "application/pdf", b"MZ\x90\x00" + b"\0" * 10),  # an executable named .pdf
        ("a.pdf", "application/pdf", b"\x7fELF\x02"),
        ("run.txt", "text/plain", b"#!/bin/sh\nrm -rf /\n"),
        ("a.pdf", "image/png", PDF),  # declared type does not match
        ("a.png", "application/pdf", PDF),  # name does not match
        ("a.docm", "application/pdf", _zip("word/vbaProject.bin")),
        ("a.docx", attachments.DOCX.media_type, _zip("word/vbaProject.bin")),
        ("a.zip", "application/zip", _zip("x")),
        ("a.bin", "application/octet-stream", b"\x00\x01\x02"),
        ("../../etc/passwd", "text/plain", b"x"),
        ("a\u202egpj.pdf", "application/pdf", PDF),
        ("a.pdf", "application/pdf", b""),
    ],
)
def test_refused_files(name: str, media_type: str, content: bytes) -> None:
    with pytest.raises(ComplaintError) as caught:
        attachments.check_file(name, media_type, content, "attachments.0")
    assert caught.value.error_code is ComplaintErrorCode.ATTACHMENT_REFUSED


def test_size_limits() -> None:
    big = b"%PDF-" + b"x" * attachments.MAX_FILE_BYTES
    with pytest.raises(ComplaintError) as caught:
        attachments.check_file("a.pdf", "application/pdf", big, "f")
    assert caught.value.error_code is ComplaintErrorCode.ATTACHMENT_TOO_LARGE
    one = attachments.check_file("a.pdf", "application/pdf", PDF, "f")
    with pytest.raises(ComplaintError):
        attachments.check_all([one] * (attachments.MAX_FILES + 1))
    attachments.check_all([one] * attachments.MAX_FILES)
