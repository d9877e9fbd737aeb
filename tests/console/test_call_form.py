"""The call form as data (console/call_form.py): draft round trips, form -> profile, form -> CallCreate
(services/calls.py), and the rule that no other console module spells a call key."""

import ast
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from advisory.script import build_script
from console.call_form import (
    PROFILE_BY_NAME,
    CallState,
    NumberError,
    draft_from_state,
    is_draft_key,
    new_call,
    parse_decimal,
    parse_whole,
    state_from_draft,
)
from console.profile_messages import field_messages
from services import calls

TODAY = date(2026, 11, 26)
STARTED = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


# The form's derivations as the page uses them, on a plain dict standing for st.session_state.


def raw_profile(state, today):
    return CallState(state).raw_profile(today)


def evaluate_call(state, *, today, lang):
    return calls.evaluate(CallState(state).call_input(today), today=today, lang=lang)


def read_profile(state, today, lang="da"):
    evaluation = evaluate_call(state, today=today, lang=lang)
    return evaluation.profile, field_messages(evaluation, lang)


def call_create(state, *, evaluation, advisor_id, ended_at):
    return calls.call_create(CallState(state).call_input(TODAY), evaluation, advisor_id=advisor_id, ended_at=ended_at)


def library_used(state, script):
    return calls.library_used(CallState(state).call_input(TODAY), script)


def t_score_hint(state):
    return CallState(state).positive(PROFILE_BY_NAME["t_score"])


call_errors = calls.invalid_fields


def call_state(**values):
    state = new_call(STARTED)
    state.update(values)
    return state


def henrik_state(**values):
    return call_state(call_activity_level="everyday_active", call_age="75", call_sex="male", call_pain="severe",
                      call_fractures_known="yes", call_fx_rows=[1], call_fx_site_1="vertebral",
                      call_fx_when_1="weeks", call_fx_weeks_1="4", call_fx_low_energy_1=True, **values)


# --- the draft ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "expected"),
    [("call_age", True), ("call_notes", True), ("call_fx_site_3", True), ("call_said_acute-healing-phase", True),
     ("call_rf_cannot_bear_weight_after_fall", True), ("call_used_faq-healing-phase", True),
     ("call_start", False), ("call_save", False), ("call_add_fracture", False), ("call_remove_fracture_1", False),
     ("call_search_query", False), ("call_draft_cache", False), ("lang", False), ("user", False)],
)
def test_draft_keys_leave_out_buttons_and_bookkeeping(key, expected):
    assert is_draft_key(key) is expected


def test_draft_round_trip_keeps_every_typed_value():
    state = henrik_state(call_notes="Henrik ringer – æøå", call_topics=["pain", "lifting"],
                         call_follow_up_keep=True, call_follow_up_on=date(2027, 1, 21),
                         call_follow_up_reason="Helingsfasen slutter", call_attached=["myth-max-5-kg"],
                         **{"call_said_acute-healing-phase": True, "call_rf_height_loss_or_stoop": True,
                            "call_said_acute-pain-relief": False, "user": {"id": 1}, "call_start": True})
    draft = draft_from_state(state)
    assert draft["version"] == 2
    assert "user" not in draft["values"] and "call_start" not in draft["values"]
    assert "call_said_acute-pain-relief" not in draft["values"]  # unticked ticks are not stored
    assert draft["values"]["call_follow_up_on"] == "2027-01-21"
    restored = state_from_draft(draft)
    typed = {k: v for k, v in state.items() if is_draft_key(k) and not (k.startswith("call_said_") and v is False)}
    assert restored == typed
    assert restored["call_follow_up_on"] == date(2027, 1, 21)


def test_contact_details_stay_out_of_the_draft_without_consent():
    state = call_state(call_contact_email="inge@example.dk", call_contact_phone="12345678")
    assert "call_contact_email" not in draft_from_state(state)["values"]
    state["call_consent"] = True
    assert draft_from_state(state)["values"]["call_contact_email"] == "inge@example.dk"


def test_state_from_an_empty_or_old_draft_gives_lists_where_lists_belong():
    restored = state_from_draft({"values": {"call_notes": "x", "unknown_key": 1}})
    assert restored == {"call_notes": "x", "call_fx_rows": [], "call_attached": [], "call_topics": []}


