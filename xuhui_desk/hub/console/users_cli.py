"""``xuhui-hub user …``: console accounts from the server's command line (the first admin is made
this way). Passwords are read from standard input (``--password-stdin``), never from arguments,
which other users of the machine could see in the process list."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def _read_password(args: argparse.Namespace) -> str:
    if not args.password_stdin:
        raise SystemExit("xuhui-hub: give the password on standard input with --password-stdin")
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def cmd_user(args: argparse.Namespace) -> int:
    from xuhui_desk.hub.cli import _db
    from xuhui_desk.hub.console import accounts

    db = _db(args)
    try:
        if args.action == "add":
            user = accounts.create_user(db, args.username, _read_password(args), args.role,
                                        departments=args.department or [], station=args.station,
                                        display_name=args.name or "")
            print(f"user {user['username']} added ({user['role']})", file=sys.stderr)
        elif args.action == "list":
            rows = accounts.list_users(db)
            if args.json:
                print(json.dumps(rows, ensure_ascii=False, indent=1))
            else:
                for r in rows:
                    state = "active" if r["active"] else "disabled"
                    scope = ",".join(r["departments"]) or (r["station"] or "")
                    print(f"{r['username']:<20} {r['role']:<12} {state:<9} {scope}")
        elif args.action == "disable":
            accounts.set_disabled(db, args.username, not args.enable)
            print(f"user {args.username}: {'enabled' if args.enable else 'disabled'}", file=sys.stderr)
        else:
            accounts.set_password(db, args.username, _read_password(args))
            print(f"user {args.username}: password changed, sessions ended", file=sys.stderr)
    finally:
        db.close()
    return 0


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``user`` command group to the ``xuhui-hub`` parser."""
    from xuhui_desk.hub.console.accounts import ROLES

    p = sub.add_parser("user", help="district console accounts")
    usub = p.add_subparsers(dest="action", required=True)
    a = usub.add_parser("add", parents=[common], help="create a console user (the first admin this way)")
    a.add_argument("username")
    a.add_argument("--role", required=True, choices=ROLES)
    a.add_argument("--department", action="append", metavar="CODE",
                   help="a department a handler works for (repeat for several; taxonomy codes)")
    a.add_argument("--station", metavar="CODE", help="limit a viewer to one station")
    a.add_argument("--name", help="the name shown in the console and on timelines")
    a.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    a.set_defaults(func=cmd_user)
    a = usub.add_parser("list", parents=[common], help="list console users")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=cmd_user)
    a = usub.add_parser("disable", parents=[common], help="disable a user (ends their sessions)")
    a.add_argument("username")
    a.add_argument("--enable", action="store_true", help="enable the user again")
    a.set_defaults(func=cmd_user)
    a = usub.add_parser("password", parents=[common], help="set a user's password (ends their sessions)")
    a.add_argument("username")
    a.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    a.set_defaults(func=cmd_user)
