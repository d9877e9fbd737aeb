"""Call drafts: one per call (not per advisor), overwritten on every autosave, gone when discarded."""

from sqlmodel import Session

from db.models import UserCreate
from db.repositories import drafts, users


def _advisor(session, name="rikke"):
    user = users.create_user(session, data=UserCreate(username=name, display_name=name,
                                                      password="korrekt-hest-batteri"))
    session.commit()
    return user


def test_autosave_overwrites_and_survives_a_new_session(engine, session):
    advisor = _advisor(session)
    drafts.save_draft(session, call_key="k1", advisor_id=advisor.id, data={"notes": "første"})
    session.commit()
    drafts.save_draft(session, call_key="k1", advisor_id=advisor.id, data={"notes": "anden æøå"})
    session.commit()
    with Session(engine) as other:
        draft = drafts.load_draft(other, call_key="k1", advisor_id=advisor.id)
    assert draft.data == {"notes": "anden æøå"}
    assert draft.updated_at >= draft.started_at


def test_a_second_call_of_the_same_advisor_does_not_overwrite_the_first(session):
    advisor = _advisor(session)
    drafts.save_draft(session, call_key="tab-1", advisor_id=advisor.id, data={"notes": "Inge"})
    drafts.save_draft(session, call_key="tab-2", advisor_id=advisor.id, data={"notes": "Henrik"})
    session.commit()
    assert drafts.load_draft(session, call_key="tab-1", advisor_id=advisor.id).data == {"notes": "Inge"}
    assert {d.call_key for d in drafts.list_drafts(session, advisor_id=advisor.id)} == {"tab-1", "tab-2"}


def test_drafts_are_the_advisors_own_and_discardable(session):
    rikke, mads = _advisor(session, "rikke"), _advisor(session, "mads")
    drafts.save_draft(session, call_key="r", advisor_id=rikke.id, data={"a": 1})
    drafts.save_draft(session, call_key="m", advisor_id=mads.id, data={"b": 2})
    session.commit()
    assert drafts.load_draft(session, call_key="m", advisor_id=rikke.id) is None  # not hers
    drafts.discard_draft(session, call_key="m", advisor_id=rikke.id)  # not hers: nothing happens
    drafts.discard_draft(session, call_key="r", advisor_id=rikke.id)
    session.commit()
    assert drafts.load_draft(session, call_key="r", advisor_id=rikke.id) is None
    assert drafts.load_draft(session, call_key="m", advisor_id=mads.id).data == {"b": 2}
