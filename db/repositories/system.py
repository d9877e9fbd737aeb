"""Installation-wide values kept in the database (system_value), created once by whichever instance is first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from db.models import SystemValue

_values = SystemValue.__table__


def get_or_create(session: Session, *, name: str, make: str) -> str:
    """The value stored under `name`, storing `make` first if there is none.

    Two instances racing both try to insert; the loser's commit fails with IntegrityError (primary key),
    and the caller tries once more in a new transaction, which then finds the winner's value.
    """
    existing = session.get(SystemValue, name)
    if existing is not None:
        return existing.value
    session.add(SystemValue(name=name, value=make))
    session.flush()
    return make


def claim_turn(session: Session, *, name: str, now: datetime, every: timedelta) -> bool:
    """True for exactly one caller per `every`: the one whose conditional UPDATE moves the time stored under
    `name` to `now` (in the caller's transaction; a rollback gives the turn back).

    Two instances at the same moment: on PostgreSQL the second UPDATE waits for the first's row lock and
    then finds the time already moved; on SQLite the database's write lock does the same. The row is made
    first if missing (a second maker's insert is ignored).
    """
    stamp = now.astimezone(UTC).isoformat(timespec="seconds")
    due_before = (now - every).astimezone(UTC).isoformat(timespec="seconds")
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(insert(_values).values(name=name, value="", created_at=now).on_conflict_do_nothing())
    moved = session.execute(update(_values).where(_values.c.name == name, _values.c.value <= due_before)
                            .values(value=stamp))
    return moved.rowcount == 1


def last_turn(session: Session, *, name: str) -> datetime | None:
    row = session.get(SystemValue, name)
    return datetime.fromisoformat(row.value) if row is not None and row.value else None
