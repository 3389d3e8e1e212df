"""The power catalogue (``policies/powers.yaml``, R-2).

A power is a published administrative power: a code, a name, its legal basis, the kinds (and
industries) of department that may list it, and the ``object:action`` pairs it allows. Any action
named by some power is *power-gated*: a department may exercise it only if its own published list
names a power that allows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from xietong.access.actions import Action, ObjectType, permission
from xietong.jurisdictions.enums import DepartmentKind, Industry
from xietong.paths import policies_dir


class CatalogueError(ValueError):
    """The power catalogue file is malformed."""


@dataclass(frozen=True, slots=True)
class Power:
    code: str
    name: str
    basis: str
    kinds: frozenset[DepartmentKind]
    industries: frozenset[Industry]  # empty: any industry of the allowed kinds
    allows: tuple[tuple[ObjectType, Action], ...]

    def applies_to(self, kind: DepartmentKind, industry: Industry | None) -> bool:
        if kind not in self.kinds:
            return False
        return not self.industries or industry in self.industries

    @property
    def permissions(self) -> tuple[str, ...]:
        return tuple(permission(o, a) for o, a in self.allows)


@dataclass(frozen=True, slots=True)
class Catalogue:
    powers: dict[str, Power]

    def get(self, code: str) -> Power | None:
        return self.powers.get(code)

    def is_power(self, obj: ObjectType, act: Action) -> bool:
        return any((obj, act) in p.allows for p in self.powers.values())

    def allowing(self, obj: ObjectType, act: Action) -> list[Power]:
        return [p for p in self.powers.values() if (obj, act) in p.allows]

    def applicable(self, kind: DepartmentKind, industry: Industry | None) -> list[Power]:
        return [p for p in self.powers.values() if p.applies_to(kind, industry)]


def _parse_permission(text: str, code: str) -> tuple[ObjectType, Action]:
    try:
        obj, act = text.split(":")
        return ObjectType(obj), Action(act)
    except ValueError:
        raise CatalogueError(f"power {code}: unknown permission {text!r}") from None


def parse(raw: object) -> Catalogue:
    if not isinstance(raw, dict) or not isinstance(raw.get("powers"), list):
        raise CatalogueError("expected a top-level `powers:` list")
    powers: dict[str, Power] = {}
    for entry in raw["powers"]:
        code = str(entry.get("code", ""))
        if not code or code in powers:
            raise CatalogueError(f"power code {code!r} is empty or repeated")
        try:
            power = Power(
                code=code,
                name=str(entry["name"]),
                basis=str(entry["basis"]),
                kinds=frozenset(DepartmentKind(k) for k in entry["kinds"]),
                industries=frozenset(Industry(i) for i in entry.get("industries", [])),
                allows=tuple(_parse_permission(p, code) for p in entry["allows"]),
            )
        except (KeyError, ValueError) as exc:
            raise CatalogueError(f"power {code}: {exc}") from None
        powers[code] = power
    return Catalogue(powers)


def load(path: Path) -> Catalogue:
    return parse(yaml.safe_load(path.read_text(encoding="utf-8")))


@cache
def catalogue() -> Catalogue:
    """The catalogue shipped in ``policies/`` (read once per process)."""
    return load(policies_dir() / "powers.yaml")
