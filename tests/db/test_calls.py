"""Saving a call: contact details only with consent, topics and follow-ups alongside."""

from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

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
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        _call(1, phone="ring mig")
    assert _call(1, phone="+45 12 34 56 78").phone == "+45 12 34 56 78"
