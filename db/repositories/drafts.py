"""Calls in progress, one draft per call (keyed by the call's key), autosaved on every change.

An advisor may have several calls in progress (two browser tabs are two calls): each keeps its own draft,
so starting a call in a second tab never overwrites the unsaved call in the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from db.models import CallDraft, utcnow


@dataclass(frozen=True)
class Draft:
    call_key: str
    advisor_id: int
    data: dict[str, Any]
    started_at: datetime
    updated_at: datetime


def _find(session: Session, call_key: str) -> CallDraft | None:
    return session.exec(select(CallDraft).where(CallDraft.call_key == call_key)).first()


def _public(draft: CallDraft) -> Draft:
    return Draft(call_key=draft.call_key, advisor_id=draft.advisor_id, data=dict(draft.data),
                 started_at=draft.started_at, updated_at=draft.updated_at)


def save_draft(session: Session, *, call_key: str, advisor_id: int, data: dict[str, Any],
               started_at: datetime | None = None) -> None:
    draft = _find(session, call_key)
    if draft is None:
        draft = CallDraft(call_key=call_key, advisor_id=advisor_id, data=data, started_at=started_at or utcnow())
    elif draft.advisor_id != advisor_id:
        raise PermissionError("this call belongs to another advisor")
    else:
        draft.data = data
        draft.updated_at = utcnow()
    session.add(draft)


def load_draft(session: Session, *, call_key: str, advisor_id: int) -> Draft | None:
    draft = _find(session, call_key)
    return _public(draft) if draft is not None and draft.advisor_id == advisor_id else None


def list_drafts(session: Session, *, advisor_id: int) -> list[Draft]:
    """The advisor's calls in progress, most recently changed first."""
    rows = session.exec(select(CallDraft).where(CallDraft.advisor_id == advisor_id)
                        .order_by(col(CallDraft.updated_at).desc(), col(CallDraft.id).desc()))
    return [_public(row) for row in rows]


def discard_draft(session: Session, *, call_key: str, advisor_id: int) -> None:
    draft = _find(session, call_key)
    if draft is not None and draft.advisor_id == advisor_id:
        session.delete(draft)
