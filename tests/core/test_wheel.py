"""The migrations and resources travel inside the wheel, not only in a source checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_carries_migrations_and_resources(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path),
         str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("xuhui_desk-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "xuhui_desk/migrations/env.py" in names
    assert any(n.startswith("xuhui_desk/migrations/versions/0001_") for n in names)
    assert "xuhui_desk/resources/messages/validation.toml" in names

    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import xuhui_desk, sys; from pathlib import Path;"
        "from xuhui_desk.db import open_database, head_revision;"
        "from xuhui_desk.resources import migrations_dir;"
        f"assert xuhui_desk.__file__.startswith({str(site)!r}), xuhui_desk.__file__;"
        f"assert str(migrations_dir()).startswith({str(site)!r}), migrations_dir();"
        f"db = open_database(Path({str(tmp_path / 'w.db')!r})); db.close(); print(head_revision())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().isdigit()
