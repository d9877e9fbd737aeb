"""Statistics counted in SQL: known answers from hand-made calls, the same on SQLite and PostgreSQL.

Every test here runs on both databases (the `session` fixture), so equal expected values mean equal
results on both.
"""

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import update
from sqlmodel import select

from advisory import stats
from advisory.formatting import LOCAL_TZ
from advisory.stats import Metric, Period
from db.models import Call, CallCreate, CallTopic, FollowUp, LibraryEntryRecord, Referral, UserCreate, utcnow
from db.repositories import calls, users
from db.repositories import stats as stats_repo
from db.repositories.users import StaffUser
from services.demo import seed_demo

SUPERVISOR = StaffUser(id=1, username="sofie", display_name="Sofie", role="supervisor")

WEEK = Period(date(2026, 11, 16), date(2026, 11, 22))  # Monday to Sunday; the week before compares
TODAY = date(2026, 11, 20)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=LOCAL_TZ).astimezone(UTC)


def _advisors(session):
    made = [users.create_user(session, data=UserCreate(username=name, display_name=name.title(),
                                                       password="korrekt-hest-batteri"))
            for name in ("rikke", "mads")]
    session.commit()
    return [user.id for user in made]


def _save(session, advisor_id, started, minutes, **values):
    data = dict(started_at=started, ended_at=started + timedelta(minutes=minutes), advisor_id=advisor_id,
                group_id="function_limited")
    data.update(values)
    call_id = calls.save_call(session, data=CallCreate(**data))
    session.commit()
    return call_id


def _referral(session, call_id, channel, status, sent_at=None):
    session.add(Referral(call_id=call_id, channel=channel, status=status, sent_at=sent_at,
                         idempotency_key=f"{call_id}-{channel}-{status}"))
    session.commit()


def _library(session):
    for slug, kind, da, en in (("myth-max-5-kg", "myth", "Højst 5 kilo", "At most 5 kilos"),
                               ("faq-yoga", "faq", "Må jeg dyrke yoga?", "May I do yoga?")):
        session.add(LibraryEntryRecord(slug=slug, kind=kind, review_status="approved", last_reviewed=TODAY,
                                       data={"da": {"title": da}, "en": {"title": en}}))
    session.commit()


@pytest.fixture
def week(session):
    """Four calls in WEEK, two in the week before, and some just outside both."""
    rikke, mads = _advisors(session)
    _library(session)
    first = _save(session, rikke, local(2026, 11, 16, 9, 15), 10, topics=["lifting", "pain"],
                  library_slugs=["myth-max-5-kg"], follow_up_on=date(2026, 11, 18))
    _save(session, mads, local(2026, 11, 16, 9, 40), 5, caller_role="relative", group_id="acute_vertebral_fracture",
          topics=["pain"], disposition="gp", follow_up_on=date(2026, 11, 25))
    third = _save(session, rikke, local(2026, 11, 18, 14, 5), 20, caller_role="professional",
                  group_id="everyday_active_no_fracture", topics=["yoga"], disposition="emergency_112",
                  library_slugs=["myth-max-5-kg", "faq-yoga"])
    _save(session, mads, local(2026, 11, 22, 23, 30), 3)  # Sunday 23:30 local is 22:30 UTC: inside
    _save(session, mads, local(2026, 11, 23, 0, 10), 7, topics=["pain"])  # Monday after: outside
    before = _save(session, rikke, local(2026, 11, 10, 10, 0), 8, topics=["lifting"], library_slugs=["faq-yoga"],
                   follow_up_on=date(2026, 11, 12))
    _save(session, mads, local(2026, 11, 15, 23, 50), 6, topics=["balance"])
    _save(session, mads, local(2026, 11, 1, 10, 0), 30, topics=["running"])  # before both weeks
    _referral(session, first, "email", "sent", local(2026, 11, 17, 8, 0))
    _referral(session, third, "letter", "failed")
    _referral(session, third, "email", "draft")
    _referral(session, before, "letter", "sent", local(2026, 11, 12, 12, 0))
    session.execute(update(FollowUp).where(FollowUp.call_id == before).values(status="done"))
    session.commit()
    return {"rikke": rikke, "mads": mads}


