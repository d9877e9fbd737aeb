"""The library as the console serves it: seeded from the bundled YAML, edited by supervisors."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from advisory.content import load_source_keys
from advisory.library import LibraryEntry, load_bundled_entries
from advisory.text import clean_multiline
from db.models import CallLibraryEntry, LibraryEntryRecord, LibraryRevision, User, utcnow
from db.repositories import audit


@dataclass(frozen=True)
class SyncReport:
    added: int
    updated: int
    kept_staff_edits: int


def _content_hash(entry: LibraryEntry) -> str:
    payload = json.dumps(entry.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def sync_bundled(session: Session, entries: list[LibraryEntry] | None = None) -> SyncReport:
    """Add new bundled entries and refresh untouched ones; never overwrite an entry staff edited."""
    entries = load_bundled_entries() if entries is None else entries
    records = {r.slug: r for r in session.exec(select(LibraryEntryRecord))}
    added = updated = kept = 0
    for entry in entries:
        digest = _content_hash(entry)
        data = entry.model_dump(mode="json")
        record = records.get(entry.slug)
        if record is None:
            record = LibraryEntryRecord(
                slug=entry.slug, kind=entry.kind, theme=entry.theme, review_status=entry.review_status,
                last_reviewed=entry.last_reviewed, data=data, version=1, bundled_hash=digest,
            )
            session.add(record)
            session.flush()
            session.add(LibraryRevision(entry_id=record.id, version=1, data=data, changed_fields=["*"],
                                        note="bundled"))
            added += 1
        elif record.bundled_hash == digest:
            continue
        elif record.edited_by_staff:
            kept += 1
        else:
            changed = sorted(k for k in data if data[k] != record.data.get(k))
            record.data = data
            record.kind, record.theme = entry.kind, entry.theme
            record.review_status, record.last_reviewed = entry.review_status, entry.last_reviewed
            record.version += 1
            record.bundled_hash = digest
            record.updated_at = utcnow()
            session.add(record)
            session.add(LibraryRevision(entry_id=record.id, version=record.version, data=data,
                                        changed_fields=changed, note="bundled update"))
            updated += 1
    return SyncReport(added=added, updated=updated, kept_staff_edits=kept)


def load_entries(session: Session) -> list[LibraryEntry]:
    """All entries as advisory models, for the search engine."""
    rows = session.exec(select(LibraryEntryRecord).order_by(LibraryEntryRecord.slug))
    return [LibraryEntry.model_validate(row.data) for row in rows]


def entries_stamp(session: Session) -> str:
    """Changes whenever an entry is added, edited or removed: the cache key of the console's search index."""
    count, versions, latest = session.exec(
        select(func.count(), func.coalesce(func.sum(LibraryEntryRecord.version), 0),
               func.max(LibraryEntryRecord.updated_at))
    ).one()
    return f"{count}:{versions}:{latest}"


# --- supervisors' edits --------------------------------------------------------------------------


class EntryNotFound(LookupError):
    pass


class EditConflict(Exception):
    """Someone saved the entry after the editor opened it; nothing was written."""

    def __init__(self, slug: str, expected: int, current: int) -> None:
        super().__init__(f"{slug}: edited from version {expected}, but it is at version {current} now")
        self.slug, self.expected, self.current = slug, expected, current


@dataclass(frozen=True)
class StoredEntry:
    """An entry with the version an edit must name to replace it."""

    entry: LibraryEntry
    version: int
    edited_by_staff: bool
    updated_at: datetime


@dataclass(frozen=True)
class EditResult:
    version: int  # the entry's version after the edit (unchanged when nothing changed)
    changed_fields: list[str]


@dataclass(frozen=True)
class Revision:
    version: int
    created_at: datetime
    editor_name: str  # "" for the bundled content
    changed_fields: list[str]
    note: str
    data: dict[str, Any]


def _record(session: Session, slug: str) -> LibraryEntryRecord:
    record = session.exec(select(LibraryEntryRecord).where(LibraryEntryRecord.slug == slug)).first()
    if record is None:
        raise EntryNotFound(slug)
    return record


