"""Saving calls. The call page hands over a validated CallCreate; the log and follow-ups read from here."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from db.models import Call, CallCreate, CallLibraryEntry, CallTopic, FollowUp, utcnow
from db.repositories import audit, call_stats

_CONTACT_FIELDS = ("member_number", "caller_name", "phone", "email")


def save_call(session: Session, *, data: CallCreate, actor_name: str = "") -> int:
    """Write a call with its topics, library entries and (if kept) the suggested follow-up.

    Contact details are kept only when the caller consented; the consent time is recorded.
    Saving is idempotent on the call's key: a call saved again (a double click, a second tab, a retry after
    a lost answer) returns the id of the call already logged and writes nothing.
    Returns the call id.
    """
    data = CallCreate.model_validate(data.model_dump())  # input is validated, whoever built it
    if data.call_key is None:
        return _insert(session, data, actor_name)
    if (existing := _by_key(session, data.call_key)) is not None:
        return existing
    try:
        with session.begin_nested():
            return _insert(session, data, actor_name)
    except IntegrityError:  # saved at the same moment elsewhere: that one stands
        existing = _by_key(session, data.call_key)
        if existing is None:
            raise
        return existing


def _by_key(session: Session, call_key: str) -> int | None:
    return session.exec(select(Call.id).where(Call.call_key == call_key)).first()


def _insert(session: Session, data: CallCreate, actor_name: str) -> int:
    consent = data.contact_consent
    call = Call.model_validate(data, update={
        "duration_seconds": max(0, int((data.ended_at - data.started_at).total_seconds())),
        "contact_consent_at": utcnow() if consent else None,
        **({} if consent else dict.fromkeys(_CONTACT_FIELDS)),
        "flags": sorted(set(data.flags)),
        "delivered_blocks": list(dict.fromkeys(data.delivered_blocks)),
    })
    session.add(call)
    session.flush()
    session.add_all(CallTopic(call_id=call.id, topic=topic) for topic in sorted(set(data.topics)))
    session.add_all(CallLibraryEntry(call_id=call.id, slug=slug) for slug in dict.fromkeys(data.library_slugs))
    session.flush()
    call_stats.add_calls(session, Call.__table__.c.id == call.id)  # the statistics' aggregates, same transaction
    if data.follow_up_on is not None:
        session.add(FollowUp(call_id=call.id, due_on=data.follow_up_on, assignee_id=data.advisor_id,
                             reason=data.follow_up_reason))
    audit.record(session, action="call_create", actor_id=data.advisor_id, actor_name=actor_name,
                 object_type="call", object_id=call.id)
    return call.id
