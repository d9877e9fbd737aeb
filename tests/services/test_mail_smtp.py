"""E-mail through a real SMTP server (aiosmtpd on 127.0.0.1): what arrives, and that it arrives once."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from contextlib import contextmanager

import pytest
from aiosmtpd.controller import Controller

from db.engine import get_engine, session_scope
from db.repositories import referrals
from services import mail, outbox
from services.guidance import compose_for_call
from settings import Settings
from tests.services.test_outbox import fetch, make_advisor, make_call, queue

SENDER = "Fysioterapeutrådgivningen <raadgivning@osteoporose.dk>"


class Inbox:
    def __init__(self, refuse_rcpt: bool = False):
        self.envelopes = []
        self.refuse_rcpt = refuse_rcpt
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_rcpt:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.envelopes.append(envelope)
        return "250 Message accepted"

    def messages(self):
        return [email.message_from_bytes(e.original_content or e.content, policy=email.policy.default)
                for e in self.envelopes]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server(port: int | None = None, inbox: Inbox | None = None, **smtp_options):
    inbox = inbox or Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port or free_port(), **smtp_options)
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()


def settings_for(port: int, **overrides) -> Settings:
    values = dict(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="none", SMTP_FROM=SENDER,
                  SMTP_USER="", SMTP_PASSWORD="", SMTP_TIMEOUT_SECONDS=5)
    values.update(overrides)
    return Settings(**values)


def queued_guidance(db_url: str) -> tuple[referrals.ReferralRecord, int]:
    """Henrik's call, the guidance composed by the page's path, saved and queued to his address."""
    advisor = make_advisor(db_url)
    call_id = make_call(db_url, advisor.id)
    with session_scope(get_engine(db_url)) as session:
        text = compose_for_call(session, call_id=call_id, viewer=advisor)
        record = referrals.save(session, idempotency_key=referrals.new_key(), call_id=call_id, channel="email",
                                lang="da", subject=text.subject, body=text.body, recipient="henrik@example.dk",
                                actor=advisor)
    return queue(db_url, record.id, advisor.id), advisor.id


def deliver(db_url, record, actor_id, port, **overrides):
    return outbox.deliver_email(engine=get_engine(db_url), referral_id=record.id, actor_id=actor_id,
                                   settings=settings_for(port, **overrides))


def test_the_member_receives_the_guidance_in_utf8(db_url):
    record, actor_id = queued_guidance(db_url)
    with smtp_server() as (port, inbox):
        outcome = deliver(db_url, record, actor_id, port)
    assert (outcome.sent_now, outcome.status) == (True, "sent")
    [envelope] = inbox.envelopes
    assert envelope.rcpt_tos == ["henrik@example.dk"]
    [message] = inbox.messages()
    assert message["To"] == "henrik@example.dk"
    assert message["Subject"] == "Vejledning efter din samtale med Fysioterapeutrådgivningen den 26. november 2026"
    assert message["Message-ID"] == f"<{record.idempotency_key}@osteoporose.dk>"
    assert message.get_content_charset() == "utf-8"
    body = message.get_content()
    for phrase in ("Kære Henrik Ærø Søndergaard,",
                   "Tal med din egen læge om en henvisning til en fysioterapeut",
                   "den offentlige sygesikring et tilskud",
                   "særlig viden om knogleskørhed på osteoporose.dk under »Få støtte«",
                   "inspiration til træning på osteoporose.dk under »Lev knoglesundt«",
                   "Vi ringer dig op omkring 19. februar 2027",
                   "din egen læge, der skal svare på dem – medicin kan vi ikke rådgive om her"):
        assert phrase in body
    assert body.replace("\r\n", "\n") == record.body  # SMTP carries CRLF line ends


def test_server_down_leaves_it_failed_and_a_retry_sends_exactly_once(db_url):
    record, actor_id = queued_guidance(db_url)
    port = free_port()  # nobody listens here yet
    down = deliver(db_url, record, actor_id, port, SMTP_TIMEOUT_SECONDS=2)
    assert (down.sent_now, down.status, down.referral.error_code) == (False, "failed", "connect")
    assert "refused" in down.referral.error_detail.lower()
    with smtp_server(port) as (_, inbox):
        retry = deliver(db_url, record, actor_id, port)
        again = deliver(db_url, record, actor_id, port)
        assert len(inbox.envelopes) == 1
    assert (retry.sent_now, retry.status, retry.referral.error) == (True, "sent", None)
    assert (again.sent_now, again.status) == (False, "sent")
    assert fetch(db_url, record.id).attempts == 2


def test_two_threads_sending_the_same_referral_deliver_one_message(db_url):
    record, actor_id = queued_guidance(db_url)
    with smtp_server() as (port, inbox):
        barrier = threading.Barrier(2)
        outcomes = []

        def click():
            barrier.wait()
            outcomes.append(deliver(db_url, record, actor_id, port))

        threads = [threading.Thread(target=click) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(inbox.envelopes) == 1
    assert sorted(outcome.sent_now for outcome in outcomes) == [False, True]


@contextmanager
def silent_listener():
    """Accepts TCP connections (the kernel's backlog) but never says hello: a hung mail server."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        yield listener.getsockname()[1]


@pytest.mark.parametrize(
    ("case", "server_options", "settings", "recipient", "expected"),
    [
        ("plain server, no security", {}, {}, "henrik@example.dk", None),
        ("STARTTLS asked, server offers none", {}, {"SMTP_SECURITY": "starttls"}, "henrik@example.dk", "tls"),
        ("TLS asked, server speaks plain", {}, {"SMTP_SECURITY": "ssl"}, "henrik@example.dk", "tls"),
        ("login asked, server offers no AUTH", {}, {"SMTP_USER": "advice", "SMTP_PASSWORD": "x"},
         "henrik@example.dk", "auth"),
        ("mailbox refused", {"refuse_rcpt": True}, {}, "henrik@example.dk", "recipient_refused"),
        ("non-ASCII mailbox, no SMTPUTF8", {"enable_SMTPUTF8": False}, {}, "søren@example.dk", "smtputf8"),
        ("non-ASCII mailbox with SMTPUTF8", {"enable_SMTPUTF8": True}, {}, "søren@example.dk", None),
        ("nobody listens", None, {}, "henrik@example.dk", "connect"),
        ("server never answers", "silent", {"SMTP_TIMEOUT_SECONDS": 0.5}, "henrik@example.dk", "timeout"),
        ("not configured", None, {"SMTP_HOST": ""}, "henrik@example.dk", "not_configured"),
    ],
)
def test_send_reports_each_failure_with_its_code(case, server_options, settings, recipient, expected):
    message = mail.build_message(sender=SENDER, to=mail.normalise_address(recipient), subject="Æble og ørred",
                                 body="Hej æøå\n", idempotency_key="k")
    if server_options == "silent":
        with silent_listener() as port, pytest.raises(mail.MailError) as failure:
            mail.send(message, settings=settings_for(port, **settings))
        assert failure.value.code == expected
        return
    if server_options is None:
        with pytest.raises(mail.MailError) as failure:
            mail.send(message, settings=settings_for(free_port(), **settings))
        assert failure.value.code == expected
        return
    options = dict(server_options)
    inbox = Inbox(refuse_rcpt=options.pop("refuse_rcpt", False))
    with smtp_server(inbox=inbox, **options) as (port, inbox):
        if expected is None:
            mail.send(message, settings=settings_for(port, **settings))
            [received] = inbox.messages()
            assert received["Subject"] == "Æble og ørred"
            assert received.get_content() == "Hej æøå\r\n"
        else:
            with pytest.raises(mail.MailError) as failure:
                mail.send(message, settings=settings_for(port, **settings))
            assert failure.value.code == expected, failure.value
            assert inbox.envelopes == []


@pytest.mark.parametrize(("settings", "reason"), [
    ({"SMTP_HOST": "", "SMTP_FROM": ""}, "SMTP_HOST, SMTP_FROM"),
    ({"SMTP_HOST": "mail.example.dk", "SMTP_FROM": " "}, "SMTP_FROM"),
    ({"SMTP_HOST": "mail.example.dk", "SMTP_FROM": SENDER}, None),
])
def test_unavailable_reason_names_the_missing_settings(settings, reason):
    assert mail.unavailable_reason(Settings(**settings)) == reason
