from __future__ import annotations

import strawberry

from xietong.access.powers import Power


@strawberry.type(
    name="Power",
    description="An administrative power (监管权力事项) from the "
    "catalogue, as a department publishes it on its list (R-2).",
)
class PowerType:
    power: strawberry.Private[Power]

    @strawberry.field(description="Catalogue code, e.g. `HOUSING-PENALTY`.")
    def code(self) -> str:
        return self.power.code

    @strawberry.field(
        description="Name of the power, e.g. 住房和城乡建设领域招标投标违法行为的"
        "立案、移送与行政处罚."
    )
    def name(self) -> str:
        return self.power.name

    @strawberry.field(description="Legal basis (法律依据).")
    def basis(self) -> str:
        return self.power.basis

    @strawberry.field(description="What it allows, as `object:action` (e.g. `case:penalise`).")
    def allows(self) -> list[str]:
        return list(self.power.permissions)
