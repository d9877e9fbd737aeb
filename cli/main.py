"""Command line for operators: `python -m cli COMMAND` (or the `advice-console` script).

Commands: init, create-user, reset-password, seed-demo, purge, send-outbox, housekeeping, rebuild-statistics.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from db.bootstrap import prepare_database
from db.engine import database_exists, get_engine, session_scope
from db.models import MIN_PASSWORD_LENGTH, WEAK_PASSWORD, Role, UserCreate
from db.repositories import users
from settings import get_settings


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise SystemExit("Passwords differ.")
    return first


def existing_database(url: str | None) -> str:
    """`url` (default: DATABASE_URL) if that database exists; otherwise stop with a clear message.

    Commands that work on data must not create an empty database for a mistyped URL and then report
    "0 calls anonymised" as if all were well.
    """
    url = url or get_settings().DATABASE_URL
    shown = make_url(url).render_as_string(hide_password=True)
    try:
        exists = database_exists(url)
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise SystemExit(f"Cannot reach the database {shown}: {reason}") from exc
    if not exists:
        raise SystemExit(f"No database at {shown}: nothing was done and nothing was created. "
                         "Check --database-url or DATABASE_URL (python -m cli init creates a new one).")
    return url


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
        if exc.errors()[0]["loc"] == ("password",):
            raise SystemExit(_password_message(exc)) from exc
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
    password = _read_password(args)
    try:
        with session_scope() as session:
            user = users.set_password(session, username=args.username, password=password)
    except users.NoSuchUser as exc:
        raise SystemExit(f"No such user: {args.username}") from exc
    except ValidationError as exc:
        raise SystemExit(_password_message(exc)) from exc
    except SQLAlchemyError as exc:
        # Not "No such user": the account may well exist; the database could not be read or written.
        raise SystemExit(f"The password was not reset: database error ({type(exc).__name__}). "
                         "Check DATABASE_URL and that the database is running.") from exc
    print(f"Password reset for '{user.username}'; the account is unlocked and its sessions are ended.")
    return 0


def _password_message(exc: ValidationError) -> str:
    if any(WEAK_PASSWORD in str(error.get("msg", "")) for error in exc.errors()):
        return ("The password is too easy to guess (a common password, a repetition, a keyboard pattern or "
                "the user's name). Try four random words.")
    return f"The password must be at least {MIN_PASSWORD_LENGTH} characters."


def _progress_bar(done: int, total: int) -> None:
    width = 40
    filled = width * done // max(total, 1)
    end = "\n" if done >= total else ""
    print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} calls", end=end, file=sys.stderr,
          flush=True)


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from services.demo import DEMO_PASSWORD, RealUsersPresent, seed_demo

    if args.database_url:  # a database named on the command line must exist; the default one is made
        existing_database(args.database_url)
    prepare_database(args.database_url)
    try:
        report = seed_demo(get_engine(args.database_url), calls=args.calls, seed=args.seed,
                           with_users=args.with_users, progress=_progress_bar,
                           demo_users_beside_real_users=args.allow_demo_users_beside_real_users)
    except RealUsersPresent as exc:
        raise SystemExit(
            f"Refused: this database already has staff accounts ({', '.join(exc.usernames)}), so it looks like a "
            f"real installation. The demo users share the published password '{DEMO_PASSWORD}' and would let "
            "anyone in. Use a separate database for the demo (--database-url), or, if you really want demo "
            "users here, add --allow-demo-users-beside-real-users.") from exc
    print(f"Added {report.calls:,} demo calls ({report.follow_ups:,} follow-ups, {report.referrals:,} referrals) "
          f"in {report.seconds} s.")
    if report.users_created:
        print(f"Created demo users {', '.join(report.users_created)} with the password '{DEMO_PASSWORD}'.")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    from services import privacy

    url = existing_database(args.database_url)
    prepare_database(url)
    days = get_settings().RETENTION_DAYS
    with session_scope(get_engine(url)) as session:
        report = privacy.purge(session, retention_days=days, dry_run=args.dry_run, actor_name="cli")
    verb = "Would anonymise" if args.dry_run else "Anonymised"
    drafts = "would be deleted" if args.dry_run else "deleted"
    print(f"{verb} {report.calls:,} calls started before {report.cutoff:%Y-%m-%d %H:%M} UTC "
          f"(RETENTION_DAYS={days}), with {report.referrals:,} referrals and {report.follow_ups:,} follow-ups; "
          f"{report.drafts:,} unsaved calls not changed since then {drafts}.")
    return 0


def cmd_send_outbox(args: argparse.Namespace) -> int:
    """Send the e-mails that are due; quiet when there was nothing to do, so cron mails only news."""
    from db.migrate import is_current
    from services.outbox import send_due

    # No migrating from a job that runs every minute: the console's start or `init` does that.
    if not is_current(args.database_url):
        print("send-outbox: the database is not up to date; run `python -m cli init` first",
              file=sys.stderr)
        return 3
    report = send_due(engine=get_engine(args.database_url), limit=args.limit)
    if report.not_configured:
        print(report.summary(), file=sys.stderr)
        return 2
    if args.verbose or report.sent or report.retry_planned or report.for_person or report.interrupted:
        print(report.summary())
    return 0


def cmd_housekeeping(args: argparse.Namespace) -> int:
    """What the timer runs every minute: send the outbox, delete expired prepared exports, and purge past
    the retention period at most once an hour. Quiet when there was nothing to do, so cron mails only news."""
    from db.migrate import is_current
    from services import housekeeping

    if not is_current(args.database_url):
        print("housekeeping: the database is not up to date; run `python -m cli init` first", file=sys.stderr)
        return 3
    report = housekeeping.run(get_engine(args.database_url), send_outbox=not args.no_outbox)
    if args.verbose or report.news:
        print(report.summary(), file=sys.stderr if report.errors else sys.stdout)
    return 1 if report.errors else 0


def cmd_rebuild_statistics(args: argparse.Namespace) -> int:
    """Compute the statistics' per-day aggregates from the calls again (after a restore, say)."""
    from services import statistics

    url = existing_database(args.database_url)
    prepare_database(url)
    rows = statistics.rebuild(database_url=url)
    print(f"Statistics rebuilt from the calls: {rows:,} rows of per-day figures.")
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

    seed = sub.add_parser("seed-demo", help="add realistic demo calls (and demo users) for trying the console")
    seed.add_argument("--calls", type=int, default=20000, help="how many calls (default 20000)")
    seed.add_argument("--with-users", action="store_true",
                      help="create the demo users rikke, mads, louise, sofie, birgit and admin if missing")
    seed.add_argument("--allow-demo-users-beside-real-users", action="store_true",
                      help="create the demo users (published password) even though the database has real users")
    seed.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same data)")
    seed.add_argument("--database-url", help="database to fill (default: DATABASE_URL)")
    seed.set_defaults(func=cmd_seed_demo)

    purge = sub.add_parser("purge", help="anonymise calls older than RETENTION_DAYS (logged in the audit log)")
    purge.add_argument("--dry-run", action="store_true", help="only count what would be anonymised")
    purge.add_argument("--database-url", help="database to purge (default: DATABASE_URL)")
    purge.set_defaults(func=cmd_purge)

    house = sub.add_parser("housekeeping", help="send the outbox, delete expired exports and purge at most hourly "
                                                "(run every minute on every instance from cron or a systemd timer)")
    house.add_argument("--no-outbox", action="store_true", help="leave the outbox to a separate send-outbox job")
    house.add_argument("--verbose", action="store_true", help="print a summary even when nothing happened")
    house.add_argument("--database-url", help="database to use (default: DATABASE_URL)")
    house.set_defaults(func=cmd_housekeeping)

    rebuild = sub.add_parser("rebuild-statistics",
                             help="compute the statistics' per-day figures from the calls again (e.g. after a restore)")
    rebuild.add_argument("--database-url", help="database to use (default: DATABASE_URL)")
    rebuild.set_defaults(func=cmd_rebuild_statistics)

    outbox = sub.add_parser("send-outbox", help="send the e-mails that are due (run every minute from cron or a "
                                                "systemd timer; several at once are safe)")
    outbox.add_argument("--limit", type=int, default=200, help="send at most this many in this run (default 200)")
    outbox.add_argument("--verbose", action="store_true",
                        help="log a time-stamped line per message (ids and outcomes only) and print a summary "
                             "even when nothing was due")
    outbox.add_argument("--database-url", help="database to use (default: DATABASE_URL)")
    outbox.set_defaults(func=cmd_send_outbox)
    return parser


def main(argv: list[str] | None = None) -> int:
    from services import logs

    args = build_parser().parse_args(argv)
    # Warnings only, unless asked: `send-outbox --verbose` adds a line per message (time-stamped, ids only).
    logs.configure(verbose=bool(getattr(args, "verbose", False)))
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
