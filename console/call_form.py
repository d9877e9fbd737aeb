"""The call form as data, and the one way to read and write the call in the session.

`PROFILE_FORM` is the caller profile's form as a table: each row names its widget, the `CallerProfile` field
it fills, its default, how its value is read (numbers the Danish way) and where it stands on the page.
`WRAP_UP` does the same for the end of the call (notes, outcome, follow-up, consent, contact details, each
with the `CallCreate` field it fills). The defaults of a new call, the autosaved draft, the raw profile,
the number parsing, the fields' messages, the widgets (console/components/profile_form.py) and the profile
shown in the call log derive from these tables, so a new profile field is one row here.

`CallState` wraps `st.session_state` (or a plain dict in tests) and is the only reader and writer of the
call's keys: this module is the only one that spells a `call_` key (tests/console/test_call_form.py greps
the console for others). It imports no Streamlit, so it is tested without a running app.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from advisory.profile import AGE_MAX, AGE_MIN, FALLS_MAX, T_SCORE_MAX, T_SCORE_MIN
from advisory.script import script_content
from advisory.vocab import CallerRole
from services.calls import CallInput

PREFIX = "call_"
DRAFT_VERSION = 2
TRI_STATE = ("unknown", "yes", "no")  # yes/no questions the caller may not have been asked yet
FRACTURES_KNOWN = ("unknown", "no", "yes")
WHEN_KINDS = ("weeks", "month", "unknown")  # "unknown": the date is not known yet (possibly recent)
_ABSENT = object()  # a field a new call leaves out of the state (contact details: only after consent)

Widget = Literal["radio", "select", "number", "yes_no", "topics", "fractures"]


@dataclass(frozen=True)
class ProfileField:
    """One widget of the caller profile form.

    `field` is the `CallerProfile` field it fills; a vocabulary widget's options and labels are that
    field's vocabulary kind (advisory/vocab.py, labels.yaml), its label and messages `profile.<field>` and
    `profile_errors.<field>` (console/i18n). `place` is (row, column); widgets in one column stack.
    """

    name: str  # the widget key is "call_" + name
    field: str
    widget: Widget
    default: Any = None
    place: tuple[int, int] = (0, 0)
    number: Literal["whole", "decimal"] | None = None  # how a number widget is read
    bounds: tuple[float, float] | None = None  # quoted by the message for a number that cannot be read
    decimals: int = 0  # how the call log shows the number
    help: str | None = None  # i18n key of the widget's help
    hint_if_positive: str | None = None  # i18n key of a hint under a number typed without a minus
    shown_if: tuple[str, str] | None = None  # (other widget's name, value): drawn and read only then
    required: bool = False  # left out of the raw profile while empty, so the message says "missing"
    vocabulary: str | None = None  # the vocabulary kind of its options, when it is not the field's name

    @property
    def key(self) -> str:
        return PREFIX + self.name

    @property
    def kind(self) -> str:
        return self.vocabulary or self.field


# The caller profile, in the order the form asks it.
PROFILE_FORM: tuple[ProfileField, ...] = (
    ProfileField("activity_level", "activity_level", "radio", place=(0, 0), help="profile.activity_level_help",
                 required=True),
    ProfileField("caller_role", "caller_role", "select", "member", place=(1, 0)),
    ProfileField("relation", "relation", "select", place=(1, 0), shown_if=("caller_role", CallerRole.relative)),
    ProfileField("age", "age", "number", "", place=(1, 1), number="whole", bounds=(AGE_MIN, AGE_MAX)),
    ProfileField("sex", "sex", "select", place=(2, 0)),
    ProfileField("diagnosis", "diagnosis", "select", place=(2, 1)),
    ProfileField("t_score", "t_score", "number", "", place=(3, 0), number="decimal",
                 bounds=(T_SCORE_MIN, T_SCORE_MAX), decimals=1, help="profile.t_score_help",
                 hint_if_positive="profile.t_score_positive"),
    ProfileField("pain", "pain", "select", place=(3, 1)),
    ProfileField("fractures_known", "fractures", "fractures", "unknown", place=(4, 0)),
    ProfileField("falls", "falls_last_year", "number", "", place=(5, 0), number="whole", bounds=(0, FALLS_MAX)),
    ProfileField("fear_falling", "fear_of_falling", "yes_no", "unknown", place=(5, 1)),
    ProfileField("fear", "fear_of_movement", "yes_no", "unknown", place=(6, 0)),
    ProfileField("walking_aid", "walking_aid", "yes_no", "unknown", place=(6, 1)),
    ProfileField("physio", "in_physiotherapy", "yes_no", "unknown", place=(6, 2)),
    ProfileField("topics", "topics", "topics", [], place=(7, 0), vocabulary="topic"),
)
ROW_WIDTHS = {5: (1, 2)}  # rows whose columns are not of equal width
PROFILE_BY_NAME = {row.name: row for row in PROFILE_FORM}
PROFILE_BY_FIELD = {row.field: row for row in PROFILE_FORM}


@dataclass(frozen=True)
class CallField:
    """One widget of the call's end; `field` is the `CallCreate` field it fills (None: none of its own)."""

    name: str
    field: str | None
    default: Any = None
    contact: bool = False  # kept only with the caller's consent
    is_date: bool = False
    typed: bool = False  # text the advisor types: a value CallCreate refuses gets its message beside it

    @property
    def key(self) -> str:
        return PREFIX + self.name


