"""The letter batch: letters queued with a usable address, printed as one PDF, marked posted by the secretariat."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import update
from sqlmodel import select

from advisory.access import AccessDenied
from db.engine import get_engine, session_scope
from db.models import AuditEvent, Referral
from db.repositories import referrals
from services import outbox
from tests.services.test_outbox import fetch, make_advisor, make_call, queue, save_referral

INGE = "Inge Hansen\nÆblevej 3, 2. th.\n8000 Aarhus C"
HENRIK = "Henrik Ærø Søndergaard\nBøgevej 1\n2100 København Ø"
NOW = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)


def queue_letter(db_url, referral_id, actor):
    with session_scope(get_engine(db_url)) as session:
        return referrals.queue_letter(session, referral_id=referral_id, actor=actor)


def letter(db_url, advisor, recipient, *, body="Kære medlem\nTal med din egen læge.\n", queued=True):
    record = save_referral(db_url, make_call(db_url, advisor.id), advisor.id, channel="letter", recipient=recipient,
                           body=body)
    return queue_letter(db_url, record.id, advisor) if queued else record


@pytest.fixture
def staff(db_url):
    return {"rikke": make_advisor(db_url, "rikke"), "mads": make_advisor(db_url, "mads"),
            "birgit": make_advisor(db_url, "birgit", role="secretariat"),
            "sofie": make_advisor(db_url, "sofie", role="supervisor")}


def waiting(db_url, viewer):
    with session_scope(get_engine(db_url)) as session:
        return referrals.letters_to_post(session, viewer=viewer)


def pdf_pages(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def actions(db_url) -> list[tuple[str, dict]]:
    with session_scope(get_engine(db_url)) as session:
        return [(e.action, e.detail) for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]


def test_a_letter_without_a_usable_address_cannot_enter_the_batch(db_url, staff):
    draft = letter(db_url, staff["rikke"], "Inge Hansen\nÆblevej 3", queued=False)
    with pytest.raises(referrals.InvalidPostalAddress) as refused:
        queue_letter(db_url, draft.id, staff["rikke"])
    assert refused.value.check.missing == ("postcode_town",)
    assert fetch(db_url, draft.id).status == "draft"
    assert waiting(db_url, staff["birgit"]) == []


def test_only_whoever_may_write_the_guidance_queues_the_letter(db_url, staff):
    draft = letter(db_url, staff["rikke"], INGE, queued=False)
    for outsider in (staff["mads"], staff["birgit"]):
        with pytest.raises(AccessDenied):
            queue_letter(db_url, draft.id, outsider)
    assert queue_letter(db_url, draft.id, staff["rikke"]).status == "queued"


def test_the_batch_lists_every_advisors_letters_oldest_first_for_the_secretariat_only(db_url, staff):
    first = letter(db_url, staff["rikke"], INGE)
    second = letter(db_url, staff["mads"], HENRIK)
    letter(db_url, staff["rikke"], INGE, queued=False)  # a draft is not waiting to be posted
    email = save_referral(db_url, make_call(db_url, staff["rikke"].id), staff["rikke"].id)
    queue(db_url, email.id, staff["rikke"].id)
    rows = waiting(db_url, staff["birgit"])
    assert [(r.referral.id, r.author_name, r.address.usable) for r in rows] == [
        (first.id, "Rikke Ravn", True), (second.id, "Mads Ravn", True)]
    assert [r.referral.id for r in waiting(db_url, staff["sofie"])] == [first.id, second.id]
    with pytest.raises(AccessDenied):
        waiting(db_url, staff["rikke"])


def test_a_queued_letter_whose_address_became_unusable_says_what_is_missing(db_url, staff):
    queued = letter(db_url, staff["rikke"], INGE)
    with session_scope(get_engine(db_url)) as session:  # e.g. queued before the check existed
        session.connection().execute(update(Referral).where(Referral.id == queued.id).values(recipient="Inge"))
    [row] = waiting(db_url, staff["birgit"])
    assert (row.address.usable, row.address.missing) == (False, ("street", "postcode_town"))
    pdf = outbox.print_letters(engine=get_engine(db_url), referral_ids=[queued.id, letter(db_url, staff["mads"],
                                                                                          HENRIK).id],
                               actor=staff["birgit"], now=NOW)
    assert len(pdf_pages(pdf)) == 1 and "Henrik" in pdf_pages(pdf)[0]


def test_print_then_mark_posted_records_who_posted_and_when(db_url, staff):
    inge, henrik = letter(db_url, staff["rikke"], INGE), letter(db_url, staff["mads"], HENRIK)
    batch = [inge.id, henrik.id]
    pdf = outbox.print_letters(engine=get_engine(db_url), referral_ids=batch, actor=staff["birgit"], now=NOW)
    pages = pdf_pages(pdf)
    assert len(pages) == 2
    assert "Inge Hansen Æblevej 3, 2. th. 8000 Aarhus C" in pages[0] and "26. november 2026" in pages[0]
    assert "Henrik Ærø Søndergaard Bøgevej 1 2100 København Ø" in pages[1]
    assert fetch(db_url, inge.id).printed_at == NOW
    late = letter(db_url, staff["rikke"], INGE)  # queued after the batch was printed: not in it
    with session_scope(get_engine(db_url)) as session:
        posted = referrals.mark_posted(session, referral_ids=batch, actor=staff["birgit"], now=NOW + timedelta(minutes=5))
    assert posted == batch
    for referral_id in batch:
        record = fetch(db_url, referral_id)
        assert (record.status, record.posted_by_id, record.posted_at) == ("sent", staff["birgit"].id,
                                                                          NOW + timedelta(minutes=5))
        assert (record.sent_by_id, record.sent_at) == (staff["birgit"].id, NOW + timedelta(minutes=5))
    assert fetch(db_url, late.id).status == "queued"
    with session_scope(get_engine(db_url)) as session:
        assert referrals.mark_posted(session, referral_ids=batch, actor=staff["birgit"]) == []  # once only
    done = [(action, detail) for action, detail in actions(db_url) if action in ("letters_printed", "letters_posted")]
    assert done == [("letters_printed", {"referral_ids": batch, "versions": [1, 1], "already_posted": []}),
                    ("letters_posted", {"referral_ids": batch, "versions": [1, 1]})]


def test_printing_a_posted_letter_again_needs_confirmation_and_is_audited(db_url, staff):
    inge = letter(db_url, staff["rikke"], INGE)
    engine = get_engine(db_url)
    outbox.print_letters(engine=engine, referral_ids=[inge.id], actor=staff["birgit"], now=NOW)
    with session_scope(engine) as session:
        referrals.mark_posted(session, referral_ids=[inge.id], actor=staff["birgit"])
    with pytest.raises(referrals.ReprintNeedsConfirmation):
        outbox.print_letters(engine=engine, referral_ids=[inge.id], actor=staff["birgit"])
    with pytest.raises(LookupError):  # the day's batch leaves letters posted meanwhile out
        outbox.print_letters(engine=engine, referral_ids=[inge.id], actor=staff["birgit"], skip_posted=True)
    again = outbox.print_letters(engine=engine, referral_ids=[inge.id], actor=staff["birgit"], confirm_reprint=True)
    assert "Inge Hansen" in pdf_pages(again)[0]
    assert actions(db_url)[-1] == ("letters_reprinted", {"referral_ids": [inge.id], "versions": [1],
                                                         "already_posted": [inge.id]})
    with session_scope(engine) as session:
        assert [r.referral.id for r in referrals.recently_posted(session, viewer=staff["birgit"])] == [inge.id]


def test_advisors_neither_print_nor_post_the_batch(db_url, staff):
    inge = letter(db_url, staff["rikke"], INGE)
    with pytest.raises(AccessDenied):
        outbox.print_letters(engine=get_engine(db_url), referral_ids=[inge.id], actor=staff["rikke"])
    with session_scope(get_engine(db_url)) as session, pytest.raises(AccessDenied):
        referrals.mark_posted(session, referral_ids=[inge.id], actor=staff["rikke"])


def test_outbox_health_counts_waiting_and_failed_for_a_person(db_url, staff):
    with session_scope(get_engine(db_url)) as session:
        empty = referrals.outbox_health(session, viewer=staff["sofie"])
    assert (empty.emails_waiting, empty.letters_waiting, empty.failed_for_person, empty.oldest_age()) == (0, 0, 0, None)
    oldest = letter(db_url, staff["rikke"], INGE)
    email = save_referral(db_url, make_call(db_url, staff["rikke"].id), staff["rikke"].id)
    queue(db_url, email.id, staff["rikke"].id)
    stuck = save_referral(db_url, make_call(db_url, staff["rikke"].id), staff["rikke"].id)
    with session_scope(get_engine(db_url)) as session:
        session.connection().execute(update(Referral).where(Referral.id == stuck.id).values(status="failed",
                                                                                           error="connect: refused"))
    with session_scope(get_engine(db_url)) as session:
        health = referrals.outbox_health(session, viewer=staff["sofie"])
        assert referrals.outbox_health(session, viewer=staff["birgit"]) == health
        with pytest.raises(AccessDenied):
            referrals.outbox_health(session, viewer=staff["rikke"])
    assert (health.emails_waiting, health.letters_waiting, health.failed_for_person) == (1, 1, 1)
    assert health.oldest_waiting_since == fetch(db_url, oldest.id).created_at
    assert health.oldest_age(health.oldest_waiting_since + timedelta(hours=3)) == timedelta(hours=3)


def test_a_letter_edited_after_printing_is_a_new_version_that_must_be_printed_again(db_url, staff):
    """What the member received and what the call log says never differ: the printed text is frozen, an
    edit is version 2, the batch cannot mark it posted until version 2 is printed, and the log says 2."""
    engine = get_engine(db_url)
    call_id = make_call(db_url, staff["rikke"].id)
    key = referrals.new_key()
    first = save_referral(db_url, call_id, staff["rikke"].id, channel="letter", key=key, recipient=INGE,
                          body="Kære Inge\nTal med din egen læge.\n")
    queue_letter(db_url, first.id, staff["rikke"])
    outbox.print_letters(engine=engine, referral_ids=[first.id], actor=staff["birgit"], now=NOW)
    assert (fetch(db_url, first.id).version, fetch(db_url, first.id).printed_version) == (1, 1)
    # Saving the same text again changes nothing; a changed text is version 2, no longer printed.
    save_referral(db_url, call_id, staff["rikke"].id, channel="letter", key=key, recipient=INGE,
                  body="Kære Inge\nTal med din egen læge.\n")
    assert fetch(db_url, first.id).version == 1 and fetch(db_url, first.id).printed_as_is
    save_referral(db_url, call_id, staff["rikke"].id, channel="letter", key=key, recipient=INGE,
                  body="Kære Inge\nTal med din egen læge om en knoglescanning.\n")
    edited = fetch(db_url, first.id)
    assert (edited.version, edited.printed_version, edited.printed_at, edited.status) == (2, 1, None, "queued")
    assert not edited.printed_as_is
    with session_scope(engine) as session:  # the paper in hand is version 1: it cannot be logged as posted
        assert referrals.mark_posted(session, referral_ids=[first.id], actor=staff["birgit"]) == []
    assert fetch(db_url, first.id).status == "queued"
    pdf = outbox.print_letters(engine=engine, referral_ids=[first.id], actor=staff["birgit"], now=NOW)
    assert "knoglescanning" in pdf_pages(pdf)[0]
    with session_scope(engine) as session:
        assert referrals.mark_posted(session, referral_ids=[first.id], actor=staff["birgit"]) == [first.id]
    posted = fetch(db_url, first.id)
    assert (posted.status, posted.posted_version) == ("sent", 2)
    assert ("letter_new_version", {"call_id": call_id, "version": 2, "printed_version": 1}) in actions(db_url)
    assert ("referral_sent", {"referral_id": first.id, "channel": "letter", "version": 2}) in actions(db_url)
    with session_scope(engine) as session:  # the call's detail shows which version went out
        from db.repositories import call_log
        [row] = call_log._referrals(session, call_id)
    assert (row["version"], row["posted_version"]) == (2, 2)
