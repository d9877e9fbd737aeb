"""Exports of the call log as CSV or XLSX, streamed so memory stays flat at a million calls.

Personal fields are left out unless asked for. The CSV is the one format of every export
(advisory.spreadsheet: ";" separator, decimal comma, UTF-8 with BOM, formula cells neutralised); XLSX cells
are neutralised the same way and written as strings (data type "s"), never as formulas.

Prepared files (a call-log export, a member's access export) wait owner-only in EXPORT_DIR for their
download, are deleted when downloaded, and at the latest after EXPORT_MAX_AGE_SECONDS: every new export
and every purge sweeps older ones, and an erasure deletes them all (services.privacy).
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Literal

from sqlalchemy import URL, Connection
from sqlmodel import Session

from advisory import access, spreadsheet
from advisory.formatting import LOCAL_TZ, to_local
from db.engine import sqlite_path
from db.repositories import audit
from db.repositories.call_log import (
    CallFilters,
    ExportKey,
    count_calls,
    export_key_at,
    iter_call_columns,
    iter_calls,
    json_list,
)
from db.repositories.users import StaffUser

if TYPE_CHECKING:
    from openpyxl.cell import WriteOnlyCell

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


def _code_list_text(value: list[str] | None) -> str:
    return ";".join(value) if value else ""


# --- the CSV's cells, a column of a chunk at a time ----------------------------------------------------
# The export reads each chunk column by column (db.repositories.call_log.iter_call_columns: values as
# stored, nothing parsed per row) and converts a column at a time, with a fast path for what a million
# calls mostly hold. Each gives exactly the cell of the per-value functions above.

_CACHE_LIMIT = 50_000  # distinct values remembered per column (lists of codes, names): memory stays flat
# "YYYY-MM-DD HH" of a UTC hour -> the same of its Copenhagen hour (None: not a whole-hour offset).
_LOCAL_HOURS: dict[str, str | None] = {}


def _local_hour(utc_hour: str) -> str | None:
    if (local := _LOCAL_HOURS.get(utc_hour, "")) != "":
        return local
    instant = datetime.fromisoformat(f"{utc_hour}:00:00").replace(tzinfo=UTC)
    offset = instant.astimezone(LOCAL_TZ).utcoffset()
    whole_hours = offset is not None and offset.total_seconds() % 3600 == 0
    local = _time_text(instant)[:13] if whole_hours else None
    if len(_LOCAL_HOURS) >= _CACHE_LIMIT:
        _LOCAL_HOURS.clear()
    _LOCAL_HOURS[utc_hour] = local
    return local


def _stored_time_text(value: Any) -> str:
    """One stored time (SQLite's UTC text, or a datetime) as its Copenhagen wall-time cell."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _time_text(value if value.tzinfo is not None else value.replace(tzinfo=UTC))
    if len(value) in (19, 26) and value[10] == " " and value[13] == ":" and value[16] == ":":
        # Copenhagen is a whole number of hours from UTC: the minutes and seconds stay, the hour moves.
        if (local := _local_hour(value[:13])) is not None:
            return local + value[13:19]
    parsed = datetime.fromisoformat(value)
    return _time_text(parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC))


def _times_column(values: Sequence[Any]) -> list[str]:
    hours = _LOCAL_HOURS
    cells = []
    for value in values:
        if value.__class__ is str and len(value) == 26 and (local := hours.get(value[:13])):
            cells.append(local + value[13:19])
        else:
            cells.append(_stored_time_text(value))
    return cells


def _cached(convert: Callable[[Any], Any]) -> Callable[[Sequence[Any]], list[Any]]:
    """A column converter that converts each distinct value once in an export (codes, lists of codes,
    names): made afresh for each export, and forgetting when it has seen _CACHE_LIMIT values."""
    known: dict[Any, Any] = {}

    def column(values: Sequence[Any]) -> list[Any]:
        new = set(values).difference(known)
        if len(known) + len(new) > _CACHE_LIMIT:
            known.clear()
            new = set(values)
        for value in new:
            known[value] = convert(value)
        return list(map(known.__getitem__, values))
    return column


def _stored_list_text(value: Any) -> str:
    return _list_text(json_list(value)) if value is not None else ""


def _stored_code_list_text(value: Any) -> str:
    return _code_list_text(json_list(value)) if value is not None else ""


def _joined_text(value: str | None) -> str:
    return neutralise(value) if value else ""


def _joined_code_text(value: str | None) -> str:
    return value or ""


def _texts_column(values: Sequence[Any]) -> list[str]:
    cells = spreadsheet.neutralise_all(values)
    if any(cell is not None and cell.__class__ is not str for cell in cells):
        cells = [cell if cell is None or cell.__class__ is str else spreadsheet.cell_text(cell) for cell in cells]
    return spreadsheet.csv_fields(cells)


_BOOLEAN_FIELDS = {True: "True", False: "False", None: ""}  # csv.writer writes a bool as str() does


def _booleans_column(values: Sequence[Any]) -> list[str]:
    """Yes/no ("True", "False"); SQLite's driver gives 1 and 0."""
    fields = _BOOLEAN_FIELDS
    return [fields[value] if value is None or value == 0 or value == 1 else spreadsheet.csv_field(_text(value))
            for value in values]


