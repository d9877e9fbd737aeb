"""The call in progress as data: widget state <-> the autosaved draft, and the form -> the evaluated call.

The call page keeps everything the advisor typed in `st.session_state` under `call_*` keys. This module
knows which of those keys make up the draft, how to turn them into JSON for the database and back, how to
read numbers typed the Danish way, and — in `evaluate_call`, the one place the pipeline runs — how the
form becomes a profile, a script, the red flags and their disposition, and a follow-up suggestion. It
takes plain mappings, not Streamlit, so it is tested without a running app.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from advisory.profile import AGE_MAX, AGE_MIN, FALLS_MAX, T_SCORE_MAX, T_SCORE_MIN, CallerProfile
from advisory.script import CallScript, DispositionText, build_script, disposition_text, script_content
from advisory.script.builder import most_urgent
from advisory.vocab import CallerRole
from console.i18n import translate
from console.profile_messages import profile_messages
from db.models import CallCreate

TRI_STATE = ("unknown", "yes", "no")  # yes/no questions the caller may not have been asked yet
FRACTURES_KNOWN = ("unknown", "no", "yes")
WHEN_KINDS = ("weeks", "month", "unknown")  # "unknown": the date is not known yet (possibly recent)
DRAFT_VERSION = 2

# Keys of the draft. Buttons are never listed: Streamlit refuses a button value set through state.
FIELDS = (
    "call_caller_role", "call_relation", "call_age", "call_sex", "call_diagnosis", "call_t_score",
    "call_fractures_known", "call_pain", "call_activity_level", "call_falls", "call_fear", "call_fear_falling",
    "call_walking_aid", "call_physio", "call_topics",
    "call_notes", "call_outcome", "call_follow_up_keep", "call_follow_up_on", "call_follow_up_reason",
    "call_callback_by_member", "call_consent", "call_third_party_consent", "call_contact_name",
    "call_contact_phone", "call_contact_email", "call_contact_member_number",
    # not widgets: the call's bookkeeping
    "call_key", "call_started_at", "call_fx_rows", "call_attached", "call_follow_up_suggested",
    "call_last_profile",
)
ROW_PREFIXES = ("call_fx_site_", "call_fx_when_", "call_fx_weeks_", "call_fx_month_", "call_fx_year_",
                "call_fx_low_energy_")
TICK_PREFIXES = ("call_rf_", "call_said_", "call_used_")
DATE_FIELDS = ("call_follow_up_on",)
CONTACT_FIELDS = {  # widget key -> CallCreate field
    "call_contact_name": "caller_name",
    "call_contact_phone": "phone",
    "call_contact_email": "email",
    "call_contact_member_number": "member_number",
}
# The widgets of CallCreate fields an advisor types into (the rules themselves live in CallCreate only).
FIELD_WIDGETS = {**{field: key for key, field in CONTACT_FIELDS.items()}, "notes": "call_notes",
                 "follow_up_reason": "call_follow_up_reason"}


def new_call(started_at: datetime, call_key: str | None = None) -> dict[str, Any]:
    """The state of a fresh call: sensible defaults, so only the activity level must be chosen.

    `call_key` identifies the call from its first keystroke: the draft is stored under it (two tabs are two
    calls) and saving is idempotent on it (the same call is never logged twice).
    """
    return {
        "call_key": call_key or uuid.uuid4().hex,
        "call_started_at": started_at.isoformat(),
        "call_caller_role": "member",
        "call_relation": None,
        "call_age": "",
        "call_sex": None,
        "call_diagnosis": None,
        "call_t_score": "",
        "call_fractures_known": "unknown",
        "call_fx_rows": [],
        "call_pain": None,
        "call_activity_level": None,
        "call_falls": "",
        "call_fear": "unknown",
        "call_fear_falling": "unknown",
        "call_walking_aid": "unknown",
        "call_physio": "unknown",
        "call_topics": [],
        "call_notes": "",
        "call_outcome": "advice_given",
        "call_follow_up_keep": False,
        "call_follow_up_on": None,
        "call_follow_up_reason": "",
        "call_follow_up_suggested": None,
        "call_callback_by_member": False,
        "call_consent": False,
        "call_third_party_consent": False,
        "call_attached": [],
        "call_last_profile": None,
    }


def is_draft_key(key: str) -> bool:
    return key in FIELDS or key.startswith(ROW_PREFIXES) or key.startswith(TICK_PREFIXES)


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, set | tuple):
        return sorted(value) if isinstance(value, set) else list(value)
    return value


def draft_from_state(state: Mapping[str, Any]) -> dict[str, Any]:
    """The draft as stored in the database: every draft key present in the state, JSON-able."""
    consent = bool(state.get("call_consent"))
    values = {
        key: _jsonable(state[key])
        for key in sorted(k for k in state.keys() if is_draft_key(k))
        # Unticked boxes carry nothing a resumed call needs; contact details need the caller's consent.
        if not (key.startswith(TICK_PREFIXES) and state[key] is False) and (consent or key not in CONTACT_FIELDS)
    }
    return {"version": DRAFT_VERSION, "values": values}


_NUMBER_KEYS = ("call_age", "call_t_score", "call_falls")


def state_from_draft(draft: Mapping[str, Any]) -> dict[str, Any]:
    """Widget state to put back into `st.session_state` when a draft is resumed."""
    values = dict(draft.get("values") or {})
    restored = {key: value for key, value in values.items() if is_draft_key(key)}
    for key in DATE_FIELDS:
        if isinstance(restored.get(key), str):
            restored[key] = date.fromisoformat(restored[key])
    for key in ("call_fx_rows", "call_attached", "call_topics"):
        restored[key] = list(restored.get(key) or [])
    # Numbers are typed as text (Danish decimal comma); a draft of version 1 held them as numbers.
    for key in [*_NUMBER_KEYS, *(k for k in restored if k.startswith(("call_fx_weeks_", "call_fx_year_")))]:
        if key in restored and not isinstance(restored[key], str):
            restored[key] = "" if restored[key] is None else _format_plain(restored[key])
    return restored


def _format_plain(value: float | int) -> str:
    return str(value).replace(".", ",") if isinstance(value, float) else str(value)


def started_at(state: Mapping[str, Any]) -> datetime:
    return datetime.fromisoformat(state["call_started_at"])


# --- numbers as Danes type them ------------------------------------------------------------------------

# Minus signs people type: ASCII hyphen, the real minus (U+2212) and the dashes word processors produce.
_MINUS = re.compile(r"^[\-\u2212\u2013\u2014]\s*")
_DECIMAL = re.compile(r"^[+-]?\d+([.,]\d+)?$")
_WHOLE = re.compile(r"^\d+$")


class NumberError(ValueError):
    """What was typed is not a number of the kind the field takes."""


def parse_decimal(text: str) -> float | None:
    """"-2,6", "−2,6", "-2.6" and " -2,6 " all read as -2.6; "" is unknown (None).

    A number without a sign is positive: T-scores above 0 exist, so "2,6" is never silently turned into
    -2,6 (the form asks "mente du −2,6?" instead, see `t_score_hint`).
    """
    cleaned = " ".join((text or "").split())
    if not cleaned:
        return None
    cleaned = _MINUS.sub("-", cleaned).replace(" ", "")
    if not _DECIMAL.match(cleaned):
        raise NumberError(text)
    return float(cleaned.replace(",", "."))


def parse_whole(text: str) -> int | None:
    cleaned = "".join((text or "").split())
    if not cleaned:
        return None
    if not _WHOLE.match(cleaned):
        raise NumberError(text)
    return int(cleaned)


def t_score_hint(state: Mapping[str, Any]) -> bool:
    """True when a positive T-score was typed: most callers' T-scores are negative, so the form asks."""
    try:
        value = parse_decimal(str(state.get("call_t_score") or ""))
    except NumberError:
        return False
    return value is not None and value > 0


