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


def test_wheel_from_a_clean_checkout_speaks_chinese(tmp_path: Path) -> None:
    """Only the files git tracks (what a clone has) are built into a wheel: its program still shows
    the zh_CN GUI, i.e. the compiled catalog is inside and Qt translates with it."""
    import shutil

    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    checkout = tmp_path / "clone"
    for name in filter(None, tracked.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, checkout / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(tmp_path), str(checkout)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("xuhui_desk-*.whl"))
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    assert (site / "xuhui_desk/resources/translations/xuhui_desk_zh_CN.qm").is_file()
    code = (
        "import os; os.environ['QT_QPA_PLATFORM'] = 'offscreen';"
        "from PySide6.QtCore import QCoreApplication; app = QCoreApplication([]);"
        "import xuhui_desk; from xuhui_desk.ui.i18n import install_translators;"
        f"assert xuhui_desk.__file__.startswith({str(site)!r}), xuhui_desk.__file__;"
        "print(install_translators('zh_CN'), QCoreApplication.translate('MainWindow', 'Intake'))"
    )
    venv_site = next(Path(sys.prefix).glob("lib/python3*/site-packages"))
    out = subprocess.run([sys.executable, "-S", "-c", f"import sys; sys.path[:0] = [{str(site)!r}, "
                          f"{str(venv_site)!r}]; exec({code!r})"], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["zh_CN", "受理登记"]
