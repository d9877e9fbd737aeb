"""The referral outbox: drafts are kept, letters and text are marked sent once, e-mails are claimed once.

Helpers at the top (`make_call`, `save_referral`) are shared by the other referral test files.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from db.engine import get_engine, session_scope
from db.models import AuditEvent, CallCreate, Referral, UserCreate
from db.repositories import calls, referrals, users
from services import mail, outbox
from settings import Settings

START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
HENRIK_BLOCKS = ["safety-screen", "acute-healing-phase", "acute-avoid-lifting-flexion", "acute-resume-daily",
                 "acute-pain-relief", "theme-after-healing", "referral-gp-physio", "medication-ask-gp"]
SMTP_SETTINGS = Settings(SMTP_HOST="127.0.0.1", SMTP_PORT=1, SMTP_SECURITY="none",
                         SMTP_FROM="Fysioterapeutrådgivningen <raadgivning@osteoporose.dk>", SMTP_TIMEOUT_SECONDS=5)


def make_advisor(db_url: str, username: str = "rikke", role: str = "advisor") -> users.StaffUser:
    with session_scope(get_engine(db_url)) as session:
        return users.create_user(session, data=UserCreate(username=username, display_name=f"{username.title()} Ravn",
                                                          role=role, password="korrekt-hest-batteri"))


def make_call(db_url: str, advisor_id: int, **overrides) -> int:
    """Henrik, 75, a few weeks after a vertebral fracture, consented to contact, asked about medicine."""
    values = dict(started_at=START, ended_at=START + timedelta(minutes=9), advisor_id=advisor_id,
                  group_id="acute_vertebral_fracture", flags=["healing_phase", "high_fracture_risk"],
                  topics=["lifting", "medication"], contact_consent=True, caller_name="Henrik Ærø Søndergaard",
                  email="henrik@example.dk", delivered_blocks=HENRIK_BLOCKS, follow_up_on=date(2027, 2, 19),
                  follow_up_reason="Helingsfasen slutter")
    values.update(overrides)
    with session_scope(get_engine(db_url)) as session:
        return calls.save_call(session, data=CallCreate(**values))


def save_referral(db_url: str, call_id: int, actor_id: int, *, channel: str = "email", key: str | None = None,
                  recipient: str = "henrik@example.dk", body: str = "Kære Henrik\nTal med din egen læge.\n",
                  subject: str = "Opsummering af din samtale") -> referrals.ReferralRecord:
    with session_scope(get_engine(db_url)) as session:
        actor = users.get_user(session, user_id=actor_id)
        return referrals.save(session, idempotency_key=key or referrals.new_key(), call_id=call_id, channel=channel,
                              lang="da", subject=subject, body=body, recipient=recipient, actor=actor)


def queue(db_url: str, referral_id: int, actor_id: int) -> referrals.ReferralRecord:
    with session_scope(get_engine(db_url)) as session:
        return outbox.queue_email(session, referral_id=referral_id, actor_id=actor_id)


def fetch(db_url: str, referral_id: int) -> referrals.ReferralRecord:
    with session_scope(get_engine(db_url)) as session:
        return referrals.get(session, referral_id=referral_id)


class RecordingTransport:
    """Stands in for SMTP where the test is about the state machine, not the wire."""

    def __init__(self, fail_with: mail.MailError | None = None, delay: float = 0.0):
        self.sent: list = []
        self.fail_with = fail_with
        self.delay = delay
        self.lock = threading.Lock()

    def __call__(self, message, *, settings=None):
        if self.delay:
            threading.Event().wait(self.delay)
        if self.fail_with:
            raise self.fail_with
        with self.lock:
            self.sent.append(message)


def deliver(db_url, referral_id, actor_id, transport):
    return outbox.deliver_email(engine=get_engine(db_url), referral_id=referral_id, actor_id=actor_id,
                                   settings=SMTP_SETTINGS, transport=transport)


# --- drafts and idempotent saving -------------------------------------------------------------------


def test_saving_twice_with_one_key_keeps_one_referral_with_the_latest_text(db_url):
    advisor = make_advisor(db_url)
    call_id = make_call(db_url, advisor.id)
    first = save_referral(db_url, call_id, advisor.id, key="k1", body="Første udkast")
    second = save_referral(db_url, call_id, advisor.id, key="k1", body="Rettet: æøå ÆØÅ")
    assert first.id == second.id
    assert (second.status, second.body, second.created_by_id) == ("draft", "Rettet: æøå ÆØÅ", advisor.id)
    with session_scope(get_engine(db_url)) as session:
        assert len(session.exec(select(Referral)).all()) == 1


def test_concurrent_saves_with_one_key_make_one_row(db_url):
    advisor = make_advisor(db_url)
    call_id = make_call(db_url, advisor.id)
    barrier = threading.Barrier(4)
    ids, errors = [], []

    def click():
        barrier.wait()
        try:
            ids.append(save_referral(db_url, call_id, advisor.id, key="double-click").id)
        except Exception as exc:  # noqa: BLE001 - the test reports any failure below
            errors.append(exc)

    threads = [threading.Thread(target=click) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(ids)) == 1


def test_a_sent_referral_is_not_changed_by_a_later_save(db_url):
    advisor = make_advisor(db_url)
    call_id = make_call(db_url, advisor.id)
    letter = save_referral(db_url, call_id, advisor.id, channel="letter", key="k", recipient="Henrik")
    with session_scope(get_engine(db_url)) as session:
        assert referrals.mark_sent(session, referral_id=letter.id, actor_id=advisor.id) is True
    again = save_referral(db_url, call_id, advisor.id, channel="letter", key="k", body="ændret bagefter")
    assert (again.status, again.body) == ("sent", letter.body)


def test_a_key_cannot_move_to_another_call(db_url):
    advisor = make_advisor(db_url)
    first, other = make_call(db_url, advisor.id), make_call(db_url, advisor.id)
    save_referral(db_url, first, advisor.id, key="k")
    with pytest.raises(ValueError, match="belongs to call"):
        save_referral(db_url, other, advisor.id, key="k")


@pytest.mark.parametrize(("recipient", "valid"), [
    ("henrik@example.dk", True),
    ("  Henrik@Example.DK ", True),
    ("henrik@bøgh.dk", True),
    ("henrik@example", False),
    ("henrik.example.dk", False),
    ("henrik@@example.dk", False),
    ("", False),
])
def test_queue_validates_the_address(db_url, recipient, valid):
    advisor = make_advisor(db_url)
    call_id = make_call(db_url, advisor.id)
    draft = save_referral(db_url, call_id, advisor.id, recipient=recipient)
    if valid:
        assert queue(db_url, draft.id, advisor.id).status == "queued"
    else:
        with pytest.raises(mail.InvalidAddress):
            queue(db_url, draft.id, advisor.id)
        assert fetch(db_url, draft.id).status == "draft"


# --- letters and text ---------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", ["letter", "text"])
def test_letters_and_text_count_as_sent_once_marked(db_url, channel):
    advisor = make_advisor(db_url)
    call_id = make_call(db_url, advisor.id)
    draft = save_referral(db_url, call_id, advisor.id, channel=channel, recipient="Henrik Ærø Søndergaard")
    with session_scope(get_engine(db_url)) as session:
        assert referrals.mark_sent(session, referral_id=draft.id, actor_id=advisor.id) is True
        assert referrals.mark_sent(session, referral_id=draft.id, actor_id=advisor.id) is False
    with session_scope(get_engine(db_url)) as session:
        sent = referrals.get(session, referral_id=draft.id)
        assert (sent.status, sent.sent_by_id) == ("sent", advisor.id)
        assert sent.sent_at is not None
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "referral_sent")).all()
        assert [(e.object_type, e.object_id, e.detail["channel"]) for e in events] == [("call", str(call_id), channel)]


def test_an_email_cannot_be_marked_sent_by_hand(db_url):
    advisor = make_advisor(db_url)
    draft = save_referral(db_url, make_call(db_url, advisor.id), advisor.id)
    with session_scope(get_engine(db_url)) as session, pytest.raises(ValueError):
        referrals.mark_sent(session, referral_id=draft.id, actor_id=advisor.id)


# --- e-mail state machine (transport stubbed; the real SMTP server is in test_mail_smtp.py) --------------


def test_a_draft_is_not_sent_until_queued(db_url):
    advisor = make_advisor(db_url)
    draft = save_referral(db_url, make_call(db_url, advisor.id), advisor.id)
    transport = RecordingTransport()
    outcome = deliver(db_url, draft.id, advisor.id, transport)
    assert (outcome.sent_now, outcome.status, transport.sent) == (False, "draft", [])


def test_failure_records_the_error_and_retry_sends_once(db_url):
    advisor = make_advisor(db_url)
    draft = save_referral(db_url, make_call(db_url, advisor.id), advisor.id)
    queue(db_url, draft.id, advisor.id)
    failed = deliver(db_url, draft.id, advisor.id, RecordingTransport(mail.MailError("connect", "refused")))
    assert (failed.sent_now, failed.status, failed.referral.error_code) == (False, "failed", "connect")
    assert failed.referral.error_detail == "refused"
    working = RecordingTransport()
    retried = deliver(db_url, draft.id, advisor.id, working)
    again = deliver(db_url, draft.id, advisor.id, working)
    assert (retried.sent_now, retried.status, retried.referral.error) == (True, "sent", None)
    assert (again.sent_now, again.status) == (False, "sent")
    assert len(working.sent) == 1
    assert fetch(db_url, draft.id).attempts == 2


def test_two_threads_sending_at_once_send_one_message(db_url):
    advisor = make_advisor(db_url)
    draft = save_referral(db_url, make_call(db_url, advisor.id), advisor.id)
    queue(db_url, draft.id, advisor.id)
    transport = RecordingTransport(delay=0.2)
    barrier = threading.Barrier(2)
    outcomes = []

    def send():
        barrier.wait()
        outcomes.append(deliver(db_url, draft.id, advisor.id, transport))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o.sent_now for o in outcomes) == [False, True]
    assert len(transport.sent) == 1
    assert fetch(db_url, draft.id).status == "sent"


def test_an_unexpected_error_never_leaves_the_row_sending(db_url):
    advisor = make_advisor(db_url)
    draft = save_referral(db_url, make_call(db_url, advisor.id), advisor.id)
    queue(db_url, draft.id, advisor.id)

    def broken(message, *, settings=None):
        raise RuntimeError("boom")

    outcome = deliver(db_url, draft.id, advisor.id, broken)
    assert (outcome.status, outcome.referral.error_code) == ("failed", "smtp")
    assert "boom" in outcome.referral.error_detail


def test_missing_smtp_settings_fail_with_not_configured(db_url):
    advisor = make_advisor(db_url)
    draft = save_referral(db_url, make_call(db_url, advisor.id), advisor.id)
    queue(db_url, draft.id, advisor.id)
    outcome = outbox.deliver_email(engine=get_engine(db_url), referral_id=draft.id, actor_id=advisor.id,
                                      settings=Settings(SMTP_HOST="", SMTP_FROM=""), transport=RecordingTransport())
    assert (outcome.status, outcome.referral.error_code) == ("failed", "not_configured")
    assert "SMTP_HOST" in outcome.referral.error_detail


def test_an_interrupted_send_becomes_failed_with_a_warning_not_a_silent_resend(db_url):
    advisor = make_advisor(db_url)
    draft = save_referral(db_url, make_call(db_url, advisor.id), advisor.id)
    queue(db_url, draft.id, advisor.id)
    with session_scope(get_engine(db_url)) as session:
        assert referrals.claim(session, referral_id=draft.id) is True  # then the process "crashed"
    transport = RecordingTransport()
    assert deliver(db_url, draft.id, advisor.id, transport).sent_now is False
    with session_scope(get_engine(db_url)) as session:
        assert referrals.recover_interrupted(session, older_than=timedelta(minutes=10)) == 0
        assert referrals.recover_interrupted(session, older_than=timedelta(seconds=-1)) == 1
    recovered = fetch(db_url, draft.id)
    assert (recovered.status, recovered.error_code) == ("failed", "interrupted")
    assert transport.sent == []


# --- reading: the call's referrals, the outbox, the picker, statistics ---------------------------------


def test_outbox_lists_mine_or_all_and_filters_failed(db_url):
    rikke, sofie = make_advisor(db_url, "rikke"), make_advisor(db_url, "sofie")
    supervisor = make_advisor(db_url, "mette", role="supervisor")
    call_r, call_s = make_call(db_url, rikke.id), make_call(db_url, sofie.id)
    mine = save_referral(db_url, call_r, rikke.id)
    theirs = save_referral(db_url, call_s, sofie.id)
    queue(db_url, theirs.id, sofie.id)
    deliver(db_url, theirs.id, sofie.id, RecordingTransport(mail.MailError("timeout", "")))
    with session_scope(get_engine(db_url)) as session:
        assert [r.id for r in referrals.list_outbox(session, viewer=rikke)] == [mine.id]
        assert {r.id for r in referrals.list_outbox(session, viewer=supervisor)} == {mine.id, theirs.id}
        assert [r.id for r in referrals.list_outbox(session, viewer=supervisor, statuses=["failed"])] == [theirs.id]
        assert [r.id for r in referrals.list_for_call(session, call_id=call_s)] == [theirs.id]
        assert referrals.latest_open_for_call(session, call_id=call_s, created_by_id=sofie.id).id == theirs.id
        assert referrals.latest_open_for_call(session, call_id=call_s, created_by_id=rikke.id) is None


def test_calls_awaiting_referral_drop_calls_with_a_sent_referral(db_url):
    advisor = make_advisor(db_url)
    older = make_call(db_url, advisor.id, started_at=START - timedelta(days=1), ended_at=START)
    newer = make_call(db_url, advisor.id)
    letter = save_referral(db_url, older, advisor.id, channel="letter")
    with session_scope(get_engine(db_url)) as session:
        assert [c["id"] for c in referrals.calls_awaiting_referral(session, viewer=advisor)] == [newer, older]
        referrals.mark_sent(session, referral_id=letter.id, actor_id=advisor.id)
    with session_scope(get_engine(db_url)) as session:
        assert [c["id"] for c in referrals.calls_awaiting_referral(session, viewer=advisor)] == [newer]