def _counts(table, key):
    return {row[key]: (row["current"], row["previous"]) for _, row in table.iterrows()
            if row["current"] or row["previous"]}


def test_known_answers(session, week):
    board = stats_repo.dashboard(session, viewer=SUPERVISOR, period=WEEK, today=TODAY)
    assert board.metrics["calls"] == Metric(4, 2)
    assert board.metrics["median_seconds"] == Metric(450, 420)  # 3, 5, 10, 20 min | 6, 8 min
    assert board.metrics["mean_seconds"] == Metric(570, 420)
    assert board.metrics["red_flag_calls"] == Metric(2, 0)
    assert board.metrics["referrals_sent"] == Metric(1, 1)
    assert _counts(board.groups, "group_id") == {"acute_vertebral_fracture": (1, 0), "function_limited": (2, 2),
                                                 "everyday_active_no_fracture": (1, 0)}
    assert _counts(board.roles, "caller_role") == {"member": (2, 2), "relative": (1, 0), "professional": (1, 0)}
    assert _counts(board.red_flags, "disposition") == {"emergency_112": (1, 0), "gp": (1, 0)}
    assert _counts(board.topics, "topic") == {"lifting": (1, 1), "pain": (2, 0), "yoga": (1, 0), "balance": (0, 1)}
    assert board.library[["slug", "kind", "title_da", "current", "previous"]].values.tolist() == [
        ["myth-max-5-kg", "myth", "Højst 5 kilo", 2, 0], ["faq-yoga", "faq", "Må jeg dyrke yoga?", 1, 1]]
    assert _counts(board.referrals, "channel") == {"email": (1, 0), "letter": (0, 1)}
    assert board.advisors[["name", "current", "previous"]].values.tolist() == [["Mads", 2, 1], ["Rikke", 2, 1]]
    assert (board.follow_ups.open_now, board.follow_ups.overdue_now) == (2, 1)
    assert board.follow_ups.due == Metric(1, 1)
    assert board.follow_ups.done == Metric(0, 1)


def test_weekday_and_hour_are_danish_local_time(session, week):
    board = stats_repo.dashboard(session, viewer=SUPERVISOR, period=WEEK, today=TODAY)
    cells = {(row.weekday, row.hour): row.calls for row in board.heatmap.itertuples() if row.calls}
    assert cells == {(0, 9): 2, (2, 14): 1, (6, 23): 1}
    assert board.weekly[["week_start", "calls", "days"]].values.tolist() == [[date(2026, 11, 16), 4, 7]]


def test_the_autumn_clock_change_counts_both_two_oclocks(session):
    (rikke, _) = _advisors(session)
    for utc_hour in (0, 1):  # 02:30 summer time, then 02:30 winter time, on 25 October 2026
        _save(session, rikke, datetime(2026, 10, 25, utc_hour, 30, tzinfo=UTC), 5)
    board = stats_repo.dashboard(session, viewer=SUPERVISOR, period=Period(date(2026, 10, 25), date(2026, 10, 25)), today=TODAY)
    cells = {(row.weekday, row.hour): row.calls for row in board.heatmap.itertuples() if row.calls}
    assert cells == {(6, 2): 2}


def test_anonymised_calls_still_count(session, week):
    before = stats_repo.dashboard(session, viewer=SUPERVISOR, period=WEEK, today=TODAY)
    session.execute(update(Call).where(Call.id % 2 == 1).values(
        anonymised_at=utcnow(), caller_name=None, phone=None, email=None, member_number=None, notes=""))
    session.execute(update(Referral).values(recipient="", subject="", body=""))
    session.execute(update(FollowUp).values(reason="", closing_note=""))
    session.commit()
    assert session.exec(select(Call).where(Call.anonymised_at.is_not(None))).first() is not None
    after = stats_repo.dashboard(session, viewer=SUPERVISOR, period=WEEK, today=TODAY)
    assert after.metrics == before.metrics
    assert after.follow_ups == before.follow_ups
    for name in ("groups", "roles", "red_flags", "topics", "library", "referrals", "advisors", "heatmap", "weekly"):
        pd.testing.assert_frame_equal(getattr(after, name), getattr(before, name))


