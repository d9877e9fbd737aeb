"""After a member's erasure and the retention purge, no table holds anything that names the member.

The member leaves traces everywhere staff work: two calls (contact details, notes), an edit of the notes,
follow-ups with reasons and a closing note, an e-mail referral the mail server refused (its error
echoing the address, in the referral and in the audit log, also as older rows written before errors
were scrubbed), a letter, an unsaved call (draft) on another advisor's screen and an old abandoned one.
The scan reads EVERY column of EVERY table in the metadata (JSON as text), so a table added later is
checked too.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel

from db.models import AuditEvent, Call, CallCreate, CallDraft, Referral, UserCreate
from db.repositories import call_log, calls, follow_ups, privacy, referrals, users
from db.repositories.privacy import MemberQuery, draft_names_member

NOW = datetime.now(UTC).replace(microsecond=0)
RETENTION_DAYS = 730
NAME, FIRST, LAST = "Ingeborg Testesen", "Ingeborg", "Testesen"
PHONE, EMAIL, NUMBER = "23 45 67 89", "ingeborg.t@example.dk", "M-918273"
PHRASE = "zebrafinke-kvadrille"
NEEDLES = (NAME, FIRST, LAST, EMAIL, NUMBER, PHRASE, "23456789")


def _staff(session):
    made = {}
    for username, role in (("rikke", "advisor"), ("mads", "advisor"), ("sofie", "supervisor"), ("alma", "admin")):
        made[username] = users.create_user(session, data=UserCreate(
            username=username, display_name=username.title(), role=role, password="korrekt-hest-batteri"))
    session.commit()
    return made


def _member_calls(session, staff) -> list[int]:
    rikke, sofie = staff["rikke"], staff["sofie"]
    started = NOW - timedelta(days=20)
    first = calls.save_call(session, data=CallCreate(
        started_at=started, ended_at=started + timedelta(minutes=12), advisor_id=rikke.id,
        group_id="acute_vertebral_fracture", topics=["pain"], contact_consent=True, caller_name=NAME, phone=PHONE,
        email=EMAIL, member_number=NUMBER, notes=f"{FIRST} har ondt; nævnte {PHRASE}.",
        follow_up_on=date(2026, 12, 1), follow_up_reason=f"Ring til {NAME} om {PHRASE}"), actor_name="rikke")
    # A second call, where only the phone (written differently) and the e-mail were given.
    second = calls.save_call(session, data=CallCreate(
        started_at=started + timedelta(days=3), ended_at=started + timedelta(days=3, minutes=5), advisor_id=rikke.id,
        group_id="function_limited", contact_consent=True, caller_name=FIRST, phone="+45 23456789", email=EMAIL,
        notes=f"Opfølgning: {PHRASE}"))
    session.commit()
    call_log.get_call_detail(session, call_id=first, viewer=sofie)
    call_log.update_call(session, call_id=first, viewer=sofie, expected_version=1,
                         notes=f"{NAME} ({PHONE}) ringer igen om {PHRASE}", outcome="follow_up_agreed")
    follow_up = follow_ups.add(session, call_id=second, due_on=date(2026, 12, 5), assignee_id=rikke.id,
                               reason=f"{FIRST} venter svar", actor=sofie)
    follow_ups.complete(session, follow_up_id=follow_up, note=f"Talt med {NAME}: {PHRASE}", actor=rikke)
    session.commit()
    return [first, second]


def _referrals(session, staff, call_id: int) -> None:
    rikke = staff["rikke"]
    email = referrals.save(session, idempotency_key="mail-1", call_id=call_id, channel="email", lang="da",
                           subject=f"Til {NAME}", body=f"Kære {FIRST}\n\n{PHRASE}", recipient=EMAIL, actor=rikke)
    referrals.queue_email(session, referral_id=email.id, recipient=EMAIL, actor_id=rikke.id)
    session.commit()
    assert referrals.claim(session, referral_id=email.id)
    record = referrals.get(session, referral_id=email.id)
    referrals.finish(session, record, actor_id=rikke.id,
                     error=f"recipient_refused: (550, b'5.1.1 <{EMAIL}>: Recipient address rejected: {NAME}')")
    letter = referrals.save(session, idempotency_key="letter-1", call_id=call_id, channel="letter", lang="da",
                            subject=f"Til {NAME}", body=f"Kære {FIRST}", recipient=f"{NAME}\nVejen 1\n8000 Aarhus C",
                            actor=rikke)
    referrals.mark_sent(session, referral_id=letter.id, actor_id=rikke.id)
    # Rows written before errors were scrubbed at write time: the erasure must clean these too.
    legacy = Referral(call_id=call_id, channel="email", recipient=EMAIL, subject="Til Ingeborg", body=PHRASE,
                      status="failed", error=f"connect: could not reach mail for {EMAIL}", idempotency_key="old-1")
    session.add(legacy)
    session.flush()
    session.add(AuditEvent(action="referral_failed", object_type="referral", object_id=str(legacy.id),
                           detail={"call_id": call_id, "error": f"connect: could not reach mail for {EMAIL}"}))
    session.commit()


def _drafts(session, staff) -> None:
    # Mads has the member on the line right now (contact details typed, not saved yet) ...
    session.add(CallDraft(call_key="mads-tab", advisor_id=staff["mads"].id, data={"version": 1, "values": {
        "call_contact_phone": "2345 6789", "call_contact_name": NAME, "call_notes": f"{PHRASE}!"}}))
    # ... and Sofie abandoned a call years ago that names her only in the notes.
    old = NOW - timedelta(days=RETENTION_DAYS + 5)
    session.add(CallDraft(call_key="sofie-tab", advisor_id=staff["sofie"].id, started_at=old, updated_at=old,
                          data={"version": 1, "values": {"call_notes": f"{NAME} om {PHRASE}"}}))
    session.commit()


def _text(value) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def _leftovers(session) -> list[str]:
    """Every table and column still holding one of the member's identifiers or the note phrase."""
    found = []
    for table in SQLModel.metadata.sorted_tables:
        for row in session.execute(select(table)).mappings():
            for column, value in row.items():
                text = _text(value).lower()
                squeezed = re.sub(r"[\s()+-]", "", text)
                hits = [needle for needle in NEEDLES if needle.lower() in text or needle.lower() in squeezed]
                if hits:
                    found.append(f"{table.name}.{column}: {hits} in {_text(value)[:120]!r}")
    return found


