"""Housekeeping, run every minute by the same cron line or systemd timer on every instance
(`python -m cli housekeeping`):

1. the outbox: the e-mails that are due are sent (several runners at once share the work);
2. prepared exports older than EXPORT_MAX_AGE_SECONDS are deleted, so "deleted after 15 minutes at the
   latest" holds without a further export (each instance sweeps its own export folder);
3. the retention purge, at most once an hour across all instances: the run that moves the
   `retention_purge` time in system_value (a conditional UPDATE) purges, in that same transaction.

Each step is idempotent, and a failing step does not keep the others from running.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from db.engine import session_scope
from db.models import utcnow
from db.repositories import privacy as privacy_repo
from db.repositories import system
from services import exports, outbox
from services.outbox import RunReport
from settings import Settings, get_settings

log = logging.getLogger(__name__)

PURGE_TURN = "retention_purge"
PURGE_EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class HousekeepingReport:
    outbox: RunReport | None = None
    exports_swept: int = 0
    purge: privacy_repo.PurgeReport | None = None  # None: not this run's turn
    errors: list[str] = field(default_factory=list)

    @property
    def news(self) -> bool:
        """Anything worth a line in cron's mail."""
        sent = self.outbox is not None and (self.outbox.sent or self.outbox.retry_planned or self.outbox.for_person
                                            or self.outbox.interrupted)
        return bool(sent or self.exports_swept or (self.purge and self.purge.calls) or self.errors)

    def summary(self) -> str:
        lines = []
        if self.outbox is not None:
            lines.append(self.outbox.summary())
        lines.append(f"exports: {self.exports_swept} expired prepared exports deleted")
        if self.purge is None:
            lines.append("purge: not due (at most once an hour)")
        else:
            lines.append(f"purge: {self.purge.calls:,} calls anonymised (started before "
                         f"{self.purge.cutoff:%Y-%m-%d %H:%M} UTC), {self.purge.drafts:,} unsaved calls deleted")
        lines.extend(f"error: {error}" for error in self.errors)
        return "\n".join(lines)


def purge_if_due(engine: Engine, *, retention_days: int, now: datetime | None = None,
                 every: timedelta = PURGE_EVERY) -> privacy_repo.PurgeReport | None:
    """The retention purge when no instance has run it within `every`; None when it was not this run's turn."""
    now = now or utcnow()
    with session_scope(engine) as session:
        if not system.claim_turn(session, name=PURGE_TURN, now=now, every=every):
            return None
        return privacy_repo.purge(session, retention_days=retention_days, now=now, actor_name="housekeeping")


def run(engine: Engine, *, settings: Settings | None = None, now: datetime | None = None,
        export_dir: Path = exports.EXPORT_DIR, send_outbox: bool = True,
        outbox_limit: int = outbox.RUN_LIMIT) -> HousekeepingReport:
    settings = settings or get_settings()
    errors: list[str] = []
    report_outbox = None
    if send_outbox:
        try:
            report_outbox = outbox.send_due(engine=engine, settings=settings, now=now, limit=outbox_limit)
        except Exception as exc:  # the sweep and the purge must still run
            log.exception("housekeeping: outbox failed")
            errors.append(f"outbox: {type(exc).__name__}: {exc}")
    swept = 0
    try:
        swept = exports.sweep_exports(export_dir)
    except OSError as exc:
        errors.append(f"exports: {type(exc).__name__}: {exc}")
    purge = None
    try:
        purge = purge_if_due(engine, retention_days=settings.RETENTION_DAYS, now=now)
    except Exception as exc:
        log.exception("housekeeping: purge failed")
        errors.append(f"purge: {type(exc).__name__}: {exc}")
    return HousekeepingReport(outbox=report_outbox, exports_swept=swept, purge=purge, errors=errors)