WRAP_UP: tuple[CallField, ...] = (
    CallField("notes", "notes", "", typed=True),
    CallField("outcome", "outcome", "advice_given"),
    CallField("follow_up_keep", None, False),
    CallField("follow_up_on", "follow_up_on", None, is_date=True),
    CallField("follow_up_reason", "follow_up_reason", "", typed=True),
    CallField("callback_by_member", None, False),
    CallField("consent", "contact_consent", False),
    CallField("third_party_consent", "third_party_consent", False),
    CallField("contact_name", "caller_name", _ABSENT, contact=True, typed=True),
    CallField("contact_member_number", "member_number", _ABSENT, contact=True, typed=True),
    CallField("contact_phone", "phone", _ABSENT, contact=True, typed=True),
    CallField("contact_email", "email", _ABSENT, contact=True, typed=True),
)
WRAP_UP_BY_NAME = {row.name: row for row in WRAP_UP}
CONTACT = tuple(row for row in WRAP_UP if row.contact)
# The widgets of CallCreate fields an advisor types into: a refused value's message goes beside them.
WIDGET_OF_FIELD = {row.field: row.name for row in WRAP_UP if row.field and row.typed}

# Not widgets: the call's bookkeeping, stored with the draft.
# follow_up_own: the advisor picked a follow-up date of their own (it no longer follows the script).
BOOKKEEPING = ("key", "started_at", "fx_rows", "attached", "follow_up_suggested", "follow_up_own", "last_profile")
# The page's own state around the call: never in the draft.
SESSION = ("active", "draft_cache", "saved_id", "save_errors", "confirm_discard", "search_dialog", "search_query",
           "field_errors", "open_sections", "sections_wanted", "section_now", "follow_up_version")
# Buttons and containers (Streamlit refuses a button's value set through the state: never in the draft).
BUTTONS = ("start", "save", "discard", "discard_confirm", "discard_cancel", "add_fracture", "search_open")
# Keys with an item after them: a fracture row's parts, ticks (red flags, blocks said, entries used), and
# the per-item buttons and containers.
ROW_PARTS = ("fx_site", "fx_when", "fx_weeks", "fx_month", "fx_year", "fx_low_energy")
TICKS = ("rf", "said", "used")
ITEM_BUTTONS = ("resume", "discard_draft", "remove_fracture", "detach", "block")
# Widgets whose key carries the value the server last gave them (console/components/call_wrap_up.py): a
# value the page sends for an older key (a run still on its way) can never overwrite a newer one.
VERSIONED = ("follow_up_pick", "follow_up_keep_pick", "follow_up_reason_pick")
SEARCH = "search"  # the in-call library search's widgets: "call_search_query", "call_search_use_<slug>"

