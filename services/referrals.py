"""Written guidance for the member, step by step as the editor takes it: start, save the text, send the
e-mail, queue the letter, mark it sent; then the outbox and the secretariat's letters to post.

Each step owns its session(s) and returns what happened; the editor only draws and maps the outcome to a
message. Every step that sends or queues saves the text first under the editor's idempotency key, so a
double click saves and sends the same referral again (which the outbox refuses) instead of a second one,
and what was typed is kept whatever happens next.
"""

from __future__ import annotations

from dataclasses import dataclass

from advisory.postal import AddressCheck
from db.engine import get_engine, session_scope
from db.models import ReferralDraft
from db.repositories import referrals
from db.repositories.referrals import (
    CLAIMABLE,
    MAX_ATTEMPTS,
    LetterToPost,
    OutboxHealth,
    ReferralRecord,
    SendOutcome,
)
from db.repositories.users import StaffUser
from services import mail, outbox
from services.guidance import CallForReferral, call_for_referral, compose_for_call

__all__ = ["CLAIMABLE", "MAX_ATTEMPTS", "CallForReferral", "EditorStart", "LetterOutcome", "LetterToPost",
           "OutboxHealth", "ReferralRecord", "SendOutcome", "Text", "calls_awaiting", "compose", "find_call",
           "letter_pdf", "letter_status", "letters_to_post", "list_outbox", "mark_posted", "mark_sent",
           "new_key", "outbox_health", "print_batch", "queue_letter", "recently_posted", "recover_interrupted",
           "reprint", "retry_email", "save_text", "send_email", "sent_for_call"]


@dataclass(frozen=True)
class Text:
    """What the editor holds for one channel: the idempotency key it saves under, and the text."""

    key: str
    call_id: int
    channel: str
    lang: str
    subject: str
    body: str
    recipient: str = ""


@dataclass(frozen=True)
class EditorStart:
    """How the editor opens for a call: the user's unsent referral, or freshly composed text."""

    lang: str
    subject: str
    body: str
    channel: str | None = None  # the resumed referral's channel (None: the editor picks one)
    recipient: str | None = None
    key: str | None = None  # the resumed referral's idempotency key


def new_key() -> str:
    return referrals.new_key()


# --- the call to write for ---------------------------------------------------------------------------------------


def calls_awaiting(user: StaffUser) -> list[dict]:
    """The user's recent calls that still await guidance."""
    with session_scope() as session:
        return referrals.calls_awaiting_referral(session, viewer=user)


def find_call(call_id: int, user: StaffUser) -> CallForReferral | None:
    """The call if it exists; raises access.AccessDenied when the user may not write guidance for it."""
    with session_scope() as session:
        return call_for_referral(session, call_id=call_id, viewer=user)


def start(call: CallForReferral, user: StaffUser) -> EditorStart:
    with session_scope() as session:
        resume = referrals.latest_open_for_call(session, call_id=call.id, created_by_id=user.id)
        if resume is not None:
            return EditorStart(lang=resume.lang, subject=resume.subject, body=resume.body, channel=resume.channel,
                               recipient=resume.recipient, key=resume.idempotency_key)
        text = compose_for_call(session, call_id=call.id, viewer=user, lang=call.lang)
    return EditorStart(lang=call.lang, subject=text.subject, body=text.body)


def compose(call_id: int, user: StaffUser, lang: str) -> tuple[str, str]:
    """The guidance composed from the call in `lang`: (subject, body)."""
    with session_scope() as session:
        text = compose_for_call(session, call_id=call_id, viewer=user, lang=lang)
    return text.subject, text.body


def sent_for_call(call_id: int) -> list[ReferralRecord]:
    with session_scope() as session:
        return [r for r in referrals.list_for_call(session, call_id=call_id) if r.status == "sent"]


def letter_status(key: str) -> str | None:
    with session_scope() as session:
        record = referrals.get_by_key(session, idempotency_key=key)
    return record.status if record is not None else None


def letter_record(key: str) -> ReferralRecord | None:
    """The letter saved under the editor's key (its status, version and whether it was printed)."""
    with session_scope() as session:
        return referrals.get_by_key(session, idempotency_key=key)