def test_a_draft_of_version_1_with_numbers_resumes_as_typed_text():
    restored = state_from_draft({"version": 1, "values": {"call_age": 75, "call_t_score": -2.6, "call_falls": None,
                                                          "call_fx_weeks_1": 4, "call_fx_year_2": 2025}})
    assert (restored["call_age"], restored["call_t_score"], restored["call_falls"]) == ("75", "-2,6", "")
    assert (restored["call_fx_weeks_1"], restored["call_fx_year_2"]) == ("4", "2025")


# --- form -> profile -----------------------------------------------------------------------------------------


def test_henrik_form_reads_as_a_vertebral_fracture_four_weeks_ago():
    profile, errors = read_profile(henrik_state(), TODAY)
    assert errors == {}
    assert profile.fractures[0].occurred_on == TODAY - timedelta(weeks=4)
    assert build_script(profile, today=TODAY).group == "acute_vertebral_fracture"
    assert build_script(profile, today=TODAY).follow_up_on == TODAY + timedelta(weeks=8)


@pytest.mark.parametrize(
    ("values", "fractures"),
    [({"call_fractures_known": "unknown"}, None),
     ({"call_fractures_known": "no", "call_fx_rows": [1], "call_fx_site_1": "hip"}, []),
     ({"call_fractures_known": "yes", "call_fx_rows": [1], "call_fx_site_1": "wrist", "call_fx_when_1": "month",
       "call_fx_month_1": 11, "call_fx_year_1": "2025", "call_fx_low_energy_1": False},
      [{"site": "wrist", "occurred_on": date(2025, 11, 15), "low_energy": False}]),
     # earlier this month: the 15th would lie in the future, so today is taken
     ({"call_fractures_known": "yes", "call_fx_rows": [2], "call_fx_site_2": "hip", "call_fx_when_2": "month",
       "call_fx_month_2": 11, "call_fx_year_2": "2026"},
      [{"site": "hip", "occurred_on": date(2026, 11, 15), "low_energy": True}]),
     ({"call_fractures_known": "yes", "call_fx_rows": [1, 3], "call_fx_site_1": "vertebral", "call_fx_weeks_1": "0",
       "call_fx_site_3": "other"},
      [{"site": "vertebral", "occurred_on": TODAY, "low_energy": True}, {"site": "other", "low_energy": True}]),
     # the date is not known: a fracture of unknown date, possibly recent
     ({"call_fractures_known": "yes", "call_fx_rows": [1], "call_fx_site_1": "vertebral", "call_fx_when_1": "unknown"},
      [{"site": "vertebral", "occurred_on": None, "low_energy": True}])],
)
def test_fracture_rows(values, fractures):
    assert raw_profile(call_state(call_activity_level="everyday_active", **values), TODAY)["fractures"] == fractures


def test_month_in_the_current_month_before_the_15th_is_capped_at_today():
    values = {"call_fractures_known": "yes", "call_fx_rows": [1], "call_fx_site_1": "hip", "call_fx_when_1": "month",
              "call_fx_month_1": 11, "call_fx_year_1": "2026"}
    early = date(2026, 11, 3)
    assert raw_profile(call_state(**values), early)["fractures"][0]["occurred_on"] == early


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [({"call_age": "300"}, "age", "mellem 18 og 110"),
     ({"call_age": "7O"}, "age", "helt tal"),
     ({"call_activity_level": None}, "activity_level", "Vælg aktivitetsniveau"),
     ({"call_falls": "400"}, "falls_last_year", "fra 0 til 365"),
     ({"call_falls": "-1"}, "falls_last_year", "helt tal mellem 0 og 365"),
     ({"call_t_score": "15"}, "t_score", "mellem −6,0 og +3,0"),
     ({"call_t_score": "-2,6,1"}, "t_score", "fx -2,6"),
     ({"call_fractures_known": "yes", "call_fx_rows": [1], "call_fx_weeks_1": "2"}, "fractures", "Brud 1"),
     ({"call_fractures_known": "yes", "call_fx_rows": [1], "call_fx_site_1": "hip"}, "fractures", "datoen"),
     ({"call_fractures_known": "yes", "call_fx_rows": [1], "call_fx_site_1": "hip", "call_fx_weeks_1": "to"},
      "fractures", "helt tal"),
     ({"call_fractures_known": "yes", "call_fx_rows": [1], "call_fx_site_1": "hip", "call_fx_when_1": "month",
       "call_fx_month_1": 12, "call_fx_year_1": "2026"}, "fractures", "ikke i fremtiden")],
)
def test_invalid_input_names_the_field_and_blocks_the_profile(values, field, words):
    state = call_state(call_activity_level="everyday_active")
    state.update(values)
    profile, errors = read_profile(state, TODAY)
    assert profile is None
    assert words in errors[field]