def get_entry(session: Session, *, slug: str) -> StoredEntry:
    record = _record(session, slug)
    session.refresh(record)  # an edit is a core UPDATE: never serve a stale identity-map copy
    return StoredEntry(entry=LibraryEntry.model_validate(record.data), version=record.version,
                       edited_by_staff=record.edited_by_staff, updated_at=record.updated_at)


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What differs, per language field ("da.short_answer") and per shared field ("sources")."""
    changed = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if isinstance(before, dict) and isinstance(after, dict):
            changed += [f"{key}.{name}" for name in sorted(set(before) | set(after))
                        if before.get(name) != after.get(name)]
        elif before != after:
            changed.append(key)
    return changed


def edit_entry(
    session: Session,
    *,
    entry: LibraryEntry,
    expected_version: int,
    editor_id: int | None,
    editor_name: str = "",
    note: str = "",
    restored_from: int | None = None,
) -> EditResult:
    """Replace an entry by a staff edit, as a new revision; raise EditConflict when it moved on meanwhile.

    The version check is in the UPDATE itself (`WHERE version = :expected`), so of two editors who
    started from the same version exactly one wins, on SQLite and PostgreSQL alike.
    """
    # Input is validated, whoever built it, and its texts lose any control character (PostgreSQL refuses NUL).
    entry = LibraryEntry.model_validate(_without_control_characters(entry.model_dump()))
    unknown = sorted(set(entry.sources) - set(load_source_keys()))
    if unknown:
        raise ValueError(f"{entry.slug}: unknown source key(s) {unknown}")
    record = _record(session, entry.slug)
    session.refresh(record)
    if record.version != expected_version:
        raise EditConflict(entry.slug, expected_version, record.version)
    data = entry.model_dump(mode="json")
    changed = changed_fields(record.data, data)
    if not changed:
        return EditResult(version=record.version, changed_fields=[])
    version = expected_version + 1
    result = session.connection().execute(
        update(LibraryEntryRecord)
        .where(col(LibraryEntryRecord.id) == record.id, col(LibraryEntryRecord.version) == expected_version)
        .values(data=data, theme=entry.theme, review_status=entry.review_status,
                last_reviewed=entry.last_reviewed, version=version, edited_by_staff=True,
                updated_at=utcnow(), updated_by_id=editor_id)
    )
    if result.rowcount != 1:
        session.expire(record)
        raise EditConflict(entry.slug, expected_version, _record(session, entry.slug).version)
    session.expire(record)
    session.add(LibraryRevision(entry_id=record.id, version=version, data=data, changed_fields=changed,
                                editor_id=editor_id, note=note[:255]))
    detail: dict[str, Any] = {"version": version, "changed": changed}
    if restored_from is not None:
        detail["restored_from"] = restored_from
    audit.record(session, action="library_edit", actor_id=editor_id, actor_name=editor_name,
                 object_type="library_entry", object_id=entry.slug, detail=detail)
    return EditResult(version=version, changed_fields=changed)


class EntryExists(ValueError):
    """A new entry was given a slug that another entry already has; nothing was written."""


def create_entry(session: Session, *, entry: LibraryEntry, editor_id: int | None, editor_name: str = "") -> int:
    """A supervisor's new entry (for example one started from an unanswered question): version 1,
    marked as staff content so a bundled update never overwrites it. Returns the version (1)."""
    entry = LibraryEntry.model_validate(entry.model_dump())  # input is validated, whoever built it
    unknown = sorted(set(entry.sources) - set(load_source_keys()))
    if unknown:
        raise ValueError(f"{entry.slug}: unknown source key(s) {unknown}")
    if session.exec(select(LibraryEntryRecord.id).where(LibraryEntryRecord.slug == entry.slug)).first() is not None:
        raise EntryExists(entry.slug)
    data = entry.model_dump(mode="json")
    record = LibraryEntryRecord(
        slug=entry.slug, kind=entry.kind, theme=entry.theme, review_status=entry.review_status,
        last_reviewed=entry.last_reviewed, data=data, version=1, edited_by_staff=True, updated_by_id=editor_id,
    )
    session.add(record)
    session.flush()
    session.add(LibraryRevision(entry_id=record.id, version=1, data=data, changed_fields=["*"], editor_id=editor_id,
                                note="created"))
    audit.record(session, action="library_create", actor_id=editor_id, actor_name=editor_name,
                 object_type="library_entry", object_id=entry.slug, detail={"version": 1})
    return 1


def _without_control_characters(value: Any) -> Any:
    if isinstance(value, str):
        return clean_multiline(value)
    if isinstance(value, dict):
        return {key: _without_control_characters(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_control_characters(item) for item in value]
    return value


def history(session: Session, *, slug: str) -> list[Revision]:
    """Every revision of an entry, newest first, with the editor's name."""
    record = _record(session, slug)
    rows = session.exec(
        select(LibraryRevision, User.display_name)
        .join(User, col(User.id) == col(LibraryRevision.editor_id), isouter=True)
        .where(LibraryRevision.entry_id == record.id)
        .order_by(col(LibraryRevision.version).desc())
    )
    return [
        Revision(version=revision.version, created_at=revision.created_at, editor_name=name or "",
                 changed_fields=list(revision.changed_fields), note=revision.note, data=dict(revision.data))
        for revision, name in rows
    ]


def restore(
    session: Session,
    *,
    slug: str,
    version: int,
    expected_version: int,
    editor_id: int | None,
    editor_name: str = "",
) -> EditResult:
    """Bring back an earlier revision's content as a new revision (history is never rewritten)."""
    record = _record(session, slug)
    revision = session.exec(
        select(LibraryRevision).where(LibraryRevision.entry_id == record.id, LibraryRevision.version == version)
    ).first()
    if revision is None:
        raise EntryNotFound(f"{slug} version {version}")
    return edit_entry(session, entry=LibraryEntry.model_validate(revision.data), expected_version=expected_version,
                      editor_id=editor_id, editor_name=editor_name, note=f"restored version {version}",
                      restored_from=version)


def usage_counts(session: Session) -> dict[str, int]:
    """How many saved calls used each entry (slugs never used are absent), counted in SQL."""
    rows = session.exec(
        select(CallLibraryEntry.slug, func.count()).group_by(CallLibraryEntry.slug)
    )
    return {slug: count for slug, count in rows}
