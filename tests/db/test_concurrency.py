"""Sixteen advisors saving at once: no errors, no lost calls, no duplicate ids (SQLite file and PostgreSQL)."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from threading import Barrier

from sqlalchemy import func, select

from db.engine import get_engine, session_scope
from db.models import Call, CallCreate, CallTopic, UserCreate
from db.repositories import calls, users

THREADS = 16
CALLS_EACH = 100
START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def test_sixteen_threads_save_a_hundred_calls_each(db_url):
    engine = get_engine(db_url)
    with session_scope(engine) as session:
        advisor_ids = [users.create_user(session, data=UserCreate(
            username=f"advisor{n}", display_name=f"Rådgiver {n}", password="korrekt-hest-batteri")).id
            for n in range(THREADS)]
    start_together = Barrier(THREADS)

    def save_many(advisor_id: int) -> list[int]:
        start_together.wait()
        saved = []
        for n in range(CALLS_EACH):
            started = START + timedelta(seconds=n)
            data = CallCreate(started_at=started, ended_at=started + timedelta(minutes=5), advisor_id=advisor_id,
                              group_id="function_limited", topics=["balance", "pain"], notes=f"opkald {n}")
            with session_scope(engine) as session:
                saved.append(calls.save_call(session, data=data))
        return saved

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(save_many, advisor_ids))  # re-raises any error from a thread

    ids = [call_id for saved in results for call_id in saved]
    assert len(ids) == THREADS * CALLS_EACH
    assert len(set(ids)) == len(ids)
    with session_scope(engine) as session:
        assert set(session.execute(select(Call.id)).scalars()) == set(ids)
        per_advisor = dict(session.execute(select(Call.advisor_id, func.count()).group_by(Call.advisor_id)).all())
        assert per_advisor == dict.fromkeys(advisor_ids, CALLS_EACH)
        assert session.execute(select(func.count()).select_from(CallTopic)).scalar_one() == 2 * len(ids)


def test_two_staff_saving_the_same_call_at_once_one_wins_the_other_gets_a_conflict(db_url):
    """Both opened version 1 of the call's notes; their saves race in two threads. Exactly one is written;
    the other is refused with the winner's text, so nothing is overwritten without anyone knowing."""
    from db.repositories import call_log
    from db.repositories.call_log import CallEditConflict

    engine = get_engine(db_url)
    with session_scope(engine) as session:
        rikke = users.create_user(session, data=UserCreate(username="rikke", display_name="Rikke",
                                                           password="korrekt-hest-batteri"))
        sofie = users.create_user(session, data=UserCreate(username="sofie", display_name="Sofie", role="supervisor",
                                                           password="korrekt-hest-batteri"))
        call_id = calls.save_call(session, data=CallCreate(
            started_at=START, ended_at=START + timedelta(minutes=5), advisor_id=rikke.id,
            group_id="function_limited", notes="Første udgave"))
    editors = {"rikke": rikke, "sofie": sofie}
    start_together = Barrier(2)

    def save(name: str) -> str:
        start_together.wait()
        try:
            with session_scope(engine) as session:
                call_log.update_call(session, call_id=call_id, viewer=editors[name], expected_version=1,
                                     notes=f"Noter fra {name}", outcome="follow_up_agreed")
        except CallEditConflict as conflict:
            return f"conflict:{conflict.current.notes}"
        return "saved"

    for _ in range(5):  # the race goes either way; every round must end with exactly one winner
        with session_scope(engine) as session:
            session.execute(Call.__table__.update().where(Call.id == call_id).values(version=1, notes="Første"))
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = dict(zip(editors, pool.map(save, editors), strict=True))
        winners = [name for name, result in results.items() if result == "saved"]
        assert len(winners) == 1, results
        loser = next(name for name in editors if name not in winners)
        assert results[loser] == f"conflict:Noter fra {winners[0]}"
        with session_scope(engine) as session:
            notes, version = session.execute(select(Call.notes, Call.version).where(Call.id == call_id)).one()
        assert (notes, version) == (f"Noter fra {winners[0]}", 2)
