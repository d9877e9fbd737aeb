"""From a caller profile to the facts, flags and caller group the script's conditions read.

Group decision (GUIDANCE.md, VKS, and its corrections of 29 November 2026):
1. `acute_vertebral_fracture` when a vertebral fracture may still be healing: fewer than
   `healing_phase_weeks` weeks ago (on the day the healing phase ends the caller leaves the group), or
   of unknown date (possibly recent until the advisor knows). Any energy counts: the bone must heal.
2. `function_limited` when the activity level says so.
3. otherwise `everyday_active_*` / `training_active_*`, `with_fracture` when the caller has had a
   low-energy fracture. A fracture from a high-energy accident says little about the bone, so it does not
   make a "with fracture" group; a vertebral or hip fracture of any energy still sets `high_fracture_risk`.

Unknown is not "no": a fact not asked yet (None) never selects advice that is only right when the answer
is "no". Fractures not asked yet set `fracture_history_unknown`; a fracture without a date sets
`fracture_date_unknown` and counts as possibly recent (healing flags set, follow-up date unknown). Both
set `impact_limited`, the one rule for "no hops, jumps or running": also set by a fracture still healing,
high fracture risk (a vertebral or hip fracture, or several low-energy fractures: SSS), frailty (the
function-limited group or a walking aid). One healed wrist fracture alone does not limit impact (SSS).
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from advisory.profile import ActivityLevel, CallerProfile, Fracture, FractureSite
from advisory.script.content import Thresholds, script_content
from advisory.vocab import CallerGroup, Flag


@dataclass(frozen=True)
class Assessment:
    group: str
    flags: frozenset[str]
    facts: dict[str, Any]  # what conditions see: the profile facts plus flags, group, topics, red_flag
    follow_up_on: date | None


@dataclass(frozen=True)
class _Dated:
    fracture: Fracture
    days_ago: int | None  # None: date unknown


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def _dated(profile: CallerProfile, today: date) -> list[_Dated]:
    # A date after the call is a typing slip; treating it as today keeps the safe reading (recent).
    return [_Dated(f, None if f.occurred_on is None else (today - min(f.occurred_on, today)).days)
            for f in profile.fractures or []]


def _weeks_since(fractures: list[_Dated], sites: set[FractureSite] | None = None) -> float | None:
    days = [f.days_ago for f in fractures if f.days_ago is not None and (sites is None or f.fracture.site in sites)]
    return min(days) / 7 if days else None


def _fracture_facts(profile: CallerProfile, fractures: list[_Dated]) -> dict[str, Any]:
    known = profile.fractures is not None
    vertebral = [f for f in fractures if f.fracture.site == FractureSite.vertebral]
    others = [f for f in fractures if f.fracture.site != FractureSite.vertebral]
    low_energy = [f for f in fractures if f.fracture.low_energy]
    fragility = {FractureSite.vertebral, FractureSite.hip}

    def when_known(value: Any) -> Any:
        return value if known else None

    return {
        "fractures_known": known,
        "fracture_count": when_known(len(fractures)),
        "low_energy_fracture_count": when_known(len(low_energy)),
        "has_vertebral_fracture": when_known(bool(vertebral)),
        "has_hip_fracture": when_known(any(f.fracture.site == FractureSite.hip for f in fractures)),
        "has_fragility_vertebral_or_hip": when_known(any(f.fracture.site in fragility for f in low_energy)),
        "vertebral_dates_known": all(f.days_ago is not None for f in vertebral) if vertebral else None,
        "other_dates_known": all(f.days_ago is not None for f in others) if others else None,
        "weeks_since_last_fracture": _weeks_since(fractures),
        "weeks_since_vertebral_fracture": _weeks_since(fractures, {FractureSite.vertebral}),
        "weeks_since_hip_fracture": _weeks_since(fractures, {FractureSite.hip}),
    }


def _still_healing(fractures: list[_Dated], healing_days: float) -> bool:
    """Fewer than `healing_days` ago, or of unknown date (possibly recent)."""
    return any(f.days_ago is None or f.days_ago < healing_days for f in fractures)


def _fracture_flags(profile: CallerProfile, fractures: list[_Dated], t: Thresholds, today: date) -> set[str]:
    flags: set[str] = set()
    if profile.fractures is None:
        flags.add(Flag.fracture_history_unknown)
    if any(f.days_ago is None for f in fractures):
        flags.add(Flag.fracture_date_unknown)
    vertebral = [f for f in fractures if f.fracture.site == FractureSite.vertebral]
    others = [f for f in fractures if f.fracture.site != FractureSite.vertebral]
    hips = [f for f in fractures if f.fracture.site == FractureSite.hip]
    if _still_healing(vertebral, t.healing_phase_weeks.value * 7):
        flags.add(Flag.healing_phase)
    other_days = t.other_fracture_healing_weeks.value * 7
    if _still_healing(others, other_days):
        flags.add(Flag.other_fracture_healing)
    if _still_healing(hips, other_days):
        flags.add(Flag.recent_hip_fracture)
    months = int(t.recent_fracture_months.value)
    if any(f.days_ago is not None and f.fracture.low_energy
           and _add_months(today - timedelta(days=f.days_ago), months) > today for f in fractures):
        flags.add(Flag.recent_fracture)
    low_energy = [f for f in fractures if f.fracture.low_energy]
    if (any(f.fracture.site in (FractureSite.vertebral, FractureSite.hip) for f in fractures)
            or len(low_energy) >= t.high_risk_fracture_count.value):
        flags.add(Flag.high_fracture_risk)
    return flags


def _other_flags(profile: CallerProfile, t: Thresholds) -> set[str]:
    flags: set[str] = set()
    score = profile.t_score
    if score is not None:
        if score <= t.very_low_t_score.value:
            flags.add(Flag.very_low_t_score)
        if score <= t.osteoporosis_t_score.value:
            flags.add(Flag.t_score_osteoporosis)
        elif score < t.osteopenia_t_score.value:
            flags.add(Flag.t_score_osteopenia)
    falls = profile.falls_last_year or 0
    # A fall in the last year or fear of falling (not fear of moving) means fall risk (SSS).
    if falls > 0 or profile.fear_of_falling:
        flags.add(Flag.fall_risk)
    if falls >= t.several_falls.value:
        flags.add(Flag.several_falls)
    return flags


_LIMIT_IMPACT = frozenset({Flag.healing_phase, Flag.other_fracture_healing, Flag.high_fracture_risk,
                           Flag.fracture_history_unknown, Flag.fracture_date_unknown})


def _group(profile: CallerProfile, flags: set[str], fractures: list[_Dated]) -> str:
    if Flag.healing_phase in flags:
        return CallerGroup.acute_vertebral_fracture
    if profile.activity_level == ActivityLevel.function_limited:
        return CallerGroup.function_limited
    history = "with_fracture" if any(f.fracture.low_energy for f in fractures) else "no_fracture"
    return CallerGroup(f"{profile.activity_level.value}_{history}")


def _follow_up(fractures: list[_Dated], t: Thresholds, today: date) -> date | None:
    """The end of the healing phase of the newest dated vertebral fracture still healing (None when unknown)."""
    healing_days = t.healing_phase_weeks.value * 7
    days = [f.days_ago for f in fractures
            if f.fracture.site == FractureSite.vertebral and f.days_ago is not None and f.days_ago < healing_days]
    if not days:
        return None
    return today - timedelta(days=min(days)) + timedelta(days=healing_days)


def assess(profile: CallerProfile, *, today: date, thresholds: Thresholds | None = None,
           red_flag: bool = False) -> Assessment:
    """Derive the facts, flags and caller group of a profile on the call date."""
    t = thresholds or script_content().thresholds
    fractures = _dated(profile, today)
    flags = _fracture_flags(profile, fractures, t, today) | _other_flags(profile, t)
    group = _group(profile, flags, fractures)
    if (flags & _LIMIT_IMPACT or group == CallerGroup.function_limited or profile.walking_aid):
        flags.add(Flag.impact_limited)
    facts: dict[str, Any] = {
        **profile.facts(),
        **_fracture_facts(profile, fractures),
        "red_flag": red_flag,
        "flags": frozenset(flags),
        "group": group,
        "topics": frozenset(profile.topics),
    }
    return Assessment(group=group, flags=frozenset(flags), facts=facts,
                      follow_up_on=_follow_up(fractures, t, today) if group == CallerGroup.acute_vertebral_fracture
                      else None)
