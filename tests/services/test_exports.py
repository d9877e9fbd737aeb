"""Exports of the call log: formula injection neutralised, personal data only on request, streamed, audited."""

import csv
import io
import os
import re
import time
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from db.models import AuditEvent, Call, CallCreate, UserCreate
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
        ("\r=1", "'\r'=1"),
        ("Linje 1\n- punkt\n=2", "Linje 1\n'- punkt\n'=2"),
        ("Helt almindelig note", "Helt almindelig note"),
        # A Danish spreadsheet splits on ";" (and a comma-separated reader on ","): every piece counts.
        ("Ring igen;=HYPERLINK(\"http://evil\")", "Ring igen;'=HYPERLINK(\"http://evil\")"),
        ("Navn, +45 12 34 56 78", "Navn, '+45 12 34 56 78"),
        ("x;  @SUM(A1)", "x;  '@SUM(A1)"),
        ("note;\t=1", "note;'\t=1"),
        ('abc;"=1+1"', 'abc;"\'=1+1"'),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("a;\uff0bcmd,\uff0d2;\uff20x", "a;'\uff0bcmd,'\uff0d2;'\uff20x"),
        ("5,-10 kr", "5,'-10 kr"),
        ("a,b;c d", "a,b;c d"),
        ("a=b", "a=b"),
        # A leading control character of any kind: a note typed with a carriage return first is stored
        # with a line feed first.
        ("\nHYPERLINK", "'\nHYPERLINK"),
        ("\n=1", "'\n'=1"),
        ("\x07 klokke", "'\x07 klokke"),
        (' "\x0b=1', "' \"\x0b=1"),
        ("\x00", "'\x00"),
        ("\x85next line", "'\x85next line"),
        ("Linje 1\n\nLinje 3", "Linje 1\n\nLinje 3"),
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
    assert list(csv.reader(io.StringIO("".join(chunks)), delimiter=";"))[0:2] == [["a", "b"], ["0", "x"]]


def test_csv_opens_as_columns_with_danish_decimals():
    # What Danish Excel does with the file: a BOM says UTF-8, ";" splits the columns, "," is the decimal mark.
    target = io.BytesIO()
    rows = [[1, "Løft, balance", 2.5, None], [2, "Smerter; ryg", -0.25, True]]
    assert exports.write_csv(iter(rows), ("id", "tekst", "andel", "ja"), target) == 2
    data = target.getvalue()
    assert data.startswith("\ufeff".encode())
    read = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert read == [["id", "tekst", "andel", "ja"], ["1", "Løft, balance", "2,5", ""],
                    ["2", "Smerter; ryg", "-0,25", "True"]]


def test_export_reports_progress_as_it_writes(session, staff, hostile_call):
    seen = []
    exports.export_calls(session, filters=CallFilters(), viewer=staff["sofie"], fmt="csv", include_contact=False,
                         target=io.BytesIO(), progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 1) and seen[-1] == (1, 1)


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
    return result, list(csv.DictReader(io.StringIO(text), delimiter=";"))


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


SPLIT_HOSTILE = ("Ring; =HYPERLINK(\"http://evil.example\"); +45, -1, @SUM(A1);\t=2;\r=3;"
                 "\uff1dcmd;\"=4\"")
FORMULA_START = tuple(exports.FORMULA_PREFIXES)


def _formula_pieces(text: str) -> list[str]:
    """Every piece of the file a spreadsheet could read as a cell, however it splits (, or ;), that starts
    like a formula once spaces and quotes are skipped."""
    pieces = [piece for line in text.splitlines() for piece in re.split(r"[,;]", line)]
    return [piece for piece in pieces if piece.lstrip(' "').startswith(FORMULA_START)]


def test_no_piece_of_a_csv_export_starts_like_a_formula_whatever_the_separator(session, staff):
    calls.save_call(session, data=CallCreate(
        started_at=START, ended_at=START + timedelta(minutes=5), advisor_id=staff["rikke"].id,
        group_id="function_limited", contact_consent=True, caller_name="=Navn;@x", notes=SPLIT_HOSTILE))
    session.commit()
    target = io.BytesIO()
    exports.export_calls(session, filters=CallFilters(), viewer=staff["sofie"], fmt="csv", include_contact=True,
                         target=target)
    text = target.getvalue().decode("utf-8-sig")
    assert "HYPERLINK" in text and "\uff1dcmd" in text
    assert _formula_pieces(text) == []
    for delimiter in (",", ";"):
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            assert not [cell for cell in row if cell.lstrip(' "').startswith(FORMULA_START)]


