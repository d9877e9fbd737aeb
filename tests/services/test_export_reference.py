"""The fast CSV export (issue 25: read column by column as stored, converted a column at a time, the fields
joined in C, a large export split across two processes) writes exactly the bytes of a straightforward
reference: every call as a dict (`iter_calls`), each value through advisory.spreadsheet.cell_text and
csv.writer (spreadsheet.write_csv). On random data, with the filters the page offers, on both backends."""

from __future__ import annotations

import csv
import io
import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from advisory import spreadsheet
from advisory.formatting import to_local
from db.models import Call, CallCreate, Referral, UserCreate
from db.repositories import calls, users
from db.repositories.call_log import ANY_RED_FLAG, NO_RED_FLAG, CallFilters, iter_calls
from services import exports

TOPICS = ("balance", "lifting", "yoga", "running", "strength_training", "daily_activities")
# Stored text a spreadsheet could run, or that trips a CSV writer: formulas, separators, quotes, line
# breaks, control characters, full-width signs, non-ASCII.
HOSTILE = ("=1+1", "+45 12 34 56 78", "-2,6", "@SUM(A1)", "\tTAB", "\r=1", "Linje 1\n- punkt\n=2",
           "Ring igen;=HYPERLINK(\"http://evil\")", 'abc;"=1+1"', "\uff1d1+1", "\x07 klokke", "\x01", "\x85x",
           "\n=1", 'sagde "hej"', "a;b", "æøå ÆØÅ – ok", "", " ", "\r\n", '"', "x,y", "\x1b[31m")
SLUGS = ("faq-yoga", "myth-max-5-kg", "=evil-slug", "-dash-first", "a;b", 'quote"slug', "æble")
BLOCKS = ("block-a", "b\"q", "c;d", "=e", "\\back", "ø", "-f")


def _reference_cell(name: str, value):
    if isinstance(value, datetime):
        return spreadsheet.cell_text(to_local(value).replace(tzinfo=None))
    if isinstance(value, list | tuple):
        return spreadsheet.cell_text(";".join(value)) if value else ""
    return spreadsheet.cell_text(value)


def _reference(session, filters: CallFilters, viewer, include_contact: bool) -> bytes:
    columns = exports.columns_for(include_contact)
    rows = ([_reference_cell(name, call.get(name)) for name in columns]
            for call in iter_calls(session, filters=filters, viewer=viewer, chunk_size=7))
    target = io.BytesIO()
    spreadsheet.write_csv(rows, columns, target)
    return target.getvalue()


def _export(session, filters: CallFilters, viewer, include_contact: bool) -> tuple[bytes, list]:
    target, seen = io.BytesIO(), []
    exports.export_calls(session, filters=filters, viewer=viewer, fmt="csv", include_contact=include_contact,
                         target=target, progress=lambda done, total: seen.append((done, total)))
    return target.getvalue(), seen


@pytest.fixture
def random_log(session):
    rng = random.Random(25)
    people = {}
    for username, role, name in (("sofie", "supervisor", "Sofie"), ("rikke", "advisor", "=Rikke;\"R\""),
                                 ("anders", "advisor", "Anders Ø")):
        people[username] = users.create_user(session, data=UserCreate(
            username=username, display_name=name, role=role, password="korrekt-hest-batteri"))
    session.commit()
    start = datetime(2026, 3, 27, 22, 0, tzinfo=UTC)  # across the clock change of 29 March
    ids = []
    for _ in range(90):
        began = start + timedelta(hours=rng.choice((0, 1, 5, 13, 26, 49, 50, 51, 74)), minutes=rng.randrange(3))
        consent = rng.random() < 0.6
        ids.append(calls.save_call(session, data=CallCreate(
            started_at=began, ended_at=began + timedelta(seconds=rng.randrange(60, 3600)),
            advisor_id=people[rng.choice(("rikke", "anders"))].id, group_id=rng.choice(("function_limited", "acute_vertebral_fracture")),
            caller_role=rng.choice(("member", "relative", "professional")),
            topics=rng.sample(TOPICS, rng.randrange(0, 4)), library_slugs=rng.sample(SLUGS, rng.randrange(0, 4)),
            contact_consent=consent, caller_name="Henrik" if consent else None,
            disposition=rng.choice((None, None, "emergency_112", "gp_today")),
            outcome=rng.choice(("advice_given", "referred_to_gp")), lang=rng.choice(("da", "en")),
            follow_up_on=date(2026, 4, 2) if rng.random() < 0.3 else None, follow_up_reason="ring igen")))
    session.commit()
    for call_id in ids:  # values as older rows may hold them (stored as they are, past the input rules)
        maybe = lambda: rng.choice((None, rng.choice(HOSTILE)[:32]))  # noqa: E731  (phone: 32 characters)
        session.execute(update(Call).where(Call.id == call_id).values(
            notes=rng.choice(HOSTILE) + rng.choice(("", " ", " noget tekst ")) + rng.choice(HOSTILE),
            member_number=maybe(), caller_name=maybe(), phone=maybe(), email=maybe(),
            content_version=rng.choice(("2026.1", "=v", "")),
            delivered_blocks=rng.sample(BLOCKS, rng.randrange(0, 4)),
            anonymised_at=rng.choice((None, None, datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
                                      datetime(2026, 10, 25, 1, 30, 59, 999999, tzinfo=UTC)))))
        if rng.random() < 0.2:
            session.add(Referral(call_id=call_id, channel="email", recipient="inge@example.dk",
                                 idempotency_key=f"reference-{call_id}"))
    session.commit()
    return people


