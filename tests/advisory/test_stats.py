"""Shaping the statistics: small hand-made frames of counts whose answers are known."""

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from advisory import stats
from advisory.stats import Aggregates, Metric, Period
from advisory.vocab import codes


def _counts(key, rows):
    return pd.DataFrame(rows, columns=[key, "current", "previous"])


def _hourly(*pairs):
    """(UTC datetime, calls) pairs as the repository hands them over."""
    return pd.DataFrame({"hour": pd.to_datetime([h for h, _ in pairs], utc=True), "calls": [n for _, n in pairs]})


# --- periods --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "days", "previous"),
    [
        (date(2026, 11, 1), date(2026, 11, 30), 30, Period(date(2026, 10, 2), date(2026, 10, 31))),
        (date(2026, 11, 26), date(2026, 11, 26), 1, Period(date(2026, 11, 25), date(2026, 11, 25))),
        (date(2026, 3, 1), date(2026, 3, 31), 31, Period(date(2026, 1, 29), date(2026, 2, 28))),
    ],
)
def test_a_period_and_the_one_before_it_have_the_same_length(start, end, days, previous):
    period = Period(start, end)
    assert period.days == days
    assert period.previous() == previous
    assert period.previous().days == days


@pytest.mark.parametrize(
    ("period", "bounds"),
    [
        # Winter (UTC+1): local midnight is 23:00 UTC the day before.
        (Period(date(2026, 1, 5), date(2026, 1, 11)),
         (datetime(2026, 1, 4, 23, tzinfo=UTC), datetime(2026, 1, 11, 23, tzinfo=UTC))),
        # Across the spring change (29 March 2026): starts at UTC+1, ends at UTC+2.
        (Period(date(2026, 3, 28), date(2026, 3, 29)),
         (datetime(2026, 3, 27, 23, tzinfo=UTC), datetime(2026, 3, 29, 22, tzinfo=UTC))),
        # Summer (UTC+2).
        (Period(date(2026, 7, 1), date(2026, 7, 1)),
         (datetime(2026, 6, 30, 22, tzinfo=UTC), datetime(2026, 7, 1, 22, tzinfo=UTC))),
    ],
)
def test_utc_bounds_are_danish_local_midnights(period, bounds):
    assert period.utc_bounds() == bounds


def test_last_days_ends_today_and_a_reversed_period_is_refused():
    assert stats.last_days(date(2026, 11, 26)) == Period(date(2026, 10, 28), date(2026, 11, 26))
    assert stats.last_days(date(2026, 11, 26), 7).days == 7
    with pytest.raises(ValueError, match="before it starts"):
        Period(date(2026, 11, 26), date(2026, 11, 25))
    with pytest.raises(ValueError):
        stats.last_days(date(2026, 11, 26), 0)


# --- numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "weights", "median"),
    [
        ([1, 2, 3], [1, 1, 1], 2),
        ([1, 2], [1, 1], 1.5),
        ([10, 20], [3, 1], 10),  # 10 10 10 20
        ([10, 20], [2, 2], 15),  # 10 10 20 20
        ([1, 2, 3, 4], [1, 0, 0, 1], 2.5),  # zero weights are not values
        ([300, 60, 120], [1, 1, 1], 120),  # order of the input does not matter
        ([60, 600], [99, 1], 60),
        ([5], [0], None),
        ([], [], None),
    ],
)
def test_weighted_median(values, weights, median):
    assert stats.weighted_median(values, weights) == median


def test_duration_metrics_count_mean_and_median_per_period():
    durations = pd.DataFrame({"duration_seconds": [60, 120, 600], "current": [1, 2, 1], "previous": [0, 0, 2]})
    metrics = stats.duration_metrics(durations)
    assert metrics["calls"] == Metric(4, 2)
    assert metrics["mean_seconds"] == Metric((60 + 240 + 600) / 4, 600)
    assert metrics["median_seconds"] == Metric(120, 600)


def test_duration_metrics_of_no_calls_are_empty_not_zero():
    metrics = stats.duration_metrics(pd.DataFrame({"duration_seconds": [], "current": [], "previous": []}))
    assert metrics["calls"] == Metric(0, 0)
    assert metrics["median_seconds"] == Metric(None, None)


@pytest.mark.parametrize(
    ("current", "previous", "change"),
    [(12, 10, 0.2), (5, 10, -0.5), (10, 10, 0.0), (3, 0, None), (None, 4, None)],
)
def test_relative_change(current, previous, change):
    assert Metric(current, previous).change == change


