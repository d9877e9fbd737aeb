"""The unanswered-query log: library searches without a confident answer, for content work.

`record` strips personal data (advisory/library/query_privacy.py) before anything is written, so no caller of
this module can store a name, a phone number, an e-mail address or a CPR number by mistake. Rows hold
no advisor, caller or call, so the retention purge and erasure (db/repositories/privacy.py) leave
this table alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session, col, select

from advisory.library import SLUG_PATTERN
from advisory.library.analysis import LANGUAGES
from advisory.library.query_privacy import strip_personal_data
from advisory.library.unanswered import Question
from db.models import UnansweredQuery, utcnow


def record(
    session: Session,
    *,
    query: str,
    lang: str,
    is_known_word: Callable[[str], bool] | None = None,
    at: datetime | None = None,
) -> int | None:
    """Log a search without a confident answer; returns the row's id, or None when nothing was left
    to store once personal data was stripped. `is_known_word` (the library's words) lets
    capitalised words the library knows, such as drug names, through."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}")
    text = strip_personal_data(query, is_known_word=is_known_word)
    if not text:
        return None
    row = UnansweredQuery(query=text, lang=lang, searched_at=at or utcnow())
    session.add(row)
    session.flush()
    return row.id


def mark_picked(session: Session, *, query_id: int, slug: str) -> None:
    """The advisor used an entry in the call after the unanswered search (the latest pick counts)."""
    if not re.fullmatch(SLUG_PATTERN, slug):
        raise ValueError(f"not a library slug: {slug!r}")
    row = session.get(UnansweredQuery, query_id)
    if row is not None:
        row.picked_slug = slug
        session.add(row)


def questions(session: Session, *, since: datetime, until: datetime | None = None) -> list[Question]:
    """The logged questions searched in [since, until), oldest first, as plain data."""
    statement = select(UnansweredQuery).where(col(UnansweredQuery.searched_at) >= since)
    if until is not None:
        statement = statement.where(col(UnansweredQuery.searched_at) < until)
    rows = session.exec(statement.order_by(col(UnansweredQuery.searched_at), col(UnansweredQuery.id)))
    return [Question(query=row.query, lang=row.lang, searched_at=row.searched_at, picked_slug=row.picked_slug)
            for row in rows]
