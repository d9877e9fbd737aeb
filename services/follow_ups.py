"""Follow-ups as staff work them: the lists (mine or everyone's, by when they are due), and the actions
on one (close it done or cancelled with a note, reschedule it, give it to a colleague, add one to a call).
Each action owns its session and says whether it was allowed; the repository audits it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import ValidationError

from db.engine import session_scope
from db.models import FollowUpStatus
from db.repositories import follow_ups
from db.repositories.follow_ups import BUCKETS, Bucket, FollowUpNotAllowed, FollowUpRow, Scope
from db.repositories.users import StaffUser

__all__ = ["BUCKETS", "ActionOutcome", "Bucket", "FollowUpRow", "Scope", "add", "assignee_choices", "cancel", "complete",
           "open_lists", "reassign", "recently_closed", "reschedule"]


@dataclass(frozen=True)
class ActionOutcome:
    done: bool
    refused: str | None = None  # "not_allowed" (not the actor's follow-up) | "too_long" (the note)


def _act(action) -> ActionOutcome:
    try:
        with session_scope() as session:
            action(session)
    except FollowUpNotAllowed:
        return ActionOutcome(done=False, refused="not_allowed")
    except ValidationError:  # only what a browser lets past max_chars
        return ActionOutcome(done=False, refused="too_long")
    return ActionOutcome(done=True)


def complete(follow_up_id: int, *, note: str, actor: StaffUser) -> ActionOutcome:
    return _act(lambda s: follow_ups.complete(s, follow_up_id=follow_up_id, note=note, actor=actor))


def cancel(follow_up_id: int, *, note: str, actor: StaffUser) -> ActionOutcome:
    return _act(lambda s: follow_ups.complete(s, follow_up_id=follow_up_id, note=note, actor=actor,
                                              status=FollowUpStatus.cancelled))


def reschedule(follow_up_id: int, *, due_on: date, actor: StaffUser) -> ActionOutcome:
    return _act(lambda s: follow_ups.reschedule(s, follow_up_id=follow_up_id, due_on=due_on, actor=actor))


def reassign(follow_up_id: int, *, assignee_id: int, actor: StaffUser) -> ActionOutcome:
    return _act(lambda s: follow_ups.reassign(s, follow_up_id=follow_up_id, assignee_id=assignee_id, actor=actor))


def add(*, call_id: int, due_on: date, assignee_id: int, reason: str, actor: StaffUser) -> None:
    with session_scope() as session:
        follow_ups.add(session, call_id=call_id, due_on=due_on, assignee_id=assignee_id, reason=reason, actor=actor)


def assignee_choices() -> list[tuple[int, str]]:
    with session_scope() as session:
        return follow_ups.assignee_choices(session)


def open_lists(viewer: StaffUser, *, scope: Scope, today: date,
               limit: int) -> tuple[dict[Bucket, int], dict[Bucket, list[FollowUpRow]]]:
    """How many are open per bucket (overdue, today, upcoming), and the first `limit` of each."""
    with session_scope() as session:
        counts = follow_ups.count_open(session, viewer=viewer, scope=scope, today=today)
        lists = {bucket: follow_ups.list_open(session, viewer=viewer, scope=scope, bucket=bucket, today=today,
                                              limit=limit) for bucket in BUCKETS}
    return counts, lists


def recently_closed(viewer: StaffUser, *, scope: Scope) -> list[FollowUpRow]:
    with session_scope() as session:
        return follow_ups.recently_closed(session, viewer=viewer, scope=scope)
