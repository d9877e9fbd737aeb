"""The call log page as staff use it: own calls or all, filters, the audited detail, edits, plain text, export."""

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from db.engine import get_engine, session_scope
from db.models import AuditEvent, Call, CallCreate
from db.repositories import calls
from tests.console.apptest import make_user, page_app, texts

START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
HOSTILE_NOTE = '=HYPERLINK("http://evil.example") <script>alert("x")</script> [klik her](http://evil.example) **fed**'


def _save(db_url, advisor, *, minutes=0, **values):
    started = START + timedelta(minutes=minutes)
    data = dict(started_at=started, ended_at=started + timedelta(minutes=7), advisor_id=advisor.id,
                group_id="everyday_active_no_fracture", topics=["lifting"])
    data.update(values)
    with session_scope(get_engine(db_url)) as session:
        return calls.save_call(session, data=CallCreate(**data))


@pytest.fixture
def team(console_db):
    made = {"rikke": make_user(console_db, "rikke", "advisor", "Rikke Rådgiver"),
            "mads": make_user(console_db, "mads", "advisor", "Mads Rådgiver"),
            "sofie": make_user(console_db, "sofie", "supervisor", "Sofie Supervisor")}
    made["calls"] = {
        "rikke_yoga": _save(console_db, made["rikke"], minutes=0, topics=["yoga"], notes="Yoga efter brud"),
        "rikke_hostile": _save(console_db, made["rikke"], minutes=10, notes=HOSTILE_NOTE, contact_consent=True,
                               caller_name="=Inge Jensen", phone="12 34 56 78"),
        "mads_balance": _save(console_db, made["mads"], minutes=20, topics=["balance"], group_id="function_limited"),
    }
    return made


def _log_ids(at):
    return list(at.dataframe[0].value["Nr."])


def _events(db_url, action):
    with session_scope(get_engine(db_url)) as session:
        return [e.model_dump() for e in session.exec(select(AuditEvent).where(AuditEvent.action == action))]


def test_an_advisor_sees_only_own_calls(console_db, team):
    at = page_app("call_log.py", team["rikke"]).run()
    assert not at.exception
    assert _log_ids(at) == [team["calls"]["rikke_hostile"], team["calls"]["rikke_yoga"]]
    assert "2 opkald" in texts(at)
    assert "Rådgiver" not in at.dataframe[0].value.columns
    assert not [b for b in at.button if b.key == "call_log_export_prepare"]


def test_a_supervisor_sees_all_calls_newest_first(console_db, team):
    at = page_app("call_log.py", team["sofie"]).run()
    assert _log_ids(at) == [team["calls"][name] for name in ("mads_balance", "rikke_hostile", "rikke_yoga")]
    assert "3 opkald" in texts(at)


@pytest.mark.parametrize(
    ("widget", "value", "expected"),
    [
        ("call_log_topics", ["balance"], ["mads_balance"]),
        ("call_log_groups", ["everyday_active_no_fracture"], ["rikke_hostile", "rikke_yoga"]),
        ("call_log_text", "yoga", ["rikke_yoga"]),
        ("call_log_advisor", "mads", ["mads_balance"]),
    ],
)
def test_filters(console_db, team, widget, value, expected):
    at = page_app("call_log.py", team["sofie"]).run()
    if widget == "call_log_text":
        at.text_input(key=widget).input(value).run()
    elif widget == "call_log_advisor":
        at.selectbox(key=widget).select(team[value].id).run()
    else:
        at.multiselect(key=widget).set_value(value).run()
    assert not at.exception
    assert _log_ids(at) == [team["calls"][name] for name in expected]
    assert f"{len(expected)} opkald" in texts(at)


def test_a_filter_with_no_match_says_so(console_db, team):
    at = page_app("call_log.py", team["rikke"]).run()
    at.text_input(key="call_log_text").input("findes ikke").run()
    assert "Ingen opkald passer til filtrene." in texts(at)