def test_after_erasure_and_purge_no_table_holds_the_member(session):
    staff = _staff(session)
    call_ids = _member_calls(session, staff)
    _referrals(session, staff, call_ids[0])
    _drafts(session, staff)
    privacy.access_export(session, query=MemberQuery(email=EMAIL), actor=staff["alma"])
    session.commit()
    assert len(_leftovers(session)) > 10  # the scan finds the member before the erasure

    counts = privacy.erase_member(session, query=MemberQuery(member_number=NUMBER, phone="23456789"),
                                  actor=staff["alma"])
    session.commit()
    assert (counts.calls, counts.drafts) == (2, 1)
    report = privacy.purge(session, retention_days=RETENTION_DAYS, actor_name="cli")
    session.commit()
    assert report.drafts == 1

    assert _leftovers(session) == []
    # What is kept for statistics and the outbox's history is still there, without the person.
    failed = session.execute(select(Referral.error).where(Referral.idempotency_key.in_(["mail-1", "old-1"]))
                             .order_by(Referral.idempotency_key)).scalars().all()
    assert failed == ["recipient_refused", "connect"]
    events = session.execute(select(AuditEvent.detail).where(AuditEvent.action == "referral_failed")).scalars().all()
    assert sorted(event["error"] for event in events) == ["connect", "recipient_refused"]


def test_a_failed_send_stores_its_reason_without_the_address(session):
    staff = _staff(session)
    [call_id, _] = _member_calls(session, staff)
    _referrals(session, staff, call_id)
    error = session.execute(select(Referral.error).where(Referral.idempotency_key == "mail-1")).scalar_one()
    assert error.startswith("recipient_refused:") and "Recipient address rejected" in error
    assert EMAIL not in error and "[e-mail]" in error
    detail = session.execute(select(AuditEvent.detail).where(AuditEvent.action == "referral_failed",
                                                             AuditEvent.object_type == "referral")
                             .order_by(AuditEvent.id)).scalars().first()
    assert EMAIL not in json.dumps(detail)


def test_the_purge_deletes_drafts_untouched_for_the_retention_period(session):
    staff = _staff(session)
    _drafts(session, staff)
    dry = privacy.purge(session, retention_days=RETENTION_DAYS, dry_run=True)
    assert dry.drafts == 1
    assert len(session.execute(select(CallDraft.id)).all()) == 2
    assert privacy.purge(session, retention_days=RETENTION_DAYS).drafts == 1
    session.commit()
    assert session.execute(select(CallDraft.advisor_id)).scalars().all() == [staff["mads"].id]


@pytest.mark.parametrize(
    ("query", "names"),
    [(MemberQuery(phone="+45 23 45 67 89"), True), (MemberQuery(phone="0045 2345 6789"), True),
     (MemberQuery(email="INGEBORG.T@example.dk"), True), (MemberQuery(member_number=NUMBER), True),
     (MemberQuery(phone="23456780"), False), (MemberQuery(member_number="M-9182"), False)],
)
def test_a_draft_names_the_member_by_any_identifier_wherever_it_is_kept(query, names):
    data = {"version": 1, "values": {"call_contact_phone": "23 45 67 89", "call_contact_email": EMAIL,
                                     "call_contact_member_number": NUMBER, "call_notes": "ringer 12345"},
            "other": [{"nested": "x"}]}
    assert draft_names_member(data, query) is names


def test_erasing_twice_finds_nothing_more(session):
    staff = _staff(session)
    _member_calls(session, staff)
    _drafts(session, staff)
    first = privacy.erase_member(session, query=MemberQuery(email=EMAIL), actor=staff["alma"])
    again = privacy.erase_member(session, query=MemberQuery(email=EMAIL), actor=staff["alma"])
    session.commit()
    assert (first.calls, again.calls, again.drafts) == (2, 0, 0)
    # Her calls stay, without her, so the statistics still count them.
    kept = session.execute(select(Call.group_id, Call.anonymised_at.is_not(None)).order_by(Call.id)).all()
    assert kept == [("acute_vertebral_fracture", True), ("function_limited", True)]
