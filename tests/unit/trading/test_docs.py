"""docs/trading.md prints the rules' tables; these tests keep the prints equal to the code."""

from __future__ import annotations

from pathlib import Path

from xietong.trading.credit_code import AUTHORITIES
from xietong.trading.enums import ProjectAction, ProjectState
from xietong.trading.lifecycle import TRANSITIONS

DOC = Path(__file__).resolve().parents[3] / "docs" / "trading.md"


def _rows(heading: str, first_cell: str) -> list[list[str]]:
    """The cells of the table that follows ``heading`` and whose header starts ``first_cell``."""
    text = DOC.read_text(encoding="utf-8").split(heading, 1)[1]
    lines = text.split(f"| {first_cell} |", 1)[1].splitlines()[2:]
    rows = []
    for line in lines:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def test_the_lifecycle_table_in_the_docs_is_the_code_s() -> None:
    documented = set()
    for sources, action, target, *_ in _rows("## Project lifecycle", "from"):
        act = ProjectAction(action.split()[0])
        back = target.startswith("**the state it was suspended from")
        for source in sources.split(", "):
            documented.add((ProjectState(source), act, None if back else ProjectState(target)))
    assert documented == {(t.source, t.action, t.target) for t in TRANSITIONS}


def test_the_authority_table_in_the_docs_is_the_code_s() -> None:
    documented = {}
    for code, name, types in _rows("Authorities and types", "1"):
        documented[code] = (name, types)
    assert set(documented) == set(AUTHORITIES)
    for code, authority in AUTHORITIES.items():
        name, types = documented[code]
        assert name == authority.name
        for kind, label in authority.types.items():
            assert f"{kind} {label}" in types or (label == "其他" and kind in types)