_NAMES = frozenset([*PROFILE_BY_NAME, *WRAP_UP_BY_NAME, *BOOKKEEPING, *SESSION, *BUTTONS])
_ITEMS = frozenset([*ROW_PARTS, *TICKS, *ITEM_BUTTONS, *VERSIONED])
_DRAFT_NAMES = frozenset([*PROFILE_BY_NAME, *WRAP_UP_BY_NAME, *BOOKKEEPING])
_ROW_PREFIXES = tuple(f"{PREFIX}{part}_" for part in ROW_PARTS)
_TICK_PREFIXES = tuple(f"{PREFIX}{tick}_" for tick in TICKS)


def key(name: str) -> str:
    """The session key of one of the call's widgets or values; an unknown name fails at once."""
    if name not in _NAMES:
        raise KeyError(f"no call key {name!r}")
    return PREFIX + name


def item_key(kind: str, item: object) -> str:
    """The key of a per-item widget: a fracture row's part, a tick, a per-item button."""
    if kind not in _ITEMS:
        raise KeyError(f"no call item key {kind!r}")
    return f"{PREFIX}{kind}_{item}"


def search_prefix() -> str:
    """The key prefix of the in-call library search (console/components/search_panel.py)."""
    return PREFIX + SEARCH


def is_draft_key(name: str) -> bool:
    return (name.startswith(PREFIX) and name.removeprefix(PREFIX) in _DRAFT_NAMES) or name.startswith(
        _ROW_PREFIXES + _TICK_PREFIXES)


def new_call(started_at: datetime, call_key: str | None = None) -> dict[str, Any]:
    """The state of a fresh call: the table's defaults, so only the activity level must be chosen.

    `call_key` identifies the call from its first keystroke: the draft is stored under it (two tabs are two
    calls) and saving is idempotent on it (the same call is never logged twice).
    """
    values: dict[str, Any] = {
        key("key"): call_key or uuid.uuid4().hex,
        key("started_at"): started_at.isoformat(),
        key("fx_rows"): [],
        key("attached"): [],
        key("follow_up_suggested"): None,
        key("follow_up_own"): False,
        key("last_profile"): None,
    }
    rows: tuple[ProfileField | CallField, ...] = (*PROFILE_FORM, *WRAP_UP)
    for row in rows:
        if row.default is not _ABSENT:
            values[row.key] = list(row.default) if isinstance(row.default, list) else row.default
    return values


# --- the draft -----------------------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, set):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def draft_from_state(state: Mapping[str, Any]) -> dict[str, Any]:
    """The draft as stored in the database: every draft key present in the state, JSON-able."""
    consent = bool(state.get(key("consent")))
    contact = {row.key for row in CONTACT}
    values = {
        name: _jsonable(state[name])
        for name in sorted(k for k in state.keys() if is_draft_key(k))
        # Unticked boxes carry nothing a resumed call needs; contact details need the caller's consent.
        if not (name.startswith(_TICK_PREFIXES) and state[name] is False) and (consent or name not in contact)
    }
    return {"version": DRAFT_VERSION, "values": values}


def state_from_draft(draft: Mapping[str, Any]) -> dict[str, Any]:
    """Widget state to put back into `st.session_state` when a draft is resumed."""
    restored = {name: value for name, value in dict(draft.get("values") or {}).items() if is_draft_key(name)}
    for row in WRAP_UP:
        if row.is_date and isinstance(restored.get(row.key), str):
            restored[row.key] = date.fromisoformat(restored[row.key])
    if key("follow_up_own") not in restored and key("follow_up_on") in restored:
        # a draft from before the mark: the date is the advisor's own when it is not the suggestion
        chosen, suggested = restored.get(key("follow_up_on")), restored.get(key("follow_up_suggested"))
        restored[key("follow_up_own")] = chosen is not None and (
            not suggested or chosen != date.fromisoformat(suggested))
    for name in (key("fx_rows"), key("attached"), *(row.key for row in PROFILE_FORM if row.widget == "topics")):
        restored[name] = list(restored.get(name) or [])
    # Numbers are typed as text (Danish decimal comma); a draft of version 1 held them as numbers.
    numbers = [row.key for row in PROFILE_FORM if row.widget == "number"]
    numbers += [k for k in restored if k.startswith((item_key("fx_weeks", ""), item_key("fx_year", "")))]
    for name in numbers:
        if name in restored and not isinstance(restored[name], str):
            restored[name] = "" if restored[name] is None else _plain(restored[name])
    return restored


