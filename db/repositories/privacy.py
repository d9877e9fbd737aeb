"""Members' data (GDPR art. 9): retention purge, erasure on request and access export. All audited.

Anonymising a call erases what identifies the caller (name, phone, e-mail, member number) and
everything a person typed about them (call notes, follow-up reasons and notes, referral recipient,
subject and body); a referral's error (a mail server may echo the address) keeps only its code, in the
referral and in its `referral_failed` audit event. Categorical fields stay for statistics. Updates run
as set-based SQL, so a purge of hundreds of thousands of calls is a few statements, and they only touch
calls not yet anonymised, so running them again changes nothing.

Unsaved calls (call drafts) hold contact details and notes too: the purge deletes drafts not touched
within the retention period, and a member's erasure deletes every draft that names the member.
Prepared export files are not in the database: services.privacy sweeps them with each purge and erasure.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import String, bindparam, case, cast, delete, func, or_, select, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from advisory import access
from advisory.access import Viewer
from db.models import AuditEvent, Call, CallDraft, FollowUp, Referral, ReferralStatus, utcnow
from db.repositories import audit
from db.repositories.call_log import call_library_slugs, call_topics
from db.repositories.referrals import ERROR_CODES
from db.repositories.users import StaffUser, staff_names

MEMBER_SEARCH_LIMIT = 500

_calls, _referrals, _follow_ups = Call.__table__, Referral.__table__, FollowUp.__table__
_drafts, _audit = CallDraft.__table__, AuditEvent.__table__
ERASED = "erased"  # a referral's error once the rest of it was erased (ERROR_CODES name the others)


@dataclass(frozen=True)
class AnonymiseCounts:
    calls: int
    referrals: int
    follow_ups: int
    drafts: int = 0


@dataclass(frozen=True)
class PurgeReport:
    cutoff: datetime
    retention_days: int
    dry_run: bool
    calls: int
    referrals: int
    follow_ups: int
    drafts: int = 0


@dataclass(frozen=True)
class MemberQuery:
    """Who the request is about: any of member number, phone or e-mail (calls matching any are found)."""

    member_number: str = ""
    phone: str = ""
    email: str = ""

    def is_empty(self) -> bool:
        return not (self.member_number.strip() or self.phone.strip() or self.email.strip())

    def kinds(self) -> list[str]:
        """Which identifiers were given (for the audit log, which must not keep the values)."""
        return [name for name in ("member_number", "phone", "email") if getattr(self, name).strip()]


# --- anonymising --------------------------------------------------------------------------------


def _pending(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return condition & _calls.c.anonymised_at.is_(None)


def _count_pending(session: Session, condition: ColumnElement[bool]) -> AnonymiseCounts:
    ids = select(_calls.c.id).where(_pending(condition))
    return AnonymiseCounts(
        calls=session.execute(select(func.count()).select_from(ids.subquery())).scalar_one(),
        referrals=session.execute(select(func.count()).select_from(_referrals).where(_referrals.c.call_id.in_(ids))).scalar_one(),
        follow_ups=session.execute(select(func.count()).select_from(_follow_ups).where(_follow_ups.c.call_id.in_(ids))).scalar_one(),
    )


def _error_code(error: ColumnElement[str]) -> ColumnElement[str]:
    """The stored error reduced to its code ("connect: ... <a@b.dk> ..." -> "connect"), in SQL."""
    known = [((error == code) | (func.substr(error, 1, len(code) + 1) == f"{code}:"), code) for code in ERROR_CODES]
    return case((error.is_(None), None), *known, (error == ERASED, ERASED), else_="smtp")


def _scrub_failure_events(session: Session, call_ids) -> None:
    """`referral_failed` audit events of the calls' referrals keep the call id and the error code only."""
    referral_ids = select(cast(_referrals.c.id, String)).where(_referrals.c.call_id.in_(call_ids))
    events = session.execute(
        select(_audit.c.id, _audit.c.detail).where(_audit.c.action == "referral_failed",
                                                   _audit.c.object_type == "referral",
                                                   _audit.c.object_id.in_(referral_ids))
    ).all()
    if not events:
        return
    session.execute(
        update(_audit).where(_audit.c.id == bindparam("event_id")).values(detail=bindparam("scrubbed")),
        [{"event_id": event.id, "scrubbed": _scrubbed_failure(event.detail or {})} for event in events],
    )


def _scrubbed_failure(detail: dict[str, Any]) -> dict[str, Any]:
    error = str(detail.get("error") or "")
    code = error.partition(":")[0].strip()
    return {"call_id": detail.get("call_id"), "error": code if code in ERROR_CODES else "smtp"}