# --- form -> profile ---------------------------------------------------------------------------------


def _tri_state(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "unknown")


_NO_DATE = object()  # the date part of a fracture row is not filled in yet


def _fracture_date(state: Mapping[str, Any], row: int, today: date, problems: dict[str, str]) -> Any:
    kind = state.get(f"call_fx_when_{row}", "weeks")
    if kind == "unknown":
        return None
    if kind == "month":
        month, raw_year = state.get(f"call_fx_month_{row}"), str(state.get(f"call_fx_year_{row}") or "")
        try:
            year = parse_whole(raw_year)
        except NumberError:
            problems[f"call_fx_year_{row}"] = "whole"
            return _NO_DATE
        if month is None or year is None:
            return _NO_DATE
        try:
            day = date(int(year), int(month), 15)  # the middle of the month: off by two weeks at most
        except ValueError:
            return date.min  # an impossible year: the profile check names the fracture
        # A fracture earlier this month may not have reached the 15th yet.
        return min(day, today) if (day.year, day.month) == (today.year, today.month) else day
    try:
        weeks = parse_whole(str(state.get(f"call_fx_weeks_{row}") or ""))
    except NumberError:
        problems[f"call_fx_weeks_{row}"] = "whole"
        return _NO_DATE
    if weeks is None:
        return _NO_DATE
    if weeks > 52 * 150:
        return date.min
    return today - timedelta(weeks=weeks)


