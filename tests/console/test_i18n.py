"""The two UI catalogues have the same keys and placeholders; formats are Danish in Danish."""

import re
from datetime import UTC, date, datetime

import pytest

from advisory.formatting import format_date, format_datetime, format_number
from console.i18n import catalogue


def test_catalogues_have_the_same_keys():
    da, en = set(catalogue("da")), set(catalogue("en"))
    assert da - en == set(), f"only in da.toml: {sorted(da - en)}"
    assert en - da == set(), f"only in en.toml: {sorted(en - da)}"


def test_placeholders_match_between_languages():
    da, en = catalogue("da"), catalogue("en")
    for key in da:
        assert set(re.findall(r"{(\w+)}", da[key])) == set(re.findall(r"{(\w+)}", en[key])), key


def test_no_empty_strings():
    for lang in ("da", "en"):
        assert all(value.strip() for value in catalogue(lang).values()), lang


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "expected"),
    [(-2.6, "da", 1, "\u22122,6"), (-2.6, "en", 1, "-2.6"), (1234567, "da", 0, "1.234.567"),
     (1234567, "en", 0, "1,234,567"), (0.5, "da", 2, "0,50"), (-1234.5, "da", 1, "\u22121.234,5"),
     (-3, "da", 1, "\u22123,0"), (-0.04, "da", 1, "0,0"), (-0.04, "en", 1, "0.0")],
)
def test_number_formats(value, lang, decimals, expected):
    assert format_number(value, lang, decimals) == expected


def test_date_formats():
    assert format_date(date(2026, 11, 26), "da") == "26.11.2026"
    assert format_date(date(2026, 11, 26), "en") == "2026-11-26"
    # 23:30 UTC is the next day in Copenhagen
    assert format_datetime(datetime(2026, 11, 26, 23, 30, tzinfo=UTC), "da") == "27.11.2026 kl. 00:30"


def test_counts_have_a_singular_in_both_languages():
    from console.i18n import translate_count

    assert translate_count("follow_ups.overdue_warning", 1, "da") == "1 opfølgning er overskredet."
    assert translate_count("follow_ups.overdue_warning", 2, "da") == "2 opfølgninger er overskredet."
    assert translate_count("follow_ups.overdue_warning", 1, "en") == "1 follow-up is overdue."
    assert translate_count("call_log.total", 1, "en") == "1 call"
    assert translate_count("call_log.total", 2, "en") == "2 calls"
    assert translate_count("call_log.total", 0, "en") == "0 calls"
    assert translate_count("call_log.total", 1002, "da") == "1.002 opkald"
    assert translate_count("statistics.age_days", 1, "da") == "1 dag"


def test_every_counted_text_has_both_forms_in_both_languages():
    from console.i18n import catalogue

    for lang in ("da", "en"):
        keys = catalogue(lang)
        counted = {key.rsplit(".", 1)[0] for key in keys if key.endswith((".one", ".other"))}
        assert counted, "no counted texts"
        for key in counted:
            assert f"{key}.one" in keys and f"{key}.other" in keys, (lang, key)
            assert "{n}" in keys[f"{key}.one"] and "{n}" in keys[f"{key}.other"], (lang, key)
