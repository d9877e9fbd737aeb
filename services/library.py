"""The myth/FAQ library's use cases: the entries the search index is built from, supervisors' edits
(create, revise, restore; signing off is a revision to `approved`), and the log of questions the search
could not answer. Each function owns its session and returns what happened; the editor's form only
draws and maps the outcome to a message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from advisory.library import LibraryEntry
from advisory.library.unanswered import Question
from db.engine import get_engine, session_scope
from db.repositories import library as library_repo
from db.repositories import unanswered as unanswered_repo
from db.repositories.library import Revision, StoredEntry
from db.repositories.users import StaffUser

__all__ = ["EditOutcome", "Revision", "StoredEntry", "create_entry", "entries", "entries_stamp", "history",
           "mark_picked", "record_unanswered", "restore_entry", "revise_entry", "revision_entry", "stored_entry",
           "unanswered_questions", "usage_counts"]


# --- what the search is built from --------------------------------------------------------------------------


def entries(database_url: str | None = None) -> list[LibraryEntry]:
    """The entries as the database holds them (supervisors' edits included); [] before the first load."""
    with session_scope(get_engine(database_url)) as session:
        return library_repo.load_entries(session)


def entries_stamp(database_url: str | None = None) -> str:
    """Changes whenever an entry does: the search index is rebuilt only then."""
    with session_scope(get_engine(database_url)) as session:
        return library_repo.entries_stamp(session)


def usage_counts() -> dict[str, int]:
    with session_scope() as session:
        return library_repo.usage_counts(session)


# --- searches without a confident answer ---------------------------------------------------------------------


def record_unanswered(*, query: str, lang: str, is_known_word: Callable[[str], bool]) -> int | None:
    """Log a search without a confident answer (personal data stripped first); its id, or None when
    nothing was left to store."""
    with session_scope() as session:
        return unanswered_repo.record(session, query=query, lang=lang, is_known_word=is_known_word)


def mark_picked(*, query_id: int, slug: str) -> None:
    """The advisor used an entry in the call after that search."""
    with session_scope() as session:
        unanswered_repo.mark_picked(session, query_id=query_id, slug=slug)


def unanswered_questions(*, since: datetime) -> list[Question]:
    with session_scope() as session:
        return unanswered_repo.questions(session, since=since)


# --- supervisors' edits -----------------------------------------------------------------------------------------


def stored_entry(slug: str) -> StoredEntry:
    with session_scope() as session:
        return library_repo.get_entry(session, slug=slug)


def history(slug: str) -> list[Revision]:
    with session_scope() as session:
        return library_repo.history(session, slug=slug)


def revision_entry(slug: str, version: int) -> LibraryEntry | None:
    """The entry as it was at `version` (what an editor opened before the entry moved on)."""
    return next((LibraryEntry.model_validate(r.data) for r in history(slug) if r.version == version), None)


@dataclass(frozen=True)
class EditOutcome:
    """What an edit did: the new version and what changed, or why nothing was written."""

    version: int | None = None
    changed_fields: list[str] = field(default_factory=list)
    invalid: ValidationError | None = None  # the form's data is not a valid entry
    conflict: int | None = None  # someone saved the entry meanwhile: its version now
    exists: bool = False  # a new entry's id is taken

    @property
    def saved(self) -> bool:
        return self.version is not None and bool(self.changed_fields)


def _validated(data: dict[str, Any]) -> LibraryEntry | EditOutcome:
    """The form's data as an entry, or the outcome that says what is wrong with it."""
    try:
        return LibraryEntry.model_validate(data)
    except ValidationError as exc:
        return EditOutcome(invalid=exc)


def create_entry(data: dict[str, Any], *, editor: StaffUser) -> EditOutcome:
    """A new entry from the form's data: validated, then stored as version 1 (a staff entry)."""
    if isinstance(entry := _validated(data), EditOutcome):
        return entry
    try:
        with session_scope() as session:
            version = library_repo.create_entry(session, entry=entry, editor_id=editor.id, editor_name=editor.username)
    except library_repo.EntryExists:
        return EditOutcome(exists=True)
    return EditOutcome(version=version, changed_fields=["*"])


def revise_entry(data: dict[str, Any], *, expected_version: int, editor: StaffUser) -> EditOutcome:
    """An edit from the version the form was opened from; refused when someone saved since."""
    if isinstance(entry := _validated(data), EditOutcome):
        return entry
    try:
        with session_scope() as session:
            result = library_repo.edit_entry(session, entry=entry, expected_version=expected_version,
                                             editor_id=editor.id, editor_name=editor.username)
    except library_repo.EditConflict as conflict:
        return EditOutcome(conflict=conflict.current)
    return EditOutcome(version=result.version, changed_fields=result.changed_fields)


def restore_entry(*, slug: str, version: int, expected_version: int, editor: StaffUser) -> EditOutcome:
    """An older version back, as a new revision."""
    try:
        with session_scope() as session:
            result = library_repo.restore(session, slug=slug, version=version, expected_version=expected_version,
                                          editor_id=editor.id, editor_name=editor.username)
    except library_repo.EditConflict as conflict:
        return EditOutcome(conflict=conflict.current)
    return EditOutcome(version=result.version, changed_fields=result.changed_fields)
