"""The call log repository: filters, advisors' scope, paging, counts, the audited detail and edits."""

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import select

from db.models import NOTES_MAX_CHARS, AuditEvent, Call, CallCreate, CallTopic, FollowUp, Referral, UserCreate
from db.repositories import call_log, calls, users
from db.repositories.call_log import CallAnonymised, CallEditConflict, CallFilters, CallNotFound

DAY = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Copenhagen


def _staff(session, username, role="advisor"):
    user = users.create_user(session, data=UserCreate(username=username, display_name=username.title(), role=role,
                                                      password="korrekt-hest-batteri"))
    session.commit()
    return user


def _save(session, advisor, *, at=DAY, **values):
    data = dict(started_at=at, ended_at=at + timedelta(minutes=8), advisor_id=advisor.id,
                group_id="everyday_active_no_fracture", topics=["lifting"])
    data.update(values)
    call_id = calls.save_call(session, data=CallCreate(**data))
    session.commit()
    return call_id


@pytest.fixture
def team(session):
    return {"rikke": _staff(session, "rikke"), "mads": _staff(session, "mads"),
            "sofie": _staff(session, "sofie", "supervisor")}


@pytest.fixture
def log(session, team):
    """Six calls with different facts, each tagged by a name for the filter table below."""
    rikke, mads = team["rikke"], team["mads"]
    ids = {
        "old_rikke": _save(session, rikke, at=DAY - timedelta(days=40), topics=["yoga"], notes="Spurgte om yoga"),
        "rikke_balance": _save(session, rikke, at=DAY - timedelta(days=1), topics=["balance", "pain"],
                               group_id="function_limited"),
        "rikke_red_flag": _save(session, rikke, at=DAY, disposition="gp_prompt", outcome="referred_to_gp",
                                notes="Pludselige rygsmerter 100% sikkert"),
        "mads_follow_up": _save(session, mads, at=DAY + timedelta(hours=1), outcome="follow_up_agreed",
                                follow_up_on=date(2026, 3, 1), follow_up_reason="Hør hvordan det går"),
        "mads_referral": _save(session, mads, at=DAY + timedelta(hours=2), outcome="referred_to_physio",
                               topics=["strength_training"]),
        "mads_emergency": _save(session, mads, at=DAY + timedelta(hours=3), disposition="emergency_112",
                                outcome="emergency", group_id="acute_vertebral_fracture"),
    }
    session.add(Referral(call_id=ids["mads_referral"], channel="email", recipient="a@example.dk",
                         idempotency_key="k1"))
    done = FollowUp(call_id=ids["rikke_balance"], due_on=date(2026, 2, 1), assignee_id=rikke.id, status="done")
    session.add(done)
    session.commit()
    return ids


def _names(session, log, viewer, filters):
    by_id = {value: key for key, value in log.items()}
    rows = call_log.list_calls(session, filters=filters, viewer=viewer)
    assert call_log.count_calls(session, filters=filters, viewer=viewer) == len(rows)
    return [by_id[row.id] for row in rows]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (CallFilters(), ["mads_emergency", "mads_referral", "mads_follow_up", "rikke_red_flag", "rikke_balance",
                         "old_rikke"]),
        (CallFilters(date_from=date(2026, 3, 9), date_to=date(2026, 3, 9)), ["rikke_balance"]),
        (CallFilters(date_from=date(2026, 3, 10)), ["mads_emergency", "mads_referral", "mads_follow_up",
                                                     "rikke_red_flag"]),
        (CallFilters(group_ids=("function_limited", "acute_vertebral_fracture")), ["mads_emergency",
                                                                                   "rikke_balance"]),
        (CallFilters(topics=("balance",)), ["rikke_balance"]),
        (CallFilters(topics=("pain", "balance", "yoga")), ["rikke_balance", "old_rikke"]),
        (CallFilters(outcomes=("emergency", "referred_to_gp")), ["mads_emergency", "rikke_red_flag"]),
        (CallFilters(red_flag="any"), ["mads_emergency", "rikke_red_flag"]),
        (CallFilters(red_flag="gp_prompt"), ["rikke_red_flag"]),
        (CallFilters(red_flag="none"), ["mads_referral", "mads_follow_up", "rikke_balance", "old_rikke"]),
        (CallFilters(follow_up="open"), ["mads_follow_up"]),
        (CallFilters(follow_up="overdue"), ["mads_follow_up"]),
        (CallFilters(follow_up="done"), ["rikke_balance"]),
        (CallFilters(follow_up="none"), ["mads_emergency", "mads_referral", "rikke_red_flag", "old_rikke"]),
        (CallFilters(has_referral=True), ["mads_referral"]),
        (CallFilters(has_referral=False), ["mads_emergency", "mads_follow_up", "rikke_red_flag", "rikke_balance",
                                           "old_rikke"]),
        (CallFilters(text="YOGA"), ["old_rikke"]),
        (CallFilters(text="100%"), ["rikke_red_flag"]),  # % is searched for, not a wildcard
        (CallFilters(text="_"), []),
        (CallFilters(topics=("balance", "strength_training"), has_referral=True), ["mads_referral"]),
        (CallFilters(topics=("lifting",), follow_up="open", date_from=date(2026, 3, 10)), ["mads_follow_up"]),
    ],
)
def test_filters_newest_first_and_the_count_agrees(session, team, log, filters, expected):
    assert _names(session, log, team["sofie"], filters) == expected


