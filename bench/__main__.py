"""``python -m bench [NAME] [options]``: run one benchmark, or all with no name.

- ``access``: what authentication + scope + enforcement add to one request, and what the signed
  scope adds to that (``--rounds N``).
- ``serve``: requests per second of ``xietong serve`` with one process versus two.
- ``audit``: what recording an audit event adds to a mutation's transaction (ratio, median).
- ``deadlines``: microseconds per deadline, against the calendar package's own loop.
- ``tenants``: time and peak memory reading a tenant file of 62,500 bad entries.
- ``limits``: the fragment bomb refused, ``/health/live`` meanwhile, the document cache's effect.
- ``ingest``: 100,000 bids through the batch mutation over HTTP against ``COPY`` of the same rows
  (rows/s, the ratio, the server's peak memory).
- ``path``: the request path (jurisdiction lookup, ``{ __typename }``, an officer-pool page, a
  person, an API-key request) against its floors (the same SQL, ``/health/live``) and PostGraphile.
- ``obligations``: ``myWork`` for a department owing 5,000 of 1,000,000 open obligations (p95,
  ratio to the same SQL), and the sweep over them (``--total``, ``--owed``, ``--rounds``).
- ``rollups``: province, city and county rollups at 100k and 1M projects against a trivial
  request and the naive ``GROUP BY``; complaint intake with and without the counters; exactness
  (``--sizes``, ``--rounds``, ``--seconds``, ``--writers``).
"""

from __future__ import annotations

import sys

from bench import (
    access_overhead,
    audit_record,
    deadlines,
    edge_limits,
    ingestion,
    obligations,
    path,
    rollups,
    serve_rps,
    tenant_files,
)


def _access(argv: list[str]) -> int:
    access_overhead.main(argv)
    return 0


def _audit(argv: list[str]) -> int:
    audit_record.main()
    return 0


def _deadlines(argv: list[str]) -> int:
    deadlines.main()
    return 0


BENCHMARKS = {
    "access": _access,
    "serve": serve_rps.main,
    "audit": _audit,
    "deadlines": _deadlines,
    "tenants": tenant_files.main,
    "limits": edge_limits.main,
    "ingest": ingestion.main,
    "obligations": obligations.main,
    "path": path.main,
    "rollups": rollups.main,
}


def main(argv: list[str]) -> int:
    if not argv:
        return max(run([]) for run in BENCHMARKS.values())
    name, rest = argv[0], argv[1:]
    if name not in BENCHMARKS:
        print(f"unknown benchmark {name!r}; choose from {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    return BENCHMARKS[name](rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
