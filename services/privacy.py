"""Retention purge and erasure as staff run them: the database's part (db.repositories.privacy) and the
prepared export files, which live outside the database and may hold the same personal data.

A purge also deletes exports older than their short life; an erasure deletes every prepared export,
since any of them may name the member (they are prepared again in a moment if still needed).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from db.repositories import privacy
from db.repositories.privacy import AnonymiseCounts, MemberQuery, PurgeReport
from db.repositories.users import StaffUser
from services import exports


def purge(session: Session, *, retention_days: int, dry_run: bool = False, now: datetime | None = None,
          actor_id: int | None = None, actor_name: str = "", export_dir: Path = exports.EXPORT_DIR) -> PurgeReport:
    report = privacy.purge(session, retention_days=retention_days, dry_run=dry_run, now=now, actor_id=actor_id,
                           actor_name=actor_name)
    if not dry_run:
        exports.sweep_exports(export_dir)
    return report


def erase_member(session: Session, *, query: MemberQuery, actor: StaffUser,
                 export_dir: Path = exports.EXPORT_DIR) -> AnonymiseCounts:
    counts = privacy.erase_member(session, query=query, actor=actor)
    exports.discard_all_prepared(export_dir)
    return counts


def access_export_file(session: Session, *, query: MemberQuery, actor: StaffUser,
                       export_dir: Path = exports.EXPORT_DIR) -> Path:
    """Everything stored about the member as a prepared JSON file (deleted once downloaded)."""
    text = privacy.access_export_json(privacy.access_export(session, query=query, actor=actor))
    path, _ = exports.prepare_file(lambda target: target.write(text.encode("utf-8")), prefix="access-",
                                   suffix=".json", directory=export_dir)
    return path
