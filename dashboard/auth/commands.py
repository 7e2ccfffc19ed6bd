"""``dangan users add|passwd|disable|list|demo``: the users store from the command line.

Passwords are read from the terminal without echo (``getpass``) or, for scripts, from one
line of standard input with ``--password-stdin``; never from an argument, which other
users of the machine could read in the process list.
"""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys
from pathlib import Path

from dashboard.auth.roles import ROLES
from dashboard.auth.store import UserStore, UserStoreError, users_path

# One account per role for a newcomer to try each view; anchors are picked from the
# warehouse (the first unit, its first team, that team's first business staff member).
DEMO_USERS = (
    ("leader", "demo_leader"),
    ("unit_manager", "demo_unit"),
    ("team_leader", "demo_team"),
    ("staff", "demo_staff"),
    ("auditor", "demo_auditor"),
    ("analyst", "demo_analyst"),
    ("admin", "demo_admin"),
)


def add_parser(sub: argparse._SubParsersAction, default_warehouse: str) -> None:
    users = sub.add_parser("users", help="manage the dashboard's users (login, role, scope)")
    users.add_argument("--warehouse", default=default_warehouse, help="the store lies beside this warehouse")
    actions = users.add_subparsers(dest="action", required=True)

    add = actions.add_parser("add", help="add a user with a role and the scope it sees")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=list(ROLES))
    add.add_argument("--unit", help="supply unit code (unit_manager)")
    add.add_argument("--team", help="team code (team_leader)")
    add.add_argument("--person", help="staff id (staff)")
    add.add_argument("--name", help="display name")
    add.add_argument("--email", help="e-mail of the company identity (OpenID Connect login)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(users_func=_add)

    passwd = actions.add_parser("passwd", help="set a user's password (also lifts a lockout)")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true")
    passwd.set_defaults(users_func=_passwd)

    disable = actions.add_parser("disable", help="disable a user (their open sessions end)")
    disable.add_argument("username")
    disable.set_defaults(users_func=_disable)

    listing = actions.add_parser("list", help="list users, roles and scopes")
    listing.set_defaults(users_func=_list)

    demo = actions.add_parser("demo", help="one user per role with a printed first-login password")
    demo.set_defaults(users_func=_demo)

    users.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    store = UserStore(users_path(Path(args.warehouse).absolute()))
    try:
        return args.users_func(store, args)
    except UserStoreError as error:
        print(f"dangan users: {error}", file=sys.stderr)
        return 2


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise UserStoreError("the two passwords differ")
    return first


def _add(store: UserStore, args: argparse.Namespace) -> int:
    user = store.add(
        args.username,
        _password(args),
        args.role,
        unit_code=args.unit,
        team_code=args.team,
        person_id=args.person,
        display_name=args.name,
        email=args.email,
    )
    print(f"added {user.username} ({user.role})")
    return 0


def _passwd(store: UserStore, args: argparse.Namespace) -> int:
    store.set_password(args.username, _password(args))
    print(f"password of {args.username} set")
    return 0


def _disable(store: UserStore, args: argparse.Namespace) -> int:
    store.disable(args.username)
    print(f"disabled {args.username}")
    return 0


def _list(store: UserStore, args: argparse.Namespace) -> int:
    print("username\trole\tunit\tteam\tperson\temail\tdisabled")
    for user in store.list():
        fields = (user.unit_code, user.team_code, user.person_id, user.email)
        print(
            "\t".join([user.username, user.role, *(value or "" for value in fields), str(user.is_disabled)])
        )
    return 0


def demo_anchors(warehouse: Path) -> dict[str, str]:
    """The unit, team and business staff member the demo users are scoped to."""
    from ingest.warehouse import connect_published

    con = connect_published(warehouse)
    try:
        row = con.execute(
            "select unit_code, team_code, entity_id from marts.org_entities "
            "where entity_kind = 'person' and post = 'business' and is_active "
            "order by unit_code, team_code, entity_id limit 1"
        ).fetchone()
    finally:
        con.close()
    if row is None:
        raise UserStoreError(
            f"{warehouse}: marts.org_entities has no active business staff to scope demo users"
        )
    return {"unit_code": row[0], "team_code": row[1], "person_id": row[2]}


def _demo(store: UserStore, args: argparse.Namespace) -> int:
    anchors = demo_anchors(Path(args.warehouse))
    existing = {user.username for user in store.list()}
    print("demo users (first-login passwords; change them with `dangan users passwd`):")
    for role, username in DEMO_USERS:
        password = secrets.token_urlsafe(9)
        level = ROLES[role].level
        anchor = {name: value for name, value in anchors.items() if name.startswith(level)}
        if username in existing:
            store.set_password(username, password)
        else:
            store.add(username, password, role, display_name=username, **anchor)
        where = next(iter(anchor.values()), level)
        print(f"  {username:<14} {role:<13} {where:<12} {password}")
    return 0
