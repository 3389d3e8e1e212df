"""Evaluation objects access decisions and grants can name (``explainAccess``)."""

from __future__ import annotations

from xietong.access.actions import ObjectType
from xietong.access.objects import ObjectSpec, register
from xietong.evaluation.models import EvaluationInvestigation, EvaluationSession


def register_objects() -> None:
    # Grants on them are made by the evaluation's own moves (start, copy), not by hand.
    register(
        ObjectSpec(
            "EvaluationSession",
            ObjectType.EVALUATION,
            EvaluationSession.id,
            EvaluationSession.jurisdiction_code,
            grantable=False,
        )
    )
    register(
        ObjectSpec(
            "EvaluationInvestigation",
            ObjectType.EVALUATION_INVESTIGATION,
            EvaluationInvestigation.id,
            EvaluationInvestigation.jurisdiction_code,
            grantable=False,
        )
    )
