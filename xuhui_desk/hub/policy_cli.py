"""``xuhui-hub policy publish FILE`` / ``list`` / ``withdraw ID``: the district's policy catalogue
from the command line (docs/policies.md)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def cmd_policy(args: argparse.Namespace) -> int:
    from xuhui_desk.hub import policy_catalogue as catalogue
    from xuhui_desk.hub.database import open_hub_database

    if args.action == "publish":
        # The file is checked before the database is opened: a bad file touches nothing.
        try:
            items = catalogue.read_catalogue_file(args.file)
        except catalogue.CatalogueRefused as exc:
            for problem in exc.problems:
                print(f"xuhui-hub: {args.file}: {problem}", file=sys.stderr)
            print(f"xuhui-hub: {len(exc.problems)} problem(s); nothing was published", file=sys.stderr)
            return 1
    db = open_hub_database(args.database_url)
    try:
        if args.action == "publish":
            summary = catalogue.publish(db, items, by=args.by or "")
            if args.json:
                print(json.dumps(summary.to_dict(), ensure_ascii=False))
            else:
                print(f"{len(summary.created)} created, {len(summary.updated)} updated, "
                      f"{len(summary.unchanged)} unchanged; catalogue version {summary.catalogue_version}"
                      + ("" if summary.created or summary.updated else " (nothing changed)"))
        elif args.action == "withdraw":
            changed = catalogue.withdraw(db, args.id, by=args.by or "", reason=args.reason or "")
            state = "withdrawn" if changed else "was already withdrawn"
            print(f"policy {args.id}: {state}; catalogue version {catalogue.catalogue_version(db)}"
                  + ("; stations drop it with their next sync" if changed else ""), file=sys.stderr)
        else:
            rows = catalogue.list_policies(db, status=args.status)
            if args.json:
                print(json.dumps({"catalogue_version": catalogue.catalogue_version(db), "policies": rows},
                                 ensure_ascii=False, indent=1))
            else:
                for r in rows:
                    valid = f"{r['valid_from']}–{r['valid_to'] or ''}"
                    print(f"{r['id']:<16} v{r['version']:<3} {r['status']:<9} {r['apply']:<14} {valid:<22} "
                          f"{r['pushes']:>4} pushes  {r['title']}")
                print(f"{len(rows)} policies; catalogue version {catalogue.catalogue_version(db)}")
    finally:
        db.close()
    return 0


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add ``policy publish|list|withdraw`` to the ``xuhui-hub`` command."""
    p = sub.add_parser("policy", help="the district's policy catalogue, fed to the stations")
    psub = p.add_subparsers(dest="action", required=True)
    a = psub.add_parser("publish", parents=[common],
                        help="publish a catalogue file (JSON {\"policies\": [...]}, docs/policies.md)")
    a.add_argument("file")
    a.add_argument("--by", help="who publishes it (kept with each version)")
    a.add_argument("--json", action="store_true", help="print the counts as JSON")
    a.set_defaults(func=cmd_policy)
    a = psub.add_parser("list", parents=[common], help="the catalogue's policies")
    a.add_argument("--status", choices=["published", "withdrawn"])
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=cmd_policy)
    a = psub.add_parser("withdraw", parents=[common], help="withdraw a policy (stations drop it)")
    a.add_argument("id")
    a.add_argument("--reason", help="why (shown in the console)")
    a.add_argument("--by", help="who withdraws it")
    a.set_defaults(func=cmd_policy)
