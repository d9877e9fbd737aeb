"""The demo generator: realistic, loadable data that the console's queries read like real calls."""

from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from advisory.formatting import to_local
from advisory.library import load_bundled_entries
from advisory.profile import CallerProfile
from advisory.script import build_script, script_content
from advisory.vocab import codes
from cli import main as cli
from db.engine import get_engine, session_scope
from db.models import Call, CallCreate, CallLibraryEntry, CallTopic, FollowUp, Referral, User, UserCreate
from db.repositories import call_log, calls, users
from db.repositories.call_log import CallFilters
from db.repositories.users import LoginOutcome
from services.demo import DEMO_PASSWORD, DEMO_USERS, seed_demo

TODAY = date(2026, 11, 26)
N = 1500


@pytest.fixture
def seeded(db_url):
    engine = get_engine(db_url)
    progress = []
    report = seed_demo(engine, calls=N, seed=7, with_users=True, today=TODAY, batch_size=400,
                       progress=lambda done, total: progress.append((done, total)))
    with session_scope(engine) as session:
        rows = session.execute(select(Call)).scalars().all()
        data = {"calls": [row.model_dump() for row in rows],
                "topics": session.execute(select(CallTopic.call_id, CallTopic.topic)).all(),
                "slugs": session.execute(select(CallLibraryEntry.slug)).scalars().all(),
                "slug_rows": session.execute(select(CallLibraryEntry.call_id, CallLibraryEntry.slug)).all(),
                "follow_ups": session.execute(select(FollowUp)).scalars().all(),
                "referrals": session.execute(select(Referral)).scalars().all()}
    return engine, report, progress, data


def test_the_report_and_progress(seeded):
    _, report, progress, data = seeded
    assert report.calls == len(data["calls"]) == N
    assert report.follow_ups == len(data["follow_ups"]) > 0
    assert report.referrals == len(data["referrals"]) > 0
    assert report.users_created == [username for username, _, _ in DEMO_USERS]
    assert progress[-1] == (N, N) and [done for done, _ in progress] == sorted(done for done, _ in progress)


def test_calls_follow_a_daytime_weekday_line_over_18_months(seeded):
    starts = [to_local(call["started_at"]) for call in seeded[3]["calls"]]
    assert min(starts).date() >= TODAY - timedelta(days=549) and max(starts).date() < TODAY
    assert sum(s.weekday() < 5 for s in starts) / N > 0.95
    assert sum(9 <= s.hour < 16 for s in starts) / N > 0.9
    assert sum(8 <= s.hour < 17 for s in starts) == N


def test_mixes_are_plausible(seeded):
    found = seeded[3]["calls"]
    groups = Counter(call["group_id"] for call in found)
    assert set(groups) == set(codes("group"))
    assert groups["everyday_active_no_fracture"] == max(groups.values())
    red_flags = Counter(call["disposition"] for call in found)
    assert set(red_flags) <= {None, *codes("disposition")}
    assert 0 < N - red_flags[None] < 0.1 * N
    assert {call["outcome"] for call in found} <= set(codes("outcome"))
    assert all(call["outcome"] == "emergency" for call in found if call["disposition"] == "emergency_112")
    assert {topic for _, topic in seeded[3]["topics"]} <= set(codes("topic"))


def test_rows_agree_with_each_other_and_with_the_content(seeded):
    _, _, _, data = seeded
    by_call = Counter(call_id for call_id, _ in data["topics"])
    assert set(by_call) == {call["id"] for call in data["calls"]}  # every call has its topics, and only calls
    assert set(data["slugs"]) <= {entry.slug for entry in load_bundled_entries()}
    ids = [call["id"] for call in sorted(data["calls"], key=lambda c: (c["started_at"], c["id"]))]
    assert ids == sorted(ids)  # ids grow with time, as with real saving
    for call in data["calls"]:
        assert call["contact_consent"] or (call["caller_name"], call["phone"], call["email"]) == (None, None, None)


