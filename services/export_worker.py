"""The second process of a large CSV export (services.exports, issue 25): one part of the rows, in frames.

    python -m services.export_worker   (started by services.exports, never by hand)

Reads its job (pickled by services.exports: the database URL, filters, viewer, columns and where its part
stops) from stdin, so the URL's password never shows in a process list. Writes its part of the CSV (rows
only: no BOM, no header) to stdout as frames, b"<bytes> <rows>\\n" and then the bytes, one per chunk, so
the exporting process can count the rows for its progress bar. Its peak memory goes to stderr at the end.
"""

from __future__ import annotations

import json
import pickle
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from advisory import spreadsheet
from db.engine import get_engine, session_scope
from db.repositories.call_log import iter_call_columns
from services.exports import PROGRESS_EVERY_ROWS, csv_field_chunks


def _peak_mb() -> float | None:
    status = Path("/proc/self/status")
    if not status.exists():
        return None
    for line in status.read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


class _Frames:
    """The target of the csv writing: each chunk's bytes (one write per chunk) go out as a frame that
    names its rows."""

    def __init__(self, out: BinaryIO) -> None:
        self.out, self.rows = out, 0

    def counting(self, chunks: Iterable[list[Sequence[Any]]]) -> Iterator[list[Sequence[Any]]]:
        for fields in chunks:
            self.rows = len(fields[0]) if fields else 0
            yield fields

    def write(self, data: bytes) -> int:
        self.out.write(b"%d %d\n" % (len(data), self.rows))
        self.rows = 0
        return self.out.write(data)


def main() -> None:
    job = pickle.loads(sys.stdin.buffer.read())  # written by services.exports, our own parent
    out = sys.stdout.buffer
    engine = get_engine(job["url"])
    with session_scope(engine) as session:
        columns = job["columns"]
        chunks = iter_call_columns(session, filters=job["filters"], viewer=job["viewer"], columns=columns,
                                   chunk_size=PROGRESS_EVERY_ROWS, stop_at=job["stop_at"])
        frames = _Frames(out)
        spreadsheet.write_csv_field_chunks(frames.counting(csv_field_chunks(chunks, columns)), frames, None)
        session.rollback()
    out.flush()
    engine.dispose()
    print(json.dumps({"peak_mb": _peak_mb()}), file=sys.stderr)


if __name__ == "__main__":
    main()