def test_an_advisor_sees_only_own_calls_whatever_the_filter(session, team, log):
    assert _names(session, log, team["rikke"], CallFilters()) == ["rikke_red_flag", "rikke_balance", "old_rikke"]
    assert _names(session, log, team["rikke"], CallFilters(advisor_id=team["mads"].id)) == [
        "rikke_red_flag", "rikke_balance", "old_rikke"]
    assert _names(session, log, team["sofie"], CallFilters(advisor_id=team["mads"].id)) == [
        "mads_emergency", "mads_referral", "mads_follow_up"]


def test_pages_are_cut_in_sql_and_rows_carry_their_markers(session, team, log):
    viewer = team["sofie"]
    first = call_log.list_calls(session, filters=CallFilters(), viewer=viewer, limit=4)
    second = call_log.list_calls(session, filters=CallFilters(), viewer=viewer, limit=4, offset=4)
    assert [len(first), len(second)] == [4, 2]
    assert not {row.id for row in first} & {row.id for row in second}
    markers = {row.id: (row.open_follow_up, row.has_referral) for row in first + second}
    assert markers[log["mads_follow_up"]] == (True, False)
    assert markers[log["mads_referral"]] == (False, True)
    assert first[0].advisor_name == "Mads"


def test_iterating_for_an_export_keeps_calls_that_share_a_start_time(session, team):
    # Keyset paging by (started_at, id) must neither skip nor repeat calls at the same instant.
    ids = [_save(session, team["rikke"], at=DAY) for _ in range(7)]
    seen = [row["id"] for row in call_log.iter_calls(session, filters=CallFilters(), viewer=team["sofie"],
                                                     chunk_size=3)]
    assert seen == sorted(ids, reverse=True)


def test_opening_a_call_is_audited_and_shows_everything(session, team, log):
    viewer = team["sofie"]
    detail = call_log.get_call_detail(session, call_id=log["mads_follow_up"], viewer=viewer)
    session.commit()
    assert detail.advisor_name == "Mads"
    assert [f["reason"] for f in detail.follow_ups] == ["Hør hvordan det går"]
    assert [event["action"] for event in detail.audit_trail] == ["call_create"]
    views = session.exec(select(AuditEvent).where(AuditEvent.action == "view")).all()
    assert [(v.actor_id, v.object_type, v.object_id) for v in views] == [(viewer.id, "call",
                                                                          str(log["mads_follow_up"]))]
    call_log.get_call_detail(session, call_id=log["mads_follow_up"], viewer=viewer, audit_view=False)
    session.commit()
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "view")).all()) == 1


def test_an_advisor_cannot_open_a_colleagues_call(session, team, log):
    with pytest.raises(CallNotFound):
        call_log.get_call_detail(session, call_id=log["mads_referral"], viewer=team["rikke"])
    with pytest.raises(CallNotFound):
        call_log.update_call(session, call_id=log["mads_referral"], viewer=team["rikke"], expected_version=1,
                             notes="x")


def test_edits_are_audited_without_the_note_text(session, team, log):
    call_id = log["rikke_balance"]
    changed = call_log.update_call(session, call_id=call_id, viewer=team["rikke"], expected_version=1,
                                   notes="Ny note om Henrik", outcome="referred_to_physio")
    session.commit()
    assert changed == ["outcome", "notes"]
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "call_edit")).one()
    assert event.object_id == str(call_id)
    assert event.detail["outcome"] == {"from": "advice_given", "to": "referred_to_physio"}
    assert event.detail["version"] == 2
    assert "Henrik" not in str(event.detail)
    assert call_log.update_call(session, call_id=call_id, viewer=team["rikke"], expected_version=2,
                                notes="Ny note om Henrik") == []


def test_an_unknown_outcome_is_refused(session, team, log):
    with pytest.raises(ValueError):
        call_log.update_call(session, call_id=log["rikke_balance"], viewer=team["rikke"], expected_version=1,
                             outcome="cured")


def test_notes_of_an_anonymised_call_cannot_be_edited(session, team, log):
    from db.models import Call

    call = session.get(Call, log["old_rikke"])
    call.anonymised_at = datetime.now(UTC)
    session.add(call)
    session.commit()
    with pytest.raises(CallAnonymised):
        call_log.update_call(session, call_id=call.id, viewer=team["rikke"], expected_version=1, notes="Navn igen")


def test_audit_summary_of_filters_leaves_out_the_search_text():
    summary = CallFilters(date_from=date(2026, 1, 1), topics=("yoga",), text="Henrik Hansen").audit_summary()
    assert summary == {"date_from": "2026-01-01", "topics": ["yoga"], "text": True}


