"""Members' data: consent, the retention purge, erasure on request and the access export."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from cli import main as cli
from db.models import AuditEvent, Call, CallCreate, CallTopic, FollowUp, Referral, UserCreate
from db.repositories import call_log, calls, privacy, users
from db.repositories.privacy import MemberQuery

NOW = datetime.now(UTC).replace(microsecond=0)
RETENTION_DAYS = 730


def _save(session, advisor, *, days_ago, consent=True, **values):
    started = NOW - timedelta(days=days_ago)
    data = dict(started_at=started, ended_at=started + timedelta(minutes=9), advisor_id=advisor.id,
                group_id="everyday_active_with_fracture", topics=["lifting"], contact_consent=consent,
                caller_name="Inge Jensen", phone="12 34 56 78", email="Inge@Example.dk", member_number="4711",
                notes="Inge er bekymret for at løfte barnebarnet.")
    data.update(values)
    call_id = calls.save_call(session, data=CallCreate(**data))
    session.add(Referral(call_id=call_id, channel="email", recipient="inge@example.dk", subject="Til Inge",
                         body="Kære Inge", status="sent", idempotency_key=f"key-{call_id}"))
    session.add(FollowUp(call_id=call_id, due_on=date(2025, 1, 1), assignee_id=advisor.id, reason="Ring til Inge"))
    session.commit()
    return call_id


@pytest.fixture
def staff(session):
    made = {"rikke": users.create_user(session, data=UserCreate(username="rikke", display_name="Rikke",
                                                                password="korrekt-hest-batteri")),
            "admin": users.create_user(session, data=UserCreate(username="admin", display_name="Alma", role="admin",
                                                                password="korrekt-hest-batteri"))}
    session.commit()
    return made


@pytest.fixture
def calls_by_age(session, staff):
    rikke = staff["rikke"]
    return {
        "ancient": _save(session, rikke, days_ago=RETENTION_DAYS + 200),
        "just_old": _save(session, rikke, days_ago=RETENTION_DAYS + 1),
        "recent": _save(session, rikke, days_ago=RETENTION_DAYS - 1),
    }


def _snapshot(session):
    """Every personal field of every call, referral and follow-up (to show what changed)."""
    session.expire_all()
    return (
        [(c.id, c.caller_name, c.phone, c.email, c.member_number, c.notes, c.anonymised_at)
         for c in session.exec(select(Call).order_by(Call.id))],
        [(r.id, r.recipient, r.subject, r.body) for r in session.exec(select(Referral).order_by(Referral.id))],
        [(f.id, f.reason, f.closing_note) for f in session.exec(select(FollowUp).order_by(FollowUp.id))],
    )


def test_contact_details_are_kept_only_with_consent(session, staff):
    without = _save(session, staff["rikke"], days_ago=1, consent=False)
    with_consent = _save(session, staff["rikke"], days_ago=1, consent=True)
    dropped, kept = session.get(Call, without), session.get(Call, with_consent)
    assert (dropped.caller_name, dropped.phone, dropped.email, dropped.member_number,
            dropped.contact_consent_at) == (None, None, None, None, None)
    assert (kept.caller_name, kept.member_number) == ("Inge Jensen", "4711")
    assert kept.contact_consent and kept.contact_consent_at is not None


def test_a_dry_run_counts_and_changes_nothing(session, calls_by_age):
    before = _snapshot(session)
    report = privacy.purge(session, retention_days=RETENTION_DAYS, dry_run=True, now=NOW)
    session.commit()
    assert (report.calls, report.referrals, report.follow_ups, report.dry_run) == (2, 2, 2, True)
    assert _snapshot(session) == before
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "purge")).all() == []


def test_the_purge_anonymises_old_calls_only_and_keeps_categories(session, calls_by_age):
    report = privacy.purge(session, retention_days=RETENTION_DAYS, now=NOW, actor_name="cli")
    session.commit()
    assert (report.calls, report.referrals, report.follow_ups) == (2, 2, 2)
    session.expire_all()
    for name in ("ancient", "just_old"):
        call = session.get(Call, calls_by_age[name])
        assert (call.caller_name, call.phone, call.email, call.member_number, call.notes) == (None,) * 4 + ("",)
        assert call.anonymised_at is not None
        topics = session.exec(select(CallTopic.topic).where(CallTopic.call_id == call.id)).all()
        assert (call.group_id, topics, call.outcome, call.contact_consent) == (
            "everyday_active_with_fracture", ["lifting"], "advice_given", True)
        referral = session.exec(select(Referral).where(Referral.call_id == call.id)).one()
        assert (referral.recipient, referral.subject, referral.body, referral.status) == ("", "", "", "sent")
        assert session.exec(select(FollowUp).where(FollowUp.call_id == call.id)).one().reason == ""
    recent = session.get(Call, calls_by_age["recent"])
    assert (recent.caller_name, recent.anonymised_at) == ("Inge Jensen", None)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "purge")).one()
    assert (event.actor_name, event.detail["calls"], event.detail["retention_days"]) == ("cli", 2, RETENTION_DAYS)


def test_the_purge_is_idempotent_and_logs_every_run(session, calls_by_age):
    privacy.purge(session, retention_days=RETENTION_DAYS, now=NOW)
    session.commit()
    after_first = _snapshot(session)
    again = privacy.purge(session, retention_days=RETENTION_DAYS, now=NOW)
    session.commit()
    assert (again.calls, again.referrals, again.follow_ups) == (0, 0, 0)
    assert _snapshot(session) == after_first
    runs = privacy.last_purges(session)
    assert [run["detail"]["calls"] for run in runs] == [0, 2]


@pytest.mark.parametrize("days", [0, -5])
def test_a_retention_below_one_day_is_refused(session, days):
    with pytest.raises(ValueError):
        privacy.purge(session, retention_days=days)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        (MemberQuery(member_number="4711"), 2),
        (MemberQuery(phone="+45 12345678"), 2),
        (MemberQuery(phone="12-34-56-78"), 2),
        (MemberQuery(email=" inge@EXAMPLE.dk "), 2),
        (MemberQuery(member_number="9999", email="inge@example.dk"), 2),
        (MemberQuery(member_number="9999"), 0),
        (MemberQuery(phone="87654321"), 0),
    ],
)
def test_finding_a_members_calls(session, staff, query, found):
    _save(session, staff["rikke"], days_ago=3)
    _save(session, staff["rikke"], days_ago=2)
    _save(session, staff["rikke"], days_ago=1, caller_name="Anden", phone="87 65 43 21", email="anden@example.dk",
          member_number="1000", consent=False)
    assert len(privacy.find_member_calls(session, query=query, viewer=staff["admin"])) == found


def test_an_empty_member_query_is_refused(session, staff):
    with pytest.raises(ValueError):
        privacy.find_member_calls(session, query=MemberQuery(phone="  "), viewer=staff["admin"])


def test_erasure_anonymises_the_members_calls_and_is_audited_without_the_identifier(session, staff):
    inge = [_save(session, staff["rikke"], days_ago=d) for d in (10, 5)]
    other = _save(session, staff["rikke"], days_ago=4, caller_name="Bent", phone="22222222", email="b@example.dk",
                  member_number="1")
    counts = privacy.erase_member(session, query=MemberQuery(phone="12345678"), actor=staff["admin"])
    session.commit()
    assert (counts.calls, counts.referrals, counts.follow_ups) == (2, 2, 2)
    session.expire_all()
    assert all(session.get(Call, i).caller_name is None for i in inge)
    assert session.get(Call, other).caller_name == "Bent"
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "erase")).one()
    assert event.detail["identified_by"] == ["phone"]
    assert sorted(event.detail["call_ids"]) == sorted(inge)
    assert "12345678" not in json.dumps(event.detail)
    assert privacy.erase_member(session, query=MemberQuery(phone="12345678"), actor=staff["admin"]).calls == 0


def test_the_access_export_holds_calls_follow_ups_referrals_and_who_looked(session, staff):
    call_id = _save(session, staff["rikke"], days_ago=3)
    call_log.get_call_detail(session, call_id=call_id, viewer=staff["admin"])
    call_log.update_call(session, call_id=call_id, viewer=staff["rikke"], expected_version=1,
                         outcome="referred_to_physio")
    session.commit()
    data = privacy.access_export(session, query=MemberQuery(member_number="4711"), actor=staff["admin"])
    session.commit()
    text = privacy.access_export_json(data)
    assert json.loads(text) == data
    [call] = data["calls"]
    assert (call["id"], call["caller_name"], call["notes"]) == (call_id, "Inge Jensen",
                                                                "Inge er bekymret for at løfte barnebarnet.")
    assert call["referrals"][0]["body"] == "Kære Inge"
    assert call["follow_ups"][0]["reason"] == "Ring til Inge"
    assert call["profile"] == {}
    assert call["topics"] == ["lifting"]
    trail = [(e["action"], e["actor_name"]) for e in data["audit_log"]]
    assert trail == [("call_create", ""), ("view", "admin"), ("call_edit", "rikke")]
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "access_export")).one()
    assert (event.actor_id, event.detail["call_ids"]) == (staff["admin"].id, [call_id])


def test_the_purge_command(db_url, capsys, session, calls_by_age):
    assert cli.main(["purge", "--dry-run", "--database-url", db_url]) == 0
    assert "Would anonymise 2 calls" in capsys.readouterr().out
    assert cli.main(["purge", "--database-url", db_url]) == 0
    assert "Anonymised 2 calls" in capsys.readouterr().out
    assert cli.main(["purge", "--database-url", db_url]) == 0
    assert "Anonymised 0 calls" in capsys.readouterr().out
