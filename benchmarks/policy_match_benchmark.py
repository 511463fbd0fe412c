"""Policies matched at the station (issue 15 §3): one company against 200 policies, and the whole
directory of 5,000 companies re-matched.

    .venv/bin/python benchmarks/policy_match_benchmark.py [--companies N] [--policies N] [--runs N]

A fresh station database (migrated as the program does) gets ``--companies`` enterprises with
generated profiles — every fact unknown about a quarter of the time, the rest spread over
realistic values — and a catalogue of ``--policies`` policies made from the shipped sample
catalogue's conditions (ids renumbered, thresholds varied), stored as the hub's feed stores it
(``services.policies.replace_catalogue``). Then, after a warm-up:

* ``matches_for_company(db, id, today=…)`` — what the intake form and the company file call:
  the profile read, the catalogue read (parsed policies cached by their stored text) and
  ``policies.match_policies`` with every reason in words; median and p95 over ``--runs``
  companies; the core's ``match_policies`` alone is shown beside it;
* ``rematch_directory(db, today=…)`` — every company against every current policy (the
  background re-match after a catalogue arrives); median of ``--runs // 10`` runs;
* ``new_policies`` (Today's counts for new policies) and ``companies_for_policy`` (one policy's
  list with the facts to ask), median of a few runs.

Targets (issue 15): ≤ 5 ms for one company × 200 policies (the median; the p95 is printed beside
it with the core's own, to tell the machine's noise from the service's), ≤ 2 s for 5,000 companies
(the median re-match).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.results import add_result_argument, machine_line, percentile, verdict, write_result  # noqa: E402

ONE_TARGET_MS = 5.0
DIRECTORY_TARGET_S = 2.0
TODAY = date(2027, 3, 10)
QUALIFICATIONS = ("高新技术企业", "专精特新", "专精特新小巨人", "科技型中小企业", "外资企业", "上市企业", "软件企业")
INDUSTRIES = ("I6513", "I6520", "I6311", "I6410", "M7320", "M7520", "C3911", "C2710", "F5191", "L7212", "J6620",
              "R8610")


def generated_catalogue(count: int, rng: random.Random) -> dict[str, Any]:
    """``count`` policies built from the sample catalogue's own, thresholds varied."""
    from xuhui_desk.resources import resource_path

    sample = json.loads(Path(str(resource_path("policies", "sample_catalogue.json"))).read_text(encoding="utf-8"))
    out = []
    for n in range(count):
        base = dict(sample["policies"][n % len(sample["policies"])])
        conditions = dict(base.get("conditions") or {})
        for key in ("min_employees", "max_employees", "min_revenue_wan", "max_revenue_wan"):
            if key in conditions:
                conditions[key] = type(conditions[key])(conditions[key] * rng.choice((0.5, 1, 2)))
        base.update(id=f"BM-{n:04d}", conditions=conditions, valid_from="2026-01-01", valid_to="2028-12-31")
        out.append(base)
    return {"policies": out}


def random_profile(rng: random.Random) -> dict[str, Any]:
    def maybe(value: Any) -> Any:
        return None if rng.random() < 0.25 else value

    return {
        "industry_code": maybe(rng.choice(INDUSTRIES)),
        "established": maybe(date(rng.randint(1995, 2026), rng.randint(1, 12), rng.randint(1, 28))),
        "registered_in_xuhui": maybe(rng.random() < 0.7),
        "size": maybe(rng.choice(("micro", "small", "small", "medium", "large"))),
        "qualifications": maybe(json.dumps(sorted(rng.sample(QUALIFICATIONS, rng.choice((0, 0, 1, 1, 2, 3)))),
                                           ensure_ascii=False)),
        "employees": maybe(int(rng.lognormvariate(3.5, 1.2))),
        "revenue_wan": maybe(round(rng.lognormvariate(6.5, 1.5), 2)),
    }


def build(folder: Path, companies: int, policies: int, seed: int = 15) -> Any:
    from sqlalchemy import insert

    from xuhui_desk.db import open_database
    from xuhui_desk.models import Enterprise
    from xuhui_desk.policies import parse_catalogue
    from xuhui_desk.services.policies import replace_catalogue
    from xuhui_desk.services.station import init_station

    rng = random.Random(seed)
    db = open_database(folder / "xuhui_desk.db")
    init_station(db, "XH03", "徐家汇服务站", specialist="李敏")
    now = datetime(2027, 3, 1, tzinfo=UTC)
    rows = [{"name": f"上海基准{n:05d}科技有限公司", "name_key": f"上海基准{n:05d}科技有限公司",
             "name_sort": f"{n:05d}",
             "contact_name": "王先生", "phone": "13812345678", "park": "", "building": "", "first_seen_at": now,
             "updated_at": now, "revision": 1, "sync_state": "synced", **random_profile(rng)}
            for n in range(companies)]
    with db.write() as s:
        s.execute(insert(Enterprise), rows)
    replace_catalogue(db, 1, parse_catalogue(generated_catalogue(policies, rng)), now=datetime.now(UTC))
    return db


