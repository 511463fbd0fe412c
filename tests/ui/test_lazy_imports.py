"""Opening the queue does not load what only exporting or printing a list needs (Qt's print
support, the list export and the reports package under it, openpyxl): the GUI's resident memory
(benchmarks/memory_benchmark.py) pays for them only when a list is exported or printed.

Run in a fresh interpreter: ``sys.modules`` of the test process holds whatever other tests imported.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from xuhui_desk.config import database_path
from xuhui_desk.db import open_database

ROOT = Path(__file__).resolve().parents[2]

LATER = ("PySide6.QtPrintSupport", "xuhui_desk.services.list_export", "xuhui_desk.services.reports", "openpyxl")

PROBE = """
import sys
from pathlib import Path
from PySide6.QtCore import QEventLoop, QTimer
from xuhui_desk.db import open_database
from xuhui_desk.ui.app import Workstation, create_application, install_translators
from xuhui_desk.ui.main_window import Page

data_dir = Path(sys.argv[1])
app = create_application([sys.argv[0]])
install_translators("en")
db = open_database(data_dir / "xuhui_desk.db")
workstation = Workstation(db, data_dir, "en")
window = workstation.open_main_window()
window.show_page(Page.QUEUE)
model = window.queue_view.model
if model.loading or not model.rowCount():
    loop = QEventLoop()
    model.completed.connect(loop.quit)
    model.failed.connect(loop.quit)
    QTimer.singleShot(20_000, loop.quit)
    loop.exec()
app.processEvents()
print("rows:", model.rowCount())
print("loaded:", ",".join(n for n in sys.argv[2].split(",") if n in sys.modules) or "none", flush=True)
window.close()
workstation.shutdown()
"""


def test_opening_the_queue_leaves_export_and_printing_unloaded(tmp_path: Path, data_dir: Path) -> None:
    from xuhui_desk.services.intake import EnterpriseInput, IntakeInput, create_request
    from xuhui_desk.services.station import init_station

    db = open_database(database_path(data_dir))
    init_station(db, "XH03", "徐家汇服务站", specialist="李敏")
    create_request(db, IntakeInput(enterprise=EnterpriseInput(name="上海云启智能科技有限公司"),
                                   description="想申请一笔银行贷款，需要担保", category="finance"))
    db.close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path / "home"),
           "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
           "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
    done = subprocess.run([sys.executable, "-c", PROBE, str(data_dir), ",".join(LATER)], env=env,
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "rows: 1" in done.stdout, done.stdout
    assert "loaded: none" in done.stdout, done.stdout
