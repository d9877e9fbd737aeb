"""The unanswered-query log: personal data stripped before storing, picks, periods, and a table that
holds nothing the retention purge or a member's erasure would have to touch."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect as sa_inspect
from sqlmodel import select

from advisory.library import Library
from db.models import UnansweredQuery
from db.repositories import privacy, unanswered

NOW = datetime(2026, 11, 29, 10, tzinfo=UTC)


@pytest.fixture(scope="module")
def knows_word():
    return Library.bundled().knows_word


@pytest.mark.parametrize(
    ("query", "stored"),
    [
        ("min mor Inge på 88 er faldet – ring på 12 34 56 78", "min mor på 88 er faldet – ring på"),
        ("Skal jeg stoppe med Alendronat? inge.hansen@example.dk", "skal jeg stoppe med alendronat?"),
        ("cpr 010203-1234 må jeg stå på ski", "cpr må jeg stå på ski"),
        ("my husband John can't get up, call +45 2345 6789", "my husband can't get up, call"),
    ],
)
def test_personal_data_is_stripped_before_it_is_stored(session, knows_word, query, stored):
    query_id = unanswered.record(session, query=query, lang="da", is_known_word=knows_word, at=NOW)
    session.commit()
    session.expire_all()
    assert session.get(UnansweredQuery, query_id).query == stored


def test_a_query_of_personal_data_only_stores_nothing(session):
    assert unanswered.record(session, query="Inge Hansen 12345678", lang="da") is None
    session.commit()
    assert session.exec(select(UnansweredQuery)).all() == []


def test_a_pick_after_the_search_is_kept(session):
    query_id = unanswered.record(session, query="må jeg stå på ski", lang="da", at=NOW)
    unanswered.mark_picked(session, query_id=query_id, slug="faq-ball-games")
    session.commit()
    assert [q.picked_slug for q in unanswered.questions(session, since=NOW - timedelta(days=1))] == ["faq-ball-games"]
    with pytest.raises(ValueError, match="not a library slug"):
        unanswered.mark_picked(session, query_id=query_id, slug="Inge Hansen")


def test_questions_of_a_period_oldest_first(session):
    for days_ago, text in [(40, "old"), (10, "ski"), (2, "skøjter"), (0, "kajak")]:
        unanswered.record(session, query=f"må jeg {text}", lang="da", at=NOW - timedelta(days=days_ago))
    session.commit()
    found = unanswered.questions(session, since=NOW - timedelta(days=30), until=NOW)
    assert [q.query for q in found] == ["må jeg ski", "må jeg skøjter"]
    assert all(q.lang == "da" and q.searched_at.tzinfo is not None for q in found)


def test_an_unknown_language_is_refused(session):
    with pytest.raises(ValueError, match="unsupported language"):
        unanswered.record(session, query="hej", lang="de")


def test_the_table_holds_no_personal_data_fields(engine):
    """What the purge and erasure would have to clear: names, contact details, notes, who searched.
    None of it is here, and nothing links a row to a call, a member or a staff member."""
    columns = {column["name"] for column in sa_inspect(engine).get_columns("unanswered_query")}
    assert columns == {"id", "query", "lang", "searched_at", "picked_slug"}
    assert sa_inspect(engine).get_foreign_keys("unanswered_query") == []
    assert "unanswered" not in inspect.getsource(privacy).lower()


def test_purge_and_erasure_leave_the_log_alone(session):
    unanswered.record(session, query="må jeg stå på ski", lang="da", at=NOW - timedelta(days=3000))
    session.commit()
    privacy.purge(session, retention_days=30, now=NOW)
    session.commit()
    assert [q.query for q in unanswered.questions(session, since=NOW - timedelta(days=4000))] == ["må jeg stå på ski"]
