"""The one timer's schedule (console/clock.py): the next idle check comes one second after this tab's idle
time runs out, or SESSION_WATCH_SECONDS later if that is sooner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from console.clock import SHORTEST, watch_interval
from settings import get_settings

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def limits(monkeypatch):
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "30")
    monkeypatch.setenv("SESSION_WATCH_SECONDS", "30")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_an_active_tab_is_checked_every_watch_interval():
    assert watch_interval(NOW - timedelta(minutes=2), NOW) == 30


def test_the_last_check_comes_a_second_after_the_idle_time_runs_out():
    assert watch_interval(NOW - timedelta(minutes=30) + timedelta(seconds=12), NOW) == 13


def test_a_tab_past_its_idle_time_is_checked_at_once():
    assert watch_interval(NOW - timedelta(minutes=45), NOW) == SHORTEST


def test_without_a_known_last_activity_the_watch_interval_holds():
    assert watch_interval(None, NOW) == 30


def test_the_watch_interval_is_a_setting(monkeypatch):
    monkeypatch.setenv("SESSION_WATCH_SECONDS", "5")
    get_settings.cache_clear()
    assert watch_interval(NOW - timedelta(minutes=2), NOW) == 5