def timed(fn: Callable[[], Any], runs: int) -> list[float]:
    fn()  # warm-up (parse cache, page cache)
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--companies", type=int, default=5000)
    parser.add_argument("--policies", type=int, default=200)
    parser.add_argument("--runs", type=int, default=200, help="companies matched one by one (re-match: runs // 10)")
    add_result_argument(parser)
    args = parser.parse_args(argv)

    from sqlalchemy import select

    from xuhui_desk.models import Enterprise
    from xuhui_desk.policies import match_policies
    from xuhui_desk.services import policies as svc

    with tempfile.TemporaryDirectory(prefix="policy-bench-") as tmp:
        started = time.perf_counter()
        db = build(Path(tmp), args.companies, args.policies)
        built = time.perf_counter() - started
        try:
            with db.session() as s:
                ids = list(s.scalars(select(Enterprise.id)))
            current = svc.current_policies(db, today=TODAY)
            rng = random.Random(7)
            picks = [rng.choice(ids) for _ in range(args.runs)]
            it = iter(picks * 2)
            one = timed(lambda: svc.matches_for_company(db, next(it), today=TODAY), args.runs - 1)
            profiles = [svc.company_profile(db, i) for i in picks]
            pit = iter(profiles * 2)
            core = timed(lambda: match_policies(next(pit), current, today=TODAY), args.runs - 1)
            with_text = timed(lambda: svc.matches_for_company(db, picks[0], today=TODAY,
                                                              text="想申请银行贷款，资金周转紧张，另咨询研发补贴"),
                              20)
            rematch_runs = max(3, args.runs // 10)
            summary = svc.rematch_directory(db, today=TODAY)
            rematch = timed(lambda: svc.rematch_directory(db, today=TODAY), rematch_runs)
            news = timed(lambda: svc.new_policies(db, today=date.today()), 5)
            listed = timed(lambda: svc.companies_for_policy(db, current[0].id, today=TODAY), 5)
        finally:
            db.close()

    one_ms = [t * 1000 for t in one]
    one_med, one_p95 = statistics.median(one_ms), percentile(one_ms, 95)
    rematch_med = statistics.median(rematch)
    # The "≤ 5 ms" is a typical time: judged on the median; the p95 (scheduling noise on a
    # shared machine reaches it first, as the core's own p95 beside it shows) is printed too.
    one_met, dir_met = one_med <= ONE_TARGET_MS, rematch_med <= DIRECTORY_TARGET_S
    core_ms = [t * 1000 for t in core]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        f"policy matching on {args.companies:,} companies × {len(current)} current policies "
        f"(built in {built:.1f} s); {machine_line()}; load average {load:.1f} at the end",
        f"one company (matches_for_company, reasons in words): median {one_med:.2f} ms, p95 {one_p95:.2f} ms "
        f"(target: median ≤ {ONE_TARGET_MS:g} ms: {verdict(one_met)}); the core's match_policies alone: median "
        f"{statistics.median(core_ms):.2f} ms, p95 {percentile(core_ms, 95):.2f} ms; with a request's text: "
        f"median {statistics.median(with_text) * 1000:.2f} ms",
        f"whole directory (rematch_directory): median {rematch_med:.2f} s of {rematch_runs} "
        f"(min {min(rematch):.2f}, max {max(rematch):.2f}; target ≤ {DIRECTORY_TARGET_S:g} s: {verdict(dir_met)}); "
        f"{summary.eligible:,} eligible and {summary.possible:,} possible company-policy pairs",
        f"Today's new policies with their counts ({len(current)} new): median {statistics.median(news):.2f} s; "
        f"one policy's company list: median {statistics.median(listed) * 1000:.1f} ms",
    ]
    print("\n".join(lines))
    write_result(args.result_json, name="policies", figure="policy match: one company × 200 (median); directory × 200",
                 value=round(one_med, 2), unit="ms", target=f"≤ {ONE_TARGET_MS:g} ms and ≤ {DIRECTORY_TARGET_S:g} s",
                 met=one_met and dir_met, lines=lines,
                 details={"one_median_ms": round(one_med, 3), "one_p95_ms": round(one_p95, 3),
                          "rematch_median_s": round(rematch_med, 3), "companies": args.companies,
                          "policies": len(current)})
    return 0 if one_met and dir_met else 1


if __name__ == "__main__":
    sys.exit(main())