def _plain(value: float | int) -> str:
    return str(value).replace(".", ",") if isinstance(value, float) else str(value)


# --- numbers as Danes type them ------------------------------------------------------------------------

# Minus signs people type: ASCII hyphen, the real minus (U+2212) and the dashes word processors produce.
_MINUS = re.compile(r"^[\-\u2212\u2013\u2014]\s*")
_DECIMAL = re.compile(r"^[+-]?\d+([.,]\d+)?$")
_WHOLE = re.compile(r"^\d+$")


class NumberError(ValueError):
    """What was typed is not a number of the kind the field takes."""


def parse_decimal(text: str) -> float | None:
    """"-2,6", "−2,6", "-2.6" and " -2,6 " all read as -2.6; "" is unknown (None).

    A number without a sign is positive: T-scores above 0 exist, so "2,6" is never silently turned into
    -2,6 (the form asks "mente du −2,6?" instead, see `CallState.positive`).
    """
    cleaned = " ".join((text or "").split())
    if not cleaned:
        return None
    cleaned = _MINUS.sub("-", cleaned).replace(" ", "")
    if not _DECIMAL.match(cleaned):
        raise NumberError(text)
    return float(cleaned.replace(",", "."))


def parse_whole(text: str) -> int | None:
    cleaned = "".join((text or "").split())
    if not cleaned:
        return None
    if not _WHOLE.match(cleaned):
        raise NumberError(text)
    return int(cleaned)


_PARSERS = {"whole": parse_whole, "decimal": parse_decimal}


def _tri_state(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "unknown")


_NO_DATE = object()  # the date part of a fracture row is not filled in yet


# --- the call in the session ---------------------------------------------------------------------------------


