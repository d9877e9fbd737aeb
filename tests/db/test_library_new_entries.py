"""New library entries written by supervisors (for example from an unanswered question)."""

import pytest
from sqlmodel import select

from advisory.library import LibraryEntry, load_bundled_entries
from db.models import AuditEvent, LibraryEntryRecord
from db.repositories import library


def new_entry(slug: str = "faq-kayaking", **changes) -> LibraryEntry:
    text = {"title": "Må jeg sejle kajak?", "short_answer": "Ja.", "detail": "Uddybning.", "tags": ["kajak"]}
    data = {"slug": slug, "kind": slug.split("-")[0], "sources": ["DK2023"], "review_status": "draft",
            "last_reviewed": "2026-11-29", "da": dict(text), "en": {**text, "title": "May I kayak?"}}
    data.update(changes)
    return LibraryEntry.model_validate(data)


def test_a_new_entry_is_stored_as_version_one_of_staff_content_and_audited(session):
    assert library.create_entry(session, entry=new_entry(), editor_id=None, editor_name="susanne") == 1
    session.commit()
    stored = library.get_entry(session, slug="faq-kayaking")
    assert (stored.version, stored.edited_by_staff, stored.entry.da.title) == (1, True, "Må jeg sejle kajak?")
    assert [r.note for r in library.history(session, slug="faq-kayaking")] == ["created"]
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "library_create")).one()
    assert (event.object_id, event.actor_name) == ("faq-kayaking", "susanne")
    assert "faq-kayaking" in {entry.slug for entry in library.load_entries(session)}


def test_a_bundled_sync_leaves_staff_entries_alone(session):
    library.create_entry(session, entry=new_entry(), editor_id=None)
    report = library.sync_bundled(session, load_bundled_entries())
    session.commit()
    assert report.added == len(load_bundled_entries())
    assert library.get_entry(session, slug="faq-kayaking").version == 1


def test_a_slug_in_use_is_refused_and_nothing_is_written(session):
    library.create_entry(session, entry=new_entry(), editor_id=None)
    session.commit()
    with pytest.raises(library.EntryExists):
        library.create_entry(session, entry=new_entry(da={"title": "Anden", "short_answer": "x", "detail": "y",
                                                          "tags": ["z"]}), editor_id=None)
    session.rollback()
    assert len(session.exec(select(LibraryEntryRecord)).all()) == 1


def test_unknown_sources_are_refused(session):
    with pytest.raises(ValueError, match="unknown source"):
        library.create_entry(session, entry=new_entry(sources=["NOPE"]), editor_id=None)