def test_counts_table_keeps_known_keys_in_order_with_zeros_and_adds_unknown_ones():
    frame = _counts("group_id", [("function_limited", 3, 1), ("function_limited", 1, 1), ("new_group", 2, 0),
                                 ("acute_vertebral_fracture", 4, 2)])
    table = stats.counts_table(frame, "group_id", order=("acute_vertebral_fracture", "function_limited",
                                                         "training_active_no_fracture"))
    assert table["group_id"].tolist() == ["acute_vertebral_fracture", "function_limited",
                                          "training_active_no_fracture", "new_group"]
    assert table["current"].tolist() == [4, 4, 0, 2]
    assert table["previous"].tolist() == [2, 2, 0, 0]
    assert table["share_current"].tolist() == [0.4, 0.4, 0.0, 0.2]
    assert table["share_previous"].tolist() == [0.5, 0.5, 0.0, 0.0]
    assert table["change"].tolist()[:2] == [1.0, 1.0]


def test_counts_table_shares_of_given_totals_and_missing_keys_left_out():
    # Red flags: calls without one (disposition None) are not a row, but count in the total.
    frame = _counts("disposition", [(None, 90, 40), ("gp", 6, 8), ("emergency_112", 4, 2)])
    table = stats.counts_table(frame, "disposition", order=codes("disposition"),
                               totals={"current": 100, "previous": 50})
    assert table["disposition"].tolist() == list(codes("disposition"))
    assert dict(zip(table["disposition"], table["share_current"], strict=True)) == {
        "emergency_112": 0.04, "out_of_hours": 0.0, "gp_prompt": 0.0, "gp_today": 0.0, "gp": 0.06}
    assert table.loc[table["disposition"] == "gp", "share_previous"].item() == 0.16


def test_top_takes_the_largest_and_leaves_out_unused():
    table = stats.counts_table(_counts("slug", [("a", 1, 0), ("b", 5, 0), ("c", 5, 1), ("d", 0, 0), ("e", 0, 3)]),
                               "slug", order=("d",))
    assert stats.top(table, "slug", 3)["slug"].tolist() == ["b", "c", "a"]
    assert "d" not in stats.top(table, "slug", 10)["slug"].tolist()
    assert "e" in stats.top(table, "slug", 10)["slug"].tolist()


# --- time -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("utc_hour", "weekday", "hour"),
    [
        (datetime(2026, 1, 5, 8, tzinfo=UTC), 0, 9),  # Monday, winter: UTC+1
        (datetime(2026, 7, 6, 7, tzinfo=UTC), 0, 9),  # Monday, summer: UTC+2
        (datetime(2026, 1, 4, 23, tzinfo=UTC), 0, 0),  # Sunday 23 UTC is Monday 00 in Copenhagen
        (datetime(2026, 3, 29, 1, tzinfo=UTC), 6, 3),  # the spring change: 01 UTC is 03 local
        (datetime(2026, 10, 25, 0, tzinfo=UTC), 6, 2),  # the autumn change: 2 o'clock happens twice
        (datetime(2026, 10, 25, 1, tzinfo=UTC), 6, 2),
    ],
)
def test_weekday_hour_is_danish_local_time(utc_hour, weekday, hour):
    period = Period(date(2025, 12, 29), date(2026, 12, 31))
    table = stats.weekday_hour(_hourly((utc_hour, 3)), period)
    assert len(table) == 7 * 24
    assert table.loc[(table["weekday"] == weekday) & (table["hour"] == hour), "calls"].item() == 3
    assert table["calls"].sum() == 3


def test_weekday_hour_adds_up_both_autumn_two_oclocks_and_averages_per_weekday():
    period = Period(date(2026, 10, 19), date(2026, 11, 1))  # two of each weekday
    table = stats.weekday_hour(_hourly((datetime(2026, 10, 25, 0, tzinfo=UTC), 2),
                                       (datetime(2026, 10, 25, 1, tzinfo=UTC), 4),
                                       (datetime(2026, 10, 19, 8, tzinfo=UTC), 5)), period)
    cell = table.set_index(["weekday", "hour"])
    assert cell.loc[(6, 2), "calls"] == 6
    assert cell.loc[(6, 2), "per_day"] == 3.0
    assert cell.loc[(0, 10), "calls"] == 5  # Monday 08 UTC = 10 local (summer time until 25 October)
    assert cell.loc[(0, 10), "per_day"] == 2.5


def test_weekday_counts():
    counts = stats.weekday_counts(Period(date(2026, 11, 2), date(2026, 11, 10)))  # Monday to next Tuesday
    assert counts.tolist() == [2, 2, 1, 1, 1, 1, 1]


