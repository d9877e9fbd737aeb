"""The call in progress as data: the widget state <-> the autosaved draft, and the form -> profile / call.

The call page keeps everything the advisor typed in `st.session_state` under `call_*` keys. This module
knows which of those keys make up the draft, how to turn them into JSON for the database and back, and
how to read a CallerProfile and a CallCreate out of them. It takes plain mappings, not Streamlit, so it
is tested without a running app.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from advisory.profile import CallerProfile
from advisory.script import CallScript
from db.models import CallCreate

TRI_STATE = ("unknown", "yes", "no")  # yes/no questions the caller may not have been asked yet
FRACTURES_KNOWN = ("unknown", "no", "yes")
WHEN_KINDS = ("weeks", "month")
DRAFT_VERSION = 1

# Keys of the draft. Buttons are never listed: Streamlit refuses a button value set through state.
FIELDS = (
    "call_caller_role", "call_age", "call_sex", "call_diagnosis", "call_t_score", "call_fractures_known",
    "call_pain", "call_activity_level", "call_falls", "call_fear", "call_physio", "call_topics",
    "call_notes", "call_outcome", "call_follow_up_keep", "call_follow_up_on", "call_follow_up_reason",
    "call_consent", "call_contact_name", "call_contact_phone", "call_contact_email",
    "call_contact_member_number",
    # not widgets: the call's bookkeeping
    "call_started_at", "call_fx_rows", "call_attached", "call_follow_up_suggested", "call_last_profile",
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


def new_call(started_at: datetime) -> dict[str, Any]:
    """The state of a fresh call: sensible defaults, so only the activity level must be chosen."""
    return {
        "call_started_at": started_at.isoformat(),
        "call_caller_role": "member",
        "call_age": None,
        "call_sex": None,
        "call_diagnosis": None,
        "call_t_score": None,
        "call_fractures_known": "unknown",
        "call_fx_rows": [],
        "call_pain": None,
        "call_activity_level": None,
        "call_falls": None,
        "call_fear": "unknown",
        "call_physio": "unknown",
        "call_topics": [],
        "call_notes": "",
        "call_outcome": "advice_given",
        "call_follow_up_keep": False,
        "call_follow_up_on": None,
        "call_follow_up_reason": "",
        "call_follow_up_suggested": None,
        "call_consent": False,
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


def state_from_draft(draft: Mapping[str, Any]) -> dict[str, Any]:
    """Widget state to put back into `st.session_state` when a draft is resumed."""
    values = dict(draft.get("values") or {})
    restored = {key: value for key, value in values.items() if is_draft_key(key)}
    for key in DATE_FIELDS:
        if isinstance(restored.get(key), str):
            restored[key] = date.fromisoformat(restored[key])
    for key in ("call_fx_rows", "call_attached", "call_topics"):
        restored[key] = list(restored.get(key) or [])
    return restored


def started_at(state: Mapping[str, Any]) -> datetime:
    return datetime.fromisoformat(state["call_started_at"])


# --- form -> profile -------------------------------------------------------------------------------


def _tri_state(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "unknown")


def _fracture_date(state: Mapping[str, Any], row: int, today: date) -> date | None:
    if state.get(f"call_fx_when_{row}", "weeks") == "month":
        month, year = state.get(f"call_fx_month_{row}"), state.get(f"call_fx_year_{row}")
        if month is None or year is None:
            return None
        try:
            day = date(int(year), int(month), 15)  # the middle of the month: off by two weeks at most
        except ValueError:
            return date.min  # an impossible year: the profile check names the fracture
        # A fracture earlier this month may not have reached the 15th yet.
        return min(day, today) if (day.year, day.month) == (today.year, today.month) else day
    weeks = state.get(f"call_fx_weeks_{row}")
    if weeks is None:
        return None
    if weeks < 0 or weeks > 52 * 150:
        return date.min
    return today - timedelta(weeks=int(weeks))


def raw_profile(state: Mapping[str, Any], today: date) -> dict[str, Any]:
    """The profile fields as typed, before validation."""
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
            if (occurred := _fracture_date(state, row, today)) is not None:
                fracture["occurred_on"] = occurred
            fractures.append(fracture)
    raw: dict[str, Any] = {
        "caller_role": state.get("call_caller_role"),
        "age": state.get("call_age"),
        "sex": state.get("call_sex"),
        "diagnosis": state.get("call_diagnosis"),
        "t_score": state.get("call_t_score"),
        "fractures": fractures,
        "pain": state.get("call_pain"),
        "falls_last_year": state.get("call_falls"),
        "fear_of_movement": _tri_state(state.get("call_fear")),
        "in_physiotherapy": _tri_state(state.get("call_physio")),
        "topics": list(state.get("call_topics") or []),
    }
    if state.get("call_activity_level") is not None:
        raw["activity_level"] = state["call_activity_level"]  # absent, so "missing" names the field
    return raw


def read_profile(state: Mapping[str, Any], today: date) -> tuple[CallerProfile | None, ValidationError | None]:
    """The profile typed so far, or the validation error that says what to correct."""
    try:
        return CallerProfile.model_validate(raw_profile(state, today), context={"today": today}), None
    except ValidationError as exc:
        return None, exc


def last_valid_profile(state: Mapping[str, Any]) -> CallerProfile | None:
    snapshot = state.get("call_last_profile")
    return CallerProfile.model_validate(snapshot) if snapshot else None


# --- what the call used ------------------------------------------------------------------------------


def ticked(state: Mapping[str, Any], prefix: str, ids: list[str] | tuple[str, ...]) -> list[str]:
    return [item for item in ids if state.get(f"{prefix}{item}")]


def library_used(state: Mapping[str, Any], script: CallScript) -> list[str]:
    """Entries attached from the search, then entries offered by the script and ticked as used."""
    attached = list(state.get("call_attached") or [])
    return list(dict.fromkeys(attached + ticked(state, "call_used_", script.library_slugs)))


def call_create(
    state: Mapping[str, Any],
    *,
    profile: CallerProfile,
    script: CallScript,
    disposition: str | None,
    advisor_id: int,
    ended_at: datetime,
) -> CallCreate:
    """The call to save; raises ValidationError for invalid contact details (the caller keeps the state)."""
    consent = bool(state.get("call_consent"))
    contact = {field: (state.get(key) or "") if consent else None for key, field in CONTACT_FIELDS.items()}
    keep = bool(state.get("call_follow_up_keep"))
    return CallCreate.model_validate({
        "started_at": started_at(state),
        "ended_at": ended_at,
        "advisor_id": advisor_id,
        "caller_role": profile.caller_role.value if profile.caller_role else "other",
        "contact_consent": consent,
        **contact,
        "profile": profile.model_dump(mode="json"),
        "group_id": script.group,
        "flags": sorted(script.flags),
        "topics": sorted(topic.value for topic in profile.topics),
        "disposition": disposition,
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
