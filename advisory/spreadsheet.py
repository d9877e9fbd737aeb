"""The one CSV format of every export (call log, statistics tables): what Danish Excel opens as columns.

";" between fields, a decimal comma, UTF-8 with a byte-order mark (so Excel reads æøå right), and every
text cell a spreadsheet could run as a formula neutralised with an apostrophe (OWASP "CSV injection").

Neutralising: a Danish spreadsheet splits a line on ";" (and Python's csv module does not quote ","), so
not only the cell's start counts: every piece after a "," or ";" (or a line break, for readers that split
lines naively) that starts with = + - @, a tab or a carriage return (or the full-width ＝＋－＠) gets its
apostrophe, spaces and quotes skipped (a spreadsheet also runs a quoted "=..." as a formula). A cell that
starts with any other control character (a line feed, as a note typed with a carriage return first is
stored, a bell, a form feed ...) gets one as well: some readers drop or split on them, which would leave
whatever follows at the start of the cell. XLSX cells are neutralised the same way (services.exports).

Rows are written as they come (an iterator in, chunks out), so an export of a million calls never holds
more than one chunk of text.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, BinaryIO, Protocol

SEPARATOR = ";"
DECIMAL_MARK = ","
BOM = "\ufeff"
CHUNK_ROWS = 2000

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")  # and ＝＋－＠
# A piece of a cell (its start, or after a "," or ";" or a line break; spaces and quotes skipped) that
# begins like a formula.
_FORMULA_PIECE = re.compile(r'(^|[,;\n\r])([ "]*)(?=[=+\-@\t\r\uff1d\uff0b\uff0d\uff20])')
# A cell that begins (spaces and quotes skipped) with any control character: C0, DEL and C1.
CONTROL_CHARACTERS = "\x00-\x1f\x7f-\x9f"
_LEADING_CONTROL = re.compile(f'[ "]*[{CONTROL_CHARACTERS}]')
# Quick test: a cell with none of these characters needs no neutralising (the common case, by far).
_SUSPECT = re.compile(f"[=+\\-@\uff1d\uff0b\uff0d\uff20{CONTROL_CHARACTERS}]")


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet could run as a formula becomes plain text; other values pass through."""
    if value.__class__ is not str or not _SUSPECT.search(value):
        return value
    if _FORMULA_PIECE.search(value):
        value = _FORMULA_PIECE.sub(r"\1\2'", value)
    if _LEADING_CONTROL.match(value):
        value = "'" + value
    return value


def neutralise_all(values: Sequence[Any]) -> list[Any]:
    """`neutralise` of each value (a column of an export chunk): the quick test inline, no call per value
    that needs nothing."""
    suspect = _SUSPECT.search
    try:  # one pass over the column's texts (a space is no suspect character): mostly nothing to do
        if suspect(" ".join(filter(None, values))) is None:
            return list(values)
    except TypeError:  # not all texts
        pass
    return [value if value.__class__ is not str or not suspect(value) else neutralise(value) for value in values]


def cell_text(value: Any) -> str:
    """One value as the CSV cell holds it: numbers with a decimal comma, nothing for None/NaN, dates ISO,
    text neutralised. (Date-times are the caller's to put in local time first.)"""
    if value.__class__ is str:
        return neutralise(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value).replace(".", DECIMAL_MARK)
    if isinstance(value, Decimal):
        return str(value).replace(".", DECIMAL_MARK)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):  # a numpy number: as the Python number it stands for
        return cell_text(value.item())
    return neutralise(str(value))


