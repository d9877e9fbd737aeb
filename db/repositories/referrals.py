"""The referral outbox: every piece of written guidance is stored, and no e-mail is sent twice.

States (Referral.status):
    draft ──queue──▶ queued ──claim──▶ sending ──▶ sent
                                   ▲          └──▶ failed ──(retry: claim)──▶ sending ...
    letters and text: draft/failed ──mark_sent──▶ sent   (staff printed or copied it)

Why no e-mail goes out twice:
- each referral has an idempotency key; the editor keeps one key per call and channel, so a
  double click saves the same row again instead of a second referral;
- only the one request whose conditional UPDATE moves the row from queued/failed to `sending`
  (rowcount 1) talks to the SMTP server; every other click, retry or thread finds `sending` or
  `sent` and sends nothing;
- a referral left in `sending` by a crashed process is never retried silently: `recover_interrupted`
  marks it failed with the reason "interrupted", so staff decide (the message may have gone out).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from advisory import access
from advisory.access import Viewer
from advisory.referral import LANGS
from advisory.text import redact_addresses
from db.models import Call, Referral, ReferralChannel, ReferralStatus, utcnow
from db.repositories import audit

SENDING = "sending"
EDITABLE = (ReferralStatus.draft.value, ReferralStatus.queued.value, ReferralStatus.failed.value)
CLAIMABLE = (ReferralStatus.queued.value, ReferralStatus.failed.value)
MANUAL_CHANNELS = (ReferralChannel.letter.value, ReferralChannel.text.value)
# Longer than any SMTP timeout: a row still `sending` after this was left by a crashed process.
INTERRUPTED_AFTER = timedelta(minutes=10)
_RECIPIENT_MAX = 254
# Codes stored in front of an error's detail ("connect: [Errno 111] ...") and translated by the console.
ERROR_CODES = ("not_configured", "invalid_recipient", "connect", "timeout", "tls", "auth",
               "sender_refused", "recipient_refused", "smtputf8", "smtp", "interrupted")


@dataclass(frozen=True)
class ReferralRecord:
    id: int
    call_id: int
    channel: str
    recipient: str
    lang: str
    subject: str
    body: str
    status: str
    error: str | None
    idempotency_key: str
    attempts: int
    created_at: datetime
    created_by_id: int | None
    updated_at: datetime
    sent_at: datetime | None
    sent_by_id: int | None

    @property
    def error_code(self) -> str | None:
        """The stored failure's code (see ERROR_CODES), for a translated message."""
        if not self.error:
            return None
        code = self.error.split(":", 1)[0].strip()
        return code if code in ERROR_CODES else "smtp"

    @property
    def error_detail(self) -> str:
        if not self.error:
            return ""
        code, _, detail = self.error.partition(":")
        return detail.strip() if code.strip() in ERROR_CODES else self.error


@dataclass(frozen=True)
class SendOutcome:
    """What a send attempt did. `sent_now` is True only for the attempt that handed it to SMTP."""

    referral: ReferralRecord
    sent_now: bool

    @property
    def status(self) -> str:
        return self.referral.status


def _record(row: Referral) -> ReferralRecord:
    return ReferralRecord(**{f.name: getattr(row, f.name) for f in fields(ReferralRecord)})


def new_key() -> str:
    return uuid.uuid4().hex


def get(session: Session, *, referral_id: int) -> ReferralRecord | None:
    row = session.get(Referral, referral_id, populate_existing=True)
    return _record(row) if row else None


def get_by_key(session: Session, *, idempotency_key: str) -> ReferralRecord | None:
    row = session.exec(
        select(Referral).where(Referral.idempotency_key == idempotency_key).execution_options(populate_existing=True)
    ).first()
    return _record(row) if row else None


# --- writing the text -----------------------------------------------------------------------------


