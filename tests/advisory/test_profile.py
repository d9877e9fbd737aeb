from datetime import date

import pytest
from pydantic import ValidationError

from advisory.profile import (
    ActivityLevel,
    CallerProfile,
    Fracture,
    FractureSite,
    Topic,
    profile_errors,
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


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("age", 17),
        ("age", 111),
        ("age", "seventy"),
        ("t_score", -6.1),
        ("t_score", 3.1),
        ("t_score", "low"),
        ("falls_last_year", -1),
        ("falls_last_year", 366),
        ("caller_role", "neighbour"),
        ("sex", "f"),
        ("diagnosis", "osteoporose"),
        ("pain", "terrible"),
        ("activity_level", "sporty"),
        ("fear_of_movement", "maybe"),
        ("in_physiotherapy", "sometimes"),
        ("topics", ["lifting", "knitting"]),
        ("fractures", "several"),
    ],
)
def test_invalid_values_give_a_message_for_that_field(field, value):
    data = {"activity_level": "everyday_active", field: value}
    with pytest.raises(ValidationError) as info:
        CallerProfile.model_validate(data)
    for lang in ("da", "en"):
        errors = profile_errors(info.value, lang)
        assert list(errors) == [field]
        assert errors[field].endswith(".") and len(errors[field]) > 10
    assert profile_errors(info.value, "da")[field] != profile_errors(info.value, "en")[field]


@pytest.mark.parametrize(("field", "value"), [("age", 18), ("age", 110), ("t_score", -6.0), ("t_score", 3.0),
                                              ("falls_last_year", 0), ("falls_last_year", 365)])
def test_bounds_are_inclusive(field, value):
    assert getattr(CallerProfile.model_validate({"activity_level": "everyday_active", field: value}), field) == value


def test_missing_activity_level_is_a_clear_error():
    with pytest.raises(ValidationError) as info:
        CallerProfile(age=70)
    assert profile_errors(info.value, "da") == {"activity_level": "Vælg aktivitetsniveau – manuskriptet bygger på det."}
    assert profile_errors(info.value, "en") == {"activity_level": "Choose an activity level – the script depends on it."}


def test_messages_quote_the_bounds_the_danish_way():
    with pytest.raises(ValidationError) as info:
        CallerProfile(activity_level="everyday_active", t_score=-7)
    assert "-6,0" in profile_errors(info.value, "da")["t_score"] and "+3,0" in profile_errors(info.value, "da")["t_score"]
    assert "-6.0" in profile_errors(info.value, "en")["t_score"]


def test_fracture_errors_say_which_fracture():
    data = {
        "activity_level": "everyday_active",
        "fractures": [
            {"site": "vertebral", "occurred_on": "2025-01-15"},
            {"site": "knee", "occurred_on": "1850-01-01"},
        ],
    }
    with pytest.raises(ValidationError) as info:
        CallerProfile.model_validate(data)
    message = profile_errors(info.value, "da")["fractures"]
    assert message.startswith("Brud 2: vælg hvor bruddet sad")
    assert "Brud 2: datoen" in message and "Brud 1" not in message
    assert profile_errors(info.value, "en")["fractures"].startswith("Fracture 2: choose where")


def test_several_fields_at_once_and_unknown_fields():
    with pytest.raises(ValidationError) as info:
        CallerProfile.model_validate({"age": 5, "t_score": 9, "shoe_size": 40})
    errors = profile_errors(info.value, "en")
    assert set(errors) == {"age", "t_score", "shoe_size", "activity_level"}
    assert errors["shoe_size"] == "Unknown field."


def test_future_fracture_is_rejected_when_the_call_date_is_given():
    data = {"activity_level": "everyday_active", "fractures": [{"site": "hip", "occurred_on": "2026-12-01"}]}
    assert CallerProfile.model_validate(data).fractures[0].occurred_on == date(2026, 12, 1)
    with pytest.raises(ValidationError) as info:
        CallerProfile.model_validate(data, context={"today": TODAY})
    assert "fremtiden" in profile_errors(info.value, "da")["fractures"]


def test_profile_errors_rejects_unknown_language():
    with pytest.raises(ValidationError) as info:
        CallerProfile()
    with pytest.raises(ValueError):
        profile_errors(info.value, "de")


def test_topics_none_means_no_topics():
    assert CallerProfile(activity_level="everyday_active", topics=None).topics == set()
