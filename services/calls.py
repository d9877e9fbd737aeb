"""The live call's use cases: evaluate the form, keep its draft, save it to the log.

The call page hands over a `CallInput` (the form read as plain data, console/call_form.py) and gets back
plain results. `evaluate` is the one place the pipeline runs (profile, script with the red flags answered
"yes", disposition, follow-up suggestion); `save_call` evaluates once, checks the follow-up, validates the
call once as a `CallCreate`, saves it and discards its draft in one session, and says what stopped it if
anything did. Each function with a database owns its session.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from advisory.profile import CallerProfile, FieldProblem, profile_problems
from advisory.script import CallScript, DispositionText, build_script, disposition_text, script_content
from advisory.script.builder import most_urgent
from advisory.vocab import Audience, CallerRole, Disposition
from db.engine import session_scope
from db.models import CallCreate, utcnow
from db.repositories import calls, drafts
from db.repositories.drafts import Draft
from db.repositories.users import StaffUser

__all__ = ["CallEvaluation", "CallInput", "Draft", "SaveOutcome", "discard_draft", "evaluate", "load_draft",
           "save_call", "save_draft", "waiting_drafts"]


@dataclass(frozen=True)
class CallInput:
    """The call as the advisor has it on screen, read from the form (console/call_form.py)."""

    call_key: str
    started_at: datetime
    raw_profile: dict[str, Any]  # profile field -> value as typed, before validation
    unreadable: dict[str, str]  # profile field -> "whole" | "decimal" | "fracture": a number not read
    last_profile: dict[str, Any] | None = None  # the last valid profile (JSON), shown while a field is wrong
    red_flags: tuple[str, ...] = ()  # red-flag questions ticked "yes"
    said: frozenset[str] = frozenset()  # blocks ticked "said"
    used: frozenset[str] = frozenset()  # library entries the script offered, ticked "used"
    attached: tuple[str, ...] = ()  # library entries attached from the search
    topics_in_order: tuple[str, ...] = ()  # the topics in the order they were recorded
    wrap_up: Mapping[str, Any] = field(default_factory=dict)  # CallCreate field -> value (notes, outcome, ...)
    contact: Mapping[str, str | None] = field(default_factory=dict)  # CallCreate field -> value, None: no consent
    keep_follow_up: bool = False
    callback_by_member: bool = False

    def has_contact(self) -> bool:
        return bool(self.wrap_up.get("contact_consent")) and bool(
            (self.contact.get("phone") or "").strip() or (self.contact.get("email") or "").strip())


@dataclass(frozen=True)
class CallEvaluation:
    """Everything the call page shows and the save stores, computed from the form in one go."""

    profile: CallerProfile | None  # the valid profile, or None while a field is wrong
    problems: dict[str, list[FieldProblem]]  # profile field -> what is wrong with it
    unreadable: dict[str, str]  # profile field -> the kind of number that could not be read
    shown_profile: CallerProfile | None  # what the script follows: the profile, else the last valid one
    script: CallScript | None
    red_flags: tuple[str, ...]  # the red-flag questions answered "yes", in the screen's order
    # What the red flags mean, even before there is a profile to build a script from (safety first).
    disposition_text: DispositionText | None = None

    @property
    def disposition(self) -> str | None:
        return self.disposition_text.id if self.disposition_text else None

    @property
    def ends_call(self) -> bool:
        """112 or a doctor now: the call ends here; nothing more is asked (consent and contact wait)."""
        return self.disposition in (Disposition.emergency_112, Disposition.out_of_hours)

    @property
    def follow_up_suggestion(self) -> date | None:
        return self.script.follow_up_on if self.script else None


def _last_valid(snapshot: dict[str, Any] | None) -> CallerProfile | None:
    if not snapshot:
        return None
    try:
        return CallerProfile.model_validate(snapshot)
    except ValidationError:  # a snapshot from an older profile model
        return None


def evaluate(call: CallInput, *, today: date, lang: str) -> CallEvaluation:
    """Form -> profile -> script (with the red flags) -> disposition and follow-up suggestion.

    A number that cannot be read blocks the profile just like an out-of-range one: it is never dropped.
    """
    problems: dict[str, list[FieldProblem]] = {}
    try:
        profile: CallerProfile | None = CallerProfile.model_validate(call.raw_profile, context={"today": today})
    except ValidationError as exc:
        profile, problems = None, profile_problems(exc)
    if call.unreadable:
        profile = None
    shown = profile or _last_valid(call.last_profile)
    answered = tuple(flag.id for flag in script_content().red_flags if flag.id in call.red_flags)
    script = build_script(shown, today=today, lang=lang, red_flags=answered) if shown else None
    if script is not None:
        disposition = script.disposition
    else:
        entry = most_urgent(answered)
        disposition = disposition_text(entry, lang, Audience.member) if entry else None
    return CallEvaluation(profile=profile, problems=problems, unreadable=dict(call.unreadable), shown_profile=shown,
                          script=script, red_flags=answered, disposition_text=disposition)


def library_used(call: CallInput, script: CallScript) -> list[str]:
    """Entries attached from the search, then entries offered by the script and ticked as used."""
    return list(dict.fromkeys([*call.attached, *(slug for slug in script.library_slugs if slug in call.used)]))


def follow_up_problems(call: CallInput, today: date) -> list[str]:
    """What keeps a kept follow-up from being saved (codes: date, past, reason, contact)."""
    if not call.keep_follow_up:
        return []
    problems = []
    due = call.wrap_up.get("follow_up_on")
    if due is None:
        problems.append("date")
    elif due < today:
        problems.append("past")
    if not (call.wrap_up.get("follow_up_reason") or "").strip():
        problems.append("reason")
    if not (call.has_contact() or call.callback_by_member):
        problems.append("contact")
    return problems


def call_create(call: CallInput, evaluation: CallEvaluation, *, advisor_id: int, ended_at: datetime) -> CallCreate:
    """The call to save; raises ValidationError for invalid contact details, notes or reason."""
    profile, script = evaluation.profile, evaluation.script
    if profile is None or script is None:
        raise ValueError("the profile is not valid: evaluate the call and show its problems first")
    # After 112 no follow-up is agreed in this call (its widgets are not shown).
    wrap_up, keep = call.wrap_up, call.keep_follow_up and not evaluation.ends_call
    return CallCreate.model_validate({
        "call_key": call.call_key,
        "started_at": call.started_at,
        "ended_at": ended_at,
        "advisor_id": advisor_id,
        "caller_role": profile.caller_role.value if profile.caller_role else "other",
        "contact_consent": bool(wrap_up.get("contact_consent")),
        "third_party_consent": bool(wrap_up.get("third_party_consent")) and profile.caller_role == CallerRole.relative,
        **call.contact,
        "profile": profile.model_dump(mode="json"),
        "group_id": script.group,
        "flags": sorted(script.flags),
        "topics": sorted(topic.value for topic in profile.topics),
        "disposition": evaluation.disposition,
        "outcome": wrap_up.get("outcome") or "advice_given",
        "delivered_blocks": [block for block in script.block_ids if block in call.said],
        "assessment": script.assessment,
        "library_slugs": library_used(call, script),
        "notes": wrap_up.get("notes") or "",
        "content_version": script.content_version,
        "lang": script.lang,
        "follow_up_on": wrap_up.get("follow_up_on") if keep else None,
        "follow_up_reason": (wrap_up.get("follow_up_reason") or "").strip() if keep else "",
    })


def invalid_fields(exc: ValidationError) -> dict[str, str]:
    """The CallCreate fields that failed, each with its first pydantic error type."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        if error["loc"]:
            errors.setdefault(str(error["loc"][0]), error["type"])
    return errors