def test_weekly_counts_local_weeks_and_marks_partial_weeks():
    period = Period(date(2026, 11, 4), date(2026, 11, 17))  # Wednesday to Tuesday two weeks later
    hourly = _hourly(
        (datetime(2026, 11, 4, 9, tzinfo=UTC), 2),
        (datetime(2026, 11, 8, 23, tzinfo=UTC), 1),  # Sunday 23 UTC = Monday 9 November, 00 local
        (datetime(2026, 11, 8, 22, tzinfo=UTC), 4),  # Sunday 23 local: still the first week
        (datetime(2026, 11, 17, 12, tzinfo=UTC), 5),
    )
    table = stats.weekly(hourly, period)
    assert table["week_start"].tolist() == [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)]
    assert table["week"].tolist() == [45, 46, 47]  # ISO week numbers, as Danes name weeks
    assert table["calls"].tolist() == [6, 1, 5]
    assert table["days"].tolist() == [5, 7, 2]


def test_weekly_shows_weeks_without_calls():
    table = stats.weekly(_hourly(), Period(date(2026, 11, 2), date(2026, 11, 15)))
    assert table["calls"].tolist() == [0, 0]


# --- follow-ups, the whole dashboard, CSV ---------------------------------------------------------


def test_follow_ups_summary():
    frame = pd.DataFrame({"status": ["open", "done", "cancelled"], "total": [7, 20, 2], "overdue": [3, 15, 2],
                          "due_current": [4, 6, 1], "due_previous": [0, 9, 1]})
    summary = stats.follow_ups(frame)
    assert (summary.open_now, summary.overdue_now) == (7, 3)
    assert summary.due == Metric(11, 10)
    assert summary.done == Metric(6, 9)


def test_shape_puts_it_together():
    data = Aggregates(
        profile=pd.DataFrame({
            "group_id": ["function_limited", "function_limited", "acute_vertebral_fracture"],
            "caller_role": ["member", "relative", "member"],
            "disposition": [None, "gp", "emergency_112"],
            "advisor_id": [1, 2, 1],
            "current": [6, 3, 1], "previous": [2, 0, 2],
        }),
        durations=pd.DataFrame({"duration_seconds": [300, 600], "current": [5, 5], "previous": [4, 0]}),
        hourly=_hourly((datetime(2026, 11, 23, 8, tzinfo=UTC), 10)),
        topics=_counts("topic", [("lifting", 4, 1), ("pain", 7, 3)]),
        library=pd.DataFrame({"slug": ["myth-x", "faq-y"], "kind": ["myth", "faq"], "title_da": ["X", "Y"],
                              "title_en": ["X", "Y"], "current": [2, 0], "previous": [1, 0]}),
        referrals=_counts("channel", [("email", 2, 1), ("letter", 1, 0)]),
        follow_ups=pd.DataFrame({"status": ["open"], "total": [2], "overdue": [1], "due_current": [1],
                                 "due_previous": [0]}),
        advisors={1: "Rikke", 2: "Mads"},
    )
    dashboard = stats.shape(data, Period(date(2026, 11, 20), date(2026, 11, 26)))
    assert dashboard.calls == 10
    assert dashboard.metrics["median_seconds"] == Metric(450, 300)
    assert dashboard.metrics["red_flag_calls"] == Metric(4, 2)
    assert dashboard.metrics["referrals_sent"] == Metric(3, 1)
    groups = dashboard.groups.set_index("group_id")
    assert groups.loc["function_limited", "current"] == 9
    assert groups.loc["function_limited", "share_current"] == 0.9
    assert dashboard.roles.set_index("caller_role").loc["relative", "current"] == 3
    assert dashboard.topics.set_index("topic").loc["pain", "share_current"] == 0.7
    assert dashboard.library["slug"].tolist() == ["myth-x"]
    assert dashboard.library["kind"].tolist() == ["myth"]
    assert dashboard.advisors[["name", "current"]].values.tolist() == [["Rikke", 7], ["Mads", 3]]
    assert dashboard.heatmap["calls"].sum() == 10
    assert dashboard.weekly["calls"].tolist() == [0, 10]  # Friday 20th to Sunday, then Monday 23rd on
    assert dashboard.follow_ups.open_now == 2


def test_shape_of_nothing():
    dashboard = stats.shape(Aggregates(), stats.last_days(date(2026, 11, 26)))
    assert dashboard.calls == 0
    assert dashboard.metrics["median_seconds"].current is None
    assert dashboard.groups["current"].tolist() == [0] * len(codes("group"))
    assert dashboard.library.empty
    assert dashboard.heatmap["calls"].sum() == 0


def test_csv_is_spreadsheet_ready_and_neutralises_formulas():
    # One format whatever the UI language: the one Danish Excel opens as columns.
    table = pd.DataFrame({"Navn": ["=HYPERLINK(1)", "Løft", "\nlinje"], "Andel": [0.5, 0.25, float("nan")]})
    assert stats.csv_bytes(table).decode("utf-8") == (
        "\ufeffNavn;Andel\r\n'=HYPERLINK(1);0,5\r\nLøft;0,25\r\n\"'\nlinje\";\r\n")
