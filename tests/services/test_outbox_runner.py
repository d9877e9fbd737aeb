"""The outbox runner (`send-outbox`) against a real SMTP server (aiosmtpd), on SQLite and PostgreSQL.

- several runners at once deliver every message exactly once (threads with their own engines, and
  real `python -m cli send-outbox` processes);
- a failed message is tried again at the backoff times, driven by the `now` parameter, not by sleeping;
- after the last attempt, or a final refusal, it waits for a person;
- a runner that dies between claim and send, or while the server is taking the message, never causes
  a second copy; a runner killed mid-run beside another loses and duplicates nothing.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from db import engine as db_engine
from db.engine import get_engine, session_scope
from db.models import Referral
from db.repositories import referrals
from services import outbox
from tests.services.test_mail_smtp import SENDER, Inbox, settings_for, smtp_server
from tests.services.test_outbox import fetch, make_advisor, make_call, save_referral

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


class CountingInbox(Inbox):
    """Counts every attempt (RCPT) and can refuse the first ones, be slow, or hang while taking a message."""

    def __init__(self, *, refuse_first: int = 0, refusal: str = "451 4.7.1 Greylisted, try again later",
                 delay: float = 0.0):
        super().__init__()
        self.refuse_first = refuse_first
        self.refusal = refusal
        self.delay = delay
        self.attempts = 0
        self.hang = threading.Event()  # set: DATA is received, then the reply is held back ...
        self.release = threading.Event()  # ... until this is set
        self.received = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.attempts += 1
            refuse = self.attempts <= self.refuse_first
        if refuse:
            return self.refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.envelopes.append(envelope)
        self.received.set()
        if self.hang.is_set():
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        return "250 Message accepted"

    def message_ids(self) -> Counter:
        return Counter(message["Message-ID"] for message in self.messages())


def queued_emails(db_url: str, count: int, *, now: datetime = T0) -> list[int]:
    advisor = make_advisor(db_url)
    call_id = make_call(db_url, advisor.id)
    ids = []
    for n in range(count):
        record = save_referral(db_url, call_id, advisor.id, recipient=f"medlem{n}@example.dk",
                               body=f"Kære medlem nr. {n}\nTal med din egen læge.\n")
        with session_scope(get_engine(db_url)) as session:
            outbox.queue_email(session, referral_id=record.id, actor_id=advisor.id, now=now)
        ids.append(record.id)
    return ids


def statuses(db_url: str) -> Counter:
    with session_scope(get_engine(db_url)) as session:
        return Counter(row.status for row in session.exec(select(Referral)))


def run(db_url, port, now, **kwargs) -> outbox.RunReport:
    return outbox.send_due(engine=get_engine(db_url), settings=settings_for(port), now=now, **kwargs)


# --- several runners ------------------------------------------------------------------------------------


def test_two_runners_started_together_deliver_fifty_messages_exactly_once(db_url):
    ids = queued_emails(db_url, 50)
    inbox = CountingInbox(delay=0.01)  # a little slow, so the two runners really work side by side
    engines = [db_engine._engine_for.__wrapped__(db_url) for _ in range(2)]  # one pool each, like two hosts
    start = threading.Barrier(2)
    reports, errors = [], []
    with smtp_server(inbox=inbox) as (port, _):
        def runner(engine):
            start.wait()
            try:
                reports.append(outbox.send_due(engine=engine, settings=settings_for(port), now=T0))
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=runner, args=(engine,)) for engine in engines]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    for engine in engines:
        engine.dispose()
    assert errors == []
    assert len(inbox.envelopes) == 50
    assert inbox.message_ids() == Counter({mail_id: 1 for mail_id in inbox.message_ids()})
    assert len(inbox.message_ids()) == 50
    assert sum(report.sent for report in reports) == 50
    assert statuses(db_url) == Counter({"sent": 50})
    assert {fetch(db_url, referral_id).attempts for referral_id in ids} == {1}


def test_two_send_outbox_processes_deliver_each_message_once(db_url):
    now = datetime.now(UTC)
    queued_emails(db_url, 30, now=now)
    inbox = CountingInbox(delay=0.02)
    with smtp_server(inbox=inbox) as (port, _):
        env = {**os.environ, "PYTHONPATH": str(ROOT), "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port),
               "SMTP_SECURITY": "none", "SMTP_FROM": SENDER, "SMTP_USER": "", "SMTP_PASSWORD": ""}
        command = [sys.executable, "-m", "cli", "send-outbox", "--database-url", db_url]
        processes = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True) for _ in range(2)]
        outputs = [process.communicate(timeout=120) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    assert len(inbox.envelopes) == 30
    assert len(inbox.message_ids()) == 30
    sent = sum(int(out.split(":")[1].split("sent")[0]) for out, _ in outputs if out.strip())
    assert sent == 30, outputs
    assert statuses(db_url) == Counter({"sent": 30})


def test_a_runner_killed_mid_run_loses_and_duplicates_nothing(db_url):
    """Two real runners; one is killed (SIGKILL) after the server has taken a few messages. The other
    runner, and the runs after it, deliver the rest: no message arrives twice, and none is lost. The one
    message the killed runner may have held in flight is never sent again by a runner: it is found as
    interrupted and waits for a person (it may have gone out)."""
    now = datetime.now(UTC)
    ids = queued_emails(db_url, 40, now=now)
    inbox = CountingInbox(delay=0.05)
    with smtp_server(inbox=inbox) as (port, _):
        env = {**os.environ, "PYTHONPATH": str(ROOT), "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port),
               "SMTP_SECURITY": "none", "SMTP_FROM": SENDER, "SMTP_USER": "", "SMTP_PASSWORD": ""}
        command = [sys.executable, "-m", "cli", "send-outbox", "--database-url", db_url]
        victim, survivor = (subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                             stderr=subprocess.DEVNULL) for _ in range(2))
        try:
            for _ in range(600):  # until the server has taken a few messages (or the queue is done)
                if len(inbox.envelopes) >= 6 or victim.poll() is not None:
                    break
                threading.Event().wait(0.05)
        finally:
            victim.send_signal(signal.SIGKILL)
            victim.wait(timeout=30)
        survivor.wait(timeout=120)
        after = run(db_url, port, now + timedelta(minutes=11))  # past INTERRUPTED_AFTER
        run(db_url, port, now + timedelta(days=2))
    assert victim.returncode == -signal.SIGKILL and survivor.returncode == 0  # killed mid-run, not done
    received = inbox.message_ids()
    assert set(received.values()) <= {1}, "a message arrived twice"
    records = [fetch(db_url, referral_id) for referral_id in ids]
    sent = [r for r in records if r.status == "sent"]
    interrupted = [r for r in records if r.error_code == "interrupted"]
    assert len(sent) + len(interrupted) == 40, Counter(r.status for r in records)  # nothing lost or stuck
    assert len(interrupted) == after.interrupted <= 1
    assert all(r.waits_for_person for r in interrupted)
    assert len(received) in (len(sent), len(sent) + 1)  # the interrupted one arrived once or not at all


# --- backoff --------------------------------------------------------------------------------------------


def test_a_server_refusing_twice_gets_the_message_on_the_third_attempt_at_the_backoff_times(db_url):
    [referral_id] = queued_emails(db_url, 1)
    inbox = CountingInbox(refuse_first=2)
    schedule = [  # (minutes after queueing, attempts the server has seen afterwards, status)
        (0, 1, "failed"),  # 1st attempt refused: next in 1 minute
        (0.5, 1, "failed"),  # not due yet: the server hears nothing
        (1, 2, "failed"),  # 2nd attempt refused: next in 5 minutes
        (5.9, 2, "failed"),
        (6, 3, "sent"),  # 3rd attempt: delivered
        (60, 3, "sent"),
    ]
    with smtp_server(inbox=inbox) as (port, _):
        for minutes, attempts, status in schedule:
            run(db_url, port, T0 + timedelta(minutes=minutes))
            record = fetch(db_url, referral_id)
            assert (inbox.attempts, record.status) == (attempts, status), minutes
            if minutes == 0:
                assert (record.next_attempt_at, record.error_code) == (T0 + timedelta(minutes=1), "recipient_refused")
            if minutes == 1:
                assert record.next_attempt_at == T0 + timedelta(minutes=6)
    assert len(inbox.envelopes) == 1
    assert (record.attempts, record.sent_at, record.next_attempt_at) == (3, T0 + timedelta(minutes=6), None)


def test_after_the_sixth_attempt_the_message_waits_for_a_person(db_url):
    [referral_id] = queued_emails(db_url, 1)
    inbox = CountingInbox(refuse_first=1000)
    # 1 min, 5 min, 30 min, 2 h and 12 h after the 1st to 5th attempt.
    attempt_times = [T0 + timedelta(minutes=m) for m in (0, 1, 6, 36, 156, 876)]
    with smtp_server(inbox=inbox) as (port, _):
        for n, at in enumerate(attempt_times, start=1):
            run(db_url, port, at - timedelta(seconds=1))
            assert inbox.attempts == n - 1, f"attempt {n} came early"
            run(db_url, port, at)
            assert inbox.attempts == n
        run(db_url, port, T0 + timedelta(days=30))
    assert inbox.attempts == 6
    record = fetch(db_url, referral_id)
    assert (record.status, record.waits_for_person, record.error_code) == ("failed", True, "recipient_refused")
    assert record.attempts == referrals.MAX_ATTEMPTS == 6


def test_a_final_refusal_waits_for_a_person_at_once(db_url):
    [referral_id] = queued_emails(db_url, 1)
    inbox = CountingInbox(refuse_first=1000, refusal="550 5.1.1 Mailbox unavailable")
    with smtp_server(inbox=inbox) as (port, _):
        report = run(db_url, port, T0)
        run(db_url, port, T0 + timedelta(days=1))
    assert (report.sent, report.retry_planned, report.for_person) == (0, 0, 1)
    assert inbox.attempts == 1
    assert fetch(db_url, referral_id).waits_for_person


def test_a_persons_retry_sends_at_once_and_does_not_restart_the_series(db_url):
    [referral_id] = queued_emails(db_url, 1)
    inbox = CountingInbox(refuse_first=2)
    with smtp_server(inbox=inbox) as (port, _):
        run(db_url, port, T0)  # 1st attempt refused, next at T0 + 1 min
        retry = outbox.deliver_email(engine=get_engine(db_url), referral_id=referral_id, actor_id=None,
                                     settings=settings_for(port), now=T0 + timedelta(seconds=10))
        assert (retry.sent_now, retry.referral.attempts) == (False, 2)
        assert retry.referral.next_attempt_at == T0 + timedelta(seconds=10, minutes=5)  # after the 2nd attempt
        run(db_url, port, T0 + timedelta(minutes=2))  # the old 1-minute slot is gone
        assert inbox.attempts == 2
        run(db_url, port, T0 + timedelta(seconds=10, minutes=5))
    assert (fetch(db_url, referral_id).status, len(inbox.envelopes)) == ("sent", 1)


def test_without_smtp_settings_the_runner_claims_nothing(db_url):
    [referral_id] = queued_emails(db_url, 1)
    report = outbox.send_due(engine=get_engine(db_url), settings=settings_for(1, SMTP_HOST=""), now=T0)
    assert report.not_configured == "SMTP_HOST"
    assert (fetch(db_url, referral_id).status, fetch(db_url, referral_id).attempts) == ("queued", 0)


# --- crashes --------------------------------------------------------------------------------------------


class Crash(BaseException):
    """The runner's process dying (BaseException: nothing in the runner catches it)."""