@dataclass(frozen=True)
class SaveOutcome:
    """What became of a save: the call's id, or what to correct (nothing was written then)."""

    call_id: int | None = None
    evaluation: CallEvaluation | None = None  # set when the profile is not valid
    follow_up_problems: tuple[str, ...] = ()
    invalid_fields: dict[str, str] = field(default_factory=dict)  # CallCreate field -> pydantic error type

    @property
    def saved(self) -> bool:
        return self.call_id is not None


def save_call(call: CallInput, *, advisor: StaffUser, today: date, lang: str,
              ended_at: datetime | None = None) -> SaveOutcome:
    """Evaluate, check, validate once, save the call and discard its draft (idempotent on the call's key)."""
    evaluation = evaluate(call, today=today, lang=lang)
    if evaluation.profile is None:
        return SaveOutcome(evaluation=evaluation)
    if not evaluation.ends_call and (problems := follow_up_problems(call, today)):
        return SaveOutcome(follow_up_problems=tuple(problems))
    try:
        data = call_create(call, evaluation, advisor_id=advisor.id, ended_at=ended_at or utcnow())
    except ValidationError as exc:
        return SaveOutcome(invalid_fields=invalid_fields(exc))
    with session_scope() as session:
        call_id = calls.save_call(session, data=data, actor_name=advisor.username)
        drafts.discard_draft(session, call_key=call.call_key, advisor_id=advisor.id)
    return SaveOutcome(call_id=call_id)


# --- drafts: the call in progress, autosaved ------------------------------------------------------------------


def save_draft(*, call_key: str, advisor_id: int, data: dict[str, Any], started_at: datetime) -> None:
    with session_scope() as session:
        drafts.save_draft(session, call_key=call_key, advisor_id=advisor_id, data=data, started_at=started_at)


def load_draft(*, call_key: str, advisor_id: int) -> Draft | None:
    """The advisor's draft of that call; None when it was saved or discarded meanwhile (another tab)."""
    with session_scope() as session:
        return drafts.load_draft(session, call_key=call_key, advisor_id=advisor_id)


def discard_draft(*, call_key: str, advisor_id: int) -> None:
    with session_scope() as session:
        drafts.discard_draft(session, call_key=call_key, advisor_id=advisor_id)


def waiting_drafts(*, advisor_id: int) -> list[Draft]:
    """The advisor's calls in progress, most recently changed first."""
    with session_scope() as session:
        return drafts.list_drafts(session, advisor_id=advisor_id)
