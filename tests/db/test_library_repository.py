"""The library in the database: staff edits as revisions, optimistic locking, restore, bundled sync, usage."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from advisory.library import LibraryEntry, load_bundled_entries
from db.models import AuditEvent, CallCreate, LibraryEntryRecord, LibraryRevision, UserCreate
from db.repositories import library, users
from db.repositories.calls import save_call

SLUG = "myth-max-5-kg"


@pytest.fixture(scope="module")
def bundled() -> list[LibraryEntry]:
    return load_bundled_entries()


@pytest.fixture
def seeded(session, bundled):
    library.sync_bundled(session, bundled)
    session.commit()
    return session


def _supervisor(session, name="susanne"):
    user = users.create_user(session, data=UserCreate(username=name, display_name=name.title(),
                                                      role="supervisor", password="korrekt-hest-batteri"))
    session.commit()
    return user


def _with(entry: LibraryEntry, **changes) -> LibraryEntry:
    """A copy of `entry` with top-level fields or language fields ("da_title") replaced."""
    data = entry.model_dump()
    for name, value in changes.items():
        lang, _, field = name.partition("_")
        if lang in ("da", "en") and field:
            data[lang][field] = value
        else:
            data[name] = value
    return LibraryEntry.model_validate(data)


def _edit(session, user, *, expected=1, **changes):
    current = library.get_entry(session, slug=changes.pop("slug", SLUG)).entry
    result = library.edit_entry(session, entry=_with(current, **changes), expected_version=expected,
                                editor_id=user.id, editor_name=user.username)
    session.commit()
    return result


def test_an_edit_is_a_revision_marked_as_staff_work_and_audited(seeded):
    editor = _supervisor(seeded)
    stamp = library.entries_stamp(seeded)
    result = _edit(seeded, editor, da_short_answer="Der er ingen fast grænse.", theme="stabil")

    assert result == library.EditResult(version=2, changed_fields=["da.short_answer", "theme"])
    stored = library.get_entry(seeded, slug=SLUG)
    assert (stored.version, stored.edited_by_staff) == (2, True)
    assert stored.entry.da.short_answer == "Der er ingen fast grænse."
    record = seeded.exec(select(LibraryEntryRecord).where(LibraryEntryRecord.slug == SLUG)).one()
    assert (record.theme, record.updated_by_id) == ("stabil", editor.id)
    revisions = library.history(seeded, slug=SLUG)
    assert [(r.version, r.editor_name, r.changed_fields) for r in revisions] == [
        (2, "Susanne", ["da.short_answer", "theme"]),
        (1, "", ["*"]),
    ]
    event = seeded.exec(select(AuditEvent).where(AuditEvent.action == "library_edit")).one()
    assert (event.actor_id, event.object_id, event.detail) == (
        editor.id, SLUG, {"version": 2, "changed": ["da.short_answer", "theme"]})
    assert library.entries_stamp(seeded) != stamp
    assert next(e for e in library.load_entries(seeded) if e.slug == SLUG).da.short_answer == (
        "Der er ingen fast grænse.")


def test_saving_unchanged_content_writes_nothing(seeded):
    editor = _supervisor(seeded)
    assert _edit(seeded, editor) == library.EditResult(version=1, changed_fields=[])
    assert len(library.history(seeded, slug=SLUG)) == 1
    assert library.get_entry(seeded, slug=SLUG).edited_by_staff is False


def test_a_stale_version_is_a_conflict_and_overwrites_nothing(seeded):
    first, second = _supervisor(seeded, "susanne"), _supervisor(seeded, "morten")
    _edit(seeded, first, da_title="Susannes titel")
    with pytest.raises(library.EditConflict) as conflict:
        _edit(seeded, second, expected=1, da_title="Mortens titel")
    seeded.rollback()
    assert (conflict.value.expected, conflict.value.current) == (1, 2)
    assert library.get_entry(seeded, slug=SLUG).entry.da.title == "Susannes titel"
    assert [r.version for r in library.history(seeded, slug=SLUG)] == [2, 1]


def test_two_editors_who_opened_the_same_version_one_wins(engine, seeded):
    """Both read version 1 in their own session; the second save finds the row moved on."""
    first, second = _supervisor(seeded, "susanne"), _supervisor(seeded, "morten")
    with Session(engine) as one, Session(engine) as other:
        opened_one = library.get_entry(one, slug=SLUG)
        opened_other = library.get_entry(other, slug=SLUG)
        one.rollback()
        other.rollback()
        library.edit_entry(one, entry=_with(opened_one.entry, en_title="First"),
                           expected_version=opened_one.version, editor_id=first.id)
        one.commit()
        with pytest.raises(library.EditConflict):
            library.edit_entry(other, entry=_with(opened_other.entry, en_title="Second"),
                               expected_version=opened_other.version, editor_id=second.id)
        other.rollback()
    seeded.expire_all()
    assert library.get_entry(seeded, slug=SLUG).entry.en.title == "First"
    assert len(seeded.exec(select(LibraryRevision)).all()) == len(library.load_entries(seeded)) + 1


def test_the_version_check_is_part_of_the_update_itself(engine, seeded, monkeypatch):
    """A save that read the entry just before another one committed still cannot overwrite it."""
    first, second = _supervisor(seeded, "susanne"), _supervisor(seeded, "morten")
    with Session(engine) as late:
        opened = library.get_entry(late, slug=SLUG)
        # Hold the row (the identity map is weak) and stop refreshes: `late` keeps its stale view.
        stale = late.exec(select(LibraryEntryRecord).where(LibraryEntryRecord.slug == SLUG)).one()
        seen = stale.version
        _edit(seeded, first, en_title="First")
        monkeypatch.setattr(late, "refresh", lambda *args, **kwargs: None)
        with pytest.raises(library.EditConflict) as conflict:
            library.edit_entry(late, entry=_with(opened.entry, en_title="Second"), expected_version=1,
                               editor_id=second.id)
        late.rollback()
    assert (seen, conflict.value.current) == (1, 2)
    seeded.expire_all()
    assert library.get_entry(seeded, slug=SLUG).entry.en.title == "First"


def test_restore_brings_old_content_back_as_a_new_revision(seeded):
    editor = _supervisor(seeded)
    original = library.get_entry(seeded, slug=SLUG).entry
    _edit(seeded, editor, da_detail="Ny uddybning.", sources=["VKS"])

    result = library.restore(seeded, slug=SLUG, version=1, expected_version=2, editor_id=editor.id)
    seeded.commit()

    assert result == library.EditResult(version=3, changed_fields=["da.detail", "sources"])
    assert library.get_entry(seeded, slug=SLUG).entry == original
    newest = library.history(seeded, slug=SLUG)[0]
    assert (newest.version, newest.note) == (3, "restored version 1")
    events = seeded.exec(select(AuditEvent).where(AuditEvent.action == "library_edit")).all()
    assert events[-1].detail["restored_from"] == 1


def test_restore_from_a_stale_version_is_a_conflict(seeded):
    editor = _supervisor(seeded)
    _edit(seeded, editor, da_title="Anden titel")
    with pytest.raises(library.EditConflict):
        library.restore(seeded, slug=SLUG, version=1, expected_version=1, editor_id=editor.id)


def test_edits_of_unknown_entries_are_refused(seeded, bundled):
    # The slug names the entry (and, through its prefix, the kind): a new slug is no edit.
    entry = next(e for e in bundled if e.slug == SLUG).model_copy(update={"slug": "myth-max-6-kg"})
    with pytest.raises(library.EntryNotFound):
        library.edit_entry(seeded, entry=entry, expected_version=1, editor_id=None)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda e: e.model_copy(update={"da": e.da.model_copy(update={"short_answer": "ord " * 61})}),
         "at most 60"),
        (lambda e: e.model_copy(update={"sources": ["DK2023", "WIKIPEDIA"]}), "unknown source"),
    ],
)
def test_an_invalid_entry_is_refused_before_anything_is_written(seeded, bundled, change, message):
    invalid = change(next(e for e in bundled if e.slug == SLUG))
    with pytest.raises(ValueError, match=message):
        library.edit_entry(seeded, entry=invalid, expected_version=1, editor_id=None)
    assert library.get_entry(seeded, slug=SLUG).version == 1


def test_a_newer_bundled_version_adds_entries_but_never_overwrites_staff_edits(session, bundled):
    edited, untouched = bundled[0], bundled[1]
    library.sync_bundled(session, [edited, untouched])
    session.commit()
    editor = _supervisor(session)
    _edit(session, editor, slug=edited.slug, da_title="Supervisorens titel")

    newer = [_with(edited, da_title="Ny bundet titel"), _with(untouched, en_title="New bundled title"), bundled[2]]
    report = library.sync_bundled(session, newer)
    session.commit()

    assert report == library.SyncReport(added=1, updated=1, kept_staff_edits=1)
    assert library.get_entry(session, slug=edited.slug).entry.da.title == "Supervisorens titel"
    assert library.get_entry(session, slug=untouched.slug).entry.en.title == "New bundled title"
    assert library.get_entry(session, slug=bundled[2].slug).version == 1
    assert library.sync_bundled(session, newer) == library.SyncReport(added=0, updated=0, kept_staff_edits=1)


def test_usage_counts_are_counted_per_entry(seeded):
    advisor = users.create_user(seeded, data=UserCreate(username="rikke", display_name="Rikke",
                                                        password="korrekt-hest-batteri"))
    start = datetime(2026, 11, 2, 9, tzinfo=UTC)
    for slugs in ([SLUG, "myth-yoga-dangerous"], [SLUG], [SLUG], []):
        save_call(seeded, data=CallCreate(started_at=start, ended_at=start + timedelta(minutes=9),
                                          advisor_id=advisor.id, group_id="function_limited", library_slugs=slugs))
    seeded.commit()
    assert library.usage_counts(seeded) == {SLUG: 3, "myth-yoga-dangerous": 1}


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ({"theme": "staerk"}, {"theme": "staerk"}, []),
        ({"theme": "staerk"}, {"theme": None}, ["theme"]),
        ({"da": {"title": "a", "tags": ["x"]}}, {"da": {"title": "a", "tags": ["x", "y"]}}, ["da.tags"]),
        ({"da": {"title": "a"}, "sources": ["DK2023"]}, {"da": {"title": "b"}, "sources": ["VKS"]},
         ["da.title", "sources"]),
        ({}, {"last_reviewed": date(2026, 1, 1).isoformat()}, ["last_reviewed"]),
    ],
)
def test_changed_fields_name_language_fields(old, new, expected):
    assert library.changed_fields(old, new) == expected
