"""Sending written guidance: queue an e-mail, deliver it over SMTP at most once, the outbox runner that
retries by itself, and the letters (one letter, or the day's batch as one PDF).

The outbox's states, the claims that make a send happen at most once and the retry schedule live in
`db.repositories.referrals`; this module talks to the SMTP server and renders PDFs, which is not
persistence. Every function that depends on the time takes `now` (a UTC datetime; default: the clock),
so tests drive the retry schedule without waiting.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage

from sqlalchemy.engine import Engine
from sqlmodel import Session

from advisory.access import Viewer
from advisory.formatting import to_local
from advisory.referral import ReferralText
from db.engine import session_scope
from db.models import utcnow
from db.repositories import referrals
from db.repositories.referrals import ReferralRecord, SendOutcome
from services import mail
from services.letters import LetterToPrint, render_letter_pdf, render_letters_pdf
from settings import Settings, get_settings

log = logging.getLogger(__name__)
# One run sends at most this many messages, so a run started every minute ends long before the next
# one would pile up behind it (concurrent runs are safe anyway, they only share the work).
RUN_LIMIT = 200

Transport = Callable[..., None]


def queue_email(session: Session, *, referral_id: int, actor_id: int | None,
                now: datetime | None = None) -> ReferralRecord:
    """Check the recipient and mark the e-mail ready to send; raise mail.InvalidAddress first."""
    record = referrals.get(session, referral_id=referral_id)
    if record is None:
        raise ValueError(f"referral {referral_id} does not exist")
    recipient = mail.normalise_address(record.recipient)
    return referrals.queue_email(session, referral_id=referral_id, recipient=recipient, actor_id=actor_id, now=now)


def deliver_email(
    *,
    engine: Engine,
    referral_id: int,
    actor_id: int | None,
    settings: Settings | None = None,
    transport: Transport = mail.send,
    now: datetime | None = None,
) -> SendOutcome:
    """A person's send or retry: send a queued (or failed) e-mail now, at most once; safe to call again.

    It claims the row whatever its planned next attempt; a row a runner or another click holds is left
    alone (`sent_now` False). Three short transactions: claim, send (no transaction open while talking
    to the server), record.
    """
    with session_scope(engine) as session:
        claimed = referrals.claim(session, referral_id=referral_id, now=now)
        record = referrals.get(session, referral_id=referral_id)
    if record is None:
        raise LookupError(f"referral {referral_id} does not exist")
    if not claimed:
        return SendOutcome(referral=record, sent_now=False)
    return _send_claimed(engine, record, actor_id=actor_id, settings=settings, transport=transport, now=now)


def _send_claimed(engine: Engine, record: ReferralRecord, *, actor_id: int | None, settings: Settings | None,
                  transport: Transport, now: datetime | None) -> SendOutcome:
    error: str | None = None
    permanent = False
    try:
        transport(_message(record, settings), settings=settings)
    except mail.InvalidAddress as exc:
        error, permanent = f"invalid_recipient: {exc.reason}", True
    except mail.MailError as exc:
        error, permanent = str(exc), exc.permanent or exc.code == "not_configured"
    except Exception as exc:  # never leave a row in `sending` because of an unexpected error
        error = f"smtp: {type(exc).__name__}: {exc}"
    with session_scope(engine) as session:
        referrals.finish(session, record, error=error, actor_id=actor_id, permanent=permanent, now=now)
        record = referrals.get(session, referral_id=record.id)
    return SendOutcome(referral=record, sent_now=error is None)


def _message(record: ReferralRecord, settings: Settings | None) -> EmailMessage:
    settings = settings or get_settings()
    if reason := mail.unavailable_reason(settings):
        raise mail.MailError("not_configured", reason)
    return mail.build_message(sender=settings.SMTP_FROM, to=mail.normalise_address(record.recipient),
                              subject=record.subject, body=record.body, idempotency_key=record.idempotency_key)


# --- the runner: `python -m cli send-outbox` -------------------------------------------------


@dataclass(frozen=True)
class RunReport:
    """What one run of the outbox runner did."""

    sent: int = 0
    retry_planned: int = 0  # failed, will be tried again at its next attempt time
    for_person: int = 0  # failed and left to a person (last attempt, final refusal)
    interrupted: int = 0  # found stuck in `sending` (a crashed sender) and left to a person
    not_configured: str | None = None  # the missing SMTP settings; nothing was claimed

    def summary(self) -> str:
        if self.not_configured:
            return f"send-outbox: e-mail is not configured ({self.not_configured} not set); nothing sent"
        return (f"send-outbox: {self.sent} sent, {self.retry_planned} failed and planned again, "
                f"{self.for_person} left for a person, {self.interrupted} interrupted sends found")


def send_due(
    *,
    engine: Engine,
    settings: Settings | None = None,
    transport: Transport = mail.send,
    now: datetime | None = None,
    limit: int = RUN_LIMIT,
    before_send: Callable[[ReferralRecord], None] | None = None,
) -> RunReport:
    """Send every e-mail that is due (queued, or failed with its next attempt reached), one at a time.

    Safe from cron every minute and from several machines at once: each message is claimed by exactly
    one runner, and a message found stuck in `sending` (its runner crashed) is never sent again by a
    runner. `now` fixes the run's clock (tests); `before_send` is called after each claim, before the
    message goes to the server (tests use it to stop a runner right there).
    """
    settings = settings or get_settings()
    if reason := mail.unavailable_reason(settings):
        return RunReport(not_configured=reason)
    with session_scope(engine) as session:
        interrupted = referrals.recover_interrupted(session, now=now)
    sent = retry_planned = for_person = 0
    for _ in range(limit):
        with session_scope(engine) as session:
            referral_id = referrals.claim_next_due(session, now=now)
            record = referrals.get(session, referral_id=referral_id) if referral_id is not None else None
        if record is None:
            break
        if before_send is not None:
            before_send(record)
        outcome = _send_claimed(engine, record, actor_id=None, settings=settings, transport=transport, now=now)
        if outcome.sent_now:
            sent += 1
        elif outcome.referral.retry_scheduled:
            retry_planned += 1
        else:
            for_person += 1
        # Ids and codes only: never the recipient, the subject or the server's reply (it may quote the address).
        log.info("referral %s: %s (attempt %s%s)", record.id, outcome.status, outcome.referral.attempts,
                 f", {outcome.referral.error_code}" if outcome.referral.error_code else "")
    return RunReport(sent=sent, retry_planned=retry_planned, for_person=for_person, interrupted=interrupted)


# --- letters --------------------------------------------------------------------------------------------


def _today(now: datetime | None) -> date:
    return to_local(now or utcnow()).date()


def letter_pdf(*, subject: str, body: str, lang: str, recipient: str = "", letter_date: date | None = None,
               settings: Settings | None = None) -> bytes:
    """The printable A4 letter of a referral's text; `recipient` holds the address lines (one a line)."""
    settings = settings or get_settings()
    return render_letter_pdf(
        ReferralText(subject=subject, body=body),
        lang=lang,
        recipient_lines=[line for line in recipient.splitlines() if line.strip()],
        letter_date=letter_date or _today(None),
        phone=settings.ADVICE_LINE_PHONE,
        hours=settings.ADVICE_LINE_HOURS,
    )


def print_letters(*, engine: Engine, referral_ids: list[int], actor: Viewer, confirm_reprint: bool = False,
                  skip_posted: bool = False, now: datetime | None = None, settings: Settings | None = None) -> bytes:
    """One PDF holding the given letters (each from a new page, dated today), recorded as printed.

    Letters already posted are left out with `skip_posted`; otherwise they raise
    referrals.ReprintNeedsConfirmation unless `confirm_reprint`, and their printing is audited as a
    reprint. Raises LookupError when none of the letters can be printed.
    """
    settings = settings or get_settings()
    with session_scope(engine) as session:
        records = referrals.letters_for_print(session, referral_ids=referral_ids, actor=actor,
                                              confirm_reprint=confirm_reprint, skip_posted=skip_posted, now=now)
    if not records:
        raise LookupError(f"none of the letters {referral_ids} can be printed")
    letters = [LetterToPrint(text=ReferralText(subject=r.subject, body=r.body), lang=r.lang,
                             recipient_lines=[line for line in r.recipient.splitlines() if line.strip()])
               for r in records]
    return render_letters_pdf(letters, letter_date=_today(now), phone=settings.ADVICE_LINE_PHONE,
                              hours=settings.ADVICE_LINE_HOURS)
