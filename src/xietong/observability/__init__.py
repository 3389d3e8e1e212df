"""Metrics, the GraphQL metrics extension and the ``/metrics`` endpoint (docs/observability.md)."""
