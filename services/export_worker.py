"""The second process of a large CSV export (services.exports, issue 25): the older part of the rows.

    python -m services.export_worker   (started by services.exports, never by hand)

Reads its job (pickled by services.exports: the database URL, filters, viewer, columns, where its part
starts and the file descriptor of the unnamed file it writes to) from stdin, so the URL's password never
shows in a process list. Writes its part of the CSV (rows only: no BOM, no header) to that file, tells the
rows written so far on stdout (a line per chunk) for the progress bar, and its peak memory on stderr at
the end.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

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


def _telling(chunks: Iterable[Sequence[Sequence[str]]]) -> Iterator[Sequence[Sequence[str]]]:
    done = 0
    for fields in chunks:
        yield fields
        done += len(fields[0]) if fields else 0
        print(done, flush=True)


def main() -> None:
    job = pickle.loads(sys.stdin.buffer.read())  # written by services.exports, our own parent
    engine = get_engine(job["url"])
    with session_scope(engine) as session, os.fdopen(job["fd"], "wb") as part:
        columns = job["columns"]
        chunks = iter_call_columns(session, filters=job["filters"], viewer=job["viewer"], columns=columns,
                                   chunk_size=PROGRESS_EVERY_ROWS, start_at=job["start_at"])
        spreadsheet.write_csv_field_chunks(_telling(csv_field_chunks(chunks, columns)), part, None)
        session.rollback()
    engine.dispose()
    print(json.dumps({"peak_mb": _peak_mb()}), file=sys.stderr)


if __name__ == "__main__":
    main()