def _anonymise(session: Session, condition: ColumnElement[bool]) -> AnonymiseCounts:
    now = utcnow()
    ids = select(_calls.c.id).where(_pending(condition))
    # Children first: once the calls carry anonymised_at, `ids` no longer finds them.
    _scrub_failure_events(session, ids)
    unsent = _referrals.c.status.in_((ReferralStatus.draft.value, ReferralStatus.queued.value))
    referrals = session.execute(
        update(_referrals).where(_referrals.c.call_id.in_(ids)).values(
            recipient="", subject="", body="", updated_at=now, next_attempt_at=None,
            # An unsent referral without a recipient can never go out; say why in the outbox.
            status=case((unsent, ReferralStatus.failed.value), else_=_referrals.c.status),
            error=case((unsent, ERASED), else_=_error_code(_referrals.c.error)),
        )
    ).rowcount
    follow_ups = session.execute(
        update(_follow_ups).where(_follow_ups.c.call_id.in_(ids)).values(reason="", closing_note="")
    ).rowcount
    calls = session.execute(
        update(_calls).where(_pending(condition)).values(
            caller_name=None, phone=None, email=None, member_number=None, notes="", anonymised_at=now,
            updated_at=now,
        )
    ).rowcount
    return AnonymiseCounts(calls=calls, referrals=referrals, follow_ups=follow_ups)


# --- retention ----------------------------------------------------------------------------------


def retention_cutoff(retention_days: int, now: datetime | None = None) -> datetime:
    return (now or utcnow()) - timedelta(days=retention_days)


def purge(session: Session, *, retention_days: int, dry_run: bool = False, now: datetime | None = None,
          actor_id: int | None = None, actor_name: str = "") -> PurgeReport:
    """Anonymise calls that started before the retention cutoff. A dry run only counts (and writes
    nothing, not even to the audit log); a real run is recorded as action "purge" with its counts."""
    if retention_days < 1:
        raise ValueError("retention_days must be at least 1")
    cutoff = retention_cutoff(retention_days, now)
    old = _calls.c.started_at < cutoff
    counts = _count_pending(session, old) if dry_run else _anonymise(session, old)
    stale_drafts = _drafts.c.updated_at < cutoff
    if dry_run:
        drafts = session.execute(select(func.count()).select_from(_drafts).where(stale_drafts)).scalar_one()
    else:
        drafts = session.execute(delete(_drafts).where(stale_drafts)).rowcount
    counts = AnonymiseCounts(calls=counts.calls, referrals=counts.referrals, follow_ups=counts.follow_ups,
                             drafts=drafts)
    report = PurgeReport(cutoff=cutoff, retention_days=retention_days, dry_run=dry_run, **asdict(counts))
    if not dry_run:
        audit.record(session, action="purge", actor_id=actor_id, actor_name=actor_name, object_type="call",
                     detail={"cutoff": cutoff.isoformat(), "retention_days": retention_days, **asdict(counts)})
    return report


def last_purges(session: Session, *, limit: int = 10) -> list[dict[str, Any]]:
    events, _ = audit.list_events(session, action="purge", limit=limit)
    return events


# --- finding a member's calls -------------------------------------------------------------------


def _digits_and_plus(value: str) -> str:
    return re.sub(r"[^0-9+]", "", value)


def phone_variants(phone: str) -> set[str]:
    """A Danish number as staff may have typed it: 12345678, +4512345678 or 004512345678."""
    number = _digits_and_plus(phone)
    for prefix in ("+45", "0045"):
        if number.startswith(prefix) and len(number) == len(prefix) + 8:
            number = number[len(prefix):]
    if len(number) == 8 and number.isdigit():
        return {number, f"+45{number}", f"0045{number}"}
    return {number}


def _stored_phone() -> ColumnElement[str]:
    expression = _calls.c.phone
    for character in (" ", "-", "(", ")", "."):
        expression = func.replace(expression, character, "")
    return expression


def _member_condition(query: MemberQuery) -> ColumnElement[bool]:
    if query.is_empty():
        raise ValueError("give a member number, phone number or e-mail address")
    conditions = []
    if query.member_number.strip():
        conditions.append(_calls.c.member_number == query.member_number.strip())
    if query.phone.strip():
        conditions.append(_stored_phone().in_(sorted(phone_variants(query.phone))))
    if query.email.strip():
        conditions.append(func.lower(_calls.c.email) == query.email.strip().lower())
    return or_(*conditions)


def find_member_calls(session: Session, *, query: MemberQuery, viewer: Viewer) -> list[dict[str, Any]]:
    """The calls a request is about, newest first, for the preview before an erasure or export."""
    access.require(access.manages_members_data(viewer), "members' data")
    rows = session.execute(
        select(_calls.c.id, _calls.c.started_at, _calls.c.advisor_id, _calls.c.group_id, _calls.c.member_number,
               _calls.c.caller_name, _calls.c.phone, _calls.c.email, _calls.c.anonymised_at)
        .where(_member_condition(query)).order_by(_calls.c.started_at.desc()).limit(MEMBER_SEARCH_LIMIT)
    ).all()
    names = staff_names(session, ids={row.advisor_id for row in rows})
    return [{**row._mapping, "advisor_name": names.get(row.advisor_id, "")} for row in rows]


def _member_call_ids(session: Session, query: MemberQuery, *, pending_only: bool = False) -> list[int]:
    """Every call of the member (no preview limit: an erasure or export must miss none)."""
    condition = _member_condition(query)
    if pending_only:
        condition = _pending(condition)
    return list(session.execute(select(_calls.c.id).where(condition).order_by(_calls.c.id)).scalars())


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in _strings(item)]
    return []


