"""Resident ID numbers (GB 11643): validation, masking, keyed hashes, and no leaks.

Every number here is synthetic (built with a valid check character); none belongs to a person.
"""

from __future__ import annotations

import copy
import io
import json
import logging
import pickle
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
import structlog
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric as stdnum_ric

from xietong import logging as xietong_logging
from xietong.keys import Keyring, Purpose
from xietong.trading import personal_id
from xietong.trading.errors import TradingError, TradingErrorCode

TODAY = date(2026, 11, 25)
NUMBER = "42282519850106123X"  # synthetic: 宣恩县, 1985-01-06, sequence 123
MASKED = "4228**********123X"
KEYRING = Keyring.of("a-server-secret-that-is-long-enough-0123456789")


def _failure(raw: object) -> TradingError:
    with pytest.raises(TradingError) as caught:
        personal_id.parse(raw, today=TODAY)
    error = caught.value
    assert error.code == TradingErrorCode.INVALID_PERSONAL_ID
    assert error.field == "idNumber"
    return error


def test_a_valid_number() -> None:
    number = personal_id.parse(NUMBER, today=TODAY)
    assert number.masked == MASKED
    assert number.birth_date == date(1985, 1, 6)
    assert personal_id.parse(" 42282519850106123x ", today=TODAY) == number
    assert stdnum_ric.is_valid(NUMBER)


def test_keyed_hash_is_hmac_sha256_under_the_personal_id_key() -> None:
    import hashlib
    import hmac

    number = personal_id.parse(NUMBER, today=TODAY)
    expected = hmac.new(
        KEYRING.key(Purpose.PERSONAL_ID), NUMBER.encode(), hashlib.sha256
    ).hexdigest()
    protected = number.protect(KEYRING)
    assert protected.digest == expected
    assert protected.masked == MASKED
    assert str(protected) == MASKED
    # Same number, same digest (matching); another key, another digest; never the plain SHA.
    assert personal_id.parse(NUMBER.lower(), today=TODAY).keyed_hash(KEYRING) == expected
    other = Keyring.of("another-server-secret-that-is-long-enough-987")
    assert number.keyed_hash(other) != expected
    assert hashlib.sha256(NUMBER.encode()).hexdigest() != expected
    assert NUMBER not in repr(protected)


def test_repr_str_and_format_show_only_the_masked_form() -> None:
    number = personal_id.parse(NUMBER, today=TODAY)
    shown = [repr(number), str(number), f"{number}", f"{number:>30}", f"{number!s:^40}"]
    shown.append("%s" % number)  # noqa: UP031 (stdlib logging formats this way)
    shown += [repr([number]), repr({"id": number}), str((number,))]
    for text in shown:
        assert NUMBER not in text
        assert MASKED in text
    assert not hasattr(number, "__dict__")


def test_it_cannot_be_pickled_changed_or_built_unchecked() -> None:
    number = personal_id.parse(NUMBER, today=TODAY)
    with pytest.raises(TypeError, match="not serialisable"):
        pickle.dumps(number)
    with pytest.raises(TypeError):
        json.dumps(number)
    with pytest.raises(AttributeError):
        number._number = "000000000000000000"
    with pytest.raises(TypeError, match="parse"):
        personal_id.PersonalIdNumber(NUMBER)
    assert copy.deepcopy(number) is number


