"""Sending written guidance: queue an e-mail, deliver it over SMTP at most once, render a letter.

The outbox's states and the claim that makes a send happen at most once live in
`db.repositories.referrals`; this module talks to the SMTP server and renders PDFs, which is not
persistence.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from email.message import EmailMessage

from sqlalchemy.engine import Engine
from sqlmodel import Session

from advisory.formatting import to_local
from advisory.referral import ReferralText
from db.engine import session_scope
from db.models import utcnow
from db.repositories import referrals
from db.repositories.referrals import ReferralRecord, SendOutcome
from services import mail
from services.letters import render_letter_pdf
from settings import Settings, get_settings


def queue_email(session: Session, *, referral_id: int, actor_id: int | None) -> ReferralRecord:
    """Check the recipient and mark the e-mail ready to send; raise mail.InvalidAddress first."""
    record = referrals.get(session, referral_id=referral_id)
    if record is None:
        raise ValueError(f"referral {referral_id} does not exist")
    recipient = mail.normalise_address(record.recipient)
    return referrals.queue_email(session, referral_id=referral_id, recipient=recipient, actor_id=actor_id)


def deliver_email(
    *,
    engine: Engine,
    referral_id: int,
    actor_id: int | None,
    settings: Settings | None = None,
    transport: Callable[..., None] = mail.send,
) -> SendOutcome:
    """Send a queued (or failed) e-mail referral at most once; safe to call again at any time.

    Three short transactions: claim, send (no transaction open while talking to the server), record.
    """
    with session_scope(engine) as session:
        claimed = referrals.claim(session, referral_id=referral_id)
        record = referrals.get(session, referral_id=referral_id)
    if record is None:
        raise LookupError(f"referral {referral_id} does not exist")
    if not claimed:
        return SendOutcome(referral=record, sent_now=False)
    error: str | None = None
    try:
        transport(_message(record, settings), settings=settings)
    except mail.InvalidAddress as exc:
        error = f"invalid_recipient: {exc.reason}"
    except mail.MailError as exc:
        error = str(exc)
    except Exception as exc:  # never leave a row in `sending` because of an unexpected error
        error = f"smtp: {type(exc).__name__}: {exc}"
    with session_scope(engine) as session:
        referrals.finish(session, record, error=error, actor_id=actor_id)
        record = referrals.get(session, referral_id=referral_id)
    return SendOutcome(referral=record, sent_now=error is None)


def _message(record: ReferralRecord, settings: Settings | None) -> EmailMessage:
    settings = settings or get_settings()
    if reason := mail.unavailable_reason(settings):
        raise mail.MailError("not_configured", reason)
    return mail.build_message(sender=settings.SMTP_FROM, to=mail.normalise_address(record.recipient),
                              subject=record.subject, body=record.body, idempotency_key=record.idempotency_key)


def letter_pdf(*, subject: str, body: str, lang: str, recipient: str = "", letter_date: date | None = None) -> bytes:
    """The printable A4 letter of a referral's text; `recipient` holds the address lines (one a line)."""
    return render_letter_pdf(
        ReferralText(subject=subject, body=body),
        lang=lang,
        recipient_lines=[line for line in recipient.splitlines() if line.strip()],
        letter_date=letter_date or to_local(utcnow()).date(),
    )
