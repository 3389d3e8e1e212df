"""Requests whose answers belong to the HTTP error boundary (branch ``edge``), not to the input
rules: variable coercion of built-in types, malformed JSON bodies, validation messages that echo
a huge literal, and integer literals Python cannot read.

Until that branch lands, the sweeps do not send them (each answer is a slow, logged
``INTERNAL_ERROR`` today) and ``test_edge_boundary_pending`` pins one case of each kind as a strict
expected failure. When the branch lands those cases pass, the strict xfail fails, and setting
``EDGE_PENDING = False`` makes the sweeps send everything again.
"""

from __future__ import annotations

import json

from graphql import GraphQLError, OperationDefinitionNode, get_variable_values, parse, validate

from tests.integration.fuzz.operations import MISSING, SCHEMA, Raw, Request, jsonable

EDGE_PENDING = False
MAX_MESSAGE = 2_000
# Scalars whose coercion is the input rules' (xietong.api.scalars): always sent.
OURS = {"JurisdictionCode", "ShortText", "LongText", "Login", "DateTime", "Date"}


def pending(request: Request) -> str | None:
    """Why this request's answer is the edge branch's business, or None."""
    if not EDGE_PENDING:
        return None
    value = request.value
    if isinstance(value, Raw):
        return "a number JSON or Python cannot read"
    huge = value is not MISSING and len(json.dumps(jsonable(value))) > MAX_MESSAGE
    text_for_text = isinstance(value, str) and request.target.named in {"String", "ID"}
    if huge and request.target.named not in OURS and not text_for_text:
        # graphql-core refuses it, echoing it whole (and, for an object of thousands of unknown
        # fields, after seconds of suggestions): not worth checking locally either.
        return "a huge value a built-in type refuses"
    try:
        document = parse(request.document)
    except GraphQLError:
        return None  # a syntax error: coded and short already
    errors = validate(SCHEMA, document)
    if errors:
        if any(len(e.message) > MAX_MESSAGE for e in errors):
            return "a validation message that echoes the input"
        return None
    if request.form == "variables":
        (operation,) = document.definitions
        assert isinstance(operation, OperationDefinitionNode)
        inputs = {} if request.value is MISSING else {"v": request.value}
        coerced = get_variable_values(SCHEMA, operation.variable_definitions or (), inputs)
        if isinstance(coerced, list):
            return "variable coercion of a built-in type"
    return None