# --- the editor's steps ----------------------------------------------------------------------------------------


def save_text(text: Text, user: StaffUser) -> ReferralRecord:
    """Store the text under its key (a new draft, or the same unsent referral updated)."""
    # Pasted text may carry control characters (PostgreSQL refuses NUL): stored as the model cleans it.
    clean = ReferralDraft(subject=text.subject, body=text.body, recipient=text.recipient)
    with session_scope() as session:
        return referrals.save(session, idempotency_key=text.key, call_id=text.call_id, channel=text.channel,
                              lang=text.lang, subject=clean.subject, body=clean.body, recipient=clean.recipient,
                              actor=user)


def send_email(text: Text, user: StaffUser) -> SendOutcome | None:
    """Save, check the address, queue and send now; None when the address is not one (nothing was sent)."""
    record = save_text(text, user)
    try:
        with session_scope() as session:
            record = outbox.queue_email(session, referral_id=record.id, actor_id=user.id)
    except mail.InvalidAddress:
        return None
    return retry_email(record.id, user)


def retry_email(referral_id: int, user: StaffUser) -> SendOutcome:
    """Send a queued or failed e-mail now, at most once (a runner or another click may hold it)."""
    return outbox.deliver_email(engine=get_engine(), referral_id=referral_id, actor_id=user.id)


@dataclass(frozen=True)
class LetterOutcome:
    queued: bool = False
    already_sent: bool = False
    address: AddressCheck | None = None  # what the address lacks, when it cannot go in a window envelope


def queue_letter(text: Text, user: StaffUser) -> LetterOutcome:
    """Save the letter and put it in the batch to print and post."""
    record = save_text(text, user)
    if record.status == "sent":
        return LetterOutcome(already_sent=True)
    try:
        with session_scope() as session:
            referrals.queue_letter(session, referral_id=record.id, actor=user)
    except referrals.InvalidPostalAddress as exc:
        return LetterOutcome(address=exc.check)
    return LetterOutcome(queued=True)


def mark_sent(text: Text, user: StaffUser) -> bool:
    """Save the text and record it as sent by hand (a letter posted, a text copied); False when it was already."""
    record = save_text(text, user)
    with session_scope() as session:
        return referrals.mark_sent(session, referral_id=record.id, actor_id=user.id)


def letter_pdf(*, subject: str, body: str, lang: str, recipient: str) -> bytes:
    return outbox.letter_pdf(subject=subject, body=body, lang=lang, recipient=recipient)


# --- the outbox and the letters to post --------------------------------------------------------------------------


def recover_interrupted() -> None:
    """A send cut off by a crash is shown as failed, never resent silently."""
    with session_scope() as session:
        referrals.recover_interrupted(session)


def list_outbox(user: StaffUser, *, only_failed: bool = False) -> list[ReferralRecord]:
    with session_scope() as session:
        return referrals.list_outbox(session, viewer=user, statuses=["failed"] if only_failed else None)


def outbox_health(user: StaffUser) -> OutboxHealth:
    with session_scope() as session:
        return referrals.outbox_health(session, viewer=user)


def letters_to_post(user: StaffUser) -> list[LetterToPost]:
    with session_scope() as session:
        return referrals.letters_to_post(session, viewer=user)


def recently_posted(user: StaffUser) -> list[LetterToPost]:
    with session_scope() as session:
        return referrals.recently_posted(session, viewer=user)


def print_batch(referral_ids: list[int], user: StaffUser) -> bytes:
    """The letters as one PDF, except any a colleague posted in the meantime (the role is read again)."""
    return outbox.print_letters(engine=get_engine(), referral_ids=referral_ids, actor=user, skip_posted=True)


def reprint(referral_id: int, user: StaffUser) -> bytes:
    return outbox.print_letters(engine=get_engine(), referral_ids=[referral_id], actor=user, confirm_reprint=True)


def mark_posted(referral_ids: list[int], user: StaffUser) -> list[int]:
    with session_scope() as session:
        return referrals.mark_posted(session, referral_ids=referral_ids, actor=user)
