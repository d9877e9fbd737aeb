"""Benchmark the outbox: how fast runners empty the queue into a local SMTP server, and the letter batch PDF.

- runner throughput: 300 queued e-mails on a SQLite file sent to aiosmtpd on 127.0.0.1 by one runner,
  then (fresh queue) by two runners at once, each with its own engine; also checks every message
  arrived exactly once;
- batch PDF: 50 letters of the real composed text rendered as one PDF.

Prints one JSON line. Run: .venv/bin/python bench/outbox.py
(targets: one runner >= 20 messages/s; batch of 50 letters < 5 s)
"""

from __future__ import annotations

import json
import sys
import tempfile
import threading
import time
from collections import Counter
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


def _run(url: str, runners: int, settings) -> float:
    from db import engine as db_engine
    from services import outbox

    engines = [db_engine._engine_for.__wrapped__(url) for _ in range(runners)]
    start = threading.Barrier(runners)
    began: list[float] = []

    def runner(engine) -> None:
        start.wait()
        began.append(time.perf_counter())
        outbox.send_due(engine=engine, settings=settings, now=NOW, limit=MESSAGES)

    threads = [threading.Thread(target=runner, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - min(began)
    for engine in engines:
        engine.dispose()
    return seconds


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    from aiosmtpd.controller import Controller

    from advisory.referral import ReferralInput, compose_referral
    from db.migrate import upgrade
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

    result: dict = {"messages": MESSAGES}
    for runners in (1, 2):
        directory = tempfile.mkdtemp(prefix="bench_outbox_")
        url = f"sqlite:///{directory}/bench.db"
        upgrade(url)
        _queue(url, MESSAGES)
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