def csv_chunks(rows: Iterable[Sequence[Any]], columns: Sequence[str], chunk_rows: int = CHUNK_ROWS, *,
               cells: bool = False) -> Iterator[str]:
    """The CSV text (header first, no BOM) in chunks of `chunk_rows` rows; never the whole file at once.

    `cells`: the rows are already cell texts (`cell_text`, or the export's own faster per-column
    conversion, neutralised alike), written as they are."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=SEPARATOR, lineterminator="\r\n")
    writer.writerow([cell_text(name) for name in columns])
    pending: list[Sequence[Any]] = []
    for row in rows:
        pending.append(row if cells else [cell_text(value) for value in row])
        if len(pending) >= chunk_rows:
            writer.writerows(pending)
            pending.clear()
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if pending:
        writer.writerows(pending)
    if buffer.tell():
        yield buffer.getvalue()


def write_csv(rows: Iterable[Sequence[Any]], columns: Sequence[str], target: BinaryIO,
              chunk_rows: int = CHUNK_ROWS, *, cells: bool = False) -> int:
    """Write the CSV (BOM first) to `target` as the rows come; returns the number of data rows."""
    counted = _Counted(rows)
    target.write(BOM.encode())
    for chunk in csv_chunks(counted, columns, chunk_rows, cells=cells):
        target.write(chunk.encode("utf-8"))
    return counted.n


# What makes csv.writer (QUOTE_MINIMAL, ";" and "\r\n", doubled quotes) quote a field.
_NEEDS_QUOTES = re.compile('[;"\r\n]')


def csv_field(value: Any) -> str:
    """One cell (a cell text, or an int, None ...) as csv.writer writes it in this format: str() of a
    non-text, nothing for None, quoted (quotes doubled) when it holds ";", a quote or a line break."""
    if value is None:
        return ""
    if value.__class__ is not str:
        value = str(value)
    if _NEEDS_QUOTES.search(value) is None:
        return value
    return '"' + value.replace('"', '""') + '"'


def csv_fields(values: Sequence[Any]) -> list[str]:
    """`csv_field` of each cell of a column (of an export chunk): one pass over a column of texts that
    need no quotes, which is most of them."""
    try:
        joined = "\x00".join(filter(None, values))  # (an empty text needs no quotes)
    except TypeError:  # numbers among them
        if None not in values and all(value.__class__ is int for value in values):
            return list(map(str, values))
        return [csv_field(value) for value in values]
    if None in values:
        values = [value or "" for value in values]
    search = _NEEDS_QUOTES.search
    if search(joined) is None:
        return list(values)
    return [value if search(value) is None else '"' + value.replace('"', '""') + '"' for value in values]


class Writable(Protocol):
    def write(self, data: bytes, /) -> int: ...


def write_csv_field_chunks(chunks: Iterable[Sequence[Sequence[str]]], target: Writable,
                           columns: Sequence[str] | None) -> None:
    """Write chunks given column by column, each column's cells already CSV fields (`csv_fields`, over
    cell texts neutralised as `cell_text` does): the bytes csv.writer writes for the same cells (as
    `write_csv` does), joined here in C a chunk at a time, since csv.writer's own per-character work was
    a third of a million-call export. With `columns`: the BOM and the header first; without: only the
    rows (a later part of a file written in parts)."""
    if columns is not None:
        header = io.StringIO()
        csv.writer(header, delimiter=SEPARATOR, lineterminator="\r\n").writerow([cell_text(name) for name in columns])
        target.write((BOM + header.getvalue()).encode("utf-8"))
    for fields in chunks:
        if len(fields) == 1:  # csv.writer quotes a row's only field when it is empty, or the line would be blank
            fields = [['""' if field == "" else field for field in fields[0]]]
        if fields and len(fields[0]):
            target.write(("\r\n".join(map(SEPARATOR.join, zip(*fields, strict=True))) + "\r\n").encode("utf-8"))


def csv_bytes(rows: Iterable[Sequence[Any]], columns: Sequence[str]) -> bytes:
    """The whole CSV as bytes (for small tables, such as a statistics breakdown)."""
    target = io.BytesIO()
    write_csv(rows, columns, target)
    return target.getvalue()


class _Counted:
    def __init__(self, rows: Iterable[Sequence[Any]]):
        self._rows = rows
        self.n = 0

    def __iter__(self) -> Iterator[Sequence[Any]]:
        for row in self._rows:
            self.n += 1
            yield row
