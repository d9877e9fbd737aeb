"""The follow-ups page: overdue highlighted, done with a note, rescheduled, handed to a colleague."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from advisory.formatting import local_today
from db.engine import get_engine, session_scope
from db.models import AuditEvent, CallCreate, FollowUp
from db.repositories import calls
from tests.console.apptest import logged_in_app, make_user, page_app, texts

START = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def _follow_up(db_url, advisor, days_from_today, reason, **values):
    with session_scope(get_engine(db_url)) as session:
        call_id = calls.save_call(session, data=CallCreate(
            started_at=START, ended_at=START + timedelta(minutes=5), advisor_id=advisor.id,
            group_id="acute_vertebral_fracture", follow_up_on=local_today() + timedelta(days=days_from_today),
            follow_up_reason=reason, **values))
        return session.exec(select(FollowUp.id).where(FollowUp.call_id == call_id)).one()


@pytest.fixture
def team(console_db):
    made = {"rikke": make_user(console_db, "rikke", "advisor", "Rikke Rådgiver"),
            "mads": make_user(console_db, "mads", "advisor", "Mads Rådgiver"),
            "sofie": make_user(console_db, "sofie", "supervisor", "Sofie Supervisor")}
    made["due"] = {
        "overdue": _follow_up(console_db, made["rikke"], -2, "Ring om smerterne", contact_consent=True,
                              caller_name="Inge Jensen", phone="12345678"),
        "today": _follow_up(console_db, made["rikke"], 0, "Hør om træningen"),
        "upcoming": _follow_up(console_db, made["rikke"], 30, "Helingsfasen slutter"),
        "mads": _follow_up(console_db, made["mads"], -1, "Fandt hun en fysioterapeut?"),
    }
    return made


def _follow_up_row(db_url, follow_up_id):
    with session_scope(get_engine(db_url)) as session:
        return session.get(FollowUp, follow_up_id).model_dump()


def _actions(db_url):
    with session_scope(get_engine(db_url)) as session:
        return [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.action.startswith("follow_up")))]


def test_mine_shows_overdue_highlighted_today_and_upcoming(console_db, team):
    at = page_app("follow_ups.py", team["rikke"]).run()
    assert not at.exception
    assert [m.value for m in at.metric] == ["1", "1", "1"]
    assert "1 opfølgning er overskredet." in texts(at)  # the singular (issue 25)
    overdue = at.dataframe[0]
    assert list(overdue.value["Ringer"]) == ["Inge Jensen"]
    assert list(overdue.value["Hvad"]) == ["Ring om smerterne"]
    assert "background-color" in overdue.proto.arrow_data.styler.styles  # the overdue rows are coloured
    assert "Fandt hun en fysioterapeut?" not in str([df.value for df in at.dataframe])
    assert not [r for r in at.radio if r.key == "follow_ups_scope"]  # advisors have no "all"


def test_a_supervisor_sees_everyones(console_db, team):
    at = page_app("follow_ups.py", team["sofie"]).run()
    at.radio(key="follow_ups_scope").set_value("all").run()
    assert [m.value for m in at.metric] == ["2", "1", "1"]
    assert list(at.dataframe[0].value["Ansvarlig"]) == ["Rikke Rådgiver", "Mads Rådgiver"]


def _pick(at, follow_up_id):
    at.selectbox(key="follow_ups_pick").select(follow_up_id).run()
    assert not at.exception
    return f"follow_ups_action_{follow_up_id}"


def test_mark_done_with_a_note(console_db, team):
    follow_up_id = team["due"]["overdue"]
    at = page_app("follow_ups.py", team["rikke"]).run()
    key = _pick(at, follow_up_id)
    at.text_area(key=f"{key}_note").input("Smerterne er aftaget")
    at.button(key=f"{key}_done").click().run()
    assert not at.exception
    assert "markeret som udført" in texts(at)
    row = _follow_up_row(console_db, follow_up_id)
    assert (row["status"], row["closing_note"], row["completed_by_id"]) == ("done", "Smerterne er aftaget",
                                                                             team["rikke"].id)
    assert [m.value for m in at.metric] == ["0", "1", "1"]
    assert _actions(console_db) == ["follow_up_done"]


def test_reschedule(console_db, team):
    follow_up_id = team["due"]["today"]
    at = page_app("follow_ups.py", team["rikke"]).run()
    key = _pick(at, follow_up_id)
    new_day = local_today() + timedelta(days=7)
    at.date_input(key=f"{key}_due").set_value(new_day)
    at.button(key=f"{key}_reschedule").click().run()
    assert _follow_up_row(console_db, follow_up_id)["due_on"] == new_day
    assert [m.value for m in at.metric] == ["1", "0", "2"]
    assert _actions(console_db) == ["follow_up_reschedule"]


def test_reassign_to_a_colleague(console_db, team):
    follow_up_id = team["due"]["upcoming"]
    at = page_app("follow_ups.py", team["sofie"]).run()
    at.radio(key="follow_ups_scope").set_value("all").run()
    key = _pick(at, follow_up_id)
    at.selectbox(key=f"{key}_assignee").select(team["mads"].id)
    at.button(key=f"{key}_reassign").click().run()
    assert not at.exception
    assert "givet til Mads Rådgiver" in texts(at)
    assert _follow_up_row(console_db, follow_up_id)["assignee_id"] == team["mads"].id
    assert _actions(console_db) == ["follow_up_reassign"]


def test_open_the_call_behind_a_follow_up(console_db, team):
    follow_up_id = team["due"]["overdue"]
    call_id = _follow_up_row(console_db, follow_up_id)["call_id"]
    at = logged_in_app(team["rikke"])
    at.switch_page("pages/follow_ups.py").run()
    _pick(at, follow_up_id)
    at.button(key=f"follow_ups_open_call_{follow_up_id}").click().run()
    assert not at.exception
    assert at.title[0].value == "Opkaldslog"
    assert f"Opkald nr. {call_id}" in texts(at)


def test_a_click_on_a_row_opens_the_follow_up(console_db, team):
    at = page_app("follow_ups.py", team["rikke"]).run()
    at.session_state["follow_ups_table_upcoming"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert at.selectbox(key="follow_ups_pick").value == team["due"]["upcoming"]
    assert "Helingsfasen slutter" in [el.value for el in at.text]  # the opened follow-up's reason