def save(
    session: Session,
    *,
    idempotency_key: str,
    call_id: int,
    channel: str,
    lang: str,
    subject: str,
    body: str,
    recipient: str = "",
    actor: Viewer,
) -> ReferralRecord:
    """Store the editor's text under its key: a new draft, or the same unsent referral updated.

    A referral already `sending` or `sent` is returned unchanged: what went out stays on record.
    Only someone who may write guidance for the call (advisory.access) may save it.
    """
    channel = ReferralChannel(channel).value
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {LANGS}")
    call = session.get(Call, call_id)
    if call is None:
        raise LookupError(f"call {call_id} does not exist")
    access.require(access.may_write_guidance(actor, call_advisor_id=call.advisor_id), "writing guidance")
    actor_id = actor.id
    values = dict(channel=channel, lang=lang, subject=" ".join(subject.split())[:255], body=body,
                  recipient=recipient.strip()[:_RECIPIENT_MAX])
    existing = get_by_key(session, idempotency_key=idempotency_key)
    if existing is None:
        try:
            with session.begin_nested():
                row = Referral(idempotency_key=idempotency_key, call_id=call_id, created_by_id=actor_id,
                               status=ReferralStatus.draft.value, **values)
                session.add(row)
        except IntegrityError:
            existing = get_by_key(session, idempotency_key=idempotency_key)  # the other click won
        else:
            audit.record(session, action="referral_create", actor_id=actor_id, object_type="referral",
                         object_id=row.id, detail={"call_id": call_id, "channel": channel})
            return _record(row)
    if existing.call_id != call_id:
        raise ValueError(f"idempotency key {idempotency_key} belongs to call {existing.call_id}")
    _update_where(session, existing.id, EDITABLE, **values)
    return get(session, referral_id=existing.id)


def queue_email(session: Session, *, referral_id: int, recipient: str, actor_id: int | None) -> ReferralRecord:
    """Mark the e-mail ready to send to `recipient` (already checked by services.outbox.queue_email)."""
    record = get(session, referral_id=referral_id)
    if record is None or record.channel != ReferralChannel.email.value:
        raise ValueError(f"referral {referral_id} is not an e-mail")
    _update_where(session, referral_id, EDITABLE, recipient=recipient, status=ReferralStatus.queued.value)
    return get(session, referral_id=referral_id)


def _update_where(session: Session, referral_id: int, statuses: Iterable[str], **values) -> int:
    """A conditional UPDATE: it changes the row only in one of `statuses`; returns the rows changed."""
    result = session.connection().execute(
        update(Referral)
        .where(col(Referral.id) == referral_id, col(Referral.status).in_(list(statuses)))
        .values(updated_at=utcnow(), **values)
    )
    return result.rowcount


# --- sending --------------------------------------------------------------------------------------


def claim(session: Session, *, referral_id: int) -> bool:
    """Move a queued or failed e-mail to `sending`; True only for the one caller that did it.

    Run it as the first statement of its own transaction (SQLite then takes the write lock at once).
    """
    result = session.connection().execute(
        update(Referral)
        .where(col(Referral.id) == referral_id, col(Referral.channel) == ReferralChannel.email.value,
               col(Referral.status).in_(CLAIMABLE))
        .values(status=SENDING, attempts=Referral.attempts + 1, updated_at=utcnow())
    )
    return result.rowcount == 1


def finish(session: Session, record: ReferralRecord, *, error: str | None, actor_id: int | None) -> None:
    now = utcnow()
    if error is None:
        _update_where(session, record.id, (SENDING,), status=ReferralStatus.sent.value, error=None, sent_at=now,
                      sent_by_id=actor_id)
        _audit_sent(session, record, actor_id)
    else:
        # A mail server's error may echo the recipient's address: it is personal data, the reason is not.
        error = redact_addresses(error)
        _update_where(session, record.id, (SENDING,), status=ReferralStatus.failed.value, error=error[:4000])
        audit.record(session, action="referral_failed", actor_id=actor_id, object_type="referral",
                     object_id=record.id, detail={"call_id": record.call_id, "error": error[:200]})


