"""Saving a call: contact details only with consent, topics and follow-ups alongside."""

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import select

from advisory.vocab import CallerRole, Disposition, Language, Outcome
from db.models import Call, CallCreate, CallTopic, FollowUp, UserCreate
from db.repositories import calls, users

START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def _advisor(session):
    user = users.create_user(session, data=UserCreate(username="rikke", display_name="Rikke",
                                                      password="korrekt-hest-batteri"))
    session.commit()
    return user


def _call(advisor_id, **overrides):
    values = dict(started_at=START, ended_at=START + timedelta(minutes=7, seconds=30), advisor_id=advisor_id,
                  group_id="acute_vertebral_fracture", flags=["healing_phase"], topics=["lifting", "pain"],
                  caller_name="Henrik Hansen", phone="12 34 56 78", email="henrik@example.dk")
    values.update(overrides)
    return CallCreate(**values)


def test_contact_details_are_dropped_without_consent(session):
    advisor = _advisor(session)
    call_id = calls.save_call(session, data=_call(advisor.id, contact_consent=False))
    session.commit()
    call = session.get(Call, call_id)
    assert (call.caller_name, call.phone, call.email, call.contact_consent_at) == (None, None, None, None)
    assert call.duration_seconds == 450


def test_contact_details_are_kept_with_consent_and_its_time(session):
    advisor = _advisor(session)
    call_id = calls.save_call(session, data=_call(advisor.id, contact_consent=True))
    session.commit()
    call = session.get(Call, call_id)
    assert call.caller_name == "Henrik Hansen"
    assert call.email == "henrik@example.dk"
    assert call.contact_consent_at is not None


def test_topics_and_the_kept_follow_up_are_saved(session):
    advisor = _advisor(session)
    call_id = calls.save_call(session, data=_call(advisor.id, follow_up_on=date(2027, 2, 19),
                                                  follow_up_reason="Helingsfasen slutter"))
    session.commit()
    topics = sorted(row.topic for row in session.exec(select(CallTopic).where(CallTopic.call_id == call_id)))
    assert topics == ["lifting", "pain"]
    follow_up = session.exec(select(FollowUp)).one()
    assert (follow_up.due_on, follow_up.assignee_id, follow_up.status) == (date(2027, 2, 19), advisor.id, "open")


def test_a_phone_number_must_look_like_one():
    with pytest.raises(ValidationError):
        _call(1, phone="ring mig")
    assert _call(1, phone="+45 12 34 56 78").phone == "+45 12 34 56 78"


@pytest.mark.parametrize(
    ("field", "value"),
    [("group_id", "nonsense"), ("outcome", "banana"), ("caller_role", "neighbour"), ("disposition", "pharmacy"),
     ("topics", ["lifting", "astrology"]), ("flags", ["lucky"]), ("lang", "sv"), ("phone", "123"),
     ("email", "ikke-en-adresse")],
)
def test_categorical_fields_and_contact_details_are_checked_by_the_model(field, value):
    with pytest.raises(ValidationError) as caught:
        _call(1, **{field: value})
    assert [error["loc"][0] for error in caught.value.errors()] == [field]


def test_the_row_stores_the_vocabulary_values_as_plain_strings(session):
    advisor = _advisor(session)
    data = _call(advisor.id, outcome=Outcome.referred_to_gp, disposition=Disposition.gp_prompt,
                 caller_role=CallerRole.relative, lang=Language.en)
    call_id = calls.save_call(session, data=data)
    session.commit()
    stored = session.execute(select(Call.group_id, Call.outcome, Call.disposition, Call.caller_role, Call.lang,
                                    Call.flags).where(Call.id == call_id)).one()
    assert tuple(stored) == ("acute_vertebral_fracture", "referred_to_gp", "gp_prompt", "relative", "en",
                             ["healing_phase"])
    assert all(type(value) is str for value in stored[:5])


def test_staff_typed_text_loses_nul_and_control_characters_before_the_database(session):
    """PostgreSQL refuses NUL in text: every way staff text reaches a table cleans it first."""
    from db.models import FollowUp, LibraryEntryRecord, ReferralDraft, User
    from db.repositories import follow_ups, library, referrals
    from db.repositories.users import StaffUser

    library.sync_bundled(session)
    advisor = users.create_user(session, data=UserCreate(username="mads", display_name="Ma\x00ds\x1b",
                                                         password="korrekt-hest-batteri"))
    session.commit()
    assert session.get(User, advisor.id).display_name == "Mads"
    actor = StaffUser(id=advisor.id, username="mads", display_name="Mads", role="advisor")
    call_id = calls.save_call(session, data=_call(advisor.id, contact_consent=True, caller_name="Hen\x00rik",
                                                  notes="Noter\x00 med\r\nlinjer", follow_up_on=date(2027, 1, 1),
                                                  follow_up_reason="Ring\x00 igen"))
    follow_up_id = follow_ups.add(session, call_id=call_id, due_on=date(2027, 2, 1), assignee_id=advisor.id,
                                  reason="Tjek\x00 op", actor=actor)
    follow_ups.complete(session, follow_up_id=follow_up_id, note="Klaret\x00\x07", actor=actor)
    text = ReferralDraft(subject="Til\x00 Henrik", body="Kære\x00 Henrik\r\n", recipient="Henrik\x00\nVej 1")
    referrals.save(session, idempotency_key="k", call_id=call_id, channel="letter", lang="da", subject=text.subject,
                   body=text.body, recipient=text.recipient, actor=actor)
    stored = library.get_entry(session, slug="myth-max-5-kg")
    edited = stored.entry.model_copy(update={"da": stored.entry.da.model_copy(
        update={"detail": "Detalje\x00 med NUL", "title": "Titel\x0b"})})
    library.edit_entry(session, entry=edited, expected_version=stored.version, editor_id=advisor.id)
    session.commit()
    call = session.get(Call, call_id)
    assert (call.caller_name, call.notes) == ("Henrik", "Noter med\nlinjer")
    assert [(f.reason, f.closing_note) for f in session.exec(select(FollowUp).order_by(FollowUp.id))] == [
        ("Ring igen", ""), ("Tjek op", "Klaret")]
    referral = referrals.list_for_call(session, call_id=call_id)[0]
    assert (referral.subject, referral.body, referral.recipient) == ("Til Henrik", "Kære Henrik\n", "Henrik\nVej 1")
    record = session.exec(select(LibraryEntryRecord).where(LibraryEntryRecord.slug == "myth-max-5-kg")).one()
    assert (record.data["da"]["detail"], record.data["da"]["title"]) == ("Detalje med NUL", "Titel")
