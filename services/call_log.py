"""The call log as staff read and correct it: the filtered, paged list; one call in full (its viewing
audited); an edit of its notes and outcome after the call, made from the version the editor opened.
Each function owns its session; the repository enforces who sees which calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from pydantic import ValidationError

from db.engine import session_scope
from db.repositories import call_log
from db.repositories.call_log import (
    ANY_RED_FLAG,
    FOLLOW_UP_FILTERS,
    NO_RED_FLAG,
    PAGE_SIZE,
    CallDetail,
    CallFilters,
    CallNotFound,
    CallRow,
    CallVersion,
)
from db.repositories.users import StaffUser

__all__ = ["ANY_RED_FLAG", "FOLLOW_UP_FILTERS", "NO_RED_FLAG", "PAGE_SIZE", "CallDetail", "CallFilters",
           "CallNotFound", "CallRow", "CallVersion", "EditOutcome", "advisor_choices", "count_calls", "detail",
           "edit_call", "list_calls"]


def advisor_choices(date_from: date | None = None, date_to: date | None = None) -> list[tuple[int, str]]:
    with session_scope() as session:
        return call_log.advisor_choices(session, date_from=date_from, date_to=date_to)


def count_calls(filters: CallFilters, viewer: StaffUser) -> int:
    with session_scope() as session:
        return call_log.count_calls(session, filters=filters, viewer=viewer)


def list_calls(filters: CallFilters, viewer: StaffUser, *, offset: int) -> list[CallRow]:
    with session_scope() as session:
        return call_log.list_calls(session, filters=filters, viewer=viewer, offset=offset)


def detail(call_id: int, viewer: StaffUser, *, audit_view: bool) -> CallDetail:
    """The call in full; raises CallNotFound (also for a call the viewer may not see)."""
    with session_scope() as session:
        return call_log.get_call_detail(session, call_id=call_id, viewer=viewer, audit_view=audit_view)


@dataclass(frozen=True)
class EditOutcome:
    """What an edit did: the fields changed and the version the form opens from next, or why not."""

    changed: list[str] = field(default_factory=list)
    version: int | None = None
    conflict: CallVersion | None = None  # someone saved the call since the form was opened
    anonymised: bool = False  # the notes were erased: they cannot be edited any more
    too_long: bool = False


def edit_call(call_id: int, viewer: StaffUser, *, expected_version: int, notes: str | None,
              outcome: str) -> EditOutcome:
    try:
        with session_scope() as session:
            changed = call_log.update_call(session, call_id=call_id, viewer=viewer, expected_version=expected_version,
                                           notes=notes, outcome=outcome)
            version = call_log.current_version(session, call_id=call_id, viewer=viewer).version
    except call_log.CallAnonymised:
        return EditOutcome(anonymised=True)
    except call_log.CallEditConflict as conflict:
        return EditOutcome(conflict=conflict.current)
    except ValidationError:
        return EditOutcome(too_long=True)
    return EditOutcome(changed=changed, version=version)
