"""Housekeeping on the timer: expired exports go without a further export, the purge runs at most hourly
across instances, and the command is quiet when there is nothing to do."""

import os
import threading
import time
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from db.models import AuditEvent, Call, CallCreate, UserCreate
from db.repositories import calls, users
from db.repositories.call_log import CallFilters
from db.repositories.users import StaffUser
from services import exports, housekeeping
from settings import get_settings

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def _old_call(session, days_ago: int) -> int:
    advisor = users.create_user(session, data=UserCreate(username=f"r{days_ago}", display_name="Rikke",
                                                         password="korrekt-hest-batteri"))
    started = NOW - timedelta(days=days_ago)
    call_id = calls.save_call(session, data=CallCreate(
        started_at=started, ended_at=started + timedelta(minutes=5), advisor_id=advisor.id,
        group_id="function_limited", contact_consent=True, caller_name="Inge Jensen", phone="12345678"))
    session.commit()
    return call_id


def test_the_sweep_removes_an_expired_export_without_a_further_export(session, engine, tmp_path):
    sofie = users.create_user(session, data=UserCreate(username="sofie", display_name="Sofie", role="supervisor",
                                                       password="korrekt-hest-batteri"))
    session.commit()
    viewer = StaffUser(id=sofie.id, username="sofie", display_name="Sofie", role="supervisor")
    expired, _ = exports.export_to_file(session, filters=CallFilters(), viewer=viewer, fmt="csv",
                                        include_contact=True, directory=tmp_path)
    fresh, _ = exports.export_to_file(session, filters=CallFilters(), viewer=viewer, fmt="csv",
                                      include_contact=True, directory=tmp_path)
    session.commit()  # the exports' audit events
    old = time.time() - exports.EXPORT_MAX_AGE_SECONDS - 1
    os.utime(expired, (old, old))
    report = housekeeping.run(engine, now=NOW, export_dir=tmp_path, send_outbox=False)
    assert report.exports_swept == 1 and report.errors == []
    assert not expired.exists() and fresh.exists()
    again = housekeeping.run(engine, now=NOW + timedelta(minutes=1), export_dir=tmp_path, send_outbox=False)
    assert again.exports_swept == 0 and fresh.exists()


def test_the_purge_runs_at_most_once_an_hour(session, engine, tmp_path):
    days = get_settings().RETENTION_DAYS
    first = _old_call(session, days + 2)
    report = housekeeping.run(engine, now=NOW, export_dir=tmp_path, send_outbox=False)
    assert report.purge is not None and report.purge.calls == 1
    second = _old_call(session, days + 1)
    assert housekeeping.run(engine, now=NOW + timedelta(minutes=59), export_dir=tmp_path,
                            send_outbox=False).purge is None
    session.expire_all()
    assert session.get(Call, second).anonymised_at is None
    later = housekeeping.run(engine, now=NOW + timedelta(minutes=61), export_dir=tmp_path, send_outbox=False)
    assert later.purge is not None and later.purge.calls == 1
    session.expire_all()
    assert session.get(Call, first).anonymised_at and session.get(Call, second).anonymised_at


def test_two_instances_at_once_purge_once(session, engine, tmp_path):
    _old_call(session, get_settings().RETENTION_DAYS + 2)
    results = []
    barrier = threading.Barrier(2)

    def instance() -> None:
        barrier.wait()
        results.append(housekeeping.purge_if_due(engine, retention_days=get_settings().RETENTION_DAYS, now=NOW))

    threads = [threading.Thread(target=instance) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r is None for r in results) == [False, True]
    session.expire_all()
    purges = session.exec(select(AuditEvent).where(AuditEvent.action == "purge")).all()
    assert len(purges) == 1


def test_the_command_is_quiet_when_there_is_nothing_to_do(db_url, capsys):
    from cli.main import main
    from services import exports

    exports.sweep_exports()  # expired files other tests left in this machine's export folder are news, not ours
    assert main(["housekeeping", "--no-outbox", "--database-url", db_url]) == 0
    # The first run of the hour purges (nothing to anonymise): no news, no output for cron to mail.
    assert capsys.readouterr().out == ""
    assert main(["housekeeping", "--no-outbox", "--verbose", "--database-url", db_url]) == 0
    assert "purge: not due" in capsys.readouterr().out
