"""The referral outbox: every piece of written guidance is stored, and no e-mail is sent twice.

States (Referral.status):
    draft ──queue──▶ queued ──claim──▶ sending ──▶ sent
                                   ▲          └──▶ failed ──(due again, or a person's retry: claim)──▶ sending ...
    letters: draft ──queue_letter──▶ queued (in the batch) ──mark_posted──▶ sent
    letters and text: draft/failed ──mark_sent──▶ sent   (staff printed or copied it themselves)

Retries: a failed e-mail carries `next_attempt_at`, the time the outbox runner (services.outbox.send_due,
`python -m cli send-outbox`) may try again: 1 min, 5 min, 30 min, 2 h and 12 h after the 1st to
5th attempt (RETRY_DELAYS). After the 6th attempt, after a refusal that retrying cannot cure (the
server rejects the address or the message) and after an interrupted send, `next_attempt_at` stays empty:
the message waits for a person, with the reason's code in `error`. A person's "retry" is one more
attempt at once; it does not restart the series (the attempt count goes on), so a message already
given up stays with a person if that attempt fails too.

Why no e-mail goes out twice:
- each referral has an idempotency key (also the Message-ID); the editor keeps one key per call and
  channel, so a double click saves the same row again instead of a second referral;
- only the one caller whose conditional UPDATE moves the row from queued/failed to `sending` talks to
  the SMTP server: a person's retry (`claim`) or a runner (`claim_next_due`, which on PostgreSQL
  skips rows another runner has locked with `FOR UPDATE SKIP LOCKED`, and on SQLite is one UPDATE
  under the database's write lock); every other click, retry, thread or runner sends nothing;
- a referral left in `sending` by a crashed process is never retried silently: `recover_interrupted`
  marks it failed with the reason "interrupted" and no next attempt, so a person decides (the message
  may have gone out).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from advisory import access
from advisory.access import Viewer
from advisory.postal import AddressCheck, check_address
from advisory.referral import LANGS
from advisory.text import redact_addresses
from advisory.vocab import CallerRole
from db.models import Call, Referral, ReferralChannel, ReferralStatus, User, utcnow
from db.repositories import audit

SENDING = "sending"
EDITABLE = (ReferralStatus.draft.value, ReferralStatus.queued.value, ReferralStatus.failed.value)
CLAIMABLE = (ReferralStatus.queued.value, ReferralStatus.failed.value)
MANUAL_CHANNELS = (ReferralChannel.letter.value, ReferralChannel.text.value)
# Longer than any SMTP timeout: a row still `sending` after this was left by a crashed process.
INTERRUPTED_AFTER = timedelta(minutes=10)
# The wait after the 1st, 2nd, ... failed attempt; after the last attempt the message waits for a person.
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
                timedelta(hours=12))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
_RECIPIENT_MAX = 254
# Codes stored in front of an error's detail ("connect: [Errno 111] ...") and translated by the console.
ERROR_CODES = ("not_configured", "invalid_recipient", "connect", "timeout", "tls", "auth",
               "sender_refused", "recipient_refused", "smtputf8", "smtp", "interrupted", "erased")


class InvalidPostalAddress(ValueError):
    """The letter's recipient block is not a usable Danish postal address; `check.missing` says why."""

    def __init__(self, check: AddressCheck):
        super().__init__(f"address lacks {', '.join(check.missing) or 'room (too many lines)'}")
        self.check = check


class ReprintNeedsConfirmation(PermissionError):
    """Printing letters already posted needs the printer's explicit confirmation (it is audited)."""

    def __init__(self, referral_ids: list[int]):
        super().__init__(f"letters already posted: {referral_ids}")
        self.referral_ids = referral_ids


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
    next_attempt_at: datetime | None = None
    printed_at: datetime | None = None
    posted_at: datetime | None = None
    posted_by_id: int | None = None
    version: int = 1
    printed_version: int | None = None
    posted_version: int | None = None

    @property
    def printed_as_is(self) -> bool:
        """A letter whose current text is the one last printed (only such a letter may be marked posted)."""
        return self.printed_at is not None and self.printed_version == self.version

    @property
    def waits_for_person(self) -> bool:
        """A failed message the runner will not try again: someone must look at it."""
        return self.status == ReferralStatus.failed.value and self.next_attempt_at is None

    @property
    def retry_scheduled(self) -> bool:
        return self.status == ReferralStatus.failed.value and self.next_attempt_at is not None

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
    if call.caller_role == CallerRole.relative and not call.third_party_consent:
        # Guidance about the member goes to a relative only with the member's consent.
        raise access.AccessDenied("guidance to a relative without the member's consent")
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
    changed = any(getattr(existing, name) != value for name, value in values.items())
    if changed and existing.printed_at is not None and existing.status in EDITABLE:
        # The printed text stays what it was: the edit is the next version, which must be printed again.
        if _update_where(session, existing.id, EDITABLE, version=existing.version + 1, printed_at=None, **values):
            audit.record(session, action="letter_new_version", actor_id=actor_id, object_type="referral",
                         object_id=existing.id, detail={"call_id": call_id, "version": existing.version + 1,
                                                        "printed_version": existing.printed_version})
        return get(session, referral_id=existing.id)
    _update_where(session, existing.id, EDITABLE, **values)
    return get(session, referral_id=existing.id)


