"""Administration's data-protection tabs: retention purge, the audit log, a member's data. Users still work."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from db.engine import get_engine, session_scope
from db.models import AuditEvent, Call, CallCreate
from db.repositories import calls
from tests.console.apptest import make_user, page_app, texts

NOW = datetime.now(UTC)


def _save(db_url, advisor, *, days_ago, **values):
    started = NOW - timedelta(days=days_ago)
    data = dict(started_at=started, ended_at=started + timedelta(minutes=5), advisor_id=advisor.id,
                group_id="training_active_no_fracture", contact_consent=True, caller_name="Inge Jensen",
                phone="12 34 56 78", member_number="4711", notes="Inge spurgte om løb")
    data.update(values)
    with session_scope(get_engine(db_url)) as session:
        return calls.save_call(session, data=CallCreate(**data))


@pytest.fixture
def office(console_db):
    made = {"admin": make_user(console_db, "alma", "admin", "Alma Admin"),
            "rikke": make_user(console_db, "rikke", "advisor", "Rikke Rådgiver")}
    made["old"] = _save(console_db, made["rikke"], days_ago=800)
    made["new"] = _save(console_db, made["rikke"], days_ago=3)
    made["other"] = _save(console_db, made["rikke"], days_ago=2, caller_name="Bent", phone="87654321",
                          member_number="1")
    return made


def _call(db_url, call_id):
    with session_scope(get_engine(db_url)) as session:
        return session.get(Call, call_id).model_dump()


def _events(db_url, action):
    with session_scope(get_engine(db_url)) as session:
        return [e.model_dump() for e in session.exec(select(AuditEvent).where(AuditEvent.action == action))]


def test_the_users_tab_still_lists_staff(console_db, office):
    at = page_app("admin.py", office["admin"]).run()
    assert not at.exception
    assert [tab.label for tab in at.tabs] == ["Brugere", "Opbevaring", "Revisionslog", "Medlemsdata"]
    assert list(at.dataframe[0].value["Navn"]) == ["Alma Admin", "Rikke Rådgiver"]


def test_retention_previews_then_anonymises_old_calls_on_confirmation(console_db, office):
    at = page_app("admin.py", office["admin"]).run()
    assert [m.value for m in at.metric][:1] == ["1"]
    assert at.button(key="admin_purge_run").disabled
    at.checkbox(key="admin_purge_confirm").check().run()
    at.button(key="admin_purge_run").click().run()
    assert not at.exception
    assert "1 opkald er anonymiseret, og 0 gamle ikke-gemte opkald er slettet." in texts(at)
    assert at.checkbox(key="admin_purge_confirm").value is False
    old, new = _call(console_db, office["old"]), _call(console_db, office["new"])
    assert (old["caller_name"], old["notes"], old["anonymised_at"] is not None) == (None, "", True)
    assert new["caller_name"] == "Inge Jensen"
    [purge] = _events(console_db, "purge")
    assert (purge["actor_name"], purge["detail"]["calls"]) == ("alma", 1)
    assert [m.value for m in at.metric][:1] == ["0"]


def test_the_audit_log_can_be_browsed_and_filtered(console_db, office):
    at = page_app("admin.py", office["admin"]).run()
    table = at.dataframe[1].value  # the users table comes first
    assert set(table["Handling"]) >= {"Bruger oprettet", "Opkald gemt"}
    at.selectbox(key="admin_audit_action").select("call_create").run()
    assert set(at.dataframe[1].value["Handling"]) == {"Opkald gemt"}
    assert "3 hændelser" in texts(at)
    at.text_input(key="admin_audit_object_id").input(str(office["new"])).run()
    assert list(at.dataframe[1].value["Objekt"]) == [f"Opkald {office['new']}"]


def _find_member(at, **fields):
    for name, value in fields.items():
        at.text_input(key=f"admin_member_{name}").input(value)
    at.button[[b.label for b in at.button].index("Find opkald")].click().run()
    assert not at.exception
    return at


def test_member_search_previews_exports_and_erases(console_db, office):
    at = _find_member(page_app("admin.py", office["admin"]).run(), phone="+45 12 34 56 78")
    assert "2 opkald fundet." in texts(at)
    preview = next(df.value for df in at.dataframe if "Medlemsnummer" in df.value.columns)
    assert sorted(preview["Opkald"]) == sorted([office["old"], office["new"]])

    at.button(key="admin_member_access_prepare").click().run()
    access_file = Path(at.session_state["admin_member_access_file"])
    assert access_file.stat().st_mode & 0o777 == 0o600  # prepared owner-only, deleted once downloaded
    data = json.loads(access_file.read_text(encoding="utf-8"))
    assert sorted(call["id"] for call in data["calls"]) == sorted([office["old"], office["new"]])
    assert {event["action"] for event in data["audit_log"]} == {"call_create"}
    [access] = _events(console_db, "access_export")
    assert access["actor_name"] == "alma" and "12 34 56 78" not in json.dumps(access["detail"])

    at.checkbox(key="admin_member_erase_confirm").check().run()
    at.button(key="admin_member_erase").click().run()
    assert not at.exception
    assert "Personoplysningerne i 2 opkald er slettet" in texts(at)
    assert not access_file.exists()  # no prepared export outlives an erasure
    assert _call(console_db, office["new"])["phone"] is None
    assert _call(console_db, office["other"])["phone"] == "87654321"
    [erase] = _events(console_db, "erase")
    assert erase["detail"]["identified_by"] == ["phone"]


def test_member_search_needs_at_least_one_detail(console_db, office):
    at = _find_member(page_app("admin.py", office["admin"]).run())
    assert "Skriv mindst én af oplysningerne." in texts(at)
