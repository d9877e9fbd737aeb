"""What the advisor learns about the caller during a call: `CallerProfile` and its validation.

Every field except the activity level may be unknown (None); the script asks about what is unknown.
The profile is stored as a JSON snapshot with the call, so it must round-trip through
`model_dump(mode="json")` / `model_validate`.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_serializer,
    field_validator,
)

from advisory.vocab import CallerRole, Topic

# Validation bounds; profile_errors() quotes them, so the messages cannot drift from the rules.
AGE_MIN, AGE_MAX = 18, 110  # the line and its guidance (DK2023) are for adults
T_SCORE_MIN, T_SCORE_MAX = -6.0, 3.0
FALLS_MAX = 365
EARLIEST_FRACTURE = date(1900, 1, 1)


class Sex(StrEnum):
    female = "female"
    male = "male"
    other = "other"


class Diagnosis(StrEnum):
    osteoporosis = "osteoporosis"
    osteopenia = "osteopenia"
    not_diagnosed = "not_diagnosed"
    unknown = "unknown"


class FractureSite(StrEnum):
    vertebral = "vertebral"
    hip = "hip"
    wrist = "wrist"
    other = "other"


class PainLevel(StrEnum):
    none = "none"
    mild = "mild"
    moderate = "moderate"
    severe = "severe"


class ActivityLevel(StrEnum):
    function_limited = "function_limited"
    everyday_active = "everyday_active"
    training_active = "training_active"


class Fracture(BaseModel):
    """One fracture. Callers rarely know the exact day, so the UI records weeks ago or month + year."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    site: FractureSite
    occurred_on: date
    low_energy: bool = True  # a fall from standing height or less, or no accident at all

    @field_validator("occurred_on")
    @classmethod
    def _plausible_date(cls, value: date, info: ValidationInfo) -> date:
        if value < EARLIEST_FRACTURE:
            raise ValueError("fracture date is too early")
        # The call date is only known to the caller of model_validate (context={"today": ...});
        # without it a future date is left to build_script, which treats it as "just now".
        today = (info.context or {}).get("today")
        if today is not None and value > today:
            raise ValueError("fracture date is in the future")
        return value

    @classmethod
    def weeks_ago(cls, site: FractureSite | str, weeks: int, *, today: date, low_energy: bool = True) -> Fracture:
        if weeks < 0:
            raise ValueError("weeks must not be negative")
        return cls(site=site, occurred_on=today - timedelta(weeks=weeks), low_energy=low_energy)

    @classmethod
    def in_month(cls, site: FractureSite | str, year: int, month: int, low_energy: bool = True) -> Fracture:
        # The middle of the month keeps the error of "month + year" within about two weeks.
        return cls(site=site, occurred_on=date(year, month, 15), low_energy=low_energy)


class CallerProfile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    caller_role: CallerRole | None = None
    age: int | None = Field(default=None, ge=AGE_MIN, le=AGE_MAX)
    sex: Sex | None = None
    diagnosis: Diagnosis | None = None
    t_score: float | None = Field(default=None, ge=T_SCORE_MIN, le=T_SCORE_MAX)
    fractures: list[Fracture] | None = None  # None: not asked yet; []: no fractures
    pain: PainLevel | None = None
    activity_level: ActivityLevel
    falls_last_year: int | None = Field(default=None, ge=0, le=FALLS_MAX)
    fear_of_movement: bool | None = None
    in_physiotherapy: bool | None = None
    topics: set[Topic] = Field(default_factory=set)

    @field_validator("topics", mode="before")
    @classmethod
    def _no_topics_when_unknown(cls, value: object) -> object:
        # "Unknown topics" and "no topics" lead to the same script.
        return set() if value is None else value

    @field_serializer("topics")
    def _sorted_topics(self, topics: set[Topic]) -> list[str]:
        # Sorted so that equal profiles give equal snapshots.
        return sorted(topic.value for topic in topics)


# --- messages for the advisor -------------------------------------------------------------------


def _num(value: float, lang: str) -> str:
    text = f"{value:+.1f}" if value > 0 else f"{value:.1f}"
    return text.replace(".", ",") if lang == "da" else text


