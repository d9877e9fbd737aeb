"""Exports of the call log as CSV or XLSX, streamed so memory stays flat at a million calls.

Personal fields are left out unless asked for. The CSV is the one format of every export
(advisory.spreadsheet: ";" separator, decimal comma, UTF-8 with BOM, formula cells neutralised); XLSX cells
are neutralised the same way and written as strings (data type "s"), never as formulas.

Prepared files (a call-log export, a member's access export) wait owner-only in EXPORT_DIR for their
download, are deleted when downloaded, and at the latest after EXPORT_MAX_AGE_SECONDS: every new export
and every purge sweeps older ones, and an erasure deletes them all (services.privacy).
"""

from __future__ import annotations

import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Literal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlmodel import Session

from advisory import access, spreadsheet
from advisory.formatting import LOCAL_TZ, to_local
from db.repositories import audit
from db.repositories.call_log import CallFilters, count_calls, iter_call_rows, iter_calls
from db.repositories.users import StaffUser

Format = Literal["csv", "xlsx"]
FORMULA_PREFIXES = spreadsheet.FORMULA_PREFIXES
neutralise = spreadsheet.neutralise

BASE_COLUMNS = (
    "id", "started_at", "ended_at", "duration_seconds", "advisor_name", "caller_role", "group_id", "flags",
    "topics", "disposition", "outcome", "delivered_blocks", "library_slugs", "content_version", "lang",
    "contact_consent", "anonymised_at",
)
# Personal data: only with "include contact details" (notes are free text and may name people too).
PERSONAL_COLUMNS = ("member_number", "caller_name", "phone", "email", "notes")

CSV_CHUNK_ROWS = spreadsheet.CHUNK_ROWS
# Prepared exports wait here (owner-only) for the download; a stale one holds personal data for no
# reason, so each new export sweeps away those older than EXPORT_MAX_AGE_SECONDS.
EXPORT_DIR = Path(tempfile.gettempdir()) / "advice-console-exports"
EXPORT_MAX_AGE_SECONDS = 15 * 60
PREPARED_PREFIXES = ("call-log-", "access-")
MIME_TYPES = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass(frozen=True)
class ExportResult:
    rows: int
    format: Format
    include_contact: bool


def columns_for(include_contact: bool) -> tuple[str, ...]:
    return BASE_COLUMNS + (PERSONAL_COLUMNS if include_contact else ())


def _value(value: Any) -> Any:
    """A call's field as the XLSX holds it: times in Danish local time, lists joined with ";"."""
    if value is None or value.__class__ is str or value.__class__ is int:  # the common cases first
        return value
    if isinstance(value, datetime):
        return to_local(value).replace(tzinfo=None)
    if isinstance(value, list | tuple):
        return ";".join(str(item) for item in value)
    return value


def _time_text(value: datetime | None) -> str:
    if value is None:
        return ""
    # Copenhagen wall time; the slice drops the "+01:00" instead of building a naive copy first.
    return value.astimezone(LOCAL_TZ).isoformat(sep=" ", timespec="seconds")[:19]


def _list_text(value: list[str] | None) -> str:
    return neutralise(";".join(value)) if value else ""


def _text(value: Any) -> str:
    if value.__class__ is str:
        return neutralise(value)
    return spreadsheet.cell_text(value)


_TIME_COLUMNS = {"started_at", "ended_at", "anonymised_at"}
_LIST_COLUMNS = {"delivered_blocks", "library_slugs"}
# Numbers, yes/no and the vocabulary's codes (enums on input, lists of them too): the csv writer writes them
# as they are (None as nothing), there is nothing to neutralise.
_CODE_COLUMNS = {"id", "duration_seconds", "caller_role", "group_id", "disposition", "outcome", "lang",
                 "contact_consent"}
_CODE_LIST_COLUMNS = {"flags", "topics"}


def _code_list_text(value: list[str] | None) -> str:
    return ";".join(value) if value else ""


def _cell_converter(name: str) -> Callable[[Any], Any] | None:
    """The CSV cell of one column, chosen once per export rather than per value (a million rows); None:
    the value goes to the csv writer as it is."""
    if name in _TIME_COLUMNS:
        return _time_text
    if name in _LIST_COLUMNS:
        return _list_text
    if name in _CODE_LIST_COLUMNS:
        return _code_list_text
    if name in _CODE_COLUMNS:
        return None
    return _text


def export_rows(calls: Iterable[dict[str, Any]], columns: tuple[str, ...]) -> Iterator[list[Any]]:
    """Rows for the XLSX: numbers stay numbers."""
    for call in calls:
        yield [_value(call.get(name)) for name in columns]


def export_cells(rows: Iterable[Sequence[Any]], columns: tuple[str, ...]) -> Iterator[list[str]]:
    """Rows (lists in `columns` order, from iter_call_rows) for the CSV: each value already its neutralised
    cell text (advisory.spreadsheet's format)."""
    converters = [(index, convert) for index, name in enumerate(columns)
                  if (convert := _cell_converter(name)) is not None]
    for row in rows:
        cells = list(row)
        for index, convert in converters:
            cells[index] = convert(cells[index])
        yield cells


def csv_chunks(rows: Iterable[Sequence[Any]], columns: Sequence[str],
               chunk_rows: int = CSV_CHUNK_ROWS) -> Iterator[str]:
    """The CSV text in chunks of `chunk_rows` rows (header first); never the whole file at once."""
    return spreadsheet.csv_chunks(rows, columns, chunk_rows)