def _audit_sent(session: Session, record: ReferralRecord, actor_id: int | None) -> None:
    # On the call, so the call's history shows that guidance went out and how.
    audit.record(session, action="referral_sent", actor_id=actor_id, object_type="call", object_id=record.call_id,
                 detail={"referral_id": record.id, "channel": record.channel})


def mark_sent(session: Session, *, referral_id: int, actor_id: int | None) -> bool:
    """Staff printed the letter or copied the text: record it as sent (once; True if now marked)."""
    record = get(session, referral_id=referral_id)
    if record is None or record.channel not in MANUAL_CHANNELS:
        raise ValueError(f"referral {referral_id} is not a letter or text")
    changed = _update_where(session, referral_id, EDITABLE, status=ReferralStatus.sent.value, error=None,
                            sent_at=utcnow(), sent_by_id=actor_id)
    if changed:
        _audit_sent(session, record, actor_id)
    return bool(changed)


def recover_interrupted(session: Session, *, older_than: timedelta = INTERRUPTED_AFTER) -> int:
    """Rows stuck in `sending` (a crashed process) become failed, with a reason that warns of a copy."""
    if not session.exec(select(Referral.id).where(Referral.status == SENDING).limit(1)).first():
        return 0  # the usual case: no write, so page loads take no write lock
    result = session.connection().execute(
        update(Referral)
        .where(col(Referral.status) == SENDING, col(Referral.updated_at) < utcnow() - older_than)
        .values(status=ReferralStatus.failed.value, error="interrupted: sending was interrupted",
                updated_at=utcnow())
    )
    return result.rowcount


# --- reading ---------------------------------------------------------------------------------------


def list_for_call(session: Session, *, call_id: int) -> list[ReferralRecord]:
    """A call's referrals, oldest first (for the call's detail view)."""
    rows = session.exec(select(Referral).where(Referral.call_id == call_id).order_by(col(Referral.id)))
    return [_record(row) for row in rows]


def latest_open_for_call(session: Session, *, call_id: int, created_by_id: int) -> ReferralRecord | None:
    """The newest unsent referral this user started for the call: the editor resumes it."""
    row = session.exec(
        select(Referral)
        .where(Referral.call_id == call_id, Referral.created_by_id == created_by_id,
               col(Referral.status).in_(EDITABLE))
        .order_by(col(Referral.updated_at).desc(), col(Referral.id).desc())
    ).first()
    return _record(row) if row else None


def list_outbox(
    session: Session,
    *,
    viewer: Viewer,
    statuses: Iterable[str] | None = None,
    limit: int = 200,
) -> list[ReferralRecord]:
    """Newest first: everything for supervisors and the secretariat, their own messages for advisors."""
    access.require(access.uses_outbox(viewer), "reading the outbox")
    query = select(Referral)
    if not access.sees_whole_outbox(viewer):
        query = query.where(Referral.created_by_id == viewer.id)
    if statuses:
        query = query.where(col(Referral.status).in_(list(statuses)))
    rows = session.exec(query.order_by(col(Referral.updated_at).desc(), col(Referral.id).desc()).limit(limit))
    return [_record(row) for row in rows]


def calls_awaiting_referral(session: Session, *, advisor_id: int, limit: int = 20) -> list[dict]:
    """The advisor's recent calls (not anonymised) with no referral sent yet, newest first."""
    sent = select(Referral.call_id).where(Referral.status == ReferralStatus.sent.value)
    rows = session.exec(
        select(Call.id, Call.started_at, Call.group_id, Call.caller_name)
        .where(Call.advisor_id == advisor_id, col(Call.anonymised_at).is_(None), col(Call.id).not_in(sent))
        .order_by(col(Call.started_at).desc())
        .limit(limit)
    )
    return [{"id": r[0], "started_at": r[1], "group_id": r[2], "caller_name": r[3]} for r in rows]
