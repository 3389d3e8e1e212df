"""The composition root of the API: which bounded contexts make up the GraphQL schema.

Each context exposes its own query and mutation classes (``<context>/graphql/``); this module,
beside ``app.py``, is the one place that imports them all. Adding a context means adding its
classes to ``Query`` and ``Mutation`` here and its objects to ``register_objects``.
"""

from __future__ import annotations

import strawberry

from xietong.access.graphql import enums as _enums  # noqa: F401  registers shared enums
from xietong.access.graphql.mutations import AccessMutations
from xietong.access.graphql.queries import AccessQueries
from xietong.access.registry import register_objects
from xietong.api.schema import Schema, build
from xietong.casework.graphql.leads import LeadMutations, LeadQueries
from xietong.casework.graphql.letters import LetterMutations, LetterQueries
from xietong.casework.graphql.transfers import TransferMutations, TransferQueries
from xietong.casework.objects import register_objects as register_casework_objects
from xietong.complaints.graphql.mutations import ComplaintMutations
from xietong.complaints.graphql.queries import ComplaintQueries
from xietong.config import GraphQLSettings
from xietong.deadlines.graphql.queries import DeadlineQueries
from xietong.deadlines.registry import register_objects as register_deadline_objects
from xietong.evaluation.graphql.mutations import EvaluationMutations
from xietong.evaluation.graphql.queries import EvaluationQueries
from xietong.evaluation.objects import register_objects as register_evaluation_objects
from xietong.jurisdictions.graphql.queries import JurisdictionQueries
from xietong.notifications.graphql.mutations import NotificationMutations
from xietong.notifications.graphql.queries import NotificationQueries
from xietong.people.graphql.mutations import PeopleMutations
from xietong.people.graphql.queries import PeopleQueries
from xietong.rollups.graphql.queries import RollupQueries
from xietong.rollups.graphql.reports import ReportMutations, ReportQueries
from xietong.trading.graphql.mutations import TradingMutations
from xietong.trading.graphql.queries import TradingQueries
from xietong.trading.objects import register_objects as register_trading_objects

register_objects()
register_trading_objects()
register_deadline_objects()
register_casework_objects()
register_evaluation_objects()


@strawberry.type(description="Everything that can be read. Lists are scoped to the caller.")
class Query(
    JurisdictionQueries,
    PeopleQueries,
    AccessQueries,
    TradingQueries,
    DeadlineQueries,
    NotificationQueries,
    ComplaintQueries,
    TransferQueries,
    LetterQueries,
    LeadQueries,
    RollupQueries,
    ReportQueries,
    EvaluationQueries,
):
    pass


@strawberry.type(
    description="Everything that changes something. Each mutation is one "
    "transaction and leaves an audit event; refused input comes back in the "
    "payload's `errors`, refused access as a top-level error."
)
class Mutation(
    PeopleMutations,
    AccessMutations,
    TradingMutations,
    NotificationMutations,
    ComplaintMutations,
    TransferMutations,
    LetterMutations,
    LeadMutations,
    ReportMutations,
    EvaluationMutations,
):
    pass


def build_schema(settings: GraphQLSettings | None = None) -> Schema:
    return build(Query, Mutation, settings)


def schema_sdl() -> str:
    return build_schema().as_str() + "\n"
