"""The statistics' per-day aggregates stay equal to the figures counted from the calls, whatever happens.

Random sequences of saves, edits, anonymisations (the retention purge) and erasures, on SQLite and
PostgreSQL (the `session` fixture): after each sequence the kept table equals the from-scratch computation,
row for row, and the dashboard read from it equals the dashboard counted from the calls.
"""

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from advisory.formatting import LOCAL_TZ
from advisory.stats import Period
from advisory.vocab import codes
from db.models import (
    AuditEvent,
    CallCreate,
    CallLibraryEntry,
    CallStatsDay,
    CallTopic,
    FollowUp,
    Referral,
    UserCreate,
)
from db.models import Call as CallRow
from db.repositories import call_log, call_stats, calls, privacy, users
from db.repositories import stats as stats_repo
from db.repositories.privacy import MemberQuery
from db.repositories.users import StaffUser

TODAY = date(2026, 11, 20)
PERIOD = Period(date(2026, 11, 14), TODAY)  # the week before it is the previous period
FIRST = datetime(2026, 11, 7, 0, 0, tzinfo=LOCAL_TZ).astimezone(UTC)  # local midnight, start of the previous week
SLUGS = ["myth-max-5-kg", "faq-yoga", "faq-walking"]
MEMBERS = ["1001", "1002", "1003"]


def _staff(session) -> dict[str, StaffUser]:
    made = {}
    for name, role in (("rikke", "advisor"), ("mads", "advisor"), ("sofie", "supervisor"), ("admin", "admin")):
        user = users.create_user(session, data=UserCreate(username=name, display_name=name.title(), role=role,
                                                          password="korrekt-hest-batteri"))
        made[name] = StaffUser(id=user.id, username=user.username, display_name=user.display_name, role=user.role)
    session.commit()
    return made


saves = st.fixed_dictionaries({
    # Across both periods and a day either side, with minutes right at local midnight now and then.
    "minute": st.one_of(st.integers(0, 16 * 24 * 60), st.sampled_from([0, 7 * 24 * 60 - 1, 7 * 24 * 60,
                                                                        14 * 24 * 60 - 1, 14 * 24 * 60])),
    "seconds": st.integers(0, 3 * 3600),
    "group_id": st.sampled_from(codes("group")),
    "caller_role": st.sampled_from(codes("caller_role")),
    "disposition": st.one_of(st.none(), st.sampled_from(codes("disposition"))),
    "topics": st.lists(st.sampled_from(codes("topic")), max_size=3, unique=True),
    "library_slugs": st.lists(st.sampled_from(SLUGS), max_size=2, unique=True),
    "advisor": st.sampled_from(["rikke", "mads"]),
    "member": st.sampled_from(MEMBERS),
})
operations = st.one_of(
    st.tuples(st.just("save"), saves),
    st.tuples(st.just("edit"), st.integers(0, 50), st.sampled_from(codes("outcome")), st.text(max_size=20)),
    st.tuples(st.just("purge"), st.integers(1, 20)),
    st.tuples(st.just("erase"), st.sampled_from(MEMBERS)),
)


def _clear(session) -> None:
    for table in (CallStatsDay, CallTopic, CallLibraryEntry, FollowUp, Referral, AuditEvent, CallRow):
        session.execute(delete(table))
    session.commit()


def _apply(session, staff, saved: list[int], operation) -> None:
    kind = operation[0]
    if kind == "save":
        values = operation[1]
        started = FIRST + timedelta(minutes=values["minute"])
        saved.append(calls.save_call(session, data=CallCreate(
            started_at=started, ended_at=started + timedelta(seconds=values["seconds"]),
            advisor_id=staff[values["advisor"]].id, group_id=values["group_id"], caller_role=values["caller_role"],
            disposition=values["disposition"], topics=values["topics"], library_slugs=values["library_slugs"],
            contact_consent=True, member_number=values["member"], notes="note")))
    elif kind == "edit" and saved:
        call_id = saved[operation[1] % len(saved)]
        version = call_log.current_version(session, call_id=call_id, viewer=staff["sofie"]).version
        try:
            call_log.update_call(session, call_id=call_id, viewer=staff["sofie"], expected_version=version,
                                 outcome=operation[2], notes=operation[3])
        except call_log.CallAnonymised:
            call_log.update_call(session, call_id=call_id, viewer=staff["sofie"], expected_version=version,
                                 outcome=operation[2])
    elif kind == "purge":
        privacy.purge(session, retention_days=operation[1], now=FIRST + timedelta(days=operation[1] + 3))
    elif kind == "erase":
        privacy.erase_member(session, query=MemberQuery(member_number=operation[1]), actor=staff["admin"])
    session.commit()


def _same_dashboard(fast, slow) -> None:
    assert fast.metrics == slow.metrics
    assert fast.follow_ups == slow.follow_ups
    for name in ("groups", "roles", "red_flags", "topics", "library", "referrals", "advisors", "heatmap", "weekly"):
        pd.testing.assert_frame_equal(getattr(fast, name).reset_index(drop=True),
                                      getattr(slow, name).reset_index(drop=True), check_dtype=False, obj=name)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(operations, min_size=1, max_size=12))
def test_aggregates_equal_the_counts_from_scratch_after_any_sequence(session, steps):
    _clear(session)
    if "staff" not in session.info:  # the same session (and database) for every example
        session.info["staff"] = _staff(session)
    staff = session.info["staff"]
    saved: list[int] = []
    for operation in steps:
        _apply(session, staff, saved, operation)
    assert call_stats.stored(session) == call_stats.from_calls(session)
    viewer = staff["sofie"]
    _same_dashboard(stats_repo.dashboard(session, viewer=viewer, period=PERIOD, today=TODAY),
                    stats_repo.dashboard_from_calls(session, viewer=viewer, period=PERIOD, today=TODAY))


def test_rebuild_gives_back_the_kept_table(session):
    staff = _staff(session)
    for minute, seconds in ((10, 300), (60 * 24 * 8, 61), (60 * 24 * 8 + 5, 59)):
        _apply(session, staff, [], ("save", {"minute": minute, "seconds": seconds, "group_id": codes("group")[0],
                                             "caller_role": "member", "disposition": None, "topics": ["pain"],
                                             "library_slugs": [], "advisor": "rikke", "member": "1001"}))
    kept = call_stats.stored(session)
    session.execute(delete(CallStatsDay))
    assert call_stats.stored(session) == {}
    call_stats.rebuild(session)
    assert call_stats.stored(session) == kept
    assert kept[("duration", "00001", (FIRST + timedelta(days=8)).astimezone(LOCAL_TZ).date())] == [1, 61]


def test_statistics_need_a_viewer_who_reads_statistics(session):
    staff = _staff(session)
    for name in ("rikke", "mads"):
        with pytest.raises(PermissionError):
            stats_repo.dashboard(session, viewer=staff[name], period=PERIOD, today=TODAY)
        with pytest.raises(PermissionError):
            stats_repo.dashboard_from_calls(session, viewer=staff[name], period=PERIOD, today=TODAY)
        with pytest.raises(PermissionError):
            stats_repo.calls_stamp(session, viewer=staff[name])
    assert stats_repo.calls_stamp(session, viewer=staff["admin"]) == (0, 0)
