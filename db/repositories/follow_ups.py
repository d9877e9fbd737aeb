"""Follow-ups: what is due today, overdue or upcoming; assign, reschedule, complete (all audited).

Changes are recorded in the audit log against the follow-up's call (object "call"), so a call's audit
trail and a member's access export show them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import case, func, select
from sqlmodel import Session, col

from advisory import access
from advisory.formatting import local_today
from db.models import Call, FollowUp, FollowUpClose, FollowUpCreate, FollowUpStatus, User, utcnow
from db.repositories import audit
from db.repositories.users import StaffUser, staff_names

Bucket = Literal["overdue", "today", "upcoming"]
BUCKETS: tuple[Bucket, ...] = ("overdue", "today", "upcoming")
Scope = Literal["mine", "all"]


class FollowUpNotAllowed(PermissionError):
    """Advisors change only follow-ups assigned to them or on their own calls."""


@dataclass(frozen=True)
class FollowUpRow:
    id: int
    call_id: int
    due_on: date
    assignee_id: int
    assignee_name: str
    reason: str
    status: str
    closing_note: str
    completed_at: datetime | None
    call_started_at: datetime
    call_advisor_id: int
    group_id: str
    caller_name: str | None
    phone: str | None


_COLUMNS: tuple[Any, ...] = (
    FollowUp.id, FollowUp.call_id, FollowUp.due_on, FollowUp.assignee_id, FollowUp.reason, FollowUp.status,
    col(FollowUp.closing_note), col(FollowUp.completed_at), col(Call.started_at).label("call_started_at"),
    col(Call.advisor_id).label("call_advisor_id"), col(Call.group_id), col(Call.caller_name), col(Call.phone),
)


def _rows(session: Session, query) -> list[FollowUpRow]:
    rows = session.execute(query).all()
    names = staff_names(session, ids={row.assignee_id for row in rows})
    return [FollowUpRow(**row._mapping, assignee_name=names.get(row.assignee_id, "")) for row in rows]


def _open_in_scope(viewer: StaffUser, scope: Scope):
    # Follow-ups carry the caller's name, phone and the reason: staff who take no calls see none.
    access.require(access.takes_calls(viewer), "reading follow-ups")
    where = [FollowUp.status == FollowUpStatus.open.value]
    if scope == "mine" or not access.sees_all_follow_ups(viewer):
        where.append(FollowUp.assignee_id == viewer.id)
    return where


def _bucket_condition(bucket: Bucket, today: date):
    return {"overdue": FollowUp.due_on < today, "today": FollowUp.due_on == today,
            "upcoming": FollowUp.due_on > today}[bucket]


def list_open(session: Session, *, viewer: StaffUser, scope: Scope = "mine", bucket: Bucket,
              today: date | None = None, limit: int = 100, offset: int = 0) -> list[FollowUpRow]:
    """Open follow-ups of one bucket, earliest due first ("all" only for supervisors)."""
    today = today or local_today()
    query = (
        select(*_COLUMNS).join(Call, col(Call.id) == col(FollowUp.call_id))
        .where(*_open_in_scope(viewer, scope), _bucket_condition(bucket, today))
        .order_by(FollowUp.due_on, FollowUp.id).limit(limit).offset(offset)
    )
    return _rows(session, query)


def count_open(session: Session, *, viewer: StaffUser, scope: Scope = "mine",
               today: date | None = None) -> dict[Bucket, int]:
    today = today or local_today()
    bucket = case((col(FollowUp.due_on) < today, "overdue"), (col(FollowUp.due_on) == today, "today"), else_="upcoming")
    query = select(bucket, func.count()).where(*_open_in_scope(viewer, scope)).group_by(bucket)
    counts: dict[Bucket, int] = dict.fromkeys(BUCKETS, 0)
    counts.update({name: n for name, n in session.execute(query)})
    return counts


def recently_closed(session: Session, *, viewer: StaffUser, scope: Scope = "mine",
                    limit: int = 20) -> list[FollowUpRow]:
    access.require(access.takes_calls(viewer), "reading follow-ups")
    query = select(*_COLUMNS).join(Call, col(Call.id) == col(FollowUp.call_id)).where(
        FollowUp.status != FollowUpStatus.open.value)
    if scope == "mine" or not access.sees_all_follow_ups(viewer):
        query = query.where(FollowUp.assignee_id == viewer.id)
    return _rows(session, query.order_by(col(FollowUp.completed_at).desc(), col(FollowUp.id).desc()).limit(limit))


def list_for_call(session: Session, *, call_id: int, viewer: StaffUser) -> list[FollowUpRow]:
    call = session.get(Call, call_id)
    if call is None or not access.may_read_call(viewer, advisor_id=call.advisor_id):
        raise FollowUpNotAllowed(call_id)
    query = (select(*_COLUMNS).join(Call, col(Call.id) == col(FollowUp.call_id)).where(col(FollowUp.call_id) == call_id)
             .order_by(FollowUp.due_on, FollowUp.id))
    return _rows(session, query)


def assignee_choices(session: Session) -> list[tuple[int, str]]:
    """Active staff who take calls: a follow-up is a call back, which the secretariat does not make."""
    takers = [role.value for role in access.CALL_HANDLERS]
    rows = session.execute(select(col(User.id), col(User.display_name))
                           .where(User.active == True, col(User.role).in_(takers))  # noqa: E712
                           .order_by(User.display_name))
    return [(row.id, row.display_name) for row in rows]


def _editable(session: Session, follow_up_id: int, actor: StaffUser) -> FollowUp:
    follow_up = session.get(FollowUp, follow_up_id)
    if follow_up is None:
        raise LookupError(follow_up_id)
    call = session.get(Call, follow_up.call_id)
    if not access.may_change_follow_up(actor, assignee_id=follow_up.assignee_id, call_advisor_id=call.advisor_id):
        raise FollowUpNotAllowed(follow_up_id)
    return follow_up


def _record(session: Session, action: str, follow_up: FollowUp, actor: StaffUser, **detail) -> None:
    audit.record(session, action=action, actor_id=actor.id, actor_name=actor.username, object_type="call",
                 object_id=follow_up.call_id, detail={"follow_up_id": follow_up.id, **detail})


def add(session: Session, *, call_id: int, due_on: date, assignee_id: int, reason: str,
        actor: StaffUser) -> int:
    data = FollowUpCreate(call_id=call_id, due_on=due_on, assignee_id=assignee_id, reason=reason.strip())
    call = session.get(Call, call_id)
    if call is None or not access.may_change_call(actor, advisor_id=call.advisor_id):
        raise FollowUpNotAllowed(call_id)
    follow_up = FollowUp(call_id=call_id, due_on=due_on, assignee_id=assignee_id, reason=data.reason.strip())
    session.add(follow_up)
    session.flush()
    _record(session, "follow_up_create", follow_up, actor, due_on=due_on.isoformat(), assignee_id=assignee_id)
    return follow_up.id


def complete(session: Session, *, follow_up_id: int, note: str, actor: StaffUser,
             status: FollowUpStatus = FollowUpStatus.done) -> None:
    """Close a follow-up as done (or cancelled) with a note."""
    data = FollowUpClose(status=status, note=note.strip())
    follow_up = _editable(session, follow_up_id, actor)
    follow_up.status = FollowUpStatus(data.status).value
    follow_up.closing_note = data.note.strip()
    follow_up.completed_at = utcnow()
    follow_up.completed_by_id = actor.id
    session.add(follow_up)
    _record(session, f"follow_up_{follow_up.status}", follow_up, actor)


def reschedule(session: Session, *, follow_up_id: int, due_on: date, actor: StaffUser) -> None:
    follow_up = _editable(session, follow_up_id, actor)
    previous = follow_up.due_on
    follow_up.due_on = due_on
    session.add(follow_up)
    _record(session, "follow_up_reschedule", follow_up, actor, **{"from": previous.isoformat(),
                                                                   "to": due_on.isoformat()})


def reassign(session: Session, *, follow_up_id: int, assignee_id: int, actor: StaffUser) -> None:
    follow_up = _editable(session, follow_up_id, actor)
    if session.get(User, assignee_id) is None:
        raise LookupError(assignee_id)
    previous = follow_up.assignee_id
    follow_up.assignee_id = assignee_id
    session.add(follow_up)
    _record(session, "follow_up_reassign", follow_up, actor, **{"from": previous, "to": assignee_id})