@pytest.fixture
def structlog_output() -> Iterator[io.StringIO]:
    """Our own logging configuration (JSON lines), writing to a buffer; restored afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    stream = io.StringIO()
    xietong_logging.configure("INFO", json=True)
    root.handlers[0].setStream(stream)  # type: ignore[attr-defined]
    try:
        yield stream
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        structlog.reset_defaults()


def test_structlog_renders_the_masked_form(structlog_output: io.StringIO) -> None:
    number = personal_id.parse(NUMBER, today=TODAY)
    log = structlog.get_logger("test")
    log.info("expert registered", id_number=number, ids=[number])
    log.bind(person=number).warning("bound")
    try:
        raise ValueError(f"cannot match {number}")
    except ValueError:
        log.exception("failed", id_number=number)
    written = structlog_output.getvalue()
    assert written.count(MASKED) >= 5
    assert NUMBER not in written
    for line in written.splitlines():
        json.loads(line)


def test_console_renderer_shows_the_masked_form() -> None:
    number = personal_id.parse(NUMBER, today=TODAY)
    renderer = structlog.dev.ConsoleRenderer(colors=False)
    line = renderer(None, "info", {"event": "x", "id_number": number, "nested": {"n": number}})
    assert MASKED in line
    assert NUMBER not in line
    json_line = structlog.processors.JSONRenderer()(None, "info", {"id_number": number})
    assert json.loads(json_line) == {"id_number": MASKED}


def test_mask_keeps_the_first_and_last_four() -> None:
    assert personal_id.mask("110101200001011234") == "1101**********1234"
    assert len(personal_id.mask(NUMBER)) == 18


@pytest.mark.parametrize(
    ("raw", "position"),
    [
        ("42282519850106123", 18),  # too short
        ("42282519850106123X1", 19),  # too long
        ("4228251985010612A3", 17),  # letter among the digits
        ("42282519850106123Y", 18),  # check is a digit or X
        ("99282519850106123X", 1),  # no province 99
        ("42282519850230123X", 7),  # 30 February
        ("42282518990106123X", 7),  # before 1900
        ("42282520991231123X", 7),  # after today
        ("422825198501061230", 18),  # wrong check character
        ("4228251985０106123X", 11),  # full-width digit: refused, not converted
        ("42282519850106123\u0425", 18),  # Cyrillic Х for X
    ],
)
def test_invalid_numbers_name_the_position(raw: str, position: int) -> None:
    error = _failure(raw)
    assert error.extensions["position"] == position
    assert "（" in error.message


def test_fifteen_digit_numbers_are_refused_with_a_reason() -> None:
    assert "15位" in _failure("422825850106123").message


@pytest.mark.parametrize(
    "raw",
    [NUMBER[:-1] + "0", NUMBER[:10] + "13" + NUMBER[12:], "4228251985０106123X", NUMBER + "1"],
)
def test_messages_never_repeat_the_number(raw: str) -> None:
    error = _failure(raw)
    for part in (raw, raw[:14], raw[6:14], raw[-4:]):
        assert part not in error.message
    assert "０" not in error.message


def test_every_single_substitution_fails() -> None:
    """The MOD 11-2 weights are all non-zero mod 11, so any one changed digit is caught."""
    numbers = [NUMBER, "110101200001011234"]
    numbers = [n[:17] + personal_id.check_char(n[:17]) for n in numbers]
    for number in numbers:
        for index in range(18):
            for char in "0123456789X":
                if char != number[index]:
                    changed = number[:index] + char + number[index + 1 :]
                    assert personal_id.problem(changed, today=TODAY) is not None


def test_the_check_character_table() -> None:
    assert personal_id.WEIGHTS == (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    with pytest.raises(ValueError, match="17 digits"):
        personal_id.check_char("12")


_birth = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
_address = st.sampled_from(["110101", "422825", "410721", "530102", "810000", "830000"])


@given(_address, _birth, st.integers(min_value=0, max_value=999))
def test_generated_numbers_are_valid_and_agree_with_stdnum(
    address: str, born: date, sequence: int
) -> None:
    first17 = f"{address}{born:%Y%m%d}{sequence:03d}"
    number = first17 + personal_id.check_char(first17)
    parsed = personal_id.parse(number, today=TODAY)
    assert parsed.birth_date == born
    assert stdnum_ric.calc_check_digit(number) == number[17]
    assert NUMBER not in repr(parsed)
    assert number[6:14] not in repr(parsed)


@given(st.text(max_size=25))
def test_any_text_gets_a_number_or_a_problem(text: str) -> None:
    found = personal_id.problem(text, today=TODAY)
    if found is None:
        assert stdnum_ric.is_valid(text.strip().upper())
    else:
        assert found.code is TradingErrorCode.INVALID_PERSONAL_ID


def test_born_today_is_valid_tomorrow_is_not() -> None:
    for born, ok in ((TODAY, True), (TODAY + timedelta(days=1), False)):
        first17 = f"422825{born:%Y%m%d}001"
        found = personal_id.problem(first17 + personal_id.check_char(first17), today=TODAY)
        assert (found is None) is ok