def test_a_runner_dying_between_claim_and_send_never_causes_a_second_copy(db_url):
    [referral_id] = queued_emails(db_url, 1)
    inbox = CountingInbox()

    def die(record):
        raise Crash

    with smtp_server(inbox=inbox) as (port, _):
        with pytest.raises(Crash):
            run(db_url, port, T0, before_send=die)
        assert fetch(db_url, referral_id).status == "sending"
        for minutes in (1, 5, 9):  # other runners meanwhile: the row is not theirs to send
            assert run(db_url, port, T0 + timedelta(minutes=minutes)).sent == 0
        report = run(db_url, port, T0 + timedelta(minutes=11))  # past INTERRUPTED_AFTER: it is found
        later = run(db_url, port, T0 + timedelta(days=2))
    assert (report.interrupted, report.sent, later.sent) == (1, 0, 0)
    record = fetch(db_url, referral_id)
    assert (record.status, record.error_code, record.waits_for_person) == ("failed", "interrupted", True)
    assert inbox.attempts == 0 and inbox.envelopes == []


def test_a_runner_killed_while_the_server_takes_the_message_never_sends_it_again(db_url):
    now = datetime.now(UTC)
    [referral_id] = queued_emails(db_url, 1, now=now)
    inbox = CountingInbox()
    inbox.hang.set()  # the server takes the message, then holds back its "250 accepted"
    with smtp_server(inbox=inbox) as (port, _):
        env = {**os.environ, "PYTHONPATH": str(ROOT), "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port),
               "SMTP_SECURITY": "none", "SMTP_FROM": SENDER, "SMTP_USER": "", "SMTP_TIMEOUT_SECONDS": "60"}
        process = subprocess.Popen([sys.executable, "-m", "cli", "send-outbox", "--database-url", db_url],
                                   cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert inbox.received.wait(timeout=60), "the runner never delivered the message to the server"
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            inbox.release.set()
        assert fetch(db_url, referral_id).status == "sending"  # the runner died before recording the send
        assert run(db_url, port, now + timedelta(minutes=1)).sent == 0
        report = run(db_url, port, now + timedelta(minutes=11))
        run(db_url, port, now + timedelta(days=1))
    assert report.interrupted == 1
    assert len(inbox.envelopes) == 1  # the one copy the member got; never a second
    record = fetch(db_url, referral_id)
    assert (record.status, record.error_code, record.waits_for_person) == ("failed", "interrupted", True)


def test_a_draft_or_letter_is_never_claimed_by_the_runner(db_url):
    advisor = make_advisor(db_url)
    call_id = make_call(db_url, advisor.id)
    save_referral(db_url, call_id, advisor.id)  # an e-mail draft
    save_referral(db_url, call_id, advisor.id, channel="letter", recipient="Henrik\nVej 1\n8000 Aarhus C")
    inbox = CountingInbox()
    with smtp_server(inbox=inbox) as (port, _):
        assert run(db_url, port, T0 + timedelta(days=1)).sent == 0
    assert inbox.attempts == 0
