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
