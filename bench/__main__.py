"""``python -m bench [NAME …]``: run benchmarks (default: all)."""

from __future__ import annotations

import sys

from bench import access_overhead

BENCHMARKS = {"access": access_overhead.main}


def main(argv: list[str]) -> None:
    names = argv or list(BENCHMARKS)
    for name in names:
        if name not in BENCHMARKS:
            raise SystemExit(f"unknown benchmark {name!r}; choose from {', '.join(BENCHMARKS)}")
        BENCHMARKS[name]()


main(sys.argv[1:])