def queue_email(session: Session, *, referral_id: int, recipient: str, actor_id: int | None,
                now: datetime | None = None) -> ReferralRecord:
    """Mark the e-mail ready to send to `recipient` (already checked by services.outbox.queue_email).

    It is due at once: the sender tries it straight away, and the outbox runner picks it up if not.
    """
    record = get(session, referral_id=referral_id)
    if record is None or record.channel != ReferralChannel.email.value:
        raise ValueError(f"referral {referral_id} is not an e-mail")
    _update_where(session, referral_id, EDITABLE, recipient=recipient, status=ReferralStatus.queued.value,
                  next_attempt_at=now or utcnow(), now=now)
    return get(session, referral_id=referral_id)


def queue_letter(session: Session, *, referral_id: int, actor: Viewer) -> ReferralRecord:
    """Put the letter in the batch waiting to be printed and posted; its address must be usable.

    Raises InvalidPostalAddress (with what is missing) and leaves the letter as it was otherwise.
    """
    record = get(session, referral_id=referral_id)
    if record is None or record.channel != ReferralChannel.letter.value:
        raise ValueError(f"referral {referral_id} is not a letter")
    call = session.get(Call, record.call_id)
    access.require(access.may_write_guidance(actor, call_advisor_id=call.advisor_id), "writing guidance")
    if call.caller_role == CallerRole.relative and not call.third_party_consent:
        # Guidance about the member goes to a relative only with the member's consent.
        raise access.AccessDenied("guidance to a relative without the member's consent")
    check = check_address(record.recipient)
    if not check.usable:
        raise InvalidPostalAddress(check)
    if _update_where(session, referral_id, (ReferralStatus.draft.value, ReferralStatus.failed.value),
                     status=ReferralStatus.queued.value, error=None):
        audit.record(session, action="letter_queued", actor_id=actor.id, object_type="referral",
                     object_id=referral_id, detail={"call_id": record.call_id})
    return get(session, referral_id=referral_id)


def _update_where(session: Session, referral_id: int, statuses: Iterable[str], *, now: datetime | None = None,
                  **values) -> int:
    """A conditional UPDATE: it changes the row only in one of `statuses`; returns the rows changed."""
    result = session.connection().execute(
        update(Referral)
        .where(col(Referral.id) == referral_id, col(Referral.status).in_(list(statuses)))
        .values(updated_at=now or utcnow(), **values)
    )
    return result.rowcount


# --- sending --------------------------------------------------------------------------------------


def _claimed_values(now: datetime) -> dict:
    return dict(status=SENDING, attempts=Referral.attempts + 1, updated_at=now, next_attempt_at=None)


def claim(session: Session, *, referral_id: int, now: datetime | None = None) -> bool:
    """A person's send or retry: move a queued or failed e-mail to `sending` whatever its next attempt.

    True only for the one caller that did it. Run it as the first statement of its own transaction
    (SQLite then takes the write lock at once).
    """
    result = session.connection().execute(
        update(Referral)
        .where(col(Referral.id) == referral_id, col(Referral.channel) == ReferralChannel.email.value,
               col(Referral.status).in_(CLAIMABLE))
        .values(**_claimed_values(now or utcnow()))
    )
    return result.rowcount == 1


def _due(now: datetime):
    return (col(Referral.channel) == ReferralChannel.email.value, col(Referral.status).in_(CLAIMABLE),
            col(Referral.next_attempt_at) <= now)