@pytest.mark.parametrize(("typed", "value"), [
    ("-2,6", -2.6), ("−2,6", -2.6), ("–2,6", -2.6), ("-2.6", -2.6), (" - 2,6 ", -2.6), ("2,6", 2.6), ("-3", -3.0),
    ("", None), ("   ", None),
])
def test_decimals_typed_the_danish_way(typed, value):
    assert parse_decimal(typed) == value


@pytest.mark.parametrize("typed", ["-2,6,1", "2,6-", "minus 2", "--2", "1e3"])
def test_text_that_is_no_decimal_is_refused(typed):
    with pytest.raises(NumberError):
        parse_decimal(typed)


@pytest.mark.parametrize(("typed", "value", "ok"), [("75", 75, True), (" 4 ", 4, True), ("", None, True),
                                                    ("-1", None, False), ("4,5", None, False)])
def test_whole_numbers(typed, value, ok):
    if ok:
        assert parse_whole(typed) == value
    else:
        with pytest.raises(NumberError):
            parse_whole(typed)


def test_a_positive_t_score_asks_whether_minus_was_meant():
    assert t_score_hint({"call_t_score": "2,6"}) and not t_score_hint({"call_t_score": "-2,6"})
    assert not t_score_hint({"call_t_score": "x"}) and not t_score_hint({})


@pytest.mark.parametrize(("answer", "expected"), [("unknown", None), ("yes", True), ("no", False), (None, None)])
def test_yes_no_unknown_answers(answer, expected):
    raw = raw_profile(call_state(call_activity_level="function_limited", call_fear=answer, call_physio=answer), TODAY)
    assert raw["fear_of_movement"] is expected and raw["in_physiotherapy"] is expected


# --- form -> CallCreate --------------------------------------------------------------------------------------


def _create(state):
    evaluation = evaluate_call(state, today=TODAY, lang="da")
    return call_create(state, evaluation=evaluation, advisor_id=7,
                       ended_at=STARTED + timedelta(minutes=9)), evaluation.script


def test_call_create_carries_the_script_ticks_and_follow_up():
    state = henrik_state(call_notes="Ringer igen", call_follow_up_keep=True, call_follow_up_on=date(2027, 1, 21),
                         call_follow_up_reason=" Helingsfasen slutter ", call_attached=["myth-max-5-kg"],
                         **{"call_said_acute-healing-phase": True, "call_said_not-in-script": True,
                            "call_used_faq-healing-phase": True, "call_used_myth-max-5-kg": True,
                            "call_rf_sudden_severe_back_pain": True})
    data, script = _create(state)
    assert data.group_id == "acute_vertebral_fracture"
    assert data.delivered_blocks == []  # a red flag paused the healing-phase advice: it was not on screen
    assert data.call_key == state["call_key"]
    assert data.library_slugs == ["myth-max-5-kg"]
    assert {"healing_phase", "high_fracture_risk"} <= set(data.flags)
    assert data.content_version == script.content_version
    assert data.profile["age"] == 75 and data.disposition == "gp_prompt"
    assert (data.follow_up_on, data.follow_up_reason) == (date(2027, 1, 21), "Helingsfasen slutter")
    assert data.caller_role == "member" and data.notes == "Ringer igen"


def test_unticked_follow_up_is_not_created():
    data, _ = _create(henrik_state(call_follow_up_keep=False, call_follow_up_on=date(2027, 1, 21)))
    assert data.follow_up_on is None and data.follow_up_reason == ""


