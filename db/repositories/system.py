"""Installation-wide values kept in the database (system_value), created once by whichever instance is first."""

from __future__ import annotations

from sqlmodel import Session

from db.models import SystemValue


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