def claim_next_due(session: Session, *, now: datetime | None = None) -> int | None:
    """The outbox runner's claim: the e-mail due longest, moved to `sending`, or None when none is due.

    One statement, first in its own transaction, so each message goes to exactly one runner:
    - PostgreSQL: the candidate is chosen with `FOR UPDATE SKIP LOCKED`, so concurrent runners each lock
      a different row instead of queueing behind one another;
    - SQLite: the UPDATE (candidate subquery included) runs under the database's single write lock;
      the outer WHERE repeats the conditions, so a row claimed meanwhile is never claimed again.
    """
    now = now or utcnow()
    candidate = (select(Referral.id).where(*_due(now))
                 .order_by(col(Referral.next_attempt_at), col(Referral.id)).limit(1))
    if session.connection().dialect.name == "postgresql":
        candidate = candidate.with_for_update(skip_locked=True)
    result = session.connection().execute(
        update(Referral)
        .where(col(Referral.id) == candidate.scalar_subquery(), *_due(now))
        .values(**_claimed_values(now))
        .returning(Referral.id)
    )
    return result.scalar_one_or_none()


def next_attempt_after(attempts: int, now: datetime, *, permanent: bool = False) -> datetime | None:
    """When to try again after the `attempts`-th attempt failed; None: leave it to a person."""
    if permanent or attempts < 1 or attempts >= MAX_ATTEMPTS:
        return None
    return now + RETRY_DELAYS[attempts - 1]


def finish(session: Session, record: ReferralRecord, *, error: str | None, actor_id: int | None,
           permanent: bool = False, now: datetime | None = None) -> None:
    """Record the attempt `record` (as claimed) made: sent, or failed with its next attempt (or none)."""
    now = now or utcnow()
    if error is None:
        _update_where(session, record.id, (SENDING,), now=now, status=ReferralStatus.sent.value, error=None,
                      sent_at=now, sent_by_id=actor_id, next_attempt_at=None)
        _audit_sent(session, record, actor_id)
    else:
        # A mail server's error may echo the recipient's address: it is personal data, the reason is not.
        error = redact_addresses(error)
        retry_at = next_attempt_after(record.attempts, now, permanent=permanent)
        _update_where(session, record.id, (SENDING,), now=now, status=ReferralStatus.failed.value,
                      error=error[:4000], next_attempt_at=retry_at)
        audit.record(session, action="referral_failed", actor_id=actor_id, object_type="referral",
                     object_id=record.id, detail={"call_id": record.call_id, "error": error[:200],
                                                  "attempt": record.attempts,
                                                  "next_attempt_at": retry_at.isoformat() if retry_at else None})


def _audit_sent(session: Session, record: ReferralRecord, actor_id: int | None) -> None:
    # On the call, so the call's history shows that guidance went out, how, and (letters) which version.
    detail: dict = {"referral_id": record.id, "channel": record.channel}
    if record.channel == ReferralChannel.letter.value:
        detail["version"] = record.version
    audit.record(session, action="referral_sent", actor_id=actor_id, object_type="call", object_id=record.call_id,
                 detail=detail)


def mark_sent(session: Session, *, referral_id: int, actor_id: int | None) -> bool:
    """Staff printed the letter or copied the text themselves: record it as sent (once; True if now marked)."""
    record = get(session, referral_id=referral_id)
    if record is None or record.channel not in MANUAL_CHANNELS:
        raise ValueError(f"referral {referral_id} is not a letter or text")
    now = utcnow()
    posted = (dict(posted_at=now, posted_by_id=actor_id, posted_version=record.version)
              if record.channel == ReferralChannel.letter.value else {})
    changed = _update_where(session, referral_id, EDITABLE, now=now, status=ReferralStatus.sent.value, error=None,
                            sent_at=now, sent_by_id=actor_id, **posted)
    if changed:
        _audit_sent(session, record, actor_id)
    return bool(changed)


def recover_interrupted(session: Session, *, older_than: timedelta = INTERRUPTED_AFTER,
                        now: datetime | None = None) -> int:
    """Rows stuck in `sending` (a crashed process) become failed for a person, with a reason that warns
    of a copy: they are never tried again automatically."""
    if not session.exec(select(Referral.id).where(Referral.status == SENDING).limit(1)).first():
        return 0  # the usual case: no write, so page loads take no write lock
    now = now or utcnow()
    result = session.connection().execute(
        update(Referral)
        .where(col(Referral.status) == SENDING, col(Referral.updated_at) < now - older_than)
        .values(status=ReferralStatus.failed.value, error="interrupted: sending was interrupted",
                next_attempt_at=None, updated_at=now)
    )
    return result.rowcount


