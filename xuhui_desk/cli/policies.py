"""``xuhui-desk policies``: the district's policies matched to one company, with the reasons, and
recording that a policy list was handed to a company (docs/policies-station.md).

* ``policies --company KEY [--text TEXT] [--json]`` — every policy in force, eligible first: with
  ``--json`` a list of objects ``policy_id``, ``version``, ``title``, ``apply``, ``outcome``
  (``eligible`` / ``possible`` / ``not_eligible``), ``reasons`` (in words, the station's
  language), ``missing`` (the facts to ask the company) and ``relevant`` (to ``--text``).
* ``policies --push KEY POLICY_ID… [--channel C] [--by NAME] [--json]`` — records a push
  (``told`` unless ``--channel``), of the version of each policy the station holds; it goes to
  the hub with the next sync.

KEY is a credit code, an enterprise uuid or id, or the company's name (as for ``company``).
"""

from __future__ import annotations

import argparse
from typing import Any

from xuhui_desk.cli.common import (
    EXIT_ERROR,
    EXIT_INVALID_INPUT,
    EXIT_OK,
    EXIT_USAGE,
    CommandError,
    emit,
    json_flag,
    language,
    open_db,
)


def _company(db: Any, key: str) -> tuple[int, str]:
    from xuhui_desk.services.company_file import CompanyAmbiguous, CompanyNotFound
    from xuhui_desk.services.policies import find_company_by_key

    try:
        return find_company_by_key(db, key)
    except (CompanyNotFound, CompanyAmbiguous) as exc:
        raise CommandError(str(exc), EXIT_ERROR) from exc


def cmd_policies(args: argparse.Namespace) -> int:
    from xuhui_desk.services.timefmt import SHANGHAI

    if bool(args.company) == bool(args.push):
        raise CommandError("give --company KEY (the matches) or --push KEY POLICY_ID… (record a push)", EXIT_USAGE)
    from xuhui_desk.models import utcnow

    today = utcnow().astimezone(SHANGHAI).date()
    with open_db(args) as db:
        lang = language(db)
        if args.push:
            return _push(args, db, lang)
        from xuhui_desk.services.policies import matches_for_company

        enterprise_id, name = _company(db, args.company)
        matches = matches_for_company(db, enterprise_id, today=today, text=args.text)
    payload = [m.to_json(lang) for m in matches]
    lines = [f"{name}: {len(matches)} policies in force"]
    for m in matches:
        mark = {"eligible": "✓", "possible": "?", "not_eligible": "✗"}[str(m.outcome)]
        lines.append(f"  {mark} {m.policy.id}  {m.policy.title}" + ("  (relevant)" if m.relevant else ""))
        lines += [f"      {r.text(lang)}" for r in m.reasons]
        if m.missing:
            from xuhui_desk.policies import fact_label

            lines.append("      ask: " + ", ".join(fact_label(f, lang) for f in m.missing))
    emit(args, payload, "\n".join(lines))
    return EXIT_OK


def _push(args: argparse.Namespace, db: Any, lang: str) -> int:
    from xuhui_desk.services.policies import held_versions, record_push
    from xuhui_desk.validation import ValidationFailed

    key, *ids = args.push
    if not ids:
        raise CommandError("--push KEY POLICY_ID…: name at least one policy", EXIT_USAGE)
    enterprise_id, name = _company(db, key)
    versions = held_versions(db)
    try:
        push = record_push(db, enterprise_id, [(pid, versions.get(pid, 0)) for pid in ids],
                           by=args.by or "", channel=args.channel)
    except ValidationFailed as exc:
        raise CommandError("; ".join(i.message(lang) for i in exc.issues), EXIT_INVALID_INPUT) from exc
    payload = {"enterprise": name, **push.to_dict()}
    emit(args, payload, f"{name}: {len(push.policies)} policies handed over ({push.channel}, "
                        f"{push.pushed_by or 'no specialist set'}); sent to the district with the next sync")
    return EXIT_OK


def register(sub: Any) -> None:
    p = sub.add_parser("policies", help="the district's policies for a company (with reasons); record a push")
    p.add_argument("--company", metavar="KEY", help="credit code, uuid, id or name of the company")
    p.add_argument("--text", help="the request's text (makes policies with matching keywords come first)")
    p.add_argument("--push", nargs="+", metavar=("KEY", "POLICY_ID"),
                   help="record that these policies were handed to the company KEY")
    p.add_argument("--channel", default="told", choices=["told", "print_thermal", "print_a5"],
                   help="how they were handed over (default: told)")
    p.add_argument("--by", help="who handed them over (default: the specialist setting)")
    json_flag(p)
    p.set_defaults(func=cmd_policies)
