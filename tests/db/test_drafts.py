"""Call drafts: one per advisor, overwritten on every autosave, gone when discarded."""

from db.models import UserCreate
from db.repositories import drafts, users


def _advisor(session, name="rikke"):
    user = users.create_user(session, data=UserCreate(username=name, display_name=name,
                                                      password="korrekt-hest-batteri"))
    session.commit()
    return user


def test_autosave_overwrites_and_survives_a_new_session(engine, session):
    advisor = _advisor(session)
    drafts.save_draft(session, advisor_id=advisor.id, data={"notes": "første"})
    session.commit()
    drafts.save_draft(session, advisor_id=advisor.id, data={"notes": "anden æøå"})
    session.commit()
    from sqlmodel import Session

    with Session(engine) as other:
        draft = drafts.load_draft(other, advisor_id=advisor.id)
    assert draft.data == {"notes": "anden æøå"}
    assert draft.updated_at >= draft.started_at


def test_drafts_are_per_advisor_and_discardable(session):
    rikke, mads = _advisor(session, "rikke"), _advisor(session, "mads")
    drafts.save_draft(session, advisor_id=rikke.id, data={"a": 1})
    drafts.save_draft(session, advisor_id=mads.id, data={"b": 2})
    session.commit()
    drafts.discard_draft(session, advisor_id=rikke.id)
    session.commit()
    assert drafts.load_draft(session, advisor_id=rikke.id) is None
    assert drafts.load_draft(session, advisor_id=mads.id).data == {"b": 2}
