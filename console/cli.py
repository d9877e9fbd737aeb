"""Command line for operators: `python -m console.cli COMMAND` (or the `advice-console` script).

Commands: init, create-user, reset-password (more are added by later features).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from pydantic import ValidationError

from db.bootstrap import prepare_database
from db.engine import session_scope
from db.models import Role, UserCreate
from db.repositories import users


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise SystemExit("Passwords differ.")
    return first


def cmd_init(_args: argparse.Namespace) -> int:
    prepare_database()
    print("Database migrated and bundled content loaded.")
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    prepare_database()
    try:
        data = UserCreate(username=args.username, display_name=args.name or args.username, role=args.role,
                          password=_read_password(args))
    except ValidationError as exc:
        raise SystemExit(f"Invalid user: {exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}") from exc
    try:
        with session_scope() as session:
            user = users.create_user(session, data=data)
    except users.UsernameTaken as exc:
        raise SystemExit(f"Username already taken: {args.username}") from exc
    print(f"Created {user.role} '{user.username}' (id {user.id}).")
    return 0


def cmd_reset_password(args: argparse.Namespace) -> int:
    prepare_database()
    try:
        with session_scope() as session:
            users.set_password(session, username=args.username, password=_read_password(args))
    except ValidationError as exc:
        raise SystemExit("The password must be at least 12 characters.") from exc
    except Exception as exc:  # noqa: BLE001 - NoResultFound and friends: one clear message
        raise SystemExit(f"No such user: {args.username}") from exc
    print(f"Password reset for '{args.username}'; the account is unlocked.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="advice-console", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("init", help="apply migrations and load bundled content").set_defaults(func=cmd_init)

    create = sub.add_parser("create-user", help="create a staff user")
    create.add_argument("username")
    create.add_argument("--name", help="display name")
    create.add_argument("--role", choices=[r.value for r in Role], default=Role.advisor.value)
    create.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    create.set_defaults(func=cmd_create_user)

    reset = sub.add_parser("reset-password", help="set a new password and unlock the account")
    reset.add_argument("username")
    reset.add_argument("--password-stdin", action="store_true")
    reset.set_defaults(func=cmd_reset_password)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