# --- letters: the batch to print and post ----------------------------------------------------------


@dataclass(frozen=True)
class LetterToPost:
    """A letter waiting in the batch, with who wrote it and whether its address can go in a window."""

    referral: ReferralRecord
    author_name: str
    address: AddressCheck


def letters_to_post(session: Session, *, viewer: Viewer, limit: int = 500) -> list[LetterToPost]:
    """Every letter waiting to be printed and posted, across advisors, oldest first."""
    access.require(access.may_post_letters(viewer), "posting letters")
    rows = session.exec(
        select(Referral)
        .where(Referral.channel == ReferralChannel.letter.value, Referral.status == ReferralStatus.queued.value)
        .order_by(col(Referral.created_at), col(Referral.id))
        .limit(limit)
        .execution_options(populate_existing=True)
    ).all()
    names = _names(session, {row.created_by_id for row in rows})
    return [LetterToPost(referral=_record(row), author_name=names.get(row.created_by_id, ""),
                         address=check_address(row.recipient)) for row in rows]


def recently_posted(session: Session, *, viewer: Viewer, limit: int = 50) -> list[LetterToPost]:
    """Letters already posted, newest first (to print one again, which asks for confirmation)."""
    access.require(access.may_post_letters(viewer), "posting letters")
    rows = session.exec(
        select(Referral)
        .where(Referral.channel == ReferralChannel.letter.value, Referral.status == ReferralStatus.sent.value,
               col(Referral.recipient) != "")
        .order_by(col(Referral.posted_at).desc(), col(Referral.id).desc())
        .limit(limit)
    ).all()
    names = _names(session, {row.created_by_id for row in rows})
    return [LetterToPost(referral=_record(row), author_name=names.get(row.created_by_id, ""),
                         address=check_address(row.recipient)) for row in rows]


def letters_for_print(session: Session, *, referral_ids: list[int], actor: Viewer, confirm_reprint: bool = False,
                      skip_posted: bool = False, now: datetime | None = None) -> list[ReferralRecord]:
    """The letters to print, in the order given, recorded as printed (audited).

    Only letters with a usable address are printed. Letters already posted are left out with
    `skip_posted` (the day's batch: a colleague posted them meanwhile); otherwise they need
    `confirm_reprint` (ReprintNeedsConfirmation if not), and their printing is audited as a reprint.
    """
    # Printing runs when the download is fetched, outside the page's run: the role is read again here.
    staff = session.get(User, actor.id)
    access.require(staff is not None and staff.active and access.may_post_letters(staff), "posting letters")
    now = now or utcnow()
    rows = {row.id: row for row in session.exec(
        select(Referral).where(col(Referral.id).in_(referral_ids), Referral.channel == ReferralChannel.letter.value)
        .execution_options(populate_existing=True))}
    printable = (ReferralStatus.queued.value,) if skip_posted else (ReferralStatus.queued.value,
                                                                     ReferralStatus.sent.value)
    letters = [rows[i] for i in dict.fromkeys(referral_ids)
               if i in rows and rows[i].status in printable and check_address(rows[i].recipient).usable]
    reprints = [row.id for row in letters if row.status == ReferralStatus.sent.value]
    if reprints and not confirm_reprint:
        raise ReprintNeedsConfirmation(reprints)
    if letters:
        session.connection().execute(
            update(Referral).where(col(Referral.id).in_([row.id for row in letters]))
            .values(printed_at=now, printed_version=Referral.version))
        audit.record(session, action="letters_reprinted" if reprints else "letters_printed", actor_id=actor.id,
                     object_type="referral", detail={"referral_ids": [row.id for row in letters],
                                                     "versions": [row.version for row in letters],
                                                     "already_posted": reprints})
    return [get(session, referral_id=row.id) for row in letters]


