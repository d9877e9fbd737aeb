"""Table models (SQLModel) and the Create models that validate input before it reaches a table.

Table models skip validation, so input arrives through the `...Create` models (as in the SQLModel
full-stack template). Timestamps are timezone-aware UTC (`utcnow()`); SQLModel's UTCDateTime stores
them as UTC on SQLite and PostgreSQL alike and rejects naive values.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import ConfigDict, EmailStr, StringConstraints, ValidationInfo, field_validator
from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlmodel import AutoString, Field, SQLModel

from advisory.text import LineText, MultilineText, clean_line
from advisory.vocab import CallerGroup, CallerRole, Channel, Disposition, Flag, Language, Outcome, Role, Topic
from db.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, PasswordProblem, password_problem


def utcnow() -> datetime:
    return datetime.now(UTC)


class FollowUpStatus(StrEnum):
    open = "open"
    done = "done"
    cancelled = "cancelled"


ReferralChannel = Channel  # how written guidance reaches the member: one vocabulary (advisory/vocab.py)


class ReferralStatus(StrEnum):
    draft = "draft"
    queued = "queued"
    sent = "sent"
    failed = "failed"


# --- staff -------------------------------------------------------------------------------------


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    display_name: str = Field(max_length=128)
    role: str = Field(max_length=16, default=Role.advisor.value)
    password_hash: str = Field(max_length=255)
    active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None


USERNAME_PATTERN = re.compile(r"[a-zA-Z0-9._-]+")
PHONE_PATTERN = re.compile(r"[0-9 +()-]{6,32}")


WEAK_PASSWORD = "too easy to guess"  # the error text pages recognise (console.auth.user_errors)


class UserCreate(SQLModel):
    username: str = Field(min_length=2, max_length=64)
    display_name: LineText = Field(min_length=1, max_length=128)
    role: Role = Role.advisor
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)

    # A validator, not Field(regex=...): SQLModel with pydantic 2 silently ignores `regex`.
    @field_validator("username")
    @classmethod
    def _username_characters(cls, value: str) -> str:
        if not USERNAME_PATTERN.fullmatch(value):
            raise ValueError("letters a-z, digits, dot, hyphen or underscore only")
        return value

    @field_validator("password")
    @classmethod
    def _password_strength(cls, value: str, info: ValidationInfo) -> str:
        # The length is Field's check; this one runs only on a long enough password.
        known = (info.data.get("username", ""), info.data.get("display_name", ""))
        if password_problem(value, known=known) is PasswordProblem.too_weak:
            raise ValueError(WEAK_PASSWORD)
        return value


# --- calls -------------------------------------------------------------------------------------


NOTES_MAX_CHARS = 20_000  # documented in the README; the call page's notes field counts towards it
FOLLOW_UP_REASON_MAX_CHARS = 500
FOLLOW_UP_NOTE_MAX_CHARS = 2_000
LibrarySlug = Annotated[str, StringConstraints(max_length=80)]


class CallBase(SQLModel):
    """The fields a call has wherever it appears: as input (CallCreate), as a row (Call), as output
    (CallPublic). Categorical fields are the vocabulary's enums; the database stores their values as the
    same strings (and column lengths) as before, so existing rows stay valid."""

    # Enum members become their plain string values, so a row holds exactly what the database returns.
    model_config = ConfigDict(use_enum_values=True)

    # One key per call from its first keystroke (the draft's key): saving twice never logs it twice.
    call_key: str | None = Field(default=None, max_length=32)
    started_at: datetime = Field(index=True)
    ended_at: datetime
    advisor_id: int = Field(foreign_key="user.id")
    caller_role: CallerRole = Field(default=CallerRole.member.value, sa_type=AutoString(length=16))
    # Contact details: stored only when the caller consented (consent time recorded).
    contact_consent: bool = False
    # A relative calling: the member agreed that written guidance about them may go to the relative.
    third_party_consent: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})
    member_number: str | None = Field(default=None, max_length=32, index=True)
    caller_name: str | None = Field(default=None, max_length=128)
    phone: str | None = Field(default=None, max_length=32, index=True)
    email: str | None = Field(default=None, max_length=254, index=True)
    # What the script engine saw and produced.
    profile: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    group_id: CallerGroup = Field(sa_type=AutoString(length=40))
    flags: list[Flag] = Field(default_factory=list, sa_type=JSON, nullable=False)
    disposition: Disposition | None = Field(default=None, sa_type=AutoString(length=24))
    outcome: Outcome = Field(default=Outcome.advice_given.value, sa_type=AutoString(length=24))
    delivered_blocks: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
    # What the assessment derived (load level, impact, healing, urgency, diagnosis statement, voice) and why,
    # as the advisor saw it (advisory.assessment.Assessment.snapshot); None for calls saved before it.
    assessment: dict[str, Any] | None = Field(default=None, sa_type=JSON, nullable=True)
    notes: str = Field(default="", sa_type=Text)
    content_version: str = Field(max_length=40, default="")
    lang: Language = Field(default=Language.da.value, sa_type=AutoString(length=2))


class Call(CallBase, table=True):
    """A saved call. Its topics and library entries are rows of call_topic and call_library_entry (one
    home each: the log's filters and the statistics read them through their indexes)."""

    __table_args__ = (
        Index("ix_call_advisor_started", "advisor_id", "started_at"),
        Index("ix_call_group_started", "group_id", "started_at"),
        Index("ix_call_outcome_started", "outcome", "started_at"),
        Index("ix_call_disposition", "disposition"),
        # Statistics: the period counts read these covering indexes instead of the (wide) call rows.
        Index("ix_call_stats_profile", "group_id", "caller_role", "disposition", "advisor_id", "started_at"),
        Index("ix_call_stats_duration", "duration_seconds", "started_at"),
        Index("ix_call_id_started", "id", "started_at"),
        UniqueConstraint("call_key", name="uq_call_call_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    duration_seconds: int = 0
    contact_consent_at: datetime | None = None
    anonymised_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # Optimistic lock for edits after the call: an edit names the version it started from.
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


class CallTopic(SQLModel, table=True):
    """One row per topic of a call: lets the log filter and statistics group by topic with an index."""

    __tablename__ = "call_topic"
    __table_args__ = (Index("ix_call_topic_topic_call", "topic", "call_id"),)

    call_id: int = Field(foreign_key="call.id", primary_key=True, ondelete="CASCADE")
    topic: str = Field(max_length=32, primary_key=True)


class CallLibraryEntry(SQLModel, table=True):
    """A library entry used in a call (usage counts for supervisors)."""

    __tablename__ = "call_library_entry"
    __table_args__ = (Index("ix_call_library_entry_slug_call", "slug", "call_id"),)

    call_id: int = Field(foreign_key="call.id", primary_key=True, ondelete="CASCADE")
    slug: str = Field(max_length=80, primary_key=True)


class CallStatsDay(SQLModel, table=True):
    """Per Danish local day, how many calls had each value of a counted field (db/repositories/call_stats.py).

    `dimension` names the field: group, role, disposition, advisor, topic, library, duration (`key` the
    whole minutes, `seconds` their sum) or hour (`key` the UTC hour). Written in the transaction that saves a
    call, so the statistics page sums a few thousand rows instead of counting a million calls.
    """

    __tablename__ = "call_stats_day"
    # On SQLite the rows are stored in key order (no rowid table beside the key): a period's sums read
    # one b-tree, about 6 times faster at a million calls.
    __table_args__ = {"sqlite_with_rowid": False}

    dimension: str = Field(primary_key=True, max_length=16)
    key: str = Field(primary_key=True, max_length=80)
    day: date = Field(primary_key=True)
    calls: int = 0
    seconds: int = 0


class CallCreate(CallBase):
    """What the call page hands over when the advisor saves a call: the one home of its input rules."""

    caller_name: LineText | None = Field(default=None, max_length=128)
    member_number: LineText | None = Field(default=None, max_length=32)
    phone: LineText | None = Field(default=None, max_length=32)
    email: EmailStr | None = Field(default=None, max_length=254)
    notes: MultilineText = Field(default="", max_length=NOTES_MAX_CHARS)
    topics: list[Topic] = Field(default_factory=list)
    library_slugs: list[LibrarySlug] = Field(default_factory=list)
    follow_up_on: date | None = None
    follow_up_reason: LineText = Field(default="", max_length=FOLLOW_UP_REASON_MAX_CHARS)

    @field_validator("member_number", "caller_name", "phone", "email", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = clean_line(value).strip()
            return value or None
        return value

    # A validator, not Field(pattern=...): SQLModel with pydantic 2 silently ignores `regex`.
    @field_validator("phone")
    @classmethod
    def _phone_characters(cls, value: str | None) -> str | None:
        if value is not None and not PHONE_PATTERN.fullmatch(value):
            raise ValueError("6-32 characters: digits, spaces, +, ( ) and - only")
        return value


class CallPublic(CallBase):
    """A saved call as the log shows it, with its topics and library entries from the link tables."""

    id: int
    duration_seconds: int
    contact_consent_at: datetime | None
    anonymised_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int
    topics: list[Topic] = Field(default_factory=list)
    library_slugs: list[str] = Field(default_factory=list)


class CallEdit(SQLModel):
    """A change to a saved call's notes and/or outcome, made from the version the editor opened."""

    expected_version: int
    notes: MultilineText | None = Field(default=None, max_length=NOTES_MAX_CHARS)
    outcome: Outcome | None = None

    model_config = ConfigDict(use_enum_values=True)


class CallDraft(SQLModel, table=True):
    """A call in progress, autosaved on every change; one per call (an advisor may have several, e.g. two tabs)."""

    __tablename__ = "call_draft"
    __table_args__ = (UniqueConstraint("call_key", name="uq_call_draft_call_key"),)

    id: int | None = Field(default=None, primary_key=True)
    call_key: str = Field(max_length=32)
    advisor_id: int = Field(foreign_key="user.id", index=True)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    started_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class FollowUp(SQLModel, table=True):
    __tablename__ = "follow_up"
    __table_args__ = (
        Index("ix_follow_up_status_due", "status", "due_on"),
        Index("ix_follow_up_assignee_status_due", "assignee_id", "status", "due_on"),
        # The call log's follow-up filters check each call's follow-ups through this index.
        Index("ix_follow_up_call_status_due", "call_id", "status", "due_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(foreign_key="call.id", index=True)
    due_on: date
    assignee_id: int = Field(foreign_key="user.id")
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = Field(max_length=16, default=FollowUpStatus.open.value)
    closing_note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow)
    completed_at: datetime | None = None
    completed_by_id: int | None = Field(default=None, foreign_key="user.id")


class FollowUpCreate(SQLModel):
    """A follow-up added to a saved call."""

    call_id: int
    due_on: date
    assignee_id: int
    reason: LineText = Field(default="", max_length=FOLLOW_UP_REASON_MAX_CHARS)


class FollowUpClose(SQLModel):
    """Closing a follow-up as done or cancelled, with a note."""

    status: FollowUpStatus = FollowUpStatus.done
    note: MultilineText = Field(default="", max_length=FOLLOW_UP_NOTE_MAX_CHARS)


class Referral(SQLModel, table=True):
    __table_args__ = (
        Index("ix_referral_status_channel_sent", "status", "channel", "sent_at"),
        # The outbox runner's "what is due" and the letter queue: channel and status, then the time.
        Index("ix_referral_channel_status_next", "channel", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(foreign_key="call.id", index=True)
    channel: str = Field(max_length=8)
    recipient: str = Field(default="", max_length=254)
    lang: str = Field(max_length=2, default="da")
    subject: str = Field(default="", max_length=255)
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = Field(max_length=8, default=ReferralStatus.draft.value, index=True)
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # One key per referral: a double click or a retry can never send the same referral twice.
    idempotency_key: str = Field(max_length=64, unique=True)
    attempts: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    sent_by_id: int | None = Field(default=None, foreign_key="user.id")
    # E-mail: when the outbox runner may try again. Empty on a failed e-mail: it waits for a person.
    next_attempt_at: datetime | None = None
    # Letters: last printed (the batch PDF), and who put it in the post and when.
    printed_at: datetime | None = None
    posted_at: datetime | None = None
    posted_by_id: int | None = Field(default=None, foreign_key="user.id")
    # Letters: a printed letter's text is frozen; an edit after printing makes the next version, which
    # must be printed again before it can be posted. Which version was printed last and which was posted.
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    printed_version: int | None = None
    posted_version: int | None = None


class ReferralDraft(SQLModel):
    """The text staff typed for a referral, as it may be stored (the outbox keeps lengths in check)."""

    subject: LineText = ""
    body: MultilineText = ""
    recipient: MultilineText = ""  # an e-mail address, or a letter's address lines


# --- library -----------------------------------------------------------------------------------


class LibraryEntryRecord(SQLModel, table=True):
    """A myth/FAQ entry as the console serves it; `data` holds the full advisory LibraryEntry."""

    __tablename__ = "library_entry"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True, index=True)
    kind: str = Field(max_length=8)
    theme: str | None = Field(default=None, max_length=8)
    review_status: str = Field(max_length=32)
    last_reviewed: date
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Optimistic lock: an edit names the version it started from; a stale version is a conflict.
    version: int = 1
    edited_by_staff: bool = False
    bundled_hash: str = Field(default="", max_length=64)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")


class LibraryRevision(SQLModel, table=True):
    __tablename__ = "library_revision"
    __table_args__ = (UniqueConstraint("entry_id", "version", name="uq_library_revision_entry_version"),)

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="library_entry.id", index=True)
    version: int
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    changed_fields: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    editor_id: int | None = Field(default=None, foreign_key="user.id")
    note: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow)


# --- audit -------------------------------------------------------------------------------------


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_object", "object_type", "object_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    actor_name: str = Field(default="", max_length=64)
    action: str = Field(max_length=32, index=True)
    object_type: str = Field(default="", max_length=32)
    object_id: str = Field(default="", max_length=64)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


# --- unanswered library searches -----------------------------------------------------------------


class UnansweredQuery(SQLModel, table=True):
    """A library search without a confident answer, kept for content work (issue 12).

    Personal data is stripped before a row is written (db/repositories/unanswered.py), and the row
    names no advisor, caller or call: nothing here identifies anyone, so the retention purge and the
    erasure of a member never need to touch this table.
    """

    __tablename__ = "unanswered_query"

    id: int | None = Field(default=None, primary_key=True)
    query: str = Field(max_length=200)
    lang: str = Field(max_length=2)
    searched_at: datetime = Field(default_factory=utcnow, index=True)
    picked_slug: str | None = Field(default=None, max_length=80)  # the entry used in the call anyway


# --- sessions and logins -------------------------------------------------------------------------


class StaffSession(SQLModel, table=True):
    """One login: the browser's session cookie names it; logout, deactivation and idle time revoke it.

    Only hashes are stored. `ticket_hash` is a one-time ticket the logged-in page trades, within a minute,
    for the cookie's token (`token_hash`), so the token itself never appears in the page.
    """

    __tablename__ = "staff_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    ticket_hash: str | None = Field(default=None, max_length=64, unique=True)
    ticket_expires_at: datetime | None = None
    via: str = Field(default="password", max_length=16)  # password | oidc
    # Single sign-on: a hash of the identity provider's sign-in (subject and time), so one sign-in starts
    # one session at most; after a logout or an idle timeout the provider must be asked again.
    identity_hash: str | None = Field(default=None, max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: datetime | None = None
    revoked_reason: str = Field(default="", max_length=16)


class LoginThrottle(SQLModel, table=True):
    """Failed logins for usernames that are no account: counted and locked like real ones.

    Keyed by a hash of the folded username, so a password typed into the username field is not stored.
    """

    __tablename__ = "login_throttle"

    username_hash: str = Field(primary_key=True, max_length=64)
    failed_logins: int = 0
    locked_until: datetime | None = None
    last_failed_at: datetime = Field(default_factory=utcnow)


class LoginAddressThrottle(SQLModel, table=True):
    """Failed logins per client address, whatever the username: a spray of a few tries against many
    names is slowed too. Keyed by a hash of the address; the count restarts after a quiet window."""

    __tablename__ = "login_address_throttle"

    address_hash: str = Field(primary_key=True, max_length=64)
    failed_logins: int = 0
    locked_until: datetime | None = None
    last_failed_at: datetime = Field(default_factory=utcnow)


class SystemValue(SQLModel, table=True):
    """Installation-wide values by name. The primary key is the guarantee: `first_admin` can be
    inserted once, so only one of several simultaneous first-run submissions creates an administrator."""

    __tablename__ = "system_value"

    name: str = Field(primary_key=True, max_length=32)
    value: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
