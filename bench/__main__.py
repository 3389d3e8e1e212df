"""``python -m bench [serve] [options]``: run a benchmark (default: serve)."""

from __future__ import annotations

import sys

from bench import serve_rps

BENCHMARKS = {"serve": serve_rps.main}


def main(argv: list[str]) -> int:
    name = argv[0] if argv and not argv[0].startswith("-") else "serve"
    rest = argv[1:] if argv and argv[0] == name else argv
    if name not in BENCHMARKS:
        print(f"unknown benchmark {name!r}; choose from {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    return BENCHMARKS[name](rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
