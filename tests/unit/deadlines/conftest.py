"""Shared calendars for the deadline tests. ``plausible_2027`` is a made-up 2027 notice (see the
fixture file's header): it stands in for the real one, which the package does not have yet."""

from __future__ import annotations

from pathlib import Path

import pytest

from xietong.deadlines.calendar import Calendars, OfficialYear
from xietong.deadlines.calendar_file import read_year_file

FIXTURES = Path(__file__).parent / "fixtures"
PLAUSIBLE_2027 = read_year_file(FIXTURES / "2027-plausible.yaml")
NOTICE_2026 = read_year_file(FIXTURES / "2026.yaml")
LIBRARY = Calendars()
WITH_2027 = Calendars(loaded_years=[PLAUSIBLE_2027])


@pytest.fixture
def plausible_2027() -> OfficialYear:
    return PLAUSIBLE_2027


@pytest.fixture
def library() -> Calendars:
    """The package's calendar alone: 2004–2026 covered."""
    return LIBRARY


@pytest.fixture
def with_2027() -> Calendars:
    """The package plus the plausible 2027 loaded by an operator."""
    return WITH_2027
