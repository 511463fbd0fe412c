"""Print the router's top-1 / top-2 accuracy and a confusion summary on labelled request sets.

    .venv/bin/python scripts/routing_accuracy.py [--errors] [FILE.tsv ...]

Without files it measures the project's own evaluation set (tests/services/data/routing_eval.tsv)
and the district's examples (../shared/data/routing_examples.tsv) when that folder is present.
Each file is ``category<TAB>text`` per line; a first line ``category<TAB>text`` is a header.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(_ROOT))

from xuhui_desk.services.routing import Router  # noqa: E402
from xuhui_desk.services.taxonomy import CategoryCode  # noqa: E402

DEFAULT_SETS = (
    _ROOT / "tests" / "services" / "data" / "routing_eval.tsv",
    _ROOT.parent / "shared" / "data" / "routing_examples.tsv",
)


def read_batches(path: Path) -> dict[str, list[tuple[CategoryCode, str]]]:
    """Rows of a ``category<TAB>text`` file grouped by ``# batch NAME: ...`` comment lines."""
    batches: dict[str, list[tuple[CategoryCode, str]]] = {}
    batch = ""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("# batch "):
            batch = line[len("# batch ") :].split(":", 1)[0].strip()
            continue
        if not line.strip() or line.startswith("#"):
            continue
        category, _, text = line.partition("\t")
        if number == 1 and category == "category":
            continue
        if "\\u" in text:  # Traditional lines are stored escaped (see the file's header)
            text = text.encode("ascii").decode("unicode_escape")
        batches.setdefault(batch, []).append((CategoryCode(category.strip()), text.strip()))
    return batches


def read_labelled(path: Path) -> list[tuple[CategoryCode, str]]:
    """(category, text) pairs of a ``category<TAB>text`` file, header, comments and blank lines skipped."""
    return [row for rows in read_batches(path).values() for row in rows]


@dataclass
class Report:
    name: str
    total: int = 0
    top1: int = 0
    top2: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: list[tuple[str, str, str, float]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.total if self.total else 0.0

    @property
    def top2_rate(self) -> float:
        return self.top2 / self.total if self.total else 0.0


def evaluate(router: Router, rows: list[tuple[CategoryCode, str]], name: str = "") -> Report:
    report = Report(name)
    started = time.perf_counter()
    for expected, text in rows:
        result = router.suggest(text)
        ranked = [item.category for item in result.ranked]
        report.total += 1
        report.top1 += ranked[0] == expected
        report.top2 += expected in ranked[:2]
        if ranked[0] != expected:
            report.confusion[(expected.value, ranked[0].value)] += 1
            report.errors.append((expected.value, ranked[0].value, text, result.confidence))
    report.seconds = time.perf_counter() - started
    return report


def print_report(report: Report, show_errors: bool) -> None:
    print(f"{report.name}: {report.total} requests")
    print(f"  top-1 {report.top1_rate:6.1%} ({report.top1}/{report.total})")
    print(f"  top-2 {report.top2_rate:6.1%} ({report.top2}/{report.total})")
    if report.total:
        print(f"  {report.seconds / report.total * 1000:.2f} ms per request")
    if report.confusion:
        print("  confusions (expected → suggested):")
        for (expected, got), count in report.confusion.most_common():
            print(f"    {expected:>8} → {got:<8} {count}")
    if show_errors:
        for expected, got, text, confidence in report.errors:
            print(f"    [{expected}→{got} {confidence:.2f}] {text}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--errors", action="store_true", help="list every misrouted request")
    args = parser.parse_args(argv)
    files = args.files or [p for p in DEFAULT_SETS if p.exists()]
    router = Router()
    for path in files:
        print_report(evaluate(router, read_labelled(path), path.name), args.errors)
        batches = read_batches(path)
        if len(batches) > 1:
            for name, rows in batches.items():
                r = evaluate(router, rows)
                print(f"    batch {name}: {r.total:4d}  top-1 {r.top1_rate:6.1%}  top-2 {r.top2_rate:6.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
