"""The statistics page as supervisors and advisors meet it (AppTest on a fresh SQLite file)."""

import json
import re
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from advisory.formatting import LOCAL_TZ
from db.engine import get_engine, session_scope
from db.models import CallCreate
from db.repositories import calls
from tests.console.apptest import make_user, page_app, texts


def _call(db_url, advisor_id, days_ago, minutes, **values):
    day = datetime.now(LOCAL_TZ).date() - timedelta(days=days_ago)
    started = datetime(day.year, day.month, day.day, 10, 0, tzinfo=LOCAL_TZ).astimezone(UTC)
    data = dict(started_at=started, ended_at=started + timedelta(minutes=minutes), advisor_id=advisor_id,
                group_id="function_limited", topics=["lifting"])
    data.update(values)
    with session_scope(get_engine(db_url)) as session:
        calls.save_call(session, data=CallCreate(**data))


def _metrics(at):
    return {metric.label: (metric.value, metric.delta) for metric in at.metric}


def _charts(at):
    return at.get("vega_lite_chart")


def _table_with(at, label):
    """The table view whose first column lists `label` (tables are not widgets, so they have no key)."""
    return next(df.value for df in at.dataframe if label in df.value.iloc[:, 0].tolist())


def _shown(at, label):
    """The same table as the supervisor reads it: the Styler's display values."""
    element = next(df for df in at.dataframe if label in df.value.iloc[:, 0].tolist())
    shown = convert_arrow_bytes_to_pandas_df(element.proto.arrow_data.styler.display_values)
    shown.columns = element.value.columns
    return shown


@pytest.fixture
def line(console_db):
    """A supervisor, an advisor and three calls: two in the last 30 days, one in the 30 before."""
    supervisor = make_user(console_db, "sofie", "supervisor", "Sofie Lund")
    advisor = make_user(console_db, "rikke", "advisor", "Rikke Holm")
    _call(console_db, advisor.id, 1, 10, disposition="gp", caller_role="relative")
    _call(console_db, advisor.id, 2, 5, group_id="acute_vertebral_fracture", topics=["pain", "lifting"])
    _call(console_db, advisor.id, 40, 8)
    return supervisor, advisor