def test_a_stale_edit_is_refused_and_carries_both_versions(session, team, log):
    call_id = log["rikke_red_flag"]
    opened = call_log.get_call_detail(session, call_id=call_id, viewer=team["sofie"]).version
    call_log.update_call(session, call_id=call_id, viewer=team["rikke"], expected_version=opened,
                         notes="Rikkes rettelse", outcome="follow_up_agreed")
    session.commit()
    with pytest.raises(CallEditConflict) as caught:
        call_log.update_call(session, call_id=call_id, viewer=team["sofie"], expected_version=opened,
                             notes="Sofies rettelse")
    session.rollback()
    conflict = caught.value
    assert (conflict.expected, conflict.current.version) == (1, 2)
    assert (conflict.current.notes, conflict.current.outcome) == ("Rikkes rettelse", "follow_up_agreed")
    assert conflict.current.editor_name == "Rikke"
    assert conflict.mine == {"notes": "Sofies rettelse", "outcome": None}
    detail = call_log.get_call_detail(session, call_id=call_id, viewer=team["sofie"], audit_view=False)
    assert (detail.notes, detail.version) == ("Rikkes rettelse", 2)
    # Knowing both, she may save hers over it, naming the version she has now seen.
    assert call_log.update_call(session, call_id=call_id, viewer=team["sofie"], expected_version=2,
                                notes="Sofies rettelse") == ["notes"]
    session.commit()
    assert call_log.get_call_detail(session, call_id=call_id, viewer=team["sofie"], audit_view=False).version == 3


@pytest.mark.parametrize("notes", ["Ringer\x00 igen", "Tekst med \x1b[31mfarve\x07", "Linje 1\r\nLinje 2\ttab"])
def test_edited_notes_lose_control_characters_but_keep_lines_and_tabs(session, team, log, notes):
    call_id = log["rikke_balance"]
    call_log.update_call(session, call_id=call_id, viewer=team["rikke"], expected_version=1, notes=notes)
    session.commit()
    stored = call_log.get_call_detail(session, call_id=call_id, viewer=team["rikke"], audit_view=False).notes
    assert stored == {"Ringer\x00 igen": "Ringer igen", "Tekst med \x1b[31mfarve\x07": "Tekst med [31mfarve",
                      "Linje 1\r\nLinje 2\ttab": "Linje 1\nLinje 2\ttab"}[notes]


def test_edited_notes_have_a_length_limit(session, team, log):
    call_id = log["rikke_balance"]
    call_log.update_call(session, call_id=call_id, viewer=team["rikke"], expected_version=1,
                         notes="x" * NOTES_MAX_CHARS)
    with pytest.raises(ValidationError):
        call_log.update_call(session, call_id=call_id, viewer=team["rikke"], expected_version=2,
                             notes="x" * (NOTES_MAX_CHARS + 1))


def test_topics_and_library_entries_are_stored_once_in_the_link_tables(session, team):
    call_id = _save(session, team["rikke"], topics=["pain", "balance", "pain"],
                    library_slugs=["myth-max-5-kg", "faq-yoga", "myth-max-5-kg"])
    assert {"topics", "library_slugs"}.isdisjoint(Call.__table__.columns.keys())
    rows = session.exec(select(CallTopic.topic).where(CallTopic.call_id == call_id)).all()
    assert sorted(rows) == ["balance", "pain"]
    row = call_log.list_calls(session, filters=CallFilters(), viewer=team["rikke"])[0]
    assert row.topics == ["balance", "pain"]
    detail = call_log.get_call_detail(session, call_id=call_id, viewer=team["rikke"], audit_view=False)
    assert (detail.topics, detail.library_slugs) == (["balance", "pain"], ["faq-yoga", "myth-max-5-kg"])
    exported = next(call_log.iter_calls(session, filters=CallFilters(), viewer=team["sofie"]))
    assert (exported["topics"], exported["library_slugs"]) == (["balance", "pain"], ["faq-yoga", "myth-max-5-kg"])


def test_the_advisor_filter_lists_those_who_take_calls_and_former_advisors_with_calls_in_the_period(session):
    rikke, mads = _staff(session, "rikke"), _staff(session, "mads")
    _staff(session, "birgit", "secretariat")
    _staff(session, "alma", "admin")
    _staff(session, "sofie", "supervisor")
    louise = _staff(session, "louise")  # took calls in March, then left (deactivated)
    _save(session, louise, at=DAY)
    users.set_active(session, user_id=louise.id, active=False)
    session.commit()
    _staff(session, "olga")  # left before the period, no calls
    olga = next(u for u in users.list_users(session) if u["username"] == "olga")
    users.set_active(session, user_id=olga["id"], active=False)
    session.commit()
    names = lambda **period: [name for _, name in call_log.advisor_choices(session, **period)]  # noqa: E731
    assert names() == ["Louise", "Mads", "Rikke"]
    assert names(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31)) == ["Louise", "Mads", "Rikke"]
    assert names(date_from=date(2026, 4, 1)) == ["Mads", "Rikke"]  # Louise had no calls in April
    assert {rikke.id, mads.id} <= {i for i, _ in call_log.advisor_choices(session)}
