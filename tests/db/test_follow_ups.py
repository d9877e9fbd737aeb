"""Follow-ups: buckets (overdue, today, upcoming), mine and all, and the audited changes."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from db.models import AuditEvent, CallCreate, FollowUp, UserCreate
from db.repositories import calls, follow_ups, users
from db.repositories.follow_ups import FollowUpNotAllowed

TODAY = date(2026, 11, 26)
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _staff(session, username, role="advisor"):
    return users.create_user(session, data=UserCreate(username=username, display_name=username.title(), role=role,
                                                      password="korrekt-hest-batteri"))


def _call_with_follow_up(session, advisor, due_on, reason, **values):
    return calls.save_call(session, data=CallCreate(
        started_at=START, ended_at=START + timedelta(minutes=6), advisor_id=advisor.id, group_id="function_limited",
        follow_up_on=due_on, follow_up_reason=reason, **values))


@pytest.fixture
def team(session):
    made = {"rikke": _staff(session, "rikke"), "mads": _staff(session, "mads"),
            "sofie": _staff(session, "sofie", "supervisor")}
    session.commit()
    return made


@pytest.fixture
def due(session, team):
    rikke, mads = team["rikke"], team["mads"]
    made = {
        "rikke_overdue": _call_with_follow_up(session, rikke, TODAY - timedelta(days=3), "Ring om smerterne",
                                              contact_consent=True, caller_name="Inge Jensen", phone="12345678"),
        "rikke_today": _call_with_follow_up(session, rikke, TODAY, "Hør om træningen"),
        "rikke_later": _call_with_follow_up(session, rikke, TODAY + timedelta(days=14), "Helingsfasen slutter"),
        "mads_overdue": _call_with_follow_up(session, mads, TODAY - timedelta(days=1), "Fandt hun en fysioterapeut?"),
    }
    session.commit()
    by_call = {row.call_id: row.id for row in session.exec(select(FollowUp))}
    return {name: by_call[call_id] for name, call_id in made.items()}


def _ids(rows):
    return [row.id for row in rows]


@pytest.mark.parametrize(
    ("viewer", "scope", "bucket", "expected"),
    [
        ("rikke", "mine", "overdue", ["rikke_overdue"]),
        ("rikke", "mine", "today", ["rikke_today"]),
        ("rikke", "mine", "upcoming", ["rikke_later"]),
        ("rikke", "all", "overdue", ["rikke_overdue"]),  # advisors never see everyone's
        ("sofie", "all", "overdue", ["rikke_overdue", "mads_overdue"]),
        ("sofie", "mine", "overdue", []),
    ],
)
def test_buckets_and_scope(session, team, due, viewer, scope, bucket, expected):
    rows = follow_ups.list_open(session, viewer=team[viewer], scope=scope, bucket=bucket, today=TODAY)
    assert _ids(rows) == [due[name] for name in expected]


def test_counts_per_bucket(session, team, due):
    assert follow_ups.count_open(session, viewer=team["sofie"], scope="all", today=TODAY) == {
        "overdue": 2, "today": 1, "upcoming": 1}
    assert follow_ups.count_open(session, viewer=team["mads"], scope="mine", today=TODAY) == {
        "overdue": 1, "today": 0, "upcoming": 0}


def test_rows_carry_the_caller_for_the_call_back(session, team, due):
    row = follow_ups.list_open(session, viewer=team["rikke"], bucket="overdue", today=TODAY)[0]
    assert (row.caller_name, row.phone, row.reason, row.assignee_name) == ("Inge Jensen", "12345678",
                                                                            "Ring om smerterne", "Rikke")


def _actions(session):
    return [(e.action, e.object_type, e.detail) for e in
            session.exec(select(AuditEvent).where(AuditEvent.action.startswith("follow_up")).order_by(AuditEvent.id))]


def test_done_with_a_note_leaves_the_open_lists_and_is_audited(session, team, due):
    follow_ups.complete(session, follow_up_id=due["rikke_overdue"], note="Har det bedre", actor=team["rikke"])
    session.commit()
    assert follow_ups.count_open(session, viewer=team["rikke"], today=TODAY)["overdue"] == 0
    closed = follow_ups.recently_closed(session, viewer=team["rikke"])
    assert [(r.status, r.closing_note) for r in closed] == [("done", "Har det bedre")]
    assert _actions(session) == [("follow_up_done", "call", {"follow_up_id": due["rikke_overdue"]})]


def test_reschedule_moves_it_between_buckets(session, team, due):
    follow_ups.reschedule(session, follow_up_id=due["rikke_overdue"], due_on=TODAY + timedelta(days=7),
                          actor=team["rikke"])
    session.commit()
    assert follow_ups.count_open(session, viewer=team["rikke"], today=TODAY) == {"overdue": 0, "today": 1,
                                                                                "upcoming": 2}
    action, _, detail = _actions(session)[0]
    assert (action, detail["to"]) == ("follow_up_reschedule", "2026-12-03")


def test_reassign_hands_it_to_a_colleague(session, team, due):
    follow_ups.reassign(session, follow_up_id=due["rikke_today"], assignee_id=team["mads"].id, actor=team["rikke"])
    session.commit()
    assert _ids(follow_ups.list_open(session, viewer=team["mads"], bucket="today", today=TODAY)) == [
        due["rikke_today"]]
    assert follow_ups.list_open(session, viewer=team["rikke"], bucket="today", today=TODAY) == []
    assert _actions(session)[0][2] == {"follow_up_id": due["rikke_today"], "from": team["rikke"].id,
                                       "to": team["mads"].id}


def test_an_advisor_cannot_change_a_colleagues_follow_up_but_a_supervisor_can(session, team, due):
    with pytest.raises(FollowUpNotAllowed):
        follow_ups.complete(session, follow_up_id=due["mads_overdue"], note="", actor=team["rikke"])
    follow_ups.complete(session, follow_up_id=due["mads_overdue"], note="Lukket af supervisor", actor=team["sofie"])
    session.commit()
    assert follow_ups.count_open(session, viewer=team["mads"], today=TODAY)["overdue"] == 0


def test_adding_a_follow_up_after_the_call(session, team, due):
    call_id = follow_ups.list_open(session, viewer=team["rikke"], bucket="today", today=TODAY)[0].call_id
    new_id = follow_ups.add(session, call_id=call_id, due_on=TODAY + timedelta(days=2), assignee_id=team["mads"].id,
                            reason="  Send brevet igen  ", actor=team["rikke"])
    session.commit()
    rows = follow_ups.list_for_call(session, call_id=call_id, viewer=team["rikke"])
    assert [(r.id, r.reason, r.assignee_name) for r in rows][-1] == (new_id, "Send brevet igen", "Mads")
    assert _actions(session)[0][0] == "follow_up_create"
