"""Prepared export files never outlive an erasure, and a purge sweeps the stale ones."""

import os
import time
from datetime import UTC, datetime, timedelta

from db.models import CallCreate, UserCreate
from db.repositories import calls, users
from db.repositories.call_log import CallFilters
from db.repositories.privacy import MemberQuery
from services import exports, privacy

START = datetime.now(UTC) - timedelta(days=3)


def _team(session):
    made = {name: users.create_user(session, data=UserCreate(username=name, display_name=name.title(), role=role,
                                                             password="korrekt-hest-batteri"))
            for name, role in (("rikke", "advisor"), ("sofie", "supervisor"), ("alma", "admin"))}
    calls.save_call(session, data=CallCreate(
        started_at=START, ended_at=START + timedelta(minutes=5), advisor_id=made["rikke"].id,
        group_id="function_limited", contact_consent=True, caller_name="Inge Jensen", phone="12345678"))
    session.commit()
    return made


def test_an_erasure_deletes_every_prepared_export(session, tmp_path):
    team = _team(session)
    call_log_file, _ = exports.export_to_file(session, filters=CallFilters(), viewer=team["sofie"], fmt="csv",
                                              include_contact=True, directory=tmp_path)
    access_file = privacy.access_export_file(session, query=MemberQuery(phone="12345678"), actor=team["alma"],
                                             export_dir=tmp_path)
    assert "Inge Jensen" in call_log_file.read_text(encoding="utf-8-sig")
    assert "Inge Jensen" in access_file.read_text(encoding="utf-8")
    assert access_file.stat().st_mode & 0o777 == 0o600
    counts = privacy.erase_member(session, query=MemberQuery(phone="12345678"), actor=team["alma"],
                                  export_dir=tmp_path)
    assert counts.calls == 1
    assert not call_log_file.exists() and not access_file.exists()


def test_a_purge_sweeps_stale_exports_and_a_dry_run_touches_nothing(session, tmp_path):
    team = _team(session)
    stale, _ = exports.export_to_file(session, filters=CallFilters(), viewer=team["sofie"], fmt="csv",
                                      include_contact=False, directory=tmp_path)
    fresh, _ = exports.export_to_file(session, filters=CallFilters(), viewer=team["sofie"], fmt="xlsx",
                                      include_contact=False, directory=tmp_path)
    an_hour_ago = time.time() - 3600
    os.utime(stale, (an_hour_ago, an_hour_ago))
    privacy.purge(session, retention_days=730, dry_run=True, export_dir=tmp_path)
    assert stale.exists()
    privacy.purge(session, retention_days=730, export_dir=tmp_path)
    assert not stale.exists() and fresh.exists()