def draft_names_member(data: dict[str, Any], query: MemberQuery) -> bool:
    """Whether any text of a call draft is the member's number, phone (as typed in any form) or e-mail.

    The draft's layout is the call page's business, so every string in it is compared, wherever it is.
    """
    number = query.member_number.strip()
    phones = phone_variants(query.phone) if query.phone.strip() else set()
    email = query.email.strip().lower()
    for text in _strings(data):
        value = text.strip()
        if not value:
            continue
        if (number and value == number) or (email and value.lower() == email):
            return True
        if phones and _digits_and_plus(value) in phones:
            return True
    return False


def _erase_member_drafts(session: Session, query: MemberQuery) -> int:
    """Delete the unsaved calls that name the member (drafts are few: one per call in progress)."""
    matching = [row.id for row in session.execute(select(_drafts.c.id, _drafts.c.data))
                if draft_names_member(row.data or {}, query)]
    if matching:
        session.execute(delete(_drafts).where(_drafts.c.id.in_(matching)))
    return len(matching)


def erase_member(session: Session, *, query: MemberQuery, actor: StaffUser) -> AnonymiseCounts:
    """Erasure on request: the same anonymisation as the retention purge, for one member's calls, and
    the member's unsaved calls (drafts) deleted."""
    access.require(access.manages_members_data(actor), "members' data")
    call_ids = _member_call_ids(session, query, pending_only=True)
    counts = _anonymise(session, _calls.c.id.in_(call_ids)) if call_ids else AnonymiseCounts(0, 0, 0)
    counts = AnonymiseCounts(calls=counts.calls, referrals=counts.referrals, follow_ups=counts.follow_ups,
                             drafts=_erase_member_drafts(session, query))
    audit.record(session, action="erase", actor_id=actor.id, actor_name=actor.username, object_type="member",
                 detail={"identified_by": query.kinds(), "call_ids": call_ids, **asdict(counts)})
    return counts


# --- access request -----------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _events_about(session: Session, pairs: list[tuple[str, list[int]]]) -> list[dict[str, Any]]:
    conditions = [(col(AuditEvent.object_type) == kind) & col(AuditEvent.object_id).in_([str(i) for i in ids])
                  for kind, ids in pairs if ids]
    if not conditions:
        return []
    rows = session.execute(
        select(col(AuditEvent.at), col(AuditEvent.actor_name), col(AuditEvent.action), col(AuditEvent.object_type),
               AuditEvent.object_id, AuditEvent.detail).where(or_(*conditions)).order_by(AuditEvent.at,
                                                                                       AuditEvent.id)
    )
    return [dict(row._mapping) for row in rows]


def access_export(session: Session, *, query: MemberQuery, actor: StaffUser) -> dict[str, Any]:
    """Everything stored about a member: calls with follow-ups and referrals, and from the audit log
    who viewed or changed them. Recorded as action "access_export"."""
    access.require(access.manages_members_data(actor), "members' data")
    call_ids = _member_call_ids(session, query)
    calls = session.execute(select(_calls).where(_calls.c.id.in_(call_ids)).order_by(_calls.c.started_at)).all()
    follow_ups = session.execute(select(_follow_ups).where(_follow_ups.c.call_id.in_(call_ids))).all()
    referrals = session.execute(
        select(_referrals.c.id, _referrals.c.call_id, _referrals.c.channel, _referrals.c.recipient,
               _referrals.c.lang, _referrals.c.subject, _referrals.c.body, _referrals.c.status,
               _referrals.c.created_at, _referrals.c.sent_at).where(_referrals.c.call_id.in_(call_ids))
    ).all()
    names = staff_names(session)
    topics, slugs = call_topics(session, call_ids), call_library_slugs(session, call_ids)
    exported = []
    for call in calls:
        values = dict(call._mapping)
        values["advisor_name"] = names.get(values["advisor_id"], "")
        values["topics"], values["library_slugs"] = topics[call.id], slugs[call.id]
        values["follow_ups"] = [
            {**row._mapping, "assignee_name": names.get(row.assignee_id, "")}
            for row in follow_ups if row.call_id == call.id
        ]
        values["referrals"] = [dict(row._mapping) for row in referrals if row.call_id == call.id]
        exported.append(values)
    events = _events_about(session, [("call", call_ids), ("referral", [row.id for row in referrals]),
                                     ("follow_up", [row.id for row in follow_ups])])
    generated_at = utcnow()
    audit.record(session, action="access_export", actor_id=actor.id, actor_name=actor.username,
                 object_type="member", detail={"identified_by": query.kinds(), "call_ids": call_ids})
    return _plain({
        "generated_at": generated_at,
        "generated_by": actor.username,
        "query": {name: getattr(query, name).strip() for name in query.kinds()},
        "calls": exported,
        "audit_log": events,
    })


def access_export_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)


def audit_actions(session: Session) -> list[str]:
    """The actions present in the audit log, for the admin's filter."""
    return list(session.execute(select(col(AuditEvent.action)).distinct().order_by(col(AuditEvent.action))).scalars())
