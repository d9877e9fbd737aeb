"""Retention purge and erasure as staff run them: the database's part (db.repositories.privacy) and the
prepared export files, which live outside the database and may hold the same personal data.

A purge also deletes exports older than their short life; an erasure deletes every prepared export,
since any of them may name the member (they are prepared again in a moment if still needed).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from db.engine import session_scope
from db.repositories import audit, privacy
from db.repositories.call_log import local_day_start
from db.repositories.privacy import AnonymiseCounts, MemberQuery, PurgeReport
from db.repositories.users import StaffUser
from services import exports

__all__ = ["AnonymiseCounts", "MemberQuery", "PurgeReport", "access_export_file", "audit_actions", "audit_events",
           "erase", "erase_member", "last_purges", "member_calls", "prepare_access_file", "preview_purge", "purge",
           "run_purge"]


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


# --- as the administration page runs them: each owns its session -------------------------------------------


def preview_purge(*, retention_days: int) -> PurgeReport:
    with session_scope() as session:
        return privacy.purge(session, retention_days=retention_days, dry_run=True)


def run_purge(*, retention_days: int, actor: StaffUser) -> PurgeReport:
    with session_scope() as session:
        return purge(session, retention_days=retention_days, actor_id=actor.id, actor_name=actor.username)


def last_purges() -> list[dict[str, Any]]:
    with session_scope() as session:
        return privacy.last_purges(session)


def member_calls(query: MemberQuery, *, viewer: StaffUser) -> list[dict[str, Any]]:
    with session_scope() as session:
        return privacy.find_member_calls(session, query=query, viewer=viewer)


def erase(query: MemberQuery, *, actor: StaffUser) -> AnonymiseCounts:
    with session_scope() as session:
        return erase_member(session, query=query, actor=actor)


def prepare_access_file(query: MemberQuery, *, actor: StaffUser) -> Path:
    with session_scope() as session:
        return access_export_file(session, query=query, actor=actor)


def audit_actions() -> list[str]:
    """The actions the audit log holds, for its filter."""
    with session_scope() as session:
        return privacy.audit_actions(session)


def audit_events(*, action: str | None, actor_id: int | None, object_id: str | None, since: date | None,
                 limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """One page of the audit log, newest first, and how many events match (`object_id`: a call's id)."""
    with session_scope() as session:
        return audit.list_events(session, action=action, actor_id=actor_id,
                                 object_type="call" if object_id else None, object_id=object_id or None,
                                 since=None if since is None else local_day_start(since), limit=limit, offset=offset)