def _number(state: Mapping[str, Any], key: str, parse, problems: dict[str, str], kind: str) -> Any:
    try:
        return parse(str(state.get(key) or ""))
    except NumberError:
        problems[key] = kind
        return None


def raw_profile(state: Mapping[str, Any], today: date, problems: dict[str, str] | None = None) -> dict[str, Any]:
    """The profile fields as typed, before validation; numbers that do not parse go to `problems`
    (widget key -> "decimal" | "whole") instead of into the profile."""
    problems = {} if problems is None else problems
    known = state.get("call_fractures_known", "unknown")
    fractures: list[dict[str, Any]] | None = None
    if known == "no":
        fractures = []
    elif known == "yes":
        fractures = []
        for row in state.get("call_fx_rows") or []:
            fracture: dict[str, Any] = {"low_energy": bool(state.get(f"call_fx_low_energy_{row}", True))}
            if (site := state.get(f"call_fx_site_{row}")) is not None:
                fracture["site"] = site
            if (occurred := _fracture_date(state, row, today, problems)) is not _NO_DATE:
                fracture["occurred_on"] = occurred
            fractures.append(fracture)
    role = state.get("call_caller_role")
    raw: dict[str, Any] = {
        "caller_role": role,
        "relation": state.get("call_relation") if role == CallerRole.relative else None,
        "age": _number(state, "call_age", parse_whole, problems, "whole"),
        "sex": state.get("call_sex"),
        "diagnosis": state.get("call_diagnosis"),
        "t_score": _number(state, "call_t_score", parse_decimal, problems, "decimal"),
        "fractures": fractures,
        "pain": state.get("call_pain"),
        "falls_last_year": _number(state, "call_falls", parse_whole, problems, "whole"),
        "fear_of_movement": _tri_state(state.get("call_fear")),
        "fear_of_falling": _tri_state(state.get("call_fear_falling")),
        "walking_aid": _tri_state(state.get("call_walking_aid")),
        "in_physiotherapy": _tri_state(state.get("call_physio")),
        "topics": list(state.get("call_topics") or []),
    }
    if state.get("call_activity_level") is not None:
        raw["activity_level"] = state["call_activity_level"]  # absent, so "missing" names the field
    return raw


# Which profile field a number widget feeds, for messages beside the field.
_WIDGET_FIELD = {"call_age": "age", "call_t_score": "t_score", "call_falls": "falls_last_year"}


def _number_message(key: str, kind: str, lang: str) -> tuple[str, str]:
    field = _WIDGET_FIELD.get(key, "fractures")
    if key.startswith(("call_fx_weeks_", "call_fx_year_")):
        return "fractures", translate("call.error_fracture_number", lang)
    bounds = {"age": (AGE_MIN, AGE_MAX), "falls_last_year": (0, FALLS_MAX), "t_score": (T_SCORE_MIN, T_SCORE_MAX)}
    low, high = bounds[field]
    return field, translate(f"call.error_number_{kind}", lang, low=_show(low, lang), high=_show(high, lang))


def _show(value: float | int, lang: str) -> str:
    text = str(value)
    return text.replace(".", ",") if lang == "da" else text


def read_profile(state: Mapping[str, Any], today: date, lang: str = "da") -> tuple[CallerProfile | None, dict[str, str]]:
    """The profile typed so far, or the messages (profile field -> text) that say what to correct.

    A number that cannot be read blocks the profile just like an out-of-range one: it is never dropped.
    """
    problems: dict[str, str] = {}
    raw = raw_profile(state, today, problems)
    messages: dict[str, str] = {}
    for key, kind in problems.items():
        field, message = _number_message(key, kind, lang)
        messages[field] = f"{messages[field]} {message}".strip() if field in messages else message
    try:
        profile = CallerProfile.model_validate(raw, context={"today": today})
    except ValidationError as exc:
        for field, message in profile_messages(exc, lang).items():
            messages.setdefault(field, message)
        return None, messages
    return (None, messages) if messages else (profile, {})


