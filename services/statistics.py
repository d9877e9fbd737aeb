"""Statistics for supervisors: the dashboard summed from the per-day aggregates, and their rebuild.

Each function owns its session; the repository checks that the viewer may read statistics.
"""

from __future__ import annotations

from datetime import date

from advisory.access import Viewer
from advisory.stats import Dashboard, Period
from db.engine import get_engine, session_scope
from db.repositories import call_stats
from db.repositories import stats as stats_repo


def dashboard(viewer: Viewer, *, period: Period, today: date, database_url: str | None = None) -> Dashboard:
    with session_scope(get_engine(database_url)) as session:
        return stats_repo.dashboard(session, viewer=viewer, period=period, today=today)


def calls_stamp(viewer: Viewer, *, database_url: str | None = None) -> tuple[int, int]:
    """Changes whenever calls are saved, seeded or erased: the page's cache key."""
    with session_scope(get_engine(database_url)) as session:
        return stats_repo.calls_stamp(session, viewer=viewer)


def rebuild(*, database_url: str | None = None) -> int:
    """Compute the per-day aggregates from the calls again (operators: python -m cli rebuild-statistics);
    returns the number of rows. One transaction: the page reads the old figures until it commits."""
    with session_scope(get_engine(database_url)) as session:
        return call_stats.rebuild(session)