def test_opening_a_call_shows_its_detail_and_is_audited_once(console_db, team):
    call_id = team["calls"]["rikke_yoga"]
    at = page_app("call_log.py", team["rikke"]).run()
    at.selectbox(key="call_log_open").select(call_id).run()
    assert not at.exception
    assert f"Opkald nr. {call_id}" in texts(at)
    assert "Yoga efter brud" in [el.value for el in at.text]
    at.run()  # a rerun (any widget) must not count as another viewing
    assert [(e["actor_id"], e["object_id"]) for e in _events(console_db, "view")] == [(team["rikke"].id,
                                                                                       str(call_id))]


def test_an_advisor_cannot_open_a_colleagues_call_by_its_address(console_db, team):
    at = page_app("call_log.py", team["rikke"])
    at.query_params["call"] = str(team["calls"]["mads_balance"])
    at.run()
    assert "findes ikke, eller du har ikke adgang" in texts(at)
    assert _events(console_db, "view") == []


def test_notes_and_contact_details_are_plain_text(console_db, team):
    at = page_app("call_log.py", team["sofie"])
    at.query_params["call"] = str(team["calls"]["rikke_hostile"])
    at.run()
    assert not at.exception
    shown = [el.value for el in at.text]
    assert HOSTILE_NOTE in shown
    assert "Navn: =Inge Jensen" in shown
    rendered = [el.value for el in at.markdown] + [el.value for el in at.caption] + [el.value for el in at.info]
    assert not [text for text in rendered if "<script>" in text or "klik her" in text or "Inge Jensen" in text]
    notes_cell = at.dataframe[0].value["Noter"].tolist()
    assert HOSTILE_NOTE[:80] in notes_cell


def test_editing_notes_and_outcome_is_saved_and_audited(console_db, team):
    call_id = team["calls"]["rikke_yoga"]
    at = page_app("call_log.py", team["rikke"])
    at.query_params["call"] = str(call_id)
    at.run()
    at.text_area(key=f"call_detail_notes_{call_id}_v1").input("Ringer igen i næste uge")
    at.selectbox(key=f"call_detail_outcome_{call_id}_v1").select("follow_up_agreed")
    at.button[[b.label for b in at.button].index("Gem ændringer")].click().run()
    assert not at.exception
    assert "Ændringerne er gemt" in texts(at)
    with session_scope(get_engine(console_db)) as session:
        call = session.get(Call, call_id)
        assert (call.notes, call.outcome) == ("Ringer igen i næste uge", "follow_up_agreed")
    [edit] = _events(console_db, "call_edit")
    assert (edit["actor_id"], edit["detail"]["fields"]) == (team["rikke"].id, ["outcome", "notes"])


def _open_call(team, who, call_id):
    at = page_app("call_log.py", team[who])
    at.query_params["call"] = str(call_id)
    return at.run()


def _save_edit(at, call_id, version, notes):
    at.text_area(key=f"call_detail_notes_{call_id}_v{version}").input(notes)
    at.button[[b.label for b in at.button].index("Gem ændringer")].click().run()
    assert not at.exception
    return at


def test_a_second_save_of_the_same_call_is_refused_showing_both_versions(console_db, team):
    call_id = team["calls"]["rikke_yoga"]
    rikke, sofie = _open_call(team, "rikke", call_id), _open_call(team, "sofie", call_id)
    _save_edit(sofie, call_id, 1, "Sofies note: ring til lægen")
    assert "Ændringerne er gemt" in texts(sofie)
    _save_edit(rikke, call_id, 1, "Rikkes note: hun har det bedre")
    assert "Ikke gemt: opkaldet blev ændret af Sofie" in texts(rikke)
    plain_texts = [el.value for el in rikke.text]  # staff-written notes are shown as plain text
    assert "Sofies note: ring til lægen" in plain_texts and "Rikkes note: hun har det bedre" in plain_texts
    assert rikke.text_area(key=f"call_detail_notes_{call_id}_v1").value == "Rikkes note: hun har det bedre"
    with session_scope(get_engine(console_db)) as session:
        assert session.get(Call, call_id).notes == "Sofies note: ring til lægen"  # nothing overwritten
    rikke.button(key=f"call_detail_keep_mine_{call_id}").click().run()
    assert not rikke.exception
    assert "Ændringerne er gemt" in texts(rikke)
    with session_scope(get_engine(console_db)) as session:
        call = session.get(Call, call_id)
        assert (call.notes, call.version) == ("Rikkes note: hun har det bedre", 3)
    assert [e["detail"]["version"] for e in _events(console_db, "call_edit")] == [2, 3]


