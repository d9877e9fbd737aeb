from datetime import date

import pytest
from pydantic import ValidationError

from advisory.profile import (
    ActivityLevel,
    CallerProfile,
    FieldProblem,
    Fracture,
    FractureSite,
    Topic,
    profile_problems,
)

TODAY = date(2026, 11, 26)


def full_profile() -> CallerProfile:
    return CallerProfile(
        caller_role="member",
        age=70,
        sex="female",
        diagnosis="osteoporosis",
        t_score=-3.0,
        fractures=[Fracture.in_month("vertebral", 2025, 11), Fracture.weeks_ago("wrist", 30, today=TODAY, low_energy=False)],
        pain="mild",
        activity_level="everyday_active",
        falls_last_year=1,
        fear_of_movement=False,
        in_physiotherapy=True,
        topics={"lifting", "yoga"},
    )


def test_only_the_activity_level_is_required():
    profile = CallerProfile(activity_level="training_active")
    assert profile.activity_level is ActivityLevel.training_active
    assert profile.fractures is None  # unknown, not "no fractures"
    assert profile.topics == set()
    assert profile.t_score is None and profile.age is None and profile.in_physiotherapy is None


def test_enum_values_are_the_lower_case_english_words():
    profile = full_profile()
    assert profile.caller_role == "member" and profile.sex == "female" and profile.diagnosis == "osteoporosis"
    assert profile.fractures[0].site == "vertebral"
    assert profile.topics == {Topic.lifting, Topic.yoga}


def test_profile_round_trips_through_json():
    profile = full_profile()
    snapshot = profile.model_dump(mode="json")
    assert snapshot["topics"] == ["lifting", "yoga"]  # sorted: equal profiles, equal snapshots
    assert snapshot["fractures"][0] == {"site": "vertebral", "occurred_on": "2025-11-15", "low_energy": True}
    assert CallerProfile.model_validate(snapshot) == profile
    assert CallerProfile.model_validate_json(profile.model_dump_json()) == profile


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: Fracture.weeks_ago("vertebral", 3, today=TODAY), Fracture(site="vertebral", occurred_on=date(2026, 11, 5))),
        (lambda: Fracture.weeks_ago("hip", 0, today=TODAY, low_energy=False),
         Fracture(site="hip", occurred_on=TODAY, low_energy=False)),
        (lambda: Fracture.in_month("wrist", 2024, 2), Fracture(site="wrist", occurred_on=date(2024, 2, 15))),
        (lambda: Fracture.in_month(FractureSite.other, 2026, 12, low_energy=False),
         Fracture(site="other", occurred_on=date(2026, 12, 15), low_energy=False)),
    ],
)
def test_fracture_converters(make, expected):
    assert make() == expected


@pytest.mark.parametrize("weeks", [-1, -12])
def test_weeks_ago_rejects_negative_weeks(weeks):
    with pytest.raises(ValueError):
        Fracture.weeks_ago("vertebral", weeks, today=TODAY)


@pytest.mark.parametrize(("field", "value"), [("age", 18), ("age", 110), ("t_score", -6.0), ("t_score", 3.0),
                                              ("falls_last_year", 0), ("falls_last_year", 365)])
def test_bounds_are_inclusive(field, value):
    assert getattr(CallerProfile.model_validate({"activity_level": "everyday_active", field: value}), field) == value


def test_topics_none_means_no_topics():
    assert CallerProfile(activity_level="everyday_active", topics=None).topics == set()


def test_problems_name_the_field_the_code_and_the_fracture():
    data = {"fractures": [{"site": "vertebral", "occurred_on": None},
                          {"site": "knee", "occurred_on": "1850-01-01"}], "shoe_size": 40, "age": 5}
    with pytest.raises(ValidationError) as info:
        CallerProfile.model_validate(data)
    problems = profile_problems(info.value)
    assert problems["activity_level"] == [FieldProblem("activity_level", "missing")]
    assert problems["age"] == [FieldProblem("age", "invalid")]
    assert problems["shoe_size"] == [FieldProblem("shoe_size", "unknown_field")]
    assert problems["fractures"] == [FieldProblem("fractures", "site", 2), FieldProblem("fractures", "occurred_on", 2)]


def test_a_fracture_of_unknown_date_is_valid():
    profile = CallerProfile(activity_level="everyday_active", fractures=[Fracture.date_unknown("vertebral")])
    assert profile.fractures[0].occurred_on is None
    assert CallerProfile.model_validate(profile.model_dump(mode="json")) == profile
