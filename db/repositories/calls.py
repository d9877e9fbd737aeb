"""Saving calls. The call page hands over a validated CallCreate; the log and follow-ups read from here."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from db.models import Call, CallCreate, CallLibraryEntry, CallTopic, FollowUp, utcnow
from db.repositories import audit


def save_call(session: Session, *, data: CallCreate, actor_name: str = "") -> int:
    """Write a call with its topics, library entries and (if kept) the suggested follow-up.

    Contact details are kept only when the caller consented; the consent time is recorded.
    Saving is idempotent on the call's key: a call saved again (a double click, a second tab, a retry after
    a lost answer) returns the id of the call already logged and writes nothing.
    Returns the call id.
    """
    data = CallCreate.model_validate(data.model_dump())
    if data.call_key is not None:
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
    return _insert(session, data, actor_name)


def _by_key(session: Session, call_key: str) -> int | None:
    return session.exec(select(Call.id).where(Call.call_key == call_key)).first()


def _insert(session: Session, data: CallCreate, actor_name: str) -> int:
    consent = data.contact_consent
    call = Call(
        call_key=data.call_key,
        started_at=data.started_at,
        ended_at=data.ended_at,
        duration_seconds=max(0, int((data.ended_at - data.started_at).total_seconds())),
        advisor_id=data.advisor_id,
        caller_role=data.caller_role,
        contact_consent=consent,
        contact_consent_at=utcnow() if consent else None,
        third_party_consent=data.third_party_consent,
        member_number=data.member_number if consent else None,
        caller_name=data.caller_name if consent else None,
        phone=data.phone if consent else None,
        email=str(data.email) if consent and data.email else None,
        profile=data.profile,
        group_id=data.group_id,
        flags=sorted(set(data.flags)),
        topics=sorted(set(data.topics)),
        disposition=data.disposition,
        outcome=data.outcome,
        delivered_blocks=list(dict.fromkeys(data.delivered_blocks)),
        library_slugs=list(dict.fromkeys(data.library_slugs)),
        notes=data.notes,
        content_version=data.content_version,
        lang=data.lang,
    )
    session.add(call)
    session.flush()
    session.add_all(CallTopic(call_id=call.id, topic=topic) for topic in call.topics)
    session.add_all(CallLibraryEntry(call_id=call.id, slug=slug) for slug in call.library_slugs)
    if data.follow_up_on is not None:
        session.add(FollowUp(call_id=call.id, due_on=data.follow_up_on, assignee_id=data.advisor_id,
                             reason=data.follow_up_reason))
    audit.record(session, action="call_create", actor_id=data.advisor_id, actor_name=actor_name,
                 object_type="call", object_id=call.id)
    return call.id
