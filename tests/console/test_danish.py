"""The Danish console speaks Danish where a browser scan cannot look, and writes numbers and dates the Danish way.

tests/e2e/test_danish.py scans the pages in Chromium; tables draw their cells on a canvas, and a select
box's placeholder only shows when it is empty. Here every page is run for every role with demo data (AppTest
renders every tab and expander), and the widgets and tables are read as Streamlit sends them.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from advisory.formatting import MINUS, format_number
from console import chrome
from console.components import tables
from console.components.call_detail import profile_facts
from console.i18n import catalogue
from console.navigation import PAGES, pages_for
from db.engine import get_engine
from db.repositories.users import StaffUser
from services.demo import seed_demo
from tests.console.apptest import logged_in_app, make_user
from tests.e2e.test_danish import ENGLISH_WORDS

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
DOT_DECIMAL = re.compile(r"(?<![\d.,])\d+\.\d{1,2}(?![\d.])")
SHOWN_AS_WORDS = re.compile(r"^(None|nan|NaN|NaT|True|False|null)$")
CODE = re.compile(r"\b[a-z]+_[a-z_]+\b|\b[a-z]+(?:-[a-z0-9]+){2,}\b")  # call_create, technique-straight-back
# The audit log's detail column holds the event's record as stored (JSON with its field names) for the
# administrator: technical on purpose, and the one place codes are shown.
TECHNICAL_COLUMNS = {"Detaljer"}

DECIMAL_POINT = re.compile(r"\d\.\d{1,2}(?!\d)")  # 2.5 or 12.25: a point where Danish writes a comma
DANISH_DATE = re.compile(r"\d{2}\.\d{2}\.\d{4}")


def _danish_cell(text: str) -> list[str]:
    problems = []
    if ENGLISH_WORDS.search(text) or SHOWN_AS_WORDS.match(text):
        problems.append("English")
    if ISO_DATE.search(text):
        problems.append("ISO date")
    if DOT_DECIMAL.search(text):
        problems.append("decimal point")
    if CODE.search(text):
        problems.append("a code, not words")
    return problems


def test_the_danish_catalogue_holds_none_of_the_english_words():
    english = {key: value for key, value in catalogue("da").items()
               if key != "app.language" and ENGLISH_WORDS.search(value)}
    assert english == {}


def test_the_english_words_do_not_trip_over_danish():
    """The scan's word list must not match ordinary Danish (or the test would be tuned to ignore it)."""
    danish = " ".join(catalogue("da").values())
    assert "Print" in danish and "Format" in danish  # Danish words that are English too stay allowed
    assert not ENGLISH_WORDS.search("Stop, Print, Format, Sort, Enter, og nej, ja, nul, åben, søg, vælg")
    assert ENGLISH_WORDS.search("Choose options") and ENGLISH_WORDS.search("Press Enter to apply")


@pytest.fixture
def staff(console_db):
    made = {role: make_user(console_db, name, role) for role, name in
            (("advisor", "rikke"), ("supervisor", "sofie"), ("admin", "anne"), ("secretariat", "sanne"))}
    seed_demo(get_engine(console_db), calls=60)
    return made


@pytest.mark.parametrize("role", ["advisor", "supervisor", "admin", "secretariat"])
def test_every_page_has_danish_placeholders_and_tables(staff, role):
    user = staff[role]
    viewer = StaffUser(id=user.id, username=user.username, display_name=user.display_name, role=user.role,
                       active=True)
    problems: list[str] = []
    at = logged_in_app(user, timeout=60).run()
    pages = pages_for(viewer)
    assert pages
    boxes = tables_seen = 0
    for spec in pages:
        at.switch_page(spec.path).run()
        assert not at.exception, (spec.path, at.exception)
        if spec.url_path == "call_log" and at.selectbox(key="call_log_open").options[1:]:
            at.selectbox(key="call_log_open").select_index(1).run()  # a call's detail, its tables too
        if spec.url_path == "call":
            at.button(key="call_start").click().run()
        where = spec.url_path
        for box in [*at.selectbox, *at.multiselect]:
            boxes += 1
            placeholder = box.proto.placeholder
            if not placeholder.strip() or ENGLISH_WORDS.search(placeholder):
                problems.append(f"{where}: {box.label!r} has the placeholder {placeholder!r}")
        for box in at.multiselect:
            if box.proto.select_all:
                problems.append(f"{where}: {box.label!r} offers Streamlit's English 'Select all'")
        for frame in at.dataframe:
            tables_seen += 1
            if not frame.proto.HasField("placeholder"):
                problems.append(f"{where}: a table would write 'None' in its empty cells")
            config = frame.proto.columns
            data = frame.value
            # Numbers stay numbers (they sort); a pandas Styler writes them the Danish way (issue 25).
            styled = frame.proto.arrow_data.HasField("styler") and frame.proto.arrow_data.styler.display_values
            shown = convert_arrow_bytes_to_pandas_df(frame.proto.arrow_data.styler.display_values) if styled else None
            for index, column in enumerate(data.columns):
                series = data[column]
                if series.dtype.kind == "f":
                    written = [str(v) for v in shown.iloc[:, index]] if shown is not None else []
                    if shown is None or any(DECIMAL_POINT.search(text) for text in written):
                        problems.append(f"{where}: column {column!r} holds decimals Streamlit writes with a point")
                    continue
                if shown is not None and all(isinstance(v, str) and DANISH_DATE.fullmatch(v)
                                             for v in shown.iloc[:, index] if v):
                    continue
                elif series.dtype.kind == "M" and f'"format": "{tables.DATETIME_FORMATS["da"]}"' not in config:
                    problems.append(f"{where}: column {column!r} has times without the Danish format")
                elif series.dtype.kind == "b":
                    problems.append(f"{where}: column {column!r} holds true/false (read aloud in English)")
                for value in series:
                    if isinstance(value, date) and not isinstance(value, datetime) \
                            and tables.DATE_FORMATS["da"] not in config:
                        problems.append(f"{where}: column {column!r} has dates without the Danish format")
                        break
                    if isinstance(value, str) and column not in TECHNICAL_COLUMNS and (found := _danish_cell(value)):
                        problems.append(f"{where}: {column!r} = {value[:60]!r} ({', '.join(found)})")
                        break
    assert boxes or role == "secretariat"
    assert tables_seen
    assert not problems, "\n".join(dict.fromkeys(problems))


