"""Exports of the call log: formula injection neutralised, personal data only on request, streamed, audited."""

import csv
import io
import os
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from db.models import AuditEvent, CallCreate, UserCreate
from db.repositories import calls, users
from db.repositories.call_log import CallFilters
from services import exports

START = datetime(2026, 5, 4, 8, 30, tzinfo=UTC)
HOSTILE_NOTE = "=HYPERLINK(\"http://evil.example\",\"klik\")"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+45 12 34 56 78", "'+45 12 34 56 78"),
        ("-2,6", "'-2,6"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTAB", "'\tTAB"),
        ("\r=1", "'\r=1"),
        ("Helt almindelig note", "Helt almindelig note"),
        ("a=b", "a=b"),
        ("", ""),
        (-2.6, -2.6),
        (42, 42),
        (None, None),
    ],
)
def test_neutralise(value, expected):
    assert exports.neutralise(value) == expected


def test_csv_comes_in_chunks_of_rows():
    rows = ([str(n), "x"] for n in range(25))
    chunks = list(exports.csv_chunks(rows, ("a", "b"), chunk_rows=10))
    assert len(chunks) == 3
    assert list(csv.reader(io.StringIO("".join(chunks))))[0:2] == [["a", "b"], ["0", "x"]]


@pytest.fixture
def staff(session):
    made = {}
    for username, role in (("rikke", "advisor"), ("sofie", "supervisor")):
        made[username] = users.create_user(session, data=UserCreate(username=username, display_name=username.title(),
                                                                    role=role, password="korrekt-hest-batteri"))
    session.commit()
    return made


@pytest.fixture
def hostile_call(session, staff):
    call_id = calls.save_call(session, data=CallCreate(
        started_at=START, ended_at=START + timedelta(minutes=5), advisor_id=staff["rikke"].id,
        group_id="function_limited", topics=["balance", "pain"], contact_consent=True, caller_name="@Henrik",
        phone="+45 12 34 56 78", email="henrik@example.dk", member_number="-1234", notes=HOSTILE_NOTE))
    session.commit()
    return call_id


def _csv_rows(session, viewer, include_contact):
    target = io.BytesIO()
    result = exports.export_calls(session, filters=CallFilters(), viewer=viewer, fmt="csv",
                                  include_contact=include_contact, target=target)
    text = target.getvalue().decode("utf-8-sig")
    return result, list(csv.DictReader(io.StringIO(text)))


def test_csv_without_contact_details_leaves_personal_fields_out(session, staff, hostile_call):
    result, rows = _csv_rows(session, staff["sofie"], include_contact=False)
    assert result.rows == 1
    assert set(exports.PERSONAL_COLUMNS).isdisjoint(rows[0])
    assert rows[0]["topics"] == "balance;pain"
    assert rows[0]["started_at"] == "2026-05-04 10:30:00"  # Copenhagen time
    assert "Henrik" not in str(rows)


def test_csv_with_contact_details_neutralises_formulas(session, staff, hostile_call):
    _, rows = _csv_rows(session, staff["sofie"], include_contact=True)
    row = rows[0]
    assert row["notes"] == "'" + HOSTILE_NOTE
    assert row["caller_name"] == "'@Henrik"
    assert row["phone"] == "'+45 12 34 56 78"
    assert row["member_number"] == "'-1234"
    assert row["email"] == "henrik@example.dk"


def test_xlsx_is_written_in_write_only_mode_and_neutralised(session, staff, hostile_call, tmp_path):
    path = tmp_path / "log.xlsx"
    with path.open("wb") as target:
        result = exports.export_calls(session, filters=CallFilters(), viewer=staff["sofie"], fmt="xlsx",
                                      include_contact=True, target=target)
    sheet = load_workbook(path, read_only=True)["calls"]
    header, first = list(sheet.iter_rows(values_only=True))[:2]
    values = dict(zip(header, first, strict=True))
    assert result.rows == 1
    assert values["notes"] == "'" + HOSTILE_NOTE
    assert values["caller_name"] == "'@Henrik"


def test_exports_are_audited_with_the_contact_choice_and_without_the_search_text(session, staff, hostile_call):
    exports.export_calls(session, filters=CallFilters(text="Henrik"), viewer=staff["sofie"], fmt="csv",
                         include_contact=True, target=io.BytesIO())
    session.commit()
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert event.actor_id == staff["sofie"].id
    assert event.detail["include_contact"] is True
    assert event.detail["rows"] == 0
    assert event.detail["filters"] == {"text": True}


def test_advisors_cannot_export(session, staff, hostile_call):
    with pytest.raises(PermissionError):
        exports.export_calls(session, filters=CallFilters(), viewer=staff["rikke"], fmt="csv",
                             include_contact=False, target=io.BytesIO())


def test_export_to_file_makes_an_owner_only_file_and_sweeps_stale_ones(session, staff, hostile_call, tmp_path):
    stale = tmp_path / "call-log-old.csv"
    stale.write_text("old")
    os.utime(stale, (0, 0))
    path, result = exports.export_to_file(session, filters=CallFilters(), viewer=staff["sofie"], fmt="csv",
                                          include_contact=False, directory=tmp_path)
    assert result.rows == 1
    assert path.stat().st_mode & 0o077 == 0
    assert not stale.exists()