@pytest.mark.parametrize(
    ("contact", "errors"),
    [({"call_contact_email": "ikke-en-adresse"}, {"email": "value_error"}),
     ({"call_contact_phone": "ring mig"}, {"phone": "value_error"}),
     ({"call_contact_phone": "123"}, {"phone": "value_error"}),  # the page once let 3 digits pass
     ({"call_contact_phone": "ring mig", "call_contact_email": "a@"}, {"email": "value_error",
                                                                       "phone": "value_error"}),
     ({"call_contact_member_number": "1" * 33}, {"member_number": "too_long"}),
     ({"call_contact_name": "N" * 129}, {"caller_name": "too_long"})],
)
def test_invalid_contact_details_are_named_by_the_model(contact, errors):
    with pytest.raises(ValidationError) as caught:
        _create(henrik_state(call_consent=True, **contact))
    assert call_errors(caught.value) == errors


def test_valid_contact_details_pass_cleaned_of_control_characters():
    data, _ = _create(henrik_state(call_consent=True, call_contact_phone="+45 12 34 56 78",
                                   call_contact_email="inge@example.dk", call_contact_name=" Inge\x00 Jensen\n",
                                   call_notes="Ring\x00 igen\r\nLinje to\ttab"))
    assert (data.phone, data.email, data.caller_name) == ("+45 12 34 56 78", "inge@example.dk", "Inge Jensen")
    assert data.notes == "Ring igen\nLinje to\ttab"


def test_notes_longer_than_the_documented_limit_are_refused():
    from db.models import NOTES_MAX_CHARS

    assert NOTES_MAX_CHARS == 20_000
    _create(henrik_state(call_notes="x" * NOTES_MAX_CHARS))
    with pytest.raises(ValidationError) as caught:
        _create(henrik_state(call_notes="x" * (NOTES_MAX_CHARS + 1)))
    assert call_errors(caught.value) == {"notes": "string_too_long"}


def test_contact_details_without_consent_are_dropped_even_when_invalid():
    data, _ = _create(henrik_state(call_consent=False, call_contact_email="ikke-en-adresse"))
    assert data.email is None and not data.contact_consent


def test_library_used_lists_each_entry_once():
    state = henrik_state(call_attached=["faq-healing-phase"], **{"call_used_faq-healing-phase": True})
    _, script = _create(state)
    assert library_used(state, script) == ["faq-healing-phase"]


def test_a_red_flag_has_its_disposition_before_any_profile_field_is_filled():
    evaluation = evaluate_call(call_state(**{"call_rf_cannot_bear_weight_after_fall": True}), today=TODAY, lang="da")
    assert evaluation.profile is None and evaluation.script is None
    assert evaluation.disposition == "emergency_112" and "112" in evaluation.disposition_text.say


# --- one module spells the call's keys ---------------------------------------------------------------------


def _call_key_literals(path: Path) -> list[str]:
    """String literals (f-strings' fixed parts too) starting with "call_", except the call log page's keys
    (its page prefix is call_log, its detail's call_detail), an audit action and a record's call_id."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("call_") \
                and not node.value.startswith(("call_log", "call_detail", "call_create")) and node.value != "call_id":
            found.append(f"{path.name}:{node.lineno} {node.value!r}")
    return found


def test_only_the_call_form_spells_a_call_key():
    """Every `call_*` session key comes from console/call_form.py: a key spelled elsewhere is a second
    protocol the form's table does not know (its draft, its reset, its messages would miss it)."""
    console = Path(__file__).resolve().parents[2] / "console"
    offenders = [hit for path in sorted(console.rglob("*.py")) if path.name != "call_form.py"
                 for hit in _call_key_literals(path)]
    assert offenders == []


def test_the_grep_finds_a_call_key(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('import streamlit as st\nst.text_input("x", key=f"call_age_{1}")\nst.get("call_log_x")\n')
    assert _call_key_literals(sample) == ["sample.py:2 'call_age_'"]


def test_every_profile_field_has_a_row_in_the_form():
    from advisory.profile import CallerProfile

    assert sorted(row.field for row in PROFILE_BY_NAME.values()) == sorted(CallerProfile.model_fields)