def _filters(people) -> list[CallFilters]:
    return [
        CallFilters(),
        CallFilters(date_from=date(2026, 3, 28), date_to=date(2026, 3, 29)),
        CallFilters(advisor_id=people["rikke"].id),
        CallFilters(group_ids=("acute_vertebral_fracture",), outcomes=("referred_to_gp",)),
        CallFilters(topics=("balance", "yoga")),
        CallFilters(red_flag=ANY_RED_FLAG),
        CallFilters(red_flag=NO_RED_FLAG, follow_up="open"),
        CallFilters(follow_up="none", has_referral=False),
        CallFilters(has_referral=True),
        CallFilters(text="HYPERLINK"),
        CallFilters(text="ingen sådan tekst"),
    ]


@pytest.mark.parametrize("include_contact", [True, False])
def test_the_csv_export_writes_the_references_bytes_for_every_filter(session, random_log, include_contact,
                                                                     monkeypatch):
    monkeypatch.setattr(exports, "PROGRESS_EVERY_ROWS", 7)  # chunks of 7 calls: ties at a chunk's edge too
    viewer = random_log["sofie"]
    sizes = []
    for filters in _filters(random_log):
        expected = _reference(session, filters, viewer, include_contact)
        written, seen = _export(session, filters, viewer, include_contact)
        assert written == expected, filters
        n = len(list(csv.reader(io.StringIO(expected.decode("utf-8-sig")), delimiter=";"))) - 1
        assert seen == [(0, n), *((mark, n) for mark in range(7, n + 1, 7)), (n, n)]
        sizes.append(n)
    assert sizes[0] == 90 and all(0 < size < 90 for size in sizes[1:-1]) and sizes[-1] == 0


def test_a_large_export_split_across_two_processes_writes_the_same_bytes(session, random_log, monkeypatch):
    monkeypatch.setattr(exports, "PARALLEL_MIN_ROWS", 1)  # every export with a call in it is split
    monkeypatch.setattr(exports, "PROGRESS_EVERY_ROWS", 7)
    viewer = random_log["sofie"]
    for filters in _filters(random_log)[:5]:
        expected = _reference(session, filters, viewer, include_contact=True)
        written, seen = _export(session, filters, viewer, include_contact=True)
        assert written == expected, filters
        assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1] > 0
        assert [done for done, _ in seen[1:-1]] == list(range(7, seen[-1][0] + 1, 7))
    assert exports.last_worker_peak_mb is None or exports.last_worker_peak_mb > 0


def test_csv_fields_are_what_the_csv_writer_writes():
    rng = random.Random(7)
    pieces = [*HOSTILE, "\x00", "1", "2,5", "True", "   ", "a\rb", "x\n", '""', ";", "tekst"]
    columns = [[rng.choice(pieces) + rng.choice(pieces) for _ in range(50)] for _ in range(6)]
    columns.append([rng.choice((None, 0, 7, -3, "x")) for _ in range(50)])
    columns.append([rng.choice((1, 22, 333)) for _ in range(50)])
    fast = io.BytesIO()
    spreadsheet.write_csv_field_chunks([[spreadsheet.csv_fields(column) for column in columns]], fast,
                                       [f"c{n}" for n in range(len(columns))])
    reference = io.BytesIO()
    spreadsheet.write_csv(list(zip(*columns, strict=True)), [f"c{n}" for n in range(len(columns))], reference,
                          cells=True)
    assert fast.getvalue() == reference.getvalue()
    one_column = [["", "x", ""]]
    fast, reference = io.BytesIO(), io.BytesIO()
    spreadsheet.write_csv_field_chunks([[spreadsheet.csv_fields(column) for column in one_column]], fast, ["c"])
    spreadsheet.write_csv(list(zip(*one_column, strict=True)), ["c"], reference, cells=True)
    assert fast.getvalue() == reference.getvalue()


def test_a_failed_worker_fails_the_export_and_leaves_no_file(session, random_log, monkeypatch, tmp_path):
    monkeypatch.setattr(exports, "PARALLEL_MIN_ROWS", 1)
    monkeypatch.setattr(exports.sys, "executable", "/bin/false")  # the worker process exits at once, failed
    with pytest.raises(RuntimeError, match="export worker failed"):
        exports.export_to_file(session, filters=CallFilters(), viewer=random_log["sofie"], fmt="csv",
                               include_contact=True, directory=tmp_path / "exports")
    assert list((tmp_path / "exports").iterdir()) == []