def write_csv(rows: Iterable[Sequence[Any]], columns: Sequence[str], target: BinaryIO, *, cells: bool = False) -> int:
    """The one CSV format (advisory.spreadsheet); returns the number of data rows."""
    return spreadsheet.write_csv(rows, columns, target, cells=cells)


def write_xlsx(rows: Iterable[Sequence[Any]], columns: Sequence[str], target: BinaryIO | Path) -> int:
    """openpyxl's write-only mode streams rows to a temporary file instead of keeping cells in memory.

    Numbers stay numbers; everything else goes in as a neutralised string cell (openpyxl would otherwise
    store a text starting with "=" as a formula).
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("calls")
    sheet.append(list(columns))
    n = 0
    for row in rows:
        sheet.append([value if value is None or (isinstance(value, int | float) and not isinstance(value, bool))
                      else _text_cell(sheet, spreadsheet.cell_text(value)) for value in row])
        n += 1
    workbook.save(target)
    return n


def _text_cell(sheet, value: str) -> WriteOnlyCell:
    # Control characters are not allowed in XLSX (openpyxl refuses them); older notes may hold some. What
    # is left after removing them is neutralised again: "\x07=1" must not become "=1".
    cell = WriteOnlyCell(sheet, value=spreadsheet.neutralise(ILLEGAL_CHARACTERS_RE.sub("", value)))
    cell.data_type = "s"
    return cell


Progress = Callable[[int, int], None]  # (rows written, rows in all)
PROGRESS_EVERY_ROWS = 5000


def _reporting(rows: Iterable[list[Any]], total: int, progress: Progress) -> Iterator[list[Any]]:
    done = 0
    progress(0, total)
    for row in rows:
        yield row
        done += 1
        if done % PROGRESS_EVERY_ROWS == 0:
            progress(done, total)
    progress(done, max(total, done))


def export_calls(session: Session, *, filters: CallFilters, viewer: StaffUser, fmt: Format,
                 include_contact: bool, target: BinaryIO, progress: Progress | None = None) -> ExportResult:
    """Write the filtered log to `target` as the rows are read and record the export (with its filters) in
    the audit log. `progress` (rows written, rows in all) is told every PROGRESS_EVERY_ROWS rows."""
    access.require(access.exports_calls(viewer), "exporting calls")  # AccessDenied is a PermissionError
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"unknown export format: {fmt}")
    columns = columns_for(include_contact)
    if fmt == "csv":
        rows = export_cells(iter_call_rows(session, filters=filters, viewer=viewer, columns=columns), columns)
    else:
        rows = export_rows(iter_calls(session, filters=filters, viewer=viewer), columns)
    if progress is not None:
        rows = _reporting(rows, count_calls(session, filters=filters, viewer=viewer), progress)
    n = write_csv(rows, columns, target, cells=True) if fmt == "csv" else write_xlsx(rows, columns, target)
    audit.record(session, action="export", actor_id=viewer.id, actor_name=viewer.username, object_type="call_log",
                 detail={"format": fmt, "include_contact": include_contact, "rows": n,
                         "filters": filters.audit_summary()})
    return ExportResult(rows=n, format=fmt, include_contact=include_contact)


def _export_dir(directory: Path) -> Path:
    """The owner-only folder of prepared exports; refuse one that another user could read or replace."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = directory.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise PermissionError(f"{directory} is not a folder of this user: refusing to put exports there")
    if stat.S_IMODE(info.st_mode) != 0o700:
        directory.chmod(0o700)
    return directory


def _prepared(directory: Path) -> Iterator[Path]:
    if directory.is_dir():
        for prefix in PREPARED_PREFIXES:
            yield from directory.glob(f"{prefix}*")


def sweep_exports(directory: Path = EXPORT_DIR, *, max_age_seconds: float = EXPORT_MAX_AGE_SECONDS) -> int:
    """Delete prepared exports older than `max_age_seconds`; returns how many went."""
    removed = 0
    oldest = time.time() - max_age_seconds
    for path in _prepared(directory):
        try:
            if path.stat().st_mtime < oldest:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # downloaded or swept by another session meanwhile
            continue
    return removed


def discard_all_prepared(directory: Path = EXPORT_DIR) -> int:
    """Delete every prepared export, whatever its age (after an erasure: any of them may name the member)."""
    removed = 0
    for path in _prepared(directory):
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            continue
    return removed


def prepare_file(write: Callable[[BinaryIO], Any], *, prefix: str, suffix: str,
                 directory: Path = EXPORT_DIR) -> tuple[Path, Any]:
    """Run `write` on a new owner-only file in `directory`; returns its path and what `write` returned.

    Sweeps stale exports first; a failed `write` leaves no file behind.
    """
    if prefix not in PREPARED_PREFIXES:
        raise ValueError(f"unknown export prefix {prefix!r}")
    sweep_exports(_export_dir(directory))
    handle, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=directory)  # mode 0600
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as target:
            result = write(target)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, result


def take_prepared(path: Path) -> bytes:
    """The prepared file's content for its download; the file is deleted as it is handed over."""
    try:
        return path.read_bytes()
    finally:
        path.unlink(missing_ok=True)


def export_to_file(session: Session, *, filters: CallFilters, viewer: StaffUser, fmt: Format,
                   include_contact: bool, directory: Path = EXPORT_DIR,
                   progress: Progress | None = None) -> tuple[Path, ExportResult]:
    """Write the export to a new owner-only file in `directory` (for the page's download button)."""
    return prepare_file(
        lambda target: export_calls(session, filters=filters, viewer=viewer, fmt=fmt,
                                    include_contact=include_contact, target=target, progress=progress),
        prefix="call-log-", suffix=f".{fmt}", directory=directory)