_STORED_TIME_COLUMNS = {"started_at", "ended_at", "anonymised_at"}
# Numbers: as csv.writer writes them (str(), nothing for None).
_NUMBER_COLUMNS = {"id", "duration_seconds"}
# Few distinct values: each converted once per export, to its CSV field. The vocabulary's codes are
# written as they are (None as nothing), there is nothing to neutralise.
_CACHED_CELLS: dict[str, Callable[[Any], Any]] = {
    "caller_role": lambda value: value, "group_id": lambda value: value, "disposition": lambda value: value,
    "outcome": lambda value: value, "lang": lambda value: value,
    "flags": _stored_code_list_text,
    "delivered_blocks": _stored_list_text,
    "topics": _joined_code_text,
    "library_slugs": _joined_text,
    "advisor_name": lambda value: "" if value is None else _text(value),
    "content_version": _text,
}


def _column_converter(name: str) -> Callable[[Sequence[Any]], list[str]]:
    """The CSV fields of one column of a chunk (values as iter_call_columns reads them)."""
    if name in _NUMBER_COLUMNS:
        return spreadsheet.csv_fields
    if name in _STORED_TIME_COLUMNS:  # "YYYY-MM-DD HH:MM:SS" or nothing: never quoted
        return _times_column
    if name == "contact_consent":
        return _booleans_column
    if name in _CACHED_CELLS:
        cell = _CACHED_CELLS[name]
        return _cached(lambda value: spreadsheet.csv_field(cell(value)))
    return _texts_column


def csv_field_chunks(chunks: Iterable[list[Sequence[Any]]], columns: Sequence[str]) -> Iterator[list[Sequence[str]]]:
    """Chunks from `iter_call_columns` (column by column, values as stored) as columns of CSV fields
    (advisory.spreadsheet.write_csv_field_chunks)."""
    converters = [_column_converter(name) for name in columns]
    for chunk in chunks:
        for index, convert in enumerate(converters):  # in place: each column's stored values go as converted
            chunk[index] = convert(chunk[index])
        yield chunk


def export_rows(calls: Iterable[dict[str, Any]], columns: tuple[str, ...]) -> Iterator[list[Any]]:
    """Rows for the XLSX: numbers stay numbers."""
    for call in calls:
        yield [_value(call.get(name)) for name in columns]


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
    from openpyxl import Workbook  # here: openpyxl (and numpy with it) costs a CSV export ~20 MB per process

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
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

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


# A CSV export of at least this many calls is read and written by two processes (this one and
# services.export_worker), each its half; the worker's (the older calls) is appended when both are done.
# A million calls take about 21 s of CPU (mostly SQLite's reading and the text written, C code); on a
# shared 2-core machine one process does not reliably finish them in issue 25's 30 seconds, two do.
PARALLEL_MIN_ROWS = 200_000