def test_tables_show_times_and_dates_the_danish_way_and_sort_by_them():
    rows = [{"Tidspunkt": datetime(2026, 11, 26, 13, 5, tzinfo=UTC), "Dato": date(2026, 11, 26), "Sendt": None,
             "Aktiv": True}]
    frame, config = tables.prepare(rows, "da")
    assert frame["Tidspunkt"].iloc[0] == datetime(2026, 11, 26, 14, 5)  # Copenhagen, as staff read it
    assert config["Tidspunkt"]["type_config"]["format"] == "DD.MM.YYYY [kl.] HH:mm"
    assert config["Dato"]["type_config"]["format"] == "DD.MM.YYYY"
    assert "Sendt" not in config and frame["Sendt"].isna().all()
    assert frame["Aktiv"].iloc[0] == "Ja"
    _, english = tables.prepare(rows, "en")
    assert english["Tidspunkt"]["type_config"]["format"] == "YYYY-MM-DD HH:mm"
    assert tables.prepare(rows, "en")[0]["Aktiv"].iloc[0] == "Yes"


def test_a_calls_profile_reads_as_danish(console_db):
    facts = profile_facts({
        "caller_role": "member", "relation": None, "age": 74, "sex": "female", "diagnosis": "osteoporosis",
        "t_score": -3.0, "fractures": [{"site": "vertebral", "occurred_on": "2026-10-05", "low_energy": True},
                                       {"site": "hip", "occurred_on": None, "low_energy": False}],
        "pain": "severe", "activity_level": "everyday_active", "falls_last_year": 1, "fear_of_movement": True,
        "fear_of_falling": None, "walking_aid": False, "in_physiotherapy": None, "topics": ["lifting", "yoga"],
    })
    assert facts["Laveste T-score"] == f"{MINUS}3,0"
    assert facts["Brud"] == "Ryg (rygsammenfald), 05.10.2026, lavenergibrud; Hofte, dato ukendt"
    assert facts["Ringer"] == "Medlem" and facts["Køn"] == "Kvinde" and facts["Smerter"] == "Stærke"
    assert facts["Bange for at bevæge sig"] == "Ja" and facts["Rollator, stok eller krykker"] == "Nej"
    assert facts["Bange for at falde"] == "–" and facts["Emner"] == "Løft, Yoga"
    assert not [value for value in facts.values() if _danish_cell(value)]
    assert profile_facts({"fractures": None, "activity_level": "everyday_active"})["Brud"] == "Ikke spurgt"
    assert profile_facts({"fractures": [], "activity_level": "everyday_active"})["Brud"] == "Ingen brud"


def test_negative_numbers_have_a_minus_sign_in_danish():
    assert format_number(-3, "da", 1) == "\u22123,0" and format_number(-3, "en", 1) == "-3.0"


def test_chrome_css_draws_danish_over_streamlits_english():
    danish = chrome.css("da")
    assert '"åååå"' in danish and '"Ingen resultater"' in danish and '"Gå til indholdet"' in danish
    assert "InputInstructions" in danish and "stElementToolbar" in danish
    english = chrome.css("en")
    assert "åååå" not in english and "stElementToolbar" in english  # the same features in both languages


def test_an_unknown_address_gets_a_page_of_its_own(staff, monkeypatch):
    known = {spec.url_path for spec in PAGES} | {"login"}
    for url, expected in [("http://host/nonsense", "nonsense"), ("http://host/call_log", None),
                          ("http://host/", None), ("http://host/a/b", None), ("http://host/%C3%A6ble", "æble")]:
        monkeypatch.setattr(chrome.st, "context", type("C", (), {"url": url})())
        assert chrome.requested_page_name(known) == expected, url


def test_every_audit_action_and_object_has_words_in_both_languages():
    """The audit log shows actions and objects in words: every code the console writes has them."""
    root = Path(__file__).resolve().parents[2]
    source = "\n".join(path.read_text(encoding="utf-8") for folder in ("db", "services", "console")
                       for path in (root / folder).rglob("*.py"))
    actions = set(re.findall(r'\baction=\(?"([a-z_]+)"', source)) | set(re.findall(r'"action": "([a-z_]+)"', source))
    actions |= set(re.findall(r'else "([a-z_]+)"', " ".join(re.findall(r'action=.*', source))))
    actions -= {"store_true", "store_false"}  # argparse's, in the command line
    objects = set(re.findall(r'\bobject_type="([a-z_]+)"', source))
    assert {"call_create", "view", "letters_printed", "user_deactivate", "seed_demo"} <= actions
    assert {"call", "user", "member"} <= objects
    for lang in ("da", "en"):
        names = catalogue(lang)
        assert {a for a in actions if f"audit_action.{a}" not in names} == set(), lang
        assert {o for o in objects if f"audit_object.{o}" not in names} == set(), lang
