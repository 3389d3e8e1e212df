"""The jurisdiction tree, held in each process: public reference data read on most requests.

A few thousand rows nationwide (docs/scaling.md §2), readable by anyone (the table has no row
policy), and changed only by the owner through tenant loads, whose triggers move
``policy_version`` and notify every process (``access.watcher``). So the tree is loaded together
with the access policy (``access.policy.load_authorizer``), for the same version, and replaced
with it: an anonymous ``jurisdiction(code:)`` with its ancestors reads no database at all.

A code the tree does not hold (a unit added since the last reload, or no unit at all) is looked
up in the database as before, so a new unit is never reported missing; a rename or a retirement
shows once the reload has run, a fraction of a second after the owner's commit, like every
other policy change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import inspect

from xietong.jurisdictions.models import Jurisdiction

_DEPTH = 8
_COLUMNS = tuple(c.key for c in inspect(Jurisdiction).column_attrs)


def _detached_copy(row: Jurisdiction) -> Jurisdiction:
    """A transient copy: shared by every request of the process, it must never belong to (or
    be refreshed, expired or flushed by) any session."""
    return Jurisdiction(**{key: getattr(row, key) for key in _COLUMNS})


@dataclass(frozen=True, slots=True)
class JurisdictionTree:
    by_code: Mapping[int, Jurisdiction]
    children: Mapping[int, tuple[Jurisdiction, ...]]
    """Units directly below, not retired, by code (``service.children_of``)."""

    @classmethod
    def of(cls, rows: Iterable[Jurisdiction]) -> JurisdictionTree:
        by_code = {row.code: _detached_copy(row) for row in rows}
        children: dict[int, list[Jurisdiction]] = {}
        for unit in sorted(by_code.values(), key=lambda j: j.code):
            if unit.parent_code is not None and unit.retired_on is None:
                children.setdefault(unit.parent_code, []).append(unit)
        return cls(by_code=by_code, children={k: tuple(v) for k, v in children.items()})

    def get(self, code: int) -> Jurisdiction | None:
        return self.by_code.get(code)

    def children_of(self, code: int) -> list[Jurisdiction] | None:
        """The children of a known unit; None for a code the tree does not hold (ask the
        database)."""
        if code not in self.by_code:
            return None
        return list(self.children.get(code, ()))

    def ancestors(self, unit: Jurisdiction) -> list[Jurisdiction] | None:
        """Every unit above, the province first; None if a parent is missing from the tree."""
        chain: list[Jurisdiction] = []
        parent = unit.parent_code
        while parent is not None:
            row = self.by_code.get(parent)
            if row is None:
                return None
            chain.append(row)
            parent = row.parent_code
            if len(chain) > _DEPTH:  # a cycle in bad data: let the database path decide
                return None
        return chain[::-1]
