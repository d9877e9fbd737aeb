"""The call in progress, one per advisor, autosaved on every change so nothing typed is lost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from db.models import CallDraft, utcnow


@dataclass(frozen=True)
class Draft:
    advisor_id: int
    data: dict[str, Any]
    started_at: datetime
    updated_at: datetime


def _find(session: Session, advisor_id: int) -> CallDraft | None:
    return session.exec(select(CallDraft).where(CallDraft.advisor_id == advisor_id)).first()


def save_draft(session: Session, *, advisor_id: int, data: dict[str, Any],
               started_at: datetime | None = None) -> None:
    draft = _find(session, advisor_id)
    if draft is None:
        draft = CallDraft(advisor_id=advisor_id, data=data, started_at=started_at or utcnow())
    else:
        draft.data = data
        draft.updated_at = utcnow()
    session.add(draft)


def load_draft(session: Session, *, advisor_id: int) -> Draft | None:
    draft = _find(session, advisor_id)
    if draft is None:
        return None
    return Draft(advisor_id=advisor_id, data=dict(draft.data), started_at=draft.started_at,
                 updated_at=draft.updated_at)


def discard_draft(session: Session, *, advisor_id: int) -> None:
    draft = _find(session, advisor_id)
    if draft is not None:
        session.delete(draft)