class _Marks:
    """Tells `progress` (rows written, rows in all) at every PROGRESS_EVERY_ROWS rows written, however
    many rows come at once."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total, self.progress, self.told = total, progress, 0
        if progress is not None:
            progress(0, total)

    def update(self, done: int) -> None:
        if self.progress is None:
            return
        for mark in range(self.told + PROGRESS_EVERY_ROWS, done + 1, PROGRESS_EVERY_ROWS):
            self.progress(mark, self.total)
            self.told = mark

    def finish(self, done: int) -> None:
        self.update(done)
        if self.progress is not None:
            self.progress(done, max(self.total, done))


class _Counted:
    """The rows of the chunks (column by column) passing through, counted (`done`); `seen` is told the running count."""

    def __init__(self, seen: Callable[[int], None]) -> None:
        self.done, self.seen = 0, seen

    def counting(self, chunks: Iterable[list[Sequence[str]]]) -> Iterator[list[Sequence[str]]]:
        for fields in chunks:  # a chunk column by column
            yield fields
            self.done += len(fields[0]) if fields else 0
            self.seen(self.done)


def _cell_chunks(session: Session, *, filters: CallFilters, viewer: StaffUser, columns: tuple[str, ...],
                 stop_at: ExportKey | None = None) -> Iterator[list[Sequence[Any]]]:
    return csv_field_chunks(iter_call_columns(session, filters=filters, viewer=viewer, columns=columns,
                                             chunk_size=PROGRESS_EVERY_ROWS, stop_at=stop_at), columns)


def _write_csv_export(session: Session, *, filters: CallFilters, viewer: StaffUser, columns: tuple[str, ...],
                      target: BinaryIO, progress: Progress | None) -> int:
    """The CSV export: chunks read column by column, converted a column at a time, written a chunk at a
    time by advisory.spreadsheet (the one CSV format); a large one in two parts by two processes."""
    total = count_calls(session, filters=filters, viewer=viewer)
    marks = _Marks(total, progress)
    split = _split_key(session, filters=filters, viewer=viewer, total=total)
    if split is None:
        counted = _Counted(marks.update)
        spreadsheet.write_csv_field_chunks(
            counted.counting(_cell_chunks(session, filters=filters, viewer=viewer, columns=columns)), target, columns)
        marks.finish(counted.done)
        return counted.done
    spreadsheet.write_csv_field_chunks((), target, columns)  # the BOM and the header
    with tempfile.TemporaryFile() as theirs:  # the worker's part: no name on disk, 0600
        worker = _Worker(session, filters=filters, viewer=viewer, columns=columns, start_at=split, part=theirs)
        try:
            counted = _Counted(lambda done: marks.update(done + worker.rows))
            spreadsheet.write_csv_field_chunks(
                counted.counting(_cell_chunks(session, filters=filters, viewer=viewer, columns=columns,
                                              stop_at=split)), target, None)
            while not worker.wait(0.2):
                marks.update(counted.done + worker.rows)
            theirs.seek(0)
            shutil.copyfileobj(theirs, target, 1 << 20)
        finally:
            worker.stop()
    done = counted.done + worker.rows
    marks.finish(done)
    return done


def _engine_url(session: Session) -> URL:
    bind = session.get_bind()
    return bind.engine.url if isinstance(bind, Connection) else bind.url


def _split_key(session: Session, *, filters: CallFilters, viewer: StaffUser, total: int) -> ExportKey | None:
    """Where the second process's part ends (the first call of this process's part), for a large export
    of a database another process can open (a file or a server, not an in-memory SQLite)."""
    if total < PARALLEL_MIN_ROWS:
        return None
    url = _engine_url(session)
    if url.get_backend_name() == "sqlite" and sqlite_path(url.render_as_string(hide_password=False)) is None:
        return None
    return export_key_at(session, filters=filters, viewer=viewer, position=total // 2)


class _Worker:
    """services.export_worker, writing the calls from `start_at` on (the older part) into `part` (a file
    this process appends to the export once both parts are written); it tells its rows as it goes."""

    def __init__(self, session: Session, *, filters: CallFilters, viewer: StaffUser, columns: tuple[str, ...],
                 start_at: ExportKey, part: BinaryIO) -> None:
        self.rows = 0
        self.error: BaseException | None = None
        self.peak_mb: float | None = None
        self._errors = tempfile.TemporaryFile()
        root = str(Path(__file__).resolve().parents[1])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (root, os.environ.get("PYTHONPATH"))))}
        fd = part.fileno()
        self._process = subprocess.Popen([sys.executable, "-m", "services.export_worker"], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=self._errors, env=env, cwd=root,
                                         pass_fds=(fd,))
        job = {"url": _engine_url(session).render_as_string(hide_password=False), "filters": filters,
               "viewer": viewer, "columns": columns, "start_at": start_at, "fd": fd}
        assert self._process.stdin is not None and self._process.stdout is not None
        try:
            self._process.stdin.write(pickle.dumps(job))
            self._process.stdin.close()
        except BrokenPipeError:  # it ended before reading its job: wait() reports how
            pass
        self._thread = threading.Thread(target=self._count, args=(self._process.stdout,), daemon=True)
        self._thread.start()

    def _count(self, told: BinaryIO) -> None:
        try:
            for line in told:  # the rows written so far, a line per chunk
                self.rows = int(line)
        except BaseException as error:  # handed to the exporting thread by wait()
            self.error = error

    def wait(self, seconds: float) -> bool:
        """Whether the worker is done (within `seconds`); raises if it failed."""
        self._thread.join(seconds)
        if self._thread.is_alive():
            return False
        code = self._process.wait()
        self._errors.seek(0)
        report = self._errors.read().decode(errors="replace")
        if self.error is not None or code != 0:
            raise RuntimeError(f"the export worker failed (exit {code}): {report[-2000:]}") from self.error
        last = report.strip().splitlines()[-1] if report.strip() else "{}"
        self.peak_mb = json.loads(last).get("peak_mb")
        return True

    def stop(self) -> None:
        """End the worker if it still runs (this export failed), and let go of its pipes."""
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._thread.join()
        self._errors.close()
        global last_worker_peak_mb
        last_worker_peak_mb = self.peak_mb


last_worker_peak_mb: float | None = None  # the last export's worker's peak memory, for bench/call_log.py


def export_calls(session: Session, *, filters: CallFilters, viewer: StaffUser, fmt: Format,
                 include_contact: bool, target: BinaryIO, progress: Progress | None = None) -> ExportResult:
    """Write the filtered log to `target` as the rows are read and record the export (with its filters) in
    the audit log. `progress` (rows written, rows in all) is told every PROGRESS_EVERY_ROWS rows."""
    access.require(access.exports_calls(viewer), "exporting calls")  # AccessDenied is a PermissionError
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"unknown export format: {fmt}")
    columns = columns_for(include_contact)
    if fmt == "csv":
        n = _write_csv_export(session, filters=filters, viewer=viewer, columns=columns, target=target,
                              progress=progress)
    else:
        rows = export_rows(iter_calls(session, filters=filters, viewer=viewer), columns)
        if progress is not None:
            rows = _reporting(rows, count_calls(session, filters=filters, viewer=viewer), progress)
        n = write_xlsx(rows, columns, target)
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
