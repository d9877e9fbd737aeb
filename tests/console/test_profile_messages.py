"""The caller profile's problems in the advisor's words, Danish and English (console/profile_messages.py)."""

from datetime import date

import pytest
from pydantic import ValidationError

from advisory.profile import CallerProfile
from console.profile_messages import profile_messages

TODAY = date(2026, 11, 26)


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
        errors = profile_messages(info.value, lang)
        assert list(errors) == [field]
        assert errors[field].endswith(".") and len(errors[field]) > 10
    assert profile_messages(info.value, "da")[field] != profile_messages(info.value, "en")[field]


def test_missing_activity_level_is_a_clear_error():
    with pytest.raises(ValidationError) as info:
        CallerProfile(age=70)
    assert profile_messages(info.value, "da") == {"activity_level": "Vælg aktivitetsniveau – manuskriptet bygger på det."}
    assert profile_messages(info.value, "en") == {"activity_level": "Choose an activity level – the script depends on it."}


def test_messages_quote_the_bounds_the_danish_way():
    with pytest.raises(ValidationError) as info:
        CallerProfile(activity_level="everyday_active", t_score=-7)
    assert "−6,0" in profile_messages(info.value, "da")["t_score"] and "+3,0" in profile_messages(info.value, "da")["t_score"]
    assert "-6.0" in profile_messages(info.value, "en")["t_score"]


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
    message = profile_messages(info.value, "da")["fractures"]
    assert message.startswith("Brud 2: vælg hvor bruddet sad")
    assert "Brud 2: datoen" in message and "Brud 1" not in message
    assert profile_messages(info.value, "en")["fractures"].startswith("Fracture 2: choose where")


def test_several_fields_at_once_and_unknown_fields():
    with pytest.raises(ValidationError) as info:
        CallerProfile.model_validate({"age": 5, "t_score": 9, "shoe_size": 40})
    errors = profile_messages(info.value, "en")
    assert set(errors) == {"age", "t_score", "shoe_size", "activity_level"}
    assert errors["shoe_size"] == "Unknown field."


def test_future_fracture_is_rejected_when_the_call_date_is_given():
    data = {"activity_level": "everyday_active", "fractures": [{"site": "hip", "occurred_on": "2026-12-01"}]}
    assert CallerProfile.model_validate(data).fractures[0].occurred_on == date(2026, 12, 1)
    with pytest.raises(ValidationError) as info:
        CallerProfile.model_validate(data, context={"today": TODAY})
    assert "fremtiden" in profile_messages(info.value, "da")["fractures"]


def test_profile_messages_rejects_unknown_language():
    with pytest.raises(ValidationError) as info:
        CallerProfile()
    with pytest.raises(ValueError):
        profile_messages(info.value, "de")

