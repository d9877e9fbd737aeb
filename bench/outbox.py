"""Benchmark the outbox: how fast runners empty the queue into a local SMTP server, and the letter batch PDF.

- runner throughput: 300 queued e-mails sent to aiosmtpd on 127.0.0.1 by one runner, then (fresh queue)
  by two runners at once, each in its own process (as on two machines: its own interpreter, engine and
  connections); also checks every message arrived exactly once. On a SQLite file, or with
  --database-url postgresql+psycopg://... on PostgreSQL (a schema of its own, dropped after);
- batch PDF: 50 letters of the real composed text rendered as one PDF.

Prints one JSON line. Run: .venv/bin/python bench/outbox.py [--database-url URL]
(targets: one runner >= 20 messages/s; on PostgreSQL two runners >= 1.6 x one; batch of 50 letters < 5 s)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MESSAGES = 300
LETTERS = 50
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def _queue(url: str, count: int) -> None:
    from db.engine import get_engine, session_scope
    from db.models import CallCreate, UserCreate
    from db.repositories import calls, referrals, users
    from services import outbox

    engine = get_engine(url)
    with session_scope(engine) as session:
        advisor = users.create_user(session, data=UserCreate(username="bench", display_name="Bench",
                                                             password="korrekt-hest-batteri"))
        call_id = calls.save_call(session, data=CallCreate(started_at=NOW, ended_at=NOW + timedelta(minutes=5),
                                                           advisor_id=advisor.id, group_id="function_limited"))
    for n in range(count):
        with session_scope(engine) as session:
            record = referrals.save(session, idempotency_key=referrals.new_key(), call_id=call_id, channel="email",
                                    lang="da", subject="Din samtale", body=f"Kære medlem {n}\n", actor=advisor,
                                    recipient=f"medlem{n}@example.dk")
            outbox.queue_email(session, referral_id=record.id, actor_id=advisor.id, now=NOW)


def _runner_process(url: str, settings, start, results) -> None:
    """One runner in its own process, as on its own machine: its own interpreter, engine and connections."""
    from db.engine import get_engine
    from services import outbox

    engine = get_engine(url)
    start.wait()
    began = time.perf_counter()
    report = outbox.send_due(engine=engine, settings=settings, now=NOW, limit=MESSAGES)
    results.put((began, time.perf_counter(), report.sent))


def _run(url: str, runners: int, settings) -> float:
    """Seconds from the first runner's start to the last one's end (runners in separate processes)."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    start = context.Barrier(runners)
    results = context.Queue()
    processes = [context.Process(target=_runner_process, args=(url, settings, start, results))
                 for _ in range(runners)]
    for process in processes:
        process.start()
    done = [results.get(timeout=600) for _ in processes]
    for process in processes:
        process.join()
    return max(end for _, end, _ in done) - min(began for began, _, _ in done)


@contextmanager
def _database(base: str | None):
    """A fresh database: a SQLite file, or a schema of its own in the PostgreSQL at `base` (dropped after)."""
    from sqlalchemy import text

    from db.engine import get_engine
    from db.migrate import upgrade

    if base is None:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='bench_outbox_')}/bench.db"
        upgrade(url)
        yield url
        return
    schema = f"bench_outbox_{os.getpid()}"
    admin = get_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    try:
        upgrade(url)
        yield url
    finally:
        get_engine(url).dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    from aiosmtpd.controller import Controller

    from advisory.referral import ReferralInput, compose_referral
    from services.guidance import said_blocks
    from services.letters import LetterToPrint, render_letters_pdf
    from settings import Settings

    class Inbox:
        def __init__(self):
            self.ids: Counter = Counter()
            self.lock = threading.Lock()

        async def handle_DATA(self, server, session, envelope):
            for line in envelope.content.decode("utf-8", "replace").splitlines():
                if line.lower().startswith("message-id:"):
                    with self.lock:
                        self.ids[line.split(":", 1)[1].strip()] += 1
            return "250 OK"

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="a PostgreSQL URL (a schema of its own is made and dropped); "
                                               "default: a SQLite file")
    args = parser.parse_args()
    result: dict = {"messages": MESSAGES, "database": "postgresql" if args.database_url else "sqlite"}
    for runners in (1, 2):
        with _database(args.database_url) as url:
            _queue(url, MESSAGES)
            from db.engine import get_engine

            get_engine(url).dispose()  # no pooled connection crosses the fork
            inbox = Inbox()
            controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
            controller.start()
            try:
                settings = Settings(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_SECURITY="none",
                                    SMTP_FROM="Bench <bench@example.dk>")
                seconds = _run(url, runners, settings)
            finally:
                controller.stop()
        result[f"runners_{runners}_per_second"] = round(MESSAGES / seconds, 1)
        result[f"runners_{runners}_exactly_once"] = (len(inbox.ids) == MESSAGES
                                                     and set(inbox.ids.values()) == {1})
    result["two_over_one"] = round(result["runners_2_per_second"] / result["runners_1_per_second"], 2)

    text = compose_referral(ReferralInput(
        lang="da", recipient_name="Inge Hansen", group="everyday_active_with_fracture",
        said_blocks=said_blocks(["everyday-fx-continue", "everyday-fx-balance-strength", "everyday-fx-vary",
                                 "technique-straight-back", "avoid-forceful-flexion", "theme-staerk-walking-level",
                                 "theme-stabil"], lang="da")))
    letters = [LetterToPrint(text=text, lang="da", recipient_lines=(f"Medlem {n}", "Æblevej 3, 2. th.", "8000 Aarhus C"))
               for n in range(LETTERS)]
    render_letters_pdf(letters[:1], letter_date=date(2026, 11, 26))  # warm the fonts
    began = time.perf_counter()
    pdf = render_letters_pdf(letters, letter_date=date(2026, 11, 26))
    result["batch_letters"] = LETTERS
    result["batch_pdf_seconds"] = round(time.perf_counter() - began, 2)
    result["batch_pdf_kib"] = round(len(pdf) / 1024)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
