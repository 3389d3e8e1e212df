"""Reading a very broken tenant file: time and peak memory, against plain YAML loading.

The file has one province and N people (default 62,500) whose department does not exist, so every
entry is a problem. Each reader runs in its own process so peak memory (max RSS) is its own:

- *safe_load*: ``yaml.safe_load`` (pure Python), what the loader used before;
- *libyaml*: ``yaml.load(…, CSafeLoader)``, the fastest way to merely load the YAML;
- *tenants*: ``xietong.tenants.loader.read_all``: strict reading from parser events, every entry
  checked, the first 50 problems kept and the rest counted.

Reported: seconds and MB for each, and ratios of *tenants* to the two baselines. The process's
baseline memory (Python and the imports) is included in every figure.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
kind, path = sys.argv[1], Path(sys.argv[2])
import yaml
from xietong.tenants.declaration import TenantFileError
from xietong.tenants.loader import read_all
started = time.perf_counter()
problems = None
if kind == "safe_load":
    yaml.safe_load(path.read_text(encoding="utf-8"))
elif kind == "libyaml":
    yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
else:
    try:
        read_all([path])
    except TenantFileError as exc:
        problems = [len(exc.problems), exc.total]
seconds = time.perf_counter() - started
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "problems": problems}))
"""


def broken_file(directory: Path, entries: int) -> Path:
    path = directory / "broken.yaml"
    with path.open("w", encoding="utf-8") as out:
        out.write(
            'jurisdictions:\n  - code: "420000"\n    name: 湖北省\n    level: province\npeople:\n'
        )
        for i in range(entries):
            out.write(f"  - login: p{i}\n    name: 人{i}\n    department: nowhere\n")
    return path


def measure(kind: str, path: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, kind, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench tenants")
    parser.add_argument("--entries", type=int, default=62_500)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = broken_file(Path(tmp), args.entries)
        size = path.stat().st_size / 1e6
        results = {kind: measure(kind, path) for kind in ("safe_load", "libyaml", "tenants")}
    print(f"tenant file with {args.entries:,} bad entries ({size:.1f} MB)")
    for kind, r in results.items():
        extra = f"  problems kept/total {r['problems']}" if r.get("problems") else ""
        print(f"  {kind:<10} {r['seconds']:6.2f} s  {r['peak_mb']:6.0f} MB{extra}")
    ours = results["tenants"]
    for base in ("safe_load", "libyaml"):
        b = results[base]
        print(
            f"  tenants / {base}: time {ours['seconds'] / b['seconds']:.2f}, "
            f"peak memory {ours['peak_mb'] / b['peak_mb']:.2f}"
        )
    return 0