def test_every_demo_call_is_one_the_console_could_have_produced(seeded):
    """The stored group, flags, disposition, topics, blocks said and library entries agree with the script
    the engine builds from the stored profile on the call's date, for every generated call."""
    _, _, _, data = seeded
    topics, slugs = {}, {}
    for call_id, topic in data["topics"]:
        topics.setdefault(call_id, set()).add(topic)
    for call_id, slug in data["slug_rows"]:
        slugs.setdefault(call_id, set()).add(slug)
    flag_for = {}
    for flag in script_content().red_flags:
        flag_for.setdefault(flag.disposition, flag.id)
    for call in data["calls"]:
        day = to_local(call["started_at"]).date()
        profile = CallerProfile.model_validate(call["profile"], context={"today": day})
        red_flags = [flag_for[call["disposition"]]] if call["disposition"] else []
        script = build_script(profile, today=day, red_flags=red_flags)
        assert call["group_id"] == script.group, call["id"]
        assert set(call["flags"]) == set(script.flags), call["id"]
        assert call["disposition"] == (script.disposition.id if script.disposition else None)
        assert topics.get(call["id"], set()) == {topic.value for topic in profile.topics}
        assert set(call["delivered_blocks"]) <= set(script.block_ids)
        assert slugs.get(call["id"], set()) <= set(script.library_slugs)
        assert call["caller_role"] == (profile.caller_role.value if profile.caller_role else "other")


def test_the_call_log_reads_demo_calls_like_saved_ones(seeded):
    engine, _, _, data = seeded
    day = TODAY - timedelta(days=30)
    expected = sum(to_local(call["started_at"]).date() >= day for call in data["calls"])
    with session_scope(engine) as session:
        sofie = next(u for u in users.list_users(session) if u["username"] == "sofie")
        viewer = users.get_user(session, user_id=sofie["id"])
        assert call_log.count_calls(session, filters=CallFilters(date_from=day), viewer=viewer) == expected
        # New calls after the bulk load get fresh ids (on PostgreSQL the sequences were moved on).
        started = data["calls"][0]["started_at"]
        new_id = calls.save_call(session, data=CallCreate(started_at=started, ended_at=started,
                                                          advisor_id=sofie["id"], group_id="function_limited"))
    assert new_id > max(call["id"] for call in data["calls"])


def test_demo_users_log_in_with_the_documented_password_and_are_not_recreated(seeded):
    engine = seeded[0]
    with session_scope(engine) as session:
        result = users.authenticate(session, username="rikke", password=DEMO_PASSWORD)
    assert result.outcome == LoginOutcome.ok
    again = seed_demo(engine, calls=10, seed=8, with_users=True, today=TODAY)
    assert again.users_created == []
    with session_scope(engine) as session:
        roles = dict(session.execute(select(User.username, User.role)).all())
    assert roles == {username: role for username, _, role in DEMO_USERS}


def test_without_any_advisor_the_demo_users_are_made_anyway(engine):
    report = seed_demo(engine, calls=20, today=TODAY)
    assert report.calls == 20 and "rikke" in report.users_created


def test_the_seed_demo_command(db_url, capsys):
    assert cli.main(["seed-demo", "--calls", "150", "--with-users", "--database-url", db_url]) == 0
    out = capsys.readouterr()
    assert "Added 150 demo calls" in out.out
    assert DEMO_PASSWORD in out.out
    assert "150/150" in out.err
    with session_scope(get_engine(db_url)) as session:
        assert session.execute(select(func.count()).select_from(Call)).scalar_one() == 150


def test_demo_users_are_refused_beside_real_users(db_url, capsys):
    with session_scope(get_engine(db_url)) as session:
        users.create_user(session, data=UserCreate(username="karen", display_name="Karen Real", role="admin",
                                                   password="korrekt-hest-batteri"))
    with pytest.raises(SystemExit) as refused:
        cli.main(["seed-demo", "--calls", "5", "--with-users", "--database-url", db_url])
    assert "already has staff accounts (karen)" in str(refused.value)
    assert "--allow-demo-users-beside-real-users" in str(refused.value)
    with session_scope(get_engine(db_url)) as session:
        assert set(session.execute(select(User.username)).scalars()) == {"karen"}
        assert session.execute(select(func.count()).select_from(Call)).scalar_one() == 0
    # Without --with-users and without advisors the demo users would be made too: refused as well.
    with pytest.raises(SystemExit):
        cli.main(["seed-demo", "--calls", "5", "--database-url", db_url])
    assert cli.main(["seed-demo", "--calls", "5", "--with-users", "--allow-demo-users-beside-real-users",
                     "--database-url", db_url]) == 0
    with session_scope(get_engine(db_url)) as session:
        assert "rikke" in set(session.execute(select(User.username)).scalars())
