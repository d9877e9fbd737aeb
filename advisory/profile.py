"""What the advisor learns about the caller during a call: `CallerProfile` and its validation.

Every field except the activity level may be unknown (None); the script asks about what is unknown.
The profile is stored as a JSON snapshot with the call, so it must round-trip through
`model_dump(mode="json")` / `model_validate`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_serializer,
    field_validator,
)

from advisory.rules import FactKind
from advisory.vocab import ActivityLevel, CallerRole, Diagnosis, FractureSite, PainLevel, Relation, Sex, Topic

# Validation bounds; profile_errors() quotes them, so the messages cannot drift from the rules.
AGE_MIN, AGE_MAX = 18, 110  # the line and its guidance (DK2023) are for adults
T_SCORE_MIN, T_SCORE_MAX = -6.0, 3.0
FALLS_MAX = 365
EARLIEST_FRACTURE = date(1900, 1, 1)


class Fracture(BaseModel):
    """One fracture. Callers rarely know the exact day, so the UI records weeks ago or month + year,
    or that the date is not known yet (`occurred_on` None): the script then treats it as possibly recent."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    site: FractureSite
    occurred_on: date | None
    low_energy: bool = True  # a fall from standing height or less, or no accident at all

    @field_validator("occurred_on")
    @classmethod
    def _plausible_date(cls, value: date | None, info: ValidationInfo) -> date | None:
        if value is None:
            return None
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
    def date_unknown(cls, site: FractureSite | str, low_energy: bool = True) -> Fracture:
        return cls(site=site, occurred_on=None, low_energy=low_energy)

    @classmethod
    def in_month(cls, site: FractureSite | str, year: int, month: int, low_energy: bool = True) -> Fracture:
        # The middle of the month keeps the error of "month + year" within about two weeks.
        return cls(site=site, occurred_on=date(year, month, 15), low_energy=low_energy)


class CallerProfile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    caller_role: CallerRole | None = None
    relation: Relation | None = None  # who a relative calls for
    age: int | None = Field(default=None, ge=AGE_MIN, le=AGE_MAX)
    sex: Sex | None = None
    diagnosis: Diagnosis | None = None
    t_score: float | None = Field(default=None, ge=T_SCORE_MIN, le=T_SCORE_MAX)
    fractures: list[Fracture] | None = None  # None: not asked yet; []: no fractures
    pain: PainLevel | None = None
    activity_level: ActivityLevel
    falls_last_year: int | None = Field(default=None, ge=0, le=FALLS_MAX)
    fear_of_movement: bool | None = None  # afraid of moving or of hurting oneself
    fear_of_falling: bool | None = None
    walking_aid: bool | None = None  # walks with a rollator, a stick or crutches
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

    def facts(self) -> dict[str, Any]:
        """The plain fields as the script's rules see them (fractures and topics have facts of their own)."""
        return {name: getattr(self, name) for name in profile_fact_kinds()}


def _fact_kind(annotation: Any) -> FactKind | None:
    kind = next((arg for arg in get_args(annotation) if arg is not type(None)), annotation)
    if kind is bool:
        return "bool"
    if kind in (int, float):
        return "number"
    if isinstance(kind, type) and issubclass(kind, StrEnum):
        return frozenset(kind)
    return None


@lru_cache(maxsize=1)
def profile_fact_kinds() -> dict[str, FactKind]:
    """Each plain field of the profile as a fact a rule may name: a number, a yes/no answer or a choice
    from the vocabulary. A new field is a fact without further code (advisory/rules.py checks its use)."""
    kinds = {name: _fact_kind(field.annotation) for name, field in CallerProfile.model_fields.items()}
    return {name: kind for name, kind in kinds.items() if kind is not None}


# --- what is wrong, for the advisor (the console words it) --------------------------------------------


@dataclass(frozen=True)
class FieldProblem:
    """One problem with one field of the profile. `code` names what is wrong (the console has a message per
    code, quoting the bounds above); `fracture` is the 1-based number of the fracture it concerns."""

    field: str
    code: str
    fracture: int | None = None


def profile_problems(exc: ValidationError) -> dict[str, list[FieldProblem]]:
    """Field name -> its problems, each once, from a failed `CallerProfile` validation."""
    problems: dict[str, list[FieldProblem]] = {}
    for error in exc.errors():
        loc = error["loc"]
        field = str(loc[0]) if loc else "profile"
        problem = _problem(field, loc, error["type"])
        bucket = problems.setdefault(field, [])
        if problem not in bucket:
            bucket.append(problem)
    return problems


def _problem(field: str, loc: tuple, error_type: str) -> FieldProblem:
    if error_type == "extra_forbidden" and len(loc) == 1:
        return FieldProblem(field, "unknown_field")
    if error_type == "missing" and field == "activity_level":
        return FieldProblem(field, "missing")
    if field == "fractures" and len(loc) >= 3 and isinstance(loc[1], int):
        part = str(loc[2])
        code = part if part in ("site", "occurred_on", "low_energy") else "unknown_field"
        return FieldProblem(field, code, fracture=loc[1] + 1)
    if field in CallerProfile.model_fields:
        return FieldProblem(field, "invalid")
    return FieldProblem(field, "unknown_field")