_FIELD_MESSAGES: dict[str, dict[str, str]] = {
    "caller_role": {
        "da": "Vælg hvem der ringer: medlem, pårørende, fagperson eller andet.",
        "en": "Choose who is calling: member, relative, professional or other.",
    },
    "age": {
        "da": f"Alderen skal være et helt tal mellem {AGE_MIN} og {AGE_MAX}.",
        "en": f"Age must be a whole number between {AGE_MIN} and {AGE_MAX}.",
    },
    "sex": {
        "da": "Vælg køn: kvinde, mand eller andet.",
        "en": "Choose sex: female, male or other.",
    },
    "diagnosis": {
        "da": "Vælg diagnose: knogleskørhed, osteopeni, ikke diagnosticeret eller ved ikke.",
        "en": "Choose a diagnosis: osteoporosis, osteopenia, not diagnosed or unknown.",
    },
    "t_score": {
        "da": f"T-scoren skal være et tal mellem {_num(T_SCORE_MIN, 'da')} og {_num(T_SCORE_MAX, 'da')}.",
        "en": f"The T-score must be a number between {_num(T_SCORE_MIN, 'en')} and {_num(T_SCORE_MAX, 'en')}.",
    },
    "fractures": {
        "da": "Brudlisten er ugyldig.",
        "en": "The list of fractures is invalid.",
    },
    "pain": {
        "da": "Vælg smerteniveau: ingen, lette, moderate eller stærke.",
        "en": "Choose a pain level: none, mild, moderate or severe.",
    },
    "activity_level": {
        "da": "Vælg aktivitetsniveau: funktionsbegrænset, hverdagsaktiv eller træningsaktiv.",
        "en": "Choose an activity level: function limited, active in daily life or trains regularly.",
    },
    "falls_last_year": {
        "da": f"Antal fald skal være et helt tal fra 0 til {FALLS_MAX}.",
        "en": f"The number of falls must be a whole number from 0 to {FALLS_MAX}.",
    },
    "fear_of_movement": {
        "da": "Angiv ja, nej eller ved ikke.",
        "en": "Answer yes, no or unknown.",
    },
    "in_physiotherapy": {
        "da": "Angiv ja, nej eller ved ikke.",
        "en": "Answer yes, no or unknown.",
    },
    "topics": {
        "da": "Ukendt emne. Vælg blandt: løft, yoga, løb, styrketræning, balance, dagligdagen, smerter, "
        "holdning, henvisning, medicin eller andet.",
        "en": "Unknown topic. Choose from: lifting, yoga, running, strength training, balance, daily "
        "activities, pain, posture, referral, medication or other.",
    },
}

_FRACTURE_MESSAGES: dict[str, dict[str, str]] = {
    "site": {
        "da": "vælg hvor bruddet sad: ryg, hofte, håndled eller andet.",
        "en": "choose where the fracture was: spine, hip, wrist or other.",
    },
    "occurred_on": {
        "da": f"datoen skal være en gyldig dato efter {EARLIEST_FRACTURE.year} og ikke i fremtiden.",
        "en": f"the date must be a valid date after {EARLIEST_FRACTURE.year} and not in the future.",
    },
    "low_energy": {
        "da": "angiv om bruddet skete ved et lille fald eller uden uheld (lavenergibrud).",
        "en": "say whether it happened in a minor fall or without an accident (low-energy fracture).",
    },
}

_MISSING = {
    "activity_level": {
        "da": "Vælg aktivitetsniveau – manuskriptet bygger på det.",
        "en": "Choose an activity level – the script depends on it.",
    },
}
_UNKNOWN_FIELD = {"da": "Ukendt felt.", "en": "Unknown field."}
_FRACTURE_PREFIX = {"da": "Brud {n}: ", "en": "Fracture {n}: "}


def profile_errors(exc: ValidationError, lang: str = "da") -> dict[str, str]:
    """Field name -> a message fit to show the advisor next to that field (Danish or English).

    Nested fracture errors are reported under "fractures" and say which fracture (1, 2, ...).
    """
    if lang not in ("da", "en"):
        raise ValueError(f"unsupported language: {lang!r}")
    messages: dict[str, list[str]] = {}
    for error in exc.errors():
        loc = error["loc"]
        field = str(loc[0]) if loc else "profile"
        message = _message(field, loc, error["type"], lang)
        bucket = messages.setdefault(field, [])
        if message not in bucket:
            bucket.append(message)
    return {field: " ".join(texts) for field, texts in messages.items()}


def _message(field: str, loc: tuple, error_type: str, lang: str) -> str:
    if error_type == "extra_forbidden" and len(loc) == 1:
        return _UNKNOWN_FIELD[lang]
    if error_type == "missing" and field in _MISSING:
        return _MISSING[field][lang]
    if field == "fractures" and len(loc) >= 3 and isinstance(loc[1], int):
        prefix = _FRACTURE_PREFIX[lang].format(n=loc[1] + 1)
        part = _FRACTURE_MESSAGES.get(str(loc[2]))
        return prefix + (part[lang] if part else _UNKNOWN_FIELD[lang].lower())
    if field in _FIELD_MESSAGES:
        return _FIELD_MESSAGES[field][lang]
    return _UNKNOWN_FIELD[lang]