def _xlsx_notes_cell(session, viewer, path):
    """The first call's notes cell of an XLSX export with contact details written to `path`."""
    with path.open("wb") as target:
        exports.export_calls(session, filters=CallFilters(), viewer=viewer, fmt="xlsx", include_contact=True,
                             target=target)
    sheet = load_workbook(path)["calls"]
    header = [cell.value for cell in sheet[1]]
    return sheet.cell(row=2, column=header.index("notes") + 1)


def test_xlsx_text_cells_are_strings_never_formulas(session, staff, hostile_call, tmp_path):
    # Older notes may hold control characters (refused in XLSX): the export must still be written.
    session.execute(Call.__table__.update().values(notes="=1+1\x07 klokke"))
    session.commit()
    path = tmp_path / "log.xlsx"
    notes = _xlsx_notes_cell(session, staff["sofie"], path)
    assert (notes.data_type, notes.value) == ("s", "'=1+1 klokke")
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml


@pytest.mark.parametrize("note", ["\n=SUM(A1)", "\nHYPERLINK", "\x07=1+1", "\x1b[31m", "\r@x"])
def test_a_leading_control_character_is_neutralised_in_csv_and_xlsx(session, staff, hostile_call, tmp_path, note):
    # Stored as it is (older notes, or a carriage return typed first and stored as a line feed).
    session.execute(Call.__table__.update().values(notes=note))
    session.commit()
    _, rows = _csv_rows(session, staff["sofie"], include_contact=True)
    assert rows[0]["notes"].startswith("'")
    cell = _xlsx_notes_cell(session, staff["sofie"], tmp_path / "log.xlsx")
    assert cell.data_type == "s" and cell.value.startswith("'"), repr(cell.value)


def test_a_prepared_file_goes_once_downloaded(tmp_path):
    path, _ = exports.prepare_file(lambda target: target.write(b"data"), prefix="access-", suffix=".json",
                                   directory=tmp_path / "exports")
    assert (path.parent.stat().st_mode & 0o777, path.stat().st_mode & 0o777) == (0o700, 0o600)
    assert exports.take_prepared(path) == b"data"
    assert not path.exists()


def test_prepared_files_live_fifteen_minutes_at_most(tmp_path):
    fresh, _ = exports.prepare_file(lambda target: None, prefix="call-log-", suffix=".csv", directory=tmp_path)
    old, _ = exports.prepare_file(lambda target: None, prefix="access-", suffix=".json", directory=tmp_path)
    unrelated = tmp_path / "notes.txt"
    unrelated.write_text("not an export")
    fourteen_minutes_ago = time.time() - 14 * 60
    os.utime(fresh, (fourteen_minutes_ago, fourteen_minutes_ago))
    os.utime(old, (time.time() - 16 * 60,) * 2)
    assert exports.EXPORT_MAX_AGE_SECONDS == 15 * 60
    assert exports.sweep_exports(tmp_path) == 1
    assert fresh.exists() and not old.exists() and unrelated.exists()
    assert exports.discard_all_prepared(tmp_path) == 1
    assert not fresh.exists() and unrelated.exists()


def test_exports_refuse_a_folder_that_is_not_their_own(tmp_path):
    real = tmp_path / "elsewhere"
    real.mkdir()
    link = tmp_path / "exports"
    link.symlink_to(real)
    with pytest.raises(PermissionError):
        exports.prepare_file(lambda target: None, prefix="access-", suffix=".json", directory=link)
    assert list(real.iterdir()) == []


def test_times_are_copenhagen_wall_time_across_the_clock_change():
    # 29 March 2026: 01:30 UTC is 03:30 summer time; 25 October 2026: 00:30 UTC is 02:30 summer time and
    # 01:30 UTC is 02:30 winter time. As PostgreSQL's driver gives them (datetimes) and as SQLite stores them.
    times = [datetime(2026, 3, 29, 1, 30, tzinfo=UTC), datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
             datetime(2026, 10, 25, 1, 30, 59, 999999, tzinfo=UTC), datetime(2026, 10, 25, 0, 59, 59, tzinfo=UTC)]
    stored = [time.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds") for time in times]
    expected = ["2026-03-29 03:30:00", "2026-10-25 02:30:00", "2026-10-25 02:30:59", "2026-10-25 02:59:59", ""]
    for values in ([*times, None], [*stored, None], [*(value[:19] for value in stored), None]):
        [[cells]] = exports.csv_field_chunks([[values]], ("started_at",))
        assert cells == expected, values