def test_taking_the_stored_version_after_a_conflict_opens_it_for_editing(console_db, team):
    call_id = team["calls"]["rikke_yoga"]
    rikke, sofie = _open_call(team, "rikke", call_id), _open_call(team, "sofie", call_id)
    _save_edit(sofie, call_id, 1, "Sofies udgave")
    _save_edit(rikke, call_id, 1, "Rikkes udgave")
    rikke.button(key=f"call_detail_take_theirs_{call_id}").click().run()
    assert rikke.text_area(key=f"call_detail_notes_{call_id}_v2").value == "Sofies udgave"
    assert "Ikke gemt" not in texts(rikke)


def _prepare_export(console_db, team, *, include_contact):
    at = page_app("call_log.py", team["sofie"]).run()
    if include_contact:
        at.checkbox(key="call_log_export_contact").check()
    at.button(key="call_log_export_prepare").click().run()
    assert not at.exception
    prepared = at.session_state["call_log_export"]
    rows = list(csv.DictReader(io.StringIO(Path(prepared["path"]).read_text(encoding="utf-8-sig")), delimiter=";"))
    return at, rows


def test_export_leaves_out_personal_data_unless_ticked(console_db, team):
    at, rows = _prepare_export(console_db, team, include_contact=False)
    assert "Eksporten er klar: 3 opkald." in texts(at)
    assert "caller_name" not in rows[0] and "notes" not in rows[0]
    [event] = _events(console_db, "export")
    assert (event["detail"]["include_contact"], event["detail"]["rows"]) == (False, 3)


def test_export_with_contact_details_neutralises_formulas_and_is_audited(console_db, team):
    _, rows = _prepare_export(console_db, team, include_contact=True)
    hostile = next(row for row in rows if row["id"] == str(team["calls"]["rikke_hostile"]))
    assert hostile["notes"] == "'" + HOSTILE_NOTE
    assert hostile["caller_name"] == "'=Inge Jensen"
    assert _events(console_db, "export")[0]["detail"]["include_contact"] is True


def test_closing_and_opening_a_call_again_is_a_new_viewing(console_db, team):
    call_id = team["calls"]["rikke_yoga"]
    at = page_app("call_log.py", team["rikke"]).run()
    at.selectbox(key="call_log_open").select(call_id).run()
    at.button(key="call_log_close").click().run()
    assert f"Opkald nr. {call_id}" not in texts(at)
    at.selectbox(key="call_log_open").select(call_id).run()
    assert len(_events(console_db, "view")) == 2


def test_a_click_on_a_row_opens_the_call_and_the_select_box_stays_the_keyboard_path(console_db, team):
    at = page_app("call_log.py", team["rikke"]).run()
    assert _log_ids(at)[1] == team["calls"]["rikke_yoga"]
    assert at.dataframe[0].value["Nr."].dtype.kind == "i"  # numbers stay numbers: the column sorts as numbers
    at.session_state["call_log_table"] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert at.query_params["call"] == str(team["calls"]["rikke_yoga"])
    assert f"Opkald nr. {team['calls']['rikke_yoga']}" in texts(at)
    assert at.selectbox(key="call_log_open").value == team["calls"]["rikke_yoga"]
    # The keyboard path still works after a click: the select box opens another call.
    at.selectbox(key="call_log_open").select(team["calls"]["rikke_hostile"]).run()
    assert not at.exception
    assert at.query_params["call"] == str(team["calls"]["rikke_hostile"])
