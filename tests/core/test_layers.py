"""The core, the services and the hub never import Qt; nothing imports the hub but its own code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "xuhui_desk"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_and_services_import_no_qt() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "ui" or (rel.parts[0] == "cli"):
            continue
        for name in _imports(path):
            if name.split(".")[0] in ("PySide6", "shiboken6") or name.startswith("xuhui_desk.ui"):
                offenders.append(f"{rel}: {name}")
    assert offenders == []


def test_cli_imports_qt_only_inside_functions() -> None:
    for path in (PACKAGE / "cli").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                module = getattr(node, "module", None) or node.names[0].name
                assert not module.startswith(("PySide6", "xuhui_desk.ui")), f"{path.name} imports {module} at top"


def test_nothing_outside_the_hub_imports_it() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "hub":
            continue
        offenders += [f"{rel}: {n}" for n in _imports(path) if n.startswith("xuhui_desk.hub")]
    assert offenders == []


def test_hub_never_imports_the_ui() -> None:
    offenders = []
    for path in (PACKAGE / "hub").rglob("*.py"):
        offenders += [f"{path.name}: {n}" for n in _imports(path) if n.startswith(("xuhui_desk.ui", "PySide6"))]
    assert offenders == []


def _imported_names(path: Path) -> set[str]:
    """Every module and every ``from m import x`` as ``m.x`` (so ``from xuhui_desk import models``
    counts as importing ``xuhui_desk.models``)."""
    names = _imports(path)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_the_gui_reads_and_writes_only_through_services() -> None:
    """No SQL or ORM in ``ui/``: not SQLAlchemy, not the models, not plain ``sqlite3`` — not even
    for type hints. The GUI calls named use cases in ``services/`` (or, before the database is
    open, ``xuhui_desk.startup``) that return plain data (issue 13)."""
    offenders = []
    for path in (PACKAGE / "ui").rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        offenders += [f"{rel}: {n}" for n in sorted(_imported_names(path))
                      if n.split(".")[0] in ("sqlalchemy", "sqlite3") or n == "xuhui_desk.models"
                      or n.startswith("xuhui_desk.models.")]
    assert offenders == []


def test_the_gui_writes_no_sql_text() -> None:
    """Nor SQL as text handed to something else: no ``SELECT … FROM``, ``INSERT INTO``,
    ``UPDATE … SET`` or ``DELETE FROM`` in ``ui/`` code (docstrings and comments aside)."""
    statement = re.compile(r"\b(SELECT\b[^\n]*\bFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|PRAGMA)\b")
    offenders = []
    for path in (PACKAGE / "ui").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(owner.body[0].value) for owner in ast.walk(tree)
                      if isinstance(owner, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                      and owner.body and isinstance(owner.body[0], ast.Expr)}
        offenders += [f"{path.relative_to(PACKAGE)}:{node.lineno}" for node in ast.walk(tree)
                      if isinstance(node, ast.Constant) and isinstance(node.value, str)
                      and id(node) not in docstrings and statement.search(node.value)]
    assert offenders == []


def test_the_gui_opens_no_session_of_its_own() -> None:
    """Holding the database handle to pass it to services is fine; opening a session or a write
    transaction on it in ``ui/`` is composing data access there (the services do that)."""
    pattern = re.compile(r"\bdb\.(session|write)\(")
    offenders = [f"{path.relative_to(PACKAGE)}:{n}" for path in (PACKAGE / "ui").rglob("*.py")
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert offenders == []
