"""Hypothesis strategies for caller profiles over the whole input space, shared by the property tests.

Every optional fact may be None ("not asked yet"), so the tests reach the unknowns as well as the answers.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

from advisory.profile import CallerProfile, Fracture
from advisory.vocab import ActivityLevel, CallerRole, Diagnosis, FractureSite, PainLevel, Relation, Sex, Topic


def maybe(strategy):
    return st.none() | strategy


def caller_profiles(*, call_date: date, days_back, max_fractures: int, max_falls: int, max_topics: int | None = None):
    """Profiles as of `call_date`; `days_back` draws how long ago a fracture happened (negative: a typing slip
    into the future)."""
    fractures = st.builds(
        lambda site, back, low_energy: Fracture(site=site, occurred_on=None if back is None
                                                else call_date - timedelta(days=back), low_energy=low_energy),
        st.sampled_from(FractureSite), maybe(days_back), st.booleans(),
    )
    return st.builds(
        CallerProfile,
        caller_role=maybe(st.sampled_from(CallerRole)),
        relation=maybe(st.sampled_from(Relation)),
        age=maybe(st.integers(min_value=18, max_value=110)),
        sex=maybe(st.sampled_from(Sex)),
        diagnosis=maybe(st.sampled_from(Diagnosis)),
        t_score=maybe(st.floats(min_value=-6.0, max_value=3.0).map(lambda value: round(value, 1))),
        fractures=maybe(st.lists(fractures, max_size=max_fractures)),
        pain=maybe(st.sampled_from(PainLevel)),
        activity_level=st.sampled_from(ActivityLevel),
        falls_last_year=maybe(st.integers(min_value=0, max_value=max_falls)),
        fear_of_movement=maybe(st.booleans()),
        fear_of_falling=maybe(st.booleans()),
        walking_aid=maybe(st.booleans()),
        in_physiotherapy=maybe(st.booleans()),
        topics=st.sets(st.sampled_from(Topic), max_size=max_topics),
    )
