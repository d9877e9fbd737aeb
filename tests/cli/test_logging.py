"""Logging for the command line and the server: time-stamped lines, `send-outbox --verbose` per message,
and never a member's personal data or an exception's text (which may quote what was typed or stored)."""

from __future__ import annotations

import io
import logging
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from services import logs
from tests.services.test_mail_smtp import SENDER, smtp_server
from tests.services.test_outbox_runner import CountingInbox, queued_emails

ROOT = Path(__file__).resolve().parents[2]
LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (INFO|WARNING|ERROR) [\w.]+: .+$")


def _send_outbox(db_url: str, port: int, *flags: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port),
           "SMTP_SECURITY": "none", "SMTP_FROM": SENDER, "SMTP_USER": "", "SMTP_PASSWORD": ""}
    return subprocess.run([sys.executable, "-m", "cli", "send-outbox", "--database-url", db_url, *flags],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_send_outbox_verbose_logs_one_time_stamped_line_per_message_without_personal_data(db_url):
    ids = queued_emails(db_url, 3, now=datetime.now(UTC))
    # The first message is refused with a reply that quotes its recipient, as mail servers do.
    inbox = CountingInbox(refuse_first=1, refusal="550 5.1.1 <medlem0@example.dk>: Recipient address rejected")
    with smtp_server(inbox=inbox) as (port, _):
        done = _send_outbox(db_url, port, "--verbose")
    assert done.returncode == 0, done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines and all(LINE.match(line) for line in lines), lines
    per_message = [line for line in lines if " INFO services.outbox: referral " in line]
    assert len(per_message) == 3
    assert any(f"referral {ids[0]}: failed (attempt 1, recipient_refused)" in line for line in per_message)
    assert sum(": sent (attempt 1)" in line for line in per_message) == 2
    for personal in ("medlem", "example.dk", "Kære", "Henrik", "Opsummering"):
        assert personal not in done.stderr, personal


def test_send_outbox_without_verbose_logs_no_per_message_lines(db_url):
    queued_emails(db_url, 1, now=datetime.now(UTC))
    with smtp_server(inbox=CountingInbox()) as (port, _):
        done = _send_outbox(db_url, port)
    assert done.returncode == 0
    assert "services.outbox: referral" not in done.stderr


def test_a_logged_exception_keeps_its_type_and_frames_but_not_its_text_or_an_address():
    stream = io.StringIO()
    handler = logs.configure(verbose=True, stream=stream)
    try:
        log = logging.getLogger("services.example")
        member = ("Henrik Ærø Søndergaard", "henrik@example.dk")  # the frames show source lines, not values
        try:
            raise ValueError(f"INSERT ... parameters {member}")
        except ValueError:
            log.exception("saving the call failed")
        log.warning("reply from server: 550 <inge@example.dk> unknown")
    finally:
        logging.getLogger().removeHandler(handler)
    text = stream.getvalue()
    assert "ValueError (its text is not logged)" in text and "saving the call failed" in text
    assert "Henrik" not in text and "henrik@example.dk" not in text and "inge@example.dk" not in text
    first = text.splitlines()[0]
    assert LINE.match(first), first
