"""A clone of this repository is the whole project: no file may point outside it.

The domain brief, the rules and the design live in docs/ in the project's own words; a reference
to a document kept somewhere else (a sibling directory, a path on one machine, a file that is not
in the repository) would leave a newcomer with a dead end. Markdown links must resolve too.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.conftest import ROOT

# Spelled in pieces so this file does not match itself.
OUTSIDE = [
    re.compile(re.escape("..") + r"/+" + "shared"),
    re.compile(r"(?<![\w.-])" + re.escape("/work") + r"/"),
    re.compile(r"\b(?:" + "|".join(["DOMAIN", "DESIGN", "STYLE", "DEVELOPERS"]) + r")\.md\b"),
]
MARKDOWN_LINK = re.compile(r"\[[^\]\n]*\]\(([^)\s]+)\)")
SKIP_DIRS = {
    ".git",
    ".venv",
    "node_modules",
    ".xietong",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    ".benchmarks",
    "__pycache__",
    "dist",
    "build",
}
MAX_BYTES = 1_000_000  # vendored bundles (GraphiQL) are not ours to write


def repository_files() -> list[Path]:
    """The files a clone has: git's list when there is one, else a walk without caches."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        ).stdout.decode()
        paths = [ROOT / p for p in listed.split("\0") if p]
    except (OSError, subprocess.CalledProcessError):
        paths = [
            p for p in ROOT.rglob("*") if not SKIP_DIRS.intersection(p.relative_to(ROOT).parts)
        ]
    return [p for p in paths if p.is_file() and p.stat().st_size <= MAX_BYTES]


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None  # binary


def test_no_file_points_outside_the_repository() -> None:
    found = []
    files = repository_files()
    assert len(files) > 100
    for path in files:
        text = _text(path)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if any(pattern.search(line) for pattern in OUTSIDE):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    assert found == []


def test_markdown_links_resolve_inside_the_repository() -> None:
    broken = []
    for path in repository_files():
        if path.suffix != ".md":
            continue
        for target in MARKDOWN_LINK.findall(path.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue  # a web address or an anchor on the same page
            resolved = (path.parent / target.split("#", 1)[0]).resolve()
            if not resolved.exists() or not resolved.is_relative_to(ROOT):
                broken.append(f"{path.relative_to(ROOT)}: {target}")
    assert broken == []


def test_the_documents_a_newcomer_is_sent_to_exist() -> None:
    for name in ("domain.md", "rules.md", "architecture.md", "decisions.md", "access.md"):
        assert (ROOT / "docs" / name).is_file(), name
    rules = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for n in range(1, 19):
        assert f"### R-{n} " in rules, f"R-{n} is missing from docs/rules.md"
