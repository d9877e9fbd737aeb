"""The secretariat sends guidance and sees nothing else of a call: no repository function hands it the notes.

It sees the outbox and the letter queue (recipient, address, subject, the text, status, who wrote it
and when). Everything else about a call (profile, notes, contact details, follow-ups, members' data,
exports) is refused by the access rules in the repositories, whatever the page does.
"""

from __future__ import annotations

import io
from datetime import date

import pytest

from advisory.access import AccessDenied
from db.engine import get_engine, session_scope
from db.repositories import call_log, follow_ups, privacy, referrals
from db.repositories.call_log import CallFilters, CallNotFound
from db.repositories.follow_ups import FollowUpNotAllowed
from db.repositories.privacy import MemberQuery
from services import exports, guidance
from tests.services.test_outbox import make_advisor, make_call, save_referral

NOTE = "SECRET-NOTE-7731 Henrik er bange for at falde"
PHONE = "20 30 40 50"


@pytest.fixture
def world(db_url):
    advisor = make_advisor(db_url, "rikke")
    secretariat = make_advisor(db_url, "birgit", role="secretariat")
    call_id = make_call(db_url, advisor.id, notes=NOTE, phone=PHONE, member_number="4711",
                        follow_up_reason=f"Ring igen: {NOTE}")
    letter = save_referral(db_url, call_id, advisor.id, channel="letter",
                           recipient="Henrik Ærø Søndergaard\nBøgevej 1\n2100 København Ø")
    with session_scope(get_engine(db_url)) as session:
        referrals.queue_letter(session, referral_id=letter.id, actor=advisor)
        follow_up_id = follow_ups.list_for_call(session, call_id=call_id, viewer=advisor)[0].id
    return {"engine": get_engine(db_url), "secretariat": secretariat, "advisor": advisor, "call_id": call_id,
            "letter_id": letter.id, "follow_up_id": follow_up_id}


REFUSALS = {
    "call_log.get_call_detail": (CallNotFound, lambda s, w: call_log.get_call_detail(
        s, call_id=w["call_id"], viewer=w["secretariat"])),
    "call_log.update_call": (CallNotFound, lambda s, w: call_log.update_call(
        s, call_id=w["call_id"], viewer=w["secretariat"], notes="", expected_version=1)),
    "call_log.list_calls": (AccessDenied, lambda s, w: call_log.list_calls(
        s, filters=CallFilters(), viewer=w["secretariat"])),
    "call_log.list_calls (text filter)": (AccessDenied, lambda s, w: call_log.list_calls(
        s, filters=CallFilters(text="SECRET"), viewer=w["secretariat"])),
    "call_log.count_calls": (AccessDenied, lambda s, w: call_log.count_calls(
        s, filters=CallFilters(), viewer=w["secretariat"])),
    "call_log.iter_calls": (AccessDenied, lambda s, w: list(call_log.iter_calls(
        s, filters=CallFilters(), viewer=w["secretariat"]))),
    "exports.export_calls": (AccessDenied, lambda s, w: exports.export_calls(
        s, filters=CallFilters(), viewer=w["secretariat"], fmt="csv", include_contact=True, target=io.BytesIO())),
    "follow_ups.list_open": (AccessDenied, lambda s, w: follow_ups.list_open(
        s, viewer=w["secretariat"], scope="all", bucket="upcoming")),
    "follow_ups.count_open": (AccessDenied, lambda s, w: follow_ups.count_open(s, viewer=w["secretariat"])),
    "follow_ups.recently_closed": (AccessDenied, lambda s, w: follow_ups.recently_closed(
        s, viewer=w["secretariat"], scope="all")),
    "follow_ups.list_for_call": (FollowUpNotAllowed, lambda s, w: follow_ups.list_for_call(
        s, call_id=w["call_id"], viewer=w["secretariat"])),
    "follow_ups.complete": (FollowUpNotAllowed, lambda s, w: follow_ups.complete(
        s, follow_up_id=w["follow_up_id"], note="", actor=w["secretariat"])),
    "follow_ups.add": (FollowUpNotAllowed, lambda s, w: follow_ups.add(
        s, call_id=w["call_id"], due_on=date(2027, 1, 1), assignee_id=w["secretariat"].id, reason="",
        actor=w["secretariat"])),
    "guidance.call_for_referral": (AccessDenied, lambda s, w: guidance.call_for_referral(
        s, call_id=w["call_id"], viewer=w["secretariat"])),
    "guidance.compose_for_call": (AccessDenied, lambda s, w: guidance.compose_for_call(
        s, call_id=w["call_id"], viewer=w["secretariat"])),
    "referrals.calls_awaiting_referral": (AccessDenied, lambda s, w: referrals.calls_awaiting_referral(
        s, viewer=w["secretariat"])),
    "referrals.save": (AccessDenied, lambda s, w: referrals.save(
        s, idempotency_key="k", call_id=w["call_id"], channel="letter", lang="da", subject="", body="",
        actor=w["secretariat"])),
    "privacy.find_member_calls": (AccessDenied, lambda s, w: privacy.find_member_calls(
        s, query=MemberQuery(member_number="4711"), viewer=w["secretariat"])),
    "privacy.access_export": (AccessDenied, lambda s, w: privacy.access_export(
        s, query=MemberQuery(member_number="4711"), actor=w["secretariat"])),
    "privacy.erase_member": (AccessDenied, lambda s, w: privacy.erase_member(
        s, query=MemberQuery(member_number="4711"), actor=w["secretariat"])),
}


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_the_secretariat_cannot_read_a_calls_notes_through(world, name):
    error, reach = REFUSALS[name]
    with session_scope(world["engine"]) as session, pytest.raises(error):
        reach(session, world)


def test_the_secretariat_sees_the_letter_and_nothing_else_of_the_call(world):
    with session_scope(world["engine"]) as session:
        [queued] = referrals.letters_to_post(session, viewer=world["secretariat"])
        outbox = referrals.list_outbox(session, viewer=world["secretariat"])
        assert follow_ups.assignee_choices(session) == [(world["advisor"].id, "Rikke Ravn")]
    assert queued.referral.id == world["letter_id"]
    assert (queued.author_name, queued.address.lines[0]) == ("Rikke Ravn", "Henrik Ærø Søndergaard")
    assert queued.referral.body and queued.referral.subject and queued.referral.created_at
    seen = repr(queued) + repr(outbox)
    assert "SECRET-NOTE" not in seen and PHONE not in seen and "4711" not in seen


def test_the_calls_own_advisor_still_reads_the_notes(world):
    with session_scope(world["engine"]) as session:
        detail = call_log.get_call_detail(session, call_id=world["call_id"], viewer=world["advisor"])
    assert detail.notes == NOTE
