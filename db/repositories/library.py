"""The library as the console serves it: seeded from the bundled YAML, edited by supervisors."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlmodel import Session, select

from advisory.library import LibraryEntry, load_bundled_entries
from db.models import LibraryEntryRecord, LibraryRevision, utcnow


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
