"""Table models (SQLModel) and the Create models that validate input before it reaches a table.

Table models skip validation, so input arrives through the `...Create` models (as in the SQLModel
full-stack template). Timestamps are timezone-aware UTC (`utcnow()`); SQLModel's UTCDateTime stores
them as UTC on SQLite and PostgreSQL alike and rejects naive values.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from pydantic import EmailStr, ValidationInfo, field_validator
from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from advisory.vocab import Role
from db.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, PasswordProblem, password_problem


def utcnow() -> datetime:
    return datetime.now(UTC)


class FollowUpStatus(StrEnum):
    open = "open"
    done = "done"
    cancelled = "cancelled"


class ReferralChannel(StrEnum):
    email = "email"
    letter = "letter"
    text = "text"


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
    display_name: str = Field(min_length=1, max_length=128)
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


class Call(SQLModel, table=True):
    __table_args__ = (
        Index("ix_call_advisor_started", "advisor_id", "started_at"),
        Index("ix_call_group_started", "group_id", "started_at"),
        Index("ix_call_outcome_started", "outcome", "started_at"),
        Index("ix_call_disposition", "disposition"),
        # Statistics: the period counts read these covering indexes instead of the (wide) call rows.
        Index("ix_call_stats_profile", "group_id", "caller_role", "disposition", "advisor_id", "started_at"),
        Index("ix_call_stats_duration", "duration_seconds", "started_at"),
        Index("ix_call_id_started", "id", "started_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(index=True)
    ended_at: datetime
    duration_seconds: int = 0
    advisor_id: int = Field(foreign_key="user.id")
    caller_role: str = Field(max_length=16, default="member")
    # Contact details: stored only when the caller consented (consent time recorded).
    contact_consent: bool = False
    contact_consent_at: datetime | None = None
    member_number: str | None = Field(default=None, max_length=32, index=True)
    caller_name: str | None = Field(default=None, max_length=128)
    phone: str | None = Field(default=None, max_length=32, index=True)
    email: str | None = Field(default=None, max_length=254, index=True)
    # What the script engine saw and produced.
    profile: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    group_id: str = Field(max_length=40)
    flags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    topics: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    disposition: str | None = Field(default=None, max_length=24)
    outcome: str = Field(max_length=24, default="advice_given")
    delivered_blocks: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    library_slugs: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    content_version: str = Field(max_length=40, default="")
    lang: str = Field(max_length=2, default="da")
    anonymised_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


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


class CallCreate(SQLModel):
    """What the call page hands over when the advisor saves a call."""

    started_at: datetime
    ended_at: datetime
    advisor_id: int
    caller_role: str = "member"
    contact_consent: bool = False
    member_number: str | None = Field(default=None, max_length=32)
    caller_name: str | None = Field(default=None, max_length=128)
    phone: str | None = Field(default=None, max_length=32)
    email: EmailStr | None = None
    profile: dict[str, Any] = Field(default_factory=dict)
    group_id: str
    flags: list[str] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    disposition: str | None = None
    outcome: str = "advice_given"
    delivered_blocks: list[str] = Field(default_factory=list)
    library_slugs: list[str] = Field(default_factory=list)
    notes: str = ""
    content_version: str = ""
    lang: str = "da"
    follow_up_on: date | None = None
    follow_up_reason: str = ""

    @field_validator("member_number", "caller_name", "phone", "email", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @field_validator("phone")
    @classmethod
    def _phone_characters(cls, value: str | None) -> str | None:
        if value is not None and not PHONE_PATTERN.fullmatch(value):
            raise ValueError("digits, spaces, +, ( ) and - only")
        return value


class CallDraft(SQLModel, table=True):
    """The advisor's call in progress, autosaved on every change; one per advisor."""

    __tablename__ = "call_draft"

    id: int | None = Field(default=None, primary_key=True)
    advisor_id: int = Field(foreign_key="user.id", unique=True)
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


class Referral(SQLModel, table=True):
    __table_args__ = (Index("ix_referral_status_channel_sent", "status", "channel", "sent_at"),)

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


class SystemValue(SQLModel, table=True):
    """Installation-wide values by name. The primary key is the guarantee: `first_admin` can be
    inserted once, so only one of several simultaneous first-run submissions creates an administrator."""

    __tablename__ = "system_value"

    name: str = Field(primary_key=True, max_length=32)
    value: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
