"""Danish and English formats for dates and numbers (pure functions, used by UI and letters)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Europe/Copenhagen")

_EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December"]
_DA_MONTHS = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september",
              "oktober", "november", "december"]


def local_today() -> date:
    """Today in Denmark, whatever the server's time zone: the day staff and members live in."""
    return datetime.now(LOCAL_TZ).date()


def format_date(value: date | datetime | None, lang: str = "da") -> str:
    """26.11.2026 in Danish, 2026-11-26 in English (unambiguous for staff)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return value.strftime("%d.%m.%Y") if lang == "da" else value.isoformat()


def format_long_date(value: date, lang: str = "da") -> str:
    """26. november 2026 / 26 November 2026 (letters to members)."""
    if lang == "da":
        return f"{value.day}. {_DA_MONTHS[value.month - 1]} {value.year}"
    return f"{value.day} {_EN_MONTHS[value.month - 1]} {value.year}"


def to_local(value: datetime) -> datetime:
    """Stored times are UTC; staff read Danish local time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    return value.astimezone(LOCAL_TZ)


def format_datetime(value: datetime | None, lang: str = "da") -> str:
    if value is None:
        return ""
    local = to_local(value)
    if lang == "da":
        return local.strftime("%d.%m.%Y kl. %H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


MINUS = "\u2212"  # the minus sign Danish typesetting writes before a negative number (−2,6)


def format_number(value: float | int | None, lang: str = "da", decimals: int = 0) -> str:
    """−2,6 and 1.234.567 in Danish (with a real minus sign); -2.6 and 1,234,567 in English.

    A value that rounds to zero has no sign ("0,0", never "−0,0").
    """
    if value is None:
        return ""
    text = f"{value:,.{decimals}f}"
    if text.startswith("-") and not text.strip("-0.,"):
        text = text[1:]
    if lang == "da":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
        if text.startswith("-"):
            text = MINUS + text[1:]
    return text


def format_duration(seconds: int | float | None, lang: str = "da") -> str:
    if seconds is None:
        return ""
    seconds = int(seconds)
    minutes, secs = divmod(seconds, 60)
    return f"{minutes}:{secs:02d} min"