def mark_posted(session: Session, *, referral_ids: list[int], actor: Viewer, now: datetime | None = None) -> list[int]:
    """The printed batch went in the post: each waiting letter becomes sent, posted by `actor` now.

    Only a letter whose current version is the one printed is marked: one edited since printing (a new
    version) stays in the batch to be printed again, so the log never says a text was posted that was
    not. Letters no longer waiting (posted meanwhile by a colleague, or erased) are left alone; returns
    the ids that were marked now.
    """
    access.require(access.may_post_letters(actor), "posting letters")
    now = now or utcnow()
    waiting = [row for row in session.exec(
        select(Referral).where(col(Referral.id).in_(referral_ids), Referral.channel == ReferralChannel.letter.value,
                               Referral.status == ReferralStatus.queued.value)
        .execution_options(populate_existing=True))]
    posted = []
    for row in waiting:
        # Conditional on the version printed being the version now: an edit a moment ago wins.
        result = session.connection().execute(
            update(Referral)
            .where(col(Referral.id) == row.id, col(Referral.status) == ReferralStatus.queued.value,
                   col(Referral.printed_at).is_not(None), col(Referral.printed_version) == col(Referral.version))
            .values(updated_at=now, status=ReferralStatus.sent.value, error=None, sent_at=now, sent_by_id=actor.id,
                    posted_at=now, posted_by_id=actor.id, posted_version=Referral.version))
        if result.rowcount:
            posted.append(row.id)
            _audit_sent(session, _record(row), actor.id)
    if posted:
        audit.record(session, action="letters_posted", actor_id=actor.id, object_type="referral",
                     detail={"referral_ids": posted, "versions": [_version(session, i) for i in posted]})
    return posted


def _version(session: Session, referral_id: int) -> int:
    return session.exec(select(Referral.version).where(Referral.id == referral_id)).one()


def _names(session: Session, ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(session.exec(select(col(User.id), col(User.display_name)).where(col(User.id).in_(ids))).all())


# --- the outbox's health -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxHealth:
    emails_waiting: int  # queued, being sent, or failed with a retry planned
    letters_waiting: int  # in the batch, not yet posted
    failed_for_person: int  # failed with no retry planned
    oldest_waiting_since: datetime | None  # when the oldest waiting message was written

    def oldest_age(self, now: datetime | None = None) -> timedelta | None:
        if self.oldest_waiting_since is None:
            return None
        return max((now or utcnow()) - self.oldest_waiting_since, timedelta(0))


def outbox_health(session: Session, *, viewer: Viewer) -> OutboxHealth:
    """Counts only (no recipient, no text): for supervisors' statistics and the secretariat."""
    access.require(access.reads_statistics(viewer) or access.sees_whole_outbox(viewer), "outbox health")
    failed, email, letter = ReferralStatus.failed.value, ReferralChannel.email.value, ReferralChannel.letter.value
    email_waiting = (col(Referral.channel) == email) & (
        col(Referral.status).in_((ReferralStatus.queued.value, SENDING))
        | ((col(Referral.status) == failed) & col(Referral.next_attempt_at).is_not(None)))
    letter_waiting = (col(Referral.channel) == letter) & (col(Referral.status) == ReferralStatus.queued.value)
    for_person = (col(Referral.status) == failed) & col(Referral.next_attempt_at).is_(None)
    row = session.exec(select(
        func.count().filter(email_waiting), func.count().filter(letter_waiting), func.count().filter(for_person),
        func.min(Referral.created_at).filter(email_waiting | letter_waiting),
    ).where(col(Referral.status).in_((ReferralStatus.queued.value, SENDING, failed)))).one()
    oldest = row[3]
    if isinstance(oldest, str):  # SQLite hands an aggregate of a datetime column back as text
        oldest = datetime.fromisoformat(oldest)
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return OutboxHealth(emails_waiting=row[0], letters_waiting=row[1], failed_for_person=row[2],
                        oldest_waiting_since=oldest)


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


def calls_awaiting_referral(session: Session, *, viewer: Viewer, limit: int = 20) -> list[dict]:
    """The viewer's recent calls (not anonymised) with no referral sent yet, newest first."""
    access.require(access.writes_guidance(viewer), "writing guidance")
    sent = select(Referral.call_id).where(Referral.status == ReferralStatus.sent.value)
    rows = session.exec(
        select(Call.id, Call.started_at, Call.group_id, Call.caller_name)
        .where(Call.advisor_id == viewer.id, col(Call.anonymised_at).is_(None), col(Call.id).not_in(sent))
        .order_by(col(Call.started_at).desc())
        .limit(limit)
    )
    return [{"id": r[0], "started_at": r[1], "group_id": r[2], "caller_name": r[3]} for r in rows]