@pytest.mark.parametrize("join_from", [stats_repo.STRANGERS_BEFORE_JOIN, 0])
def test_a_call_entered_late_counts_in_its_own_period(session, monkeypatch, join_from):
    """Ids usually follow time; a back-dated call saved in between must not be counted in the wrong period.

    join_from=0 forces the fallback (join every link row to its call); both ways give the same counts.
    """
    monkeypatch.setattr(stats_repo, "STRANGERS_BEFORE_JOIN", join_from)
    rikke, _ = _advisors(session)
    _save(session, rikke, local(2026, 11, 16, 9, 0), 5, topics=["lifting"], library_slugs=["faq-yoga"])
    _save(session, rikke, local(2026, 11, 10, 9, 0), 5, topics=["pain", "lifting"], library_slugs=["faq-yoga"])
    _save(session, rikke, local(2026, 11, 17, 9, 0), 5, topics=["yoga"])
    _save(session, rikke, local(2026, 11, 9, 9, 0), 5, topics=["pain"])
    _save(session, rikke, local(2026, 11, 18, 9, 0), 5, topics=["lifting"])
    board = stats_repo.dashboard(session, viewer=SUPERVISOR, period=WEEK, today=TODAY)
    assert _counts(board.topics, "topic") == {"lifting": (2, 1), "yoga": (1, 0), "pain": (0, 2)}
    assert _counts(board.library, "slug") == {"faq-yoga": (1, 1)}


def _naive(session, period: Period, today: date):
    """The same figures from every row of the two periods, read into pandas (the slow way)."""
    lo, hi = period.previous().utc_bounds()[0], period.utc_bounds()[1]
    mid = period.utc_bounds()[0]
    rows = session.execute(select(Call.id, Call.started_at, Call.duration_seconds, Call.group_id, Call.caller_role,
                                  Call.disposition, Call.advisor_id)
                           .where(Call.started_at >= lo, Call.started_at < hi)).all()
    frame = pd.DataFrame(rows, columns=["id", "started_at", "duration", "group_id", "caller_role", "disposition",
                                        "advisor_id"])
    topics: dict[int, list[str]] = {}
    for call_id, topic in session.execute(select(CallTopic.call_id, CallTopic.topic)):
        topics.setdefault(call_id, []).append(topic)
    frame["topics"] = [topics.get(call_id, []) for call_id in frame["id"]]
    frame["period"] = ["current" if s >= mid else "previous" for s in frame["started_at"]]
    return frame


def test_sql_matches_reading_every_row_on_demo_data(session, engine):
    today = date(2026, 11, 26)
    seed_demo(engine, calls=600, seed=7, with_users=True, today=today)
    period = stats.last_days(today, 90)
    board = stats_repo.dashboard(session, viewer=SUPERVISOR, period=period, today=today)
    rows = _naive(session, period, today)
    current = rows[rows["period"] == "current"]
    assert board.metrics["calls"] == Metric(len(current), int((rows["period"] == "previous").sum()))
    assert board.metrics["median_seconds"].current == current["duration"].median()
    assert board.metrics["mean_seconds"].current == pytest.approx(current["duration"].mean())
    assert _counts(board.groups, "group_id") == {
        key: (int((g["period"] == "current").sum()), int((g["period"] == "previous").sum()))
        for key, g in rows.groupby("group_id")}
    topics = rows.explode("topics").dropna(subset=["topics"])
    assert _counts(board.topics, "topic") == {
        key: (int((g["period"] == "current").sum()), int((g["period"] == "previous").sum()))
        for key, g in topics.groupby("topics")}
    local_times = pd.to_datetime(current["started_at"], utc=True).dt.tz_convert(LOCAL_TZ)
    expected = local_times.groupby([local_times.dt.day_of_week, local_times.dt.hour]).size()
    cells = board.heatmap.set_index(["weekday", "hour"])["calls"]
    assert cells[cells > 0].to_dict() == expected.to_dict()