def last_valid_profile(state: Mapping[str, Any]) -> CallerProfile | None:
    snapshot = state.get("call_last_profile")
    if not snapshot:
        return None
    try:
        return CallerProfile.model_validate(snapshot)
    except ValidationError:  # a snapshot from an older profile model
        return None


# --- the call, evaluated once per change -----------------------------------------------------------------


def ticked(state: Mapping[str, Any], prefix: str, ids: list[str] | tuple[str, ...]) -> list[str]:
    return [item for item in ids if state.get(f"{prefix}{item}")]


def red_flag_ids() -> tuple[str, ...]:
    return tuple(flag.id for flag in script_content().red_flags)


@dataclass(frozen=True)
class CallEvaluation:
    """Everything the call page shows and the save path stores, computed from the form in one go."""

    profile: CallerProfile | None  # the valid profile, or None while a field is wrong
    errors: dict[str, str]  # profile field -> message to show beside it
    shown_profile: CallerProfile | None  # what the script follows: the profile, else the last valid one
    script: CallScript | None
    red_flags: tuple[str, ...]  # the red-flag questions answered "yes"
    # What the red flags mean, even before there is a profile to build a script from (safety first).
    disposition_text: DispositionText | None = None

    @property
    def disposition(self) -> str | None:
        return self.disposition_text.id if self.disposition_text else None

    @property
    def follow_up_suggestion(self) -> date | None:
        return self.script.follow_up_on if self.script else None


def evaluate_call(state: Mapping[str, Any], *, today: date, lang: str) -> CallEvaluation:
    """Form -> profile -> script (with the red flags) -> disposition and follow-up suggestion."""
    profile, errors = read_profile(state, today, lang)
    shown = profile or last_valid_profile(state)
    answered = tuple(ticked(state, "call_rf_", red_flag_ids()))
    script = build_script(shown, today=today, lang=lang, red_flags=answered) if shown else None
    if script is not None:
        disposition = script.disposition
    else:
        entry = most_urgent(answered)
        disposition = disposition_text(entry, lang, "member") if entry else None
    return CallEvaluation(profile=profile, errors=errors, shown_profile=shown, script=script, red_flags=answered,
                          disposition_text=disposition)


# --- what the call used --------------------------------------------------------------------------------


def library_used(state: Mapping[str, Any], script: CallScript) -> list[str]:
    """Entries attached from the search, then entries offered by the script and ticked as used."""
    attached = list(state.get("call_attached") or [])
    return list(dict.fromkeys(attached + ticked(state, "call_used_", script.library_slugs)))


def call_create(state: Mapping[str, Any], *, evaluation: CallEvaluation, advisor_id: int,
                ended_at: datetime) -> CallCreate:
    """The call to save; raises ValidationError for invalid contact details (the caller keeps the state)."""
    profile, script = evaluation.profile, evaluation.script
    if profile is None or script is None:
        raise ValueError("the profile is not valid: evaluate the call and show its errors first")
    consent = bool(state.get("call_consent"))
    contact = {field: (state.get(key) or "") if consent else None for key, field in CONTACT_FIELDS.items()}
    keep = bool(state.get("call_follow_up_keep"))
    return CallCreate.model_validate({
        "call_key": state["call_key"],
        "started_at": started_at(state),
        "ended_at": ended_at,
        "advisor_id": advisor_id,
        "caller_role": profile.caller_role.value if profile.caller_role else "other",
        "contact_consent": consent,
        "third_party_consent": bool(state.get("call_third_party_consent"))
        and profile.caller_role == CallerRole.relative,
        **contact,
        "profile": profile.model_dump(mode="json"),
        "group_id": script.group,
        "flags": sorted(script.flags),
        "topics": sorted(topic.value for topic in profile.topics),
        "disposition": evaluation.disposition,
        "outcome": state.get("call_outcome") or "advice_given",
        "delivered_blocks": ticked(state, "call_said_", script.block_ids),
        "library_slugs": library_used(state, script),
        "notes": state.get("call_notes") or "",
        "content_version": script.content_version,
        "lang": script.lang,
        "follow_up_on": state.get("call_follow_up_on") if keep else None,
        "follow_up_reason": (state.get("call_follow_up_reason") or "").strip() if keep else "",
    })


def call_errors(exc: ValidationError) -> dict[str, str]:
    """The CallCreate fields that failed, each with its first pydantic error type ("string_too_long",
    "value_error", ...), for messages next to the fields on the page."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        if error["loc"]:
            errors.setdefault(str(error["loc"][0]), error["type"])
    return errors
