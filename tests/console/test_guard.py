"""Every action re-checks the session and the user first (console/guard.py).

Callbacks (`on_click`, a form's submit) run before app.py and the page, fragments rerun without either,
and buttons in a page body act in the same run as the page's own check. For each kind: a user who was
deactivated, demoted or idle since the page was drawn clicks, and nothing changes in the database.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from advisory.library import load_bundled_entries
from db.bootstrap import prepare_database
from db.engine import get_engine, session_scope
from db.models import AuditEvent, Call, CallCreate, FollowUp, LibraryEntryRecord, StaffSession
from db.repositories import calls, drafts, users
from tests.console.apptest import logged_in_app, make_idle, make_user, page_app, texts

SLUG = load_bundled_entries()[0].slug


def _deactivate(db_url, user) -> None:
    with session_scope(get_engine(db_url)) as session:
        users.set_active(session, user_id=user.id, active=False)


def _demote(db_url, user, role="advisor") -> None:
    with session_scope(get_engine(db_url)) as session:
        users.set_role(session, user_id=user.id, role=role)


def _count(db_url, model, *where) -> int:
    with session_scope(get_engine(db_url)) as session:
        return len(session.exec(select(model).where(*where)).all())


def _draft_notes(db_url, user) -> str | None:
    with session_scope(get_engine(db_url)) as session:
        waiting = drafts.list_drafts(session, advisor_id=user.id)
    return waiting[0].data["values"].get("call_notes") if waiting else None


@pytest.fixture
def advisor(console_db):
    return make_user(console_db, "rikke", "advisor", "Rikke Rådgiver")


def _call_ready_to_save(advisor):
    at = logged_in_app(advisor).run()
    at.button(key="call_start").click().run()
    at.radio(key="call_activity_level").set_value("everyday_active")
    at.text_area(key="call_notes").set_value("Skrevet før deaktiveringen").run()
    assert not at.exception
    return at


# --- button callbacks ---------------------------------------------------------------------------------------


def test_a_deactivated_advisor_cannot_save_a_call_through_the_button(console_db, advisor):
    at = _call_ready_to_save(advisor)
    _deactivate(console_db, advisor)
    at.button(key="call_save").click().run()
    assert not at.exception
    assert _count(console_db, Call) == 0
    assert "user" not in at.session_state
    assert at.text_input(key="login_username")  # the login, not the call
    assert _draft_notes(console_db, advisor) == "Skrevet før deaktiveringen"  # kept for after a new login


def test_a_deactivated_advisor_cannot_start_a_call(console_db, advisor):
    at = logged_in_app(advisor).run()
    _deactivate(console_db, advisor)
    at.button(key="call_start").click().run()
    with session_scope(get_engine(console_db)) as session:
        assert drafts.list_drafts(session, advisor_id=advisor.id) == []


def test_an_idle_advisor_cannot_save_and_the_call_goes_off_screen(console_db, advisor):
    at = _call_ready_to_save(advisor)
    make_idle(at)
    at.button(key="call_save").click().run()
    assert _count(console_db, Call) == 0
    assert "logget ud" in texts(at)
    assert not any(area.key == "call_notes" for area in at.text_area)
    assert _draft_notes(console_db, advisor) == "Skrevet før deaktiveringen"
    with session_scope(get_engine(console_db)) as session:
        assert session.exec(select(StaffSession)).one().revoked_reason == "idle"


def test_a_supervisor_demoted_to_advisor_cannot_purge(console_db):
    admin = make_user(console_db, "alma", "admin")
    advisor = make_user(console_db, "rikke", "advisor")
    started = datetime.now(UTC) - timedelta(days=800)
    with session_scope(get_engine(console_db)) as session:
        old = calls.save_call(session, data=CallCreate(started_at=started, ended_at=started + timedelta(minutes=5),
                                                       advisor_id=advisor.id, group_id="function_limited",
                                                       notes="Gammel note"))
    at = page_app("admin.py", admin).run()
    at.checkbox(key="admin_purge_confirm").check().run()
    _demote(console_db, admin, "supervisor")
    at.button(key="admin_purge_run").click().run()
    assert not at.exception
    with session_scope(get_engine(console_db)) as session:
        assert session.get(Call, old).notes == "Gammel note"
    assert _count(console_db, AuditEvent, AuditEvent.action == "purge") == 0
    assert "Ingen adgang" in texts(at)


def test_a_deactivated_admin_cannot_erase_a_member(console_db):
    admin = make_user(console_db, "alma", "admin")
    advisor = make_user(console_db, "rikke", "advisor")
    now = datetime.now(UTC)
    with session_scope(get_engine(console_db)) as session:
        calls.save_call(session, data=CallCreate(started_at=now, ended_at=now, advisor_id=advisor.id,
                                                 group_id="function_limited", contact_consent=True,
                                                 phone="12345678"))
    at = page_app("admin.py", admin).run()
    at.text_input(key="admin_member_phone").input("12345678")
    at.button[[b.label for b in at.button].index("Find opkald")].click().run()
    at.checkbox(key="admin_member_erase_confirm").check().run()
    _deactivate(console_db, admin)
    at.button(key="admin_member_erase").click().run()
    assert _count(console_db, Call, Call.phone == "12345678") == 1
    assert _count(console_db, AuditEvent, AuditEvent.action == "erase") == 0


# --- a form's submit callback ---------------------------------------------------------------------------------


def test_a_demoted_supervisor_cannot_save_a_library_entry(console_db):
    prepare_database(console_db)
    supervisor = make_user(console_db, "sofie", "supervisor")
    at = page_app("library.py", supervisor).run()
    at.selectbox(key="library_edit_slug").set_value(SLUG).run()
    at.text_input(key=f"library_edit_{SLUG}_v1_da_title").input("Ændret af en, der ikke længere må")
    _demote(console_db, supervisor)
    at.button(key="library_edit_save").click().run()
    assert not at.exception
    with session_scope(get_engine(console_db)) as session:
        record = session.exec(select(LibraryEntryRecord).where(LibraryEntryRecord.slug == SLUG)).one()
    assert record.version == 1
    assert "Ingen adgang" in texts(at)


# --- a fragment's rerun ---------------------------------------------------------------------------------------


def test_typing_after_a_deactivation_is_not_autosaved(console_db, advisor):
    at = _call_ready_to_save(advisor)
    _deactivate(console_db, advisor)
    at.text_area(key="call_notes").set_value("Skrevet efter deaktiveringen").run()
    assert _draft_notes(console_db, advisor) == "Skrevet før deaktiveringen"
    assert "user" not in at.session_state


def test_typing_after_the_idle_time_is_not_autosaved(console_db, advisor):
    at = _call_ready_to_save(advisor)
    make_idle(at)
    at.text_area(key="call_notes").set_value("Skrevet efter pausen").run()
    assert _draft_notes(console_db, advisor) == "Skrevet før deaktiveringen"
    assert "logget ud" in texts(at)


def test_the_timer_is_no_activity(console_db, advisor):
    from streamlit.testing.v1 import AppTest

    at = _call_ready_to_save(advisor)
    make_idle(at, minutes=29)  # one minute left
    timer_only = AppTest.from_function(_run_timer, default_timeout=30)
    for key in ("user", "session_id", "last_active", "call_active", "call_started_at", "lang"):
        timer_only.session_state[key] = at.session_state[key]
    timer_only.run()
    assert not timer_only.exception
    with session_scope(get_engine(console_db)) as session:
        row = session.exec(select(StaffSession)).one()
    assert datetime.now(UTC) - row.last_seen_at > timedelta(minutes=28)  # the timer did not refresh it


def _run_timer():
    from console import clock

    clock.idle_watch()


# --- a button in a page body ------------------------------------------------------------------------------------


def test_a_deactivated_advisor_cannot_close_a_follow_up(console_db, advisor):
    now = datetime.now(UTC)
    with session_scope(get_engine(console_db)) as session:
        calls.save_call(session, data=CallCreate(started_at=now, ended_at=now, advisor_id=advisor.id,
                                                 group_id="function_limited", follow_up_on=now.date(),
                                                 follow_up_reason="Ring igen"))
    at = page_app("follow_ups.py", advisor).run()
    [picked] = [fu for fu in at.selectbox if fu.key == "follow_ups_pick"]
    picked.set_value(picked.options and _first_follow_up(console_db)).run()
    _deactivate(console_db, advisor)
    [done] = [b for b in at.button if b.key and b.key.endswith("_done")]
    done.click().run()
    assert _count(console_db, FollowUp, FollowUp.status == "open") == 1


def _first_follow_up(db_url) -> int:
    with session_scope(get_engine(db_url)) as session:
        return session.exec(select(FollowUp.id)).first()


# --- the session itself -------------------------------------------------------------------------------------------


def test_a_deactivation_ends_the_session_in_the_database(console_db, advisor):
    at = logged_in_app(advisor).run()
    _deactivate(console_db, advisor)
    with session_scope(get_engine(console_db)) as session:
        assert session.exec(select(StaffSession)).one().revoked_reason == "inactive"
    at.run()
    assert "user" not in at.session_state


def test_a_login_without_a_server_side_session_is_no_login(console_db, advisor):
    from dataclasses import asdict

    from tests.console.apptest import console_app

    at = console_app()
    at.session_state["user"] = asdict(advisor)  # as the console kept logins before server-side sessions
    at.run()
    assert "user" not in at.session_state
    assert at.text_input(key="login_username")


# --- a session that ends between app.py's check and the page's ------------------------------------------------


def _router_then_page(user_id: int) -> None:
    """app.py's check and sidebar, then a deactivation from another instance landing mid-run, then the page."""
    import streamlit as st

    from advisory import access
    from console import auth, guard
    from db.engine import session_scope
    from db.repositories import users

    router_user = guard.verified_user()
    st.sidebar.caption("logged in" if router_user is not None else "logged out")
    if router_user is not None and not st.session_state.get("deactivated_mid_run"):
        st.session_state["deactivated_mid_run"] = True
        with session_scope() as session:
            users.set_active(session, user_id=user_id, active=False)
    auth.require(access.takes_calls)
    st.write("page body")


def test_a_session_ending_mid_run_redraws_the_whole_app_logged_out(console_db):
    from streamlit.testing.v1 import AppTest

    from tests.console.apptest import sign_in

    advisor = make_user(console_db, "rikke", "advisor")
    at = sign_in(AppTest.from_function(_router_then_page, args=(advisor.id,), default_timeout=30), advisor)
    at.run()
    assert not at.exception
    # The run that met the deactivation started over: the sidebar no longer says "logged in" beside a page
    # that asks for a login it does not show.
    assert [c.value for c in at.sidebar.caption] == ["logged out"]
    assert "page body" not in texts(at)