class CallState:
    """The call in a session-state mapping: every read and write of a `call_` key passes here."""

    def __init__(self, store: MutableMapping[Any, Any]) -> None:
        self.store = store

    # -- plain values --

    def __getitem__(self, name: str) -> Any:
        return self.store.get(key(name))

    def get(self, name: str, default: Any = None) -> Any:
        return self.store.get(key(name), default)

    def __setitem__(self, name: str, value: Any) -> None:
        self.store[key(name)] = value

    def pop(self, name: str, default: Any = None) -> Any:
        return self.store.pop(key(name), default)

    def has(self, name: str) -> bool:
        return key(name) in self.store

    def item(self, kind: str, item: object, default: Any = None) -> Any:
        return self.store.get(item_key(kind, item), default)

    def set_item(self, kind: str, item: object, value: Any) -> None:
        self.store[item_key(kind, item)] = value

    def ticked(self, kind: str, ids: Iterable[str]) -> list[str]:
        return [item for item in ids if self.store.get(item_key(kind, item))]

    # -- the call's life --

    @property
    def active(self) -> bool:
        return bool(self.store.get(key("active")))

    @property
    def call_key(self) -> str | None:
        return self.store.get(key("key"))

    @property
    def started_at(self) -> datetime:
        return datetime.fromisoformat(self.store[key("started_at")])

    def clear(self) -> None:
        """Forget the call: its draft keys and the page's state around it."""
        session = {key(name) for name in SESSION}
        for name in [k for k in self.store.keys() if is_draft_key(k) or k in session]:
            del self.store[name]

    def begin(self, values: Mapping[str, Any]) -> None:
        self.clear()
        self.store.update(values)
        self.store[key("active")] = True

    def lost_widgets(self) -> bool:
        """The call is open but Streamlit dropped its widgets' values (should never happen)."""
        return self.active and bool(self["draft_cache"]) and key("notes") not in self.store

    def draft(self) -> dict[str, Any]:
        return draft_from_state(self.store)

    def restore(self, draft: Mapping[str, Any]) -> None:
        self.store.update(state_from_draft(draft))

    # -- library entries attached from the search --

    @property
    def attached(self) -> list[str]:
        return list(self.store.get(key("attached")) or [])

    def attach(self, slug: str) -> None:
        self["attached"] = list(dict.fromkeys([*self.attached, slug]))

    def detach(self, slug: str) -> None:
        self["attached"] = [s for s in self.attached if s != slug]

    # -- fracture rows --

    @property
    def fracture_rows(self) -> list[int]:
        return list(self.store.get(key("fx_rows")) or [])

    def add_fracture_row(self) -> int:
        rows = self.fracture_rows
        rows.append(max(rows, default=0) + 1)
        self["fx_rows"] = rows
        self.fracture_row_defaults(rows[-1])
        return rows[-1]

    def fracture_row_defaults(self, row: int) -> None:
        self.store.setdefault(item_key("fx_when", row), "weeks")
        self.store.setdefault(item_key("fx_low_energy", row), True)

    def remove_fracture_row(self, row: int) -> None:
        self["fx_rows"] = [r for r in self.fracture_rows if r != row]
        for part in ROW_PARTS:
            self.store.pop(item_key(part, row), None)

    # -- widget-level questions --

    def shown(self, row: ProfileField) -> bool:
        if row.shown_if is None:
            return True
        other, value = row.shown_if
        return self[other] == value

    def positive(self, row: ProfileField) -> bool:
        """A number typed without a minus where most callers' numbers are negative (the T-score)."""
        try:
            value = parse_decimal(str(self.store.get(row.key) or ""))
        except NumberError:
            return False
        return value is not None and value > 0

    def has_contact(self) -> bool:
        """The caller consented and left a phone number or an e-mail address to reach them by."""
        return bool(self["consent"]) and bool(
            (self["contact_phone"] or "").strip() or (self["contact_email"] or "").strip())

    @property
    def follow_up_pick_key(self) -> str:
        """The follow-up date widget's key: it names the date the call holds now (see VERSIONED)."""
        chosen = self["follow_up_on"]
        return item_key("follow_up_pick", chosen.isoformat() if isinstance(chosen, date) else "none")

    def pick_follow_up(self, widget_key: str) -> None:
        """The advisor picked a date in the widget `widget_key`: the call holds it; it is the advisor's own
        unless it is the script's suggestion (then it goes on following the script)."""
        picked = self.store.get(widget_key)
        suggested = self["follow_up_suggested"]
        self["follow_up_on"] = picked
        self["follow_up_own"] = picked is not None and picked != (date.fromisoformat(suggested) if suggested else None)

    def follow_up_widget_key(self, kind: str) -> str:
        """The key of the follow-up's tick or reason widget: it changes whenever the script's suggestion sets
        their values (`follow_up_version`), so a value the page sends for the older widget is ignored."""
        return item_key(kind, self["follow_up_version"] or 0)

    def suggestion_set_follow_up(self) -> None:
        """The script's suggestion has just set the follow-up's values: new widgets show them."""
        self["follow_up_version"] = (self["follow_up_version"] or 0) + 1

    def take_from_widget(self, name: str, widget_key: str) -> None:
        """The advisor changed the widget `widget_key`: the call holds its value as `name`."""
        self[name] = self.store.get(widget_key)

    def drop_contact(self) -> None:
        for row in CONTACT:
            self.store.pop(row.key, None)

    # -- the form read as data --

    def raw_profile(self, today: date, unreadable: dict[str, str] | None = None) -> dict[str, Any]:
        """The profile fields as typed, before validation; numbers that do not parse go to `unreadable`
        (profile field -> "whole" | "decimal" | "fracture") instead of into the profile."""
        unreadable = {} if unreadable is None else unreadable
        raw: dict[str, Any] = {}
        for row in PROFILE_FORM:
            value = self.store.get(row.key, row.default)
            if row.widget == "fractures":
                raw[row.field] = self._fractures(value, today, unreadable)
            elif not self.shown(row):
                raw[row.field] = None
            elif row.widget == "number" and row.number is not None:
                try:
                    raw[row.field] = _PARSERS[row.number](str(value or ""))
                except NumberError:
                    unreadable[row.field] = row.number
                    raw[row.field] = None
            elif row.widget == "yes_no":
                raw[row.field] = _tri_state(value)
            elif row.widget == "topics":
                raw[row.field] = list(value or [])
            elif value is not None or not row.required:
                raw[row.field] = value  # a required field left empty is absent, so "missing" names it
        return raw

    def _fractures(self, known: str | None, today: date, unreadable: dict[str, str]) -> list[dict] | None:
        if known == "no":
            return []
        if known != "yes":
            return None
        fractures = []
        for row in self.fracture_rows:
            fracture: dict[str, Any] = {"low_energy": bool(self.item("fx_low_energy", row, True))}
            if (site := self.item("fx_site", row)) is not None:
                fracture["site"] = site
            if (occurred := self._fracture_date(row, today, unreadable)) is not _NO_DATE:
                fracture["occurred_on"] = occurred
            fractures.append(fracture)
        return fractures

    def _fracture_date(self, row: int, today: date, unreadable: dict[str, str]) -> Any:
        kind = self.item("fx_when", row, "weeks")
        if kind == "unknown":
            return None
        try:
            if kind == "month":
                month, year = self.item("fx_month", row), parse_whole(str(self.item("fx_year", row) or ""))
                if month is None or year is None:
                    return _NO_DATE
                try:
                    day = date(int(year), int(month), 15)  # the middle of the month: off by two weeks at most
                except ValueError:
                    return date.min  # an impossible year: the profile check names the fracture
                # A fracture earlier this month may not have reached the 15th yet.
                return min(day, today) if (day.year, day.month) == (today.year, today.month) else day
            weeks = parse_whole(str(self.item("fx_weeks", row) or ""))
        except NumberError:
            unreadable["fractures"] = "fracture"
            return _NO_DATE
        if weeks is None:
            return _NO_DATE
        return date.min if weeks > 52 * 150 else today - timedelta(weeks=weeks)

    def call_input(self, today: date, *, said_and_used: bool = True) -> CallInput:
        """Everything the call's evaluation and its save need, as plain data (services/calls.py).

        The blocks said and the entries used matter to the save only: the page's evaluation on every change
        leaves them out (`said_and_used=False`) and reads no more of the state than the form and the red flags.
        """
        unreadable: dict[str, str] = {}
        raw = self.raw_profile(today, unreadable)
        consent = bool(self["consent"])
        wrap_up = {row.field: self.store.get(row.key) for row in WRAP_UP if row.field and not row.contact}
        ticked: dict[str, list[str]] = {tick: [] for tick in TICKS}
        ticked["rf"] = self.ticked("rf", (flag.id for flag in script_content().red_flags))
        if said_and_used:
            for name in [k for k in self.store.keys() if isinstance(k, str) and k.startswith(_TICK_PREFIXES)]:
                tick, _, item = name.removeprefix(PREFIX).partition("_")
                if tick != "rf" and self.store.get(name):
                    ticked[tick].append(item)
        return CallInput(
            call_key=self.call_key or "",
            started_at=self.started_at,
            raw_profile=raw,
            unreadable=unreadable,
            last_profile=self["last_profile"],
            red_flags=tuple(ticked["rf"]),
            said=frozenset(ticked["said"]),
            used=frozenset(ticked["used"]),
            attached=tuple(self.attached),
            topics_in_order=tuple(self["topics"] or ()),
            wrap_up=wrap_up,
            contact={row.field: (self.store.get(row.key) or "") if consent else None for row in CONTACT
                     if row.field},
            keep_follow_up=bool(self["follow_up_keep"]),
            callback_by_member=bool(self["callback_by_member"]),
        )