def test_supervisor_sees_metrics_charts_and_tables_in_danish(line):
    supervisor, _ = line
    at = page_app("statistics.py", supervisor, timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Statistik"
    metrics = _metrics(at)
    assert metrics["Opkald"] == ("2", "+100,0 %")
    assert metrics["Mediantid pr. opkald"][0] == "7:30 min"
    assert metrics["Opkald med rødt flag"][0] == "1"
    assert len(_charts(at)) >= 9
    page = texts(at)
    for heading in ("Opkald pr. uge", "Hvornår ringer de?", "Hvem ringer: målgrupper", "Emner", "Røde flag"):
        assert heading in page
    groups = _table_with(at, "Nyt rygsammenfald (helingsfase)")
    assert groups.columns.tolist() == ["Navn", "Perioden", "Forrige periode", "Andel", "Andel, forrige", "Ændring"]
    row = groups[groups["Navn"] == "Nyt rygsammenfald (helingsfase)"].iloc[0]
    # Numbers stay numbers (a column sorts as numbers), shown the Danish way.
    assert (row["Perioden"], row["Andel"]) == (1, 0.5)
    assert pd.api.types.is_numeric_dtype(groups["Perioden"]) and pd.api.types.is_numeric_dtype(groups["Andel"])
    shown = _shown(at, "Nyt rygsammenfald (helingsfase)")
    shown_row = shown[shown["Navn"] == "Nyt rygsammenfald (helingsfase)"].iloc[0]
    assert (shown_row["Perioden"], shown_row["Andel"]) == ("1", "50,0 %")
    assert at.get("download_button")  # every aggregate can be downloaded


def test_charts_use_danish_number_formats(line):
    supervisor, _ = line
    at = page_app("statistics.py", supervisor, timeout=60).run()
    spec = json.loads(_charts(at)[0].proto.spec)
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert spec["config"]["locale"]["number"]["thousands"] == "."


def test_english_labels_and_formats(line):
    supervisor, _ = line
    at = page_app("statistics.py", supervisor, lang="en", timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Statistics"
    assert _metrics(at)["Calls"] == ("2", "+100.0 %")
    groups = _table_with(at, "Recent vertebral fracture (healing phase)")
    assert groups.columns.tolist()[:3] == ["Name", "Period", "Previous period"]


def test_advisor_opening_the_page_directly_sees_no_access_and_no_data(line):
    _, advisor = line
    at = page_app("statistics.py", advisor, timeout=60).run()
    assert not at.exception
    assert "Ingen adgang" in texts(at)
    assert not at.metric
    assert not at.dataframe
    assert not _charts(at)
    assert not at.get("download_button")


def test_no_calls_says_so_instead_of_empty_charts(console_db):
    supervisor = make_user(console_db, "sofie", "supervisor")
    at = page_app("statistics.py", supervisor, timeout=60).run()
    assert not at.exception
    assert "Der er ingen opkald i perioden." in texts(at)
    assert not _charts(at)


def test_new_calls_are_in_the_figures_on_the_next_visit_and_the_page_says_when_it_counted(line, console_db):
    supervisor, advisor = line
    at = page_app("statistics.py", supervisor, timeout=60).run()
    at.selectbox(key="statistics_preset").select(90).run()
    assert _metrics(at)["Opkald"][0] == "3"
    assert re.search(r"Tallene er beregnet kl\. \d\d\.\d\d", texts(at))
    _call(console_db, advisor.id, 3, 4)  # saved elsewhere (another advisor, make demo): counted at once
    at.run()
    assert _metrics(at)["Opkald"][0] == "4"
    at.button(key="statistics_recompute").click().run()
    assert not at.exception
    assert _metrics(at)["Opkald"][0] == "4"


def test_custom_dates(line):
    supervisor, _ = line
    at = page_app("statistics.py", supervisor, timeout=60).run()
    at.selectbox(key="statistics_preset").select("custom").run()
    today = datetime.now(LOCAL_TZ).date()
    at.date_input(key="statistics_dates").set_value((today - timedelta(days=1), today)).run()
    assert not at.exception
    assert _metrics(at)["Opkald"][0] == "1"
    assert "(2 dage)" in texts(at)


def test_supervisor_sees_the_outbox_health_now(console_db):
    from sqlalchemy import update

    from db.models import Referral, utcnow
    from tests.services.test_outbox import make_call, queue, save_referral

    supervisor = make_user(console_db, "sofie", "supervisor", "Sofie Lund")
    empty = page_app("statistics.py", supervisor).run()
    assert _metrics(empty)["Ældste ventende"][0] == "Ingen venter"
    advisor = make_user(console_db, "rikke", "advisor", "Rikke Holm")
    call_id = make_call(console_db, advisor.id)
    waiting = save_referral(console_db, call_id, advisor.id)
    queue(console_db, waiting.id, advisor.id)
    stuck = save_referral(console_db, call_id, advisor.id)
    with session_scope(get_engine(console_db)) as session:
        session.connection().execute(update(Referral).where(Referral.id == waiting.id)
                                     .values(created_at=utcnow() - timedelta(hours=5)))
        session.connection().execute(update(Referral).where(Referral.id == stuck.id)
                                     .values(status="failed", error="recipient_refused: 550"))
    at = page_app("statistics.py", supervisor).run()
    assert not at.exception
    metrics = _metrics(at)
    assert metrics["Venter på afsendelse"] == ("1", "e-mails: 1 · breve: 0")
    assert metrics["Kræver en person"][0] == "1"
    assert metrics["Ældste ventende"][0] == "5 timer"
    assert "Udbakken lige nu" in texts(at)
