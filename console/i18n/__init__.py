"""One translation function for every user-visible string: `t("section.key", **values)`, and `tn(key, count)`
for texts with a count, whose catalogue entry holds a `one` and an `other` form.

Catalogues are `da.toml` and `en.toml` beside this file, with the same keys (a test holds that).
The language lives in `st.session_state["lang"]`; Danish is the default.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

import streamlit as st

from advisory import formatting
from advisory import labels as vocabulary_labels
from advisory.vocab import LANGUAGES
from settings import get_settings

_DIR = Path(__file__).resolve().parent


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


@lru_cache(maxsize=2)
def catalogue(lang: str) -> dict[str, str]:
    with (_DIR / f"{lang}.toml").open("rb") as handle:
        return _flatten(tomllib.load(handle))


def translate(key: str, lang: str, **values: Any) -> str:
    text = catalogue(lang).get(key)
    if text is None:
        # A missing key is a bug the catalogue test catches; show the key rather than crash a call.
        text = catalogue("da").get(key, key)
    return text.format(**values) if values else text


def current_language() -> str:
    lang = st.session_state.get("lang")
    if lang not in LANGUAGES:
        lang = get_settings().DEFAULT_LANGUAGE.value  # a plain code: the language picker's options are codes
        st.session_state["lang"] = lang
    return lang


def t(key: str, **values: Any) -> str:
    return translate(key, current_language(), **values)


def plural_form(count: int | float) -> str:
    """The catalogue's form for `count`: "one" for exactly 1, "other" otherwise (Danish and English alike:
    1 opfølgning, 2 opfølgninger, 0 opfølgninger; 1 call, 2 calls, 0 calls)."""
    return "one" if count == 1 else "other"


def translate_count(key: str, count: int | float, lang: str, **values: Any) -> str:
    """The text at `key` (a table of `one` and `other` forms) for `count`, written as {n} in `lang`'s way."""
    return translate(f"{key}.{plural_form(count)}", lang, n=formatting.format_number(count, lang), **values)


def tn(key: str, count: int | float, **values: Any) -> str:
    """`t` for a text with a count in it: "1 opfølgning er overskredet", "2 opfølgninger er overskredet"."""
    return translate_count(key, count, current_language(), **values)


def t_or(key: str, fallback: str) -> str:
    """t(key), or `fallback` when the catalogue has no such key (a code only an older version wrote)."""
    lang = current_language()
    return translate(key, lang) if key in catalogue(lang) else fallback


def audit_action(code: str) -> str:
    """An audit event's action in words ("call_create" is "Opkald gemt")."""
    return t_or(f"audit_action.{code}", code)


def audit_object(kind: str | None, object_id: str | int | None) -> str:
    """What an audit event concerns: "Opkald 12"."""
    name = t_or(f"audit_object.{kind}", kind or "") if kind else ""
    return f"{name} {object_id if object_id is not None else ''}".strip()


def label(kind: str, code: str | None) -> str:
    """The display name of a vocabulary code (group, topic, outcome, role, ...) in the current language."""
    return vocabulary_labels.label(kind, code, current_language())


def labeller(kind: str):
    """`label` for one kind with the language bound now: Streamlit may call format_func outside the run."""
    lang = current_language()
    return lambda code: vocabulary_labels.label(kind, code, lang)


def joined(kind: str, codes) -> str:
    return vocabulary_labels.joined(kind, codes, current_language())


def fmt_date(value) -> str:
    return formatting.format_date(value, current_language())


def fmt_datetime(value) -> str:
    return formatting.format_datetime(value, current_language())


def fmt_number(value, decimals: int = 0) -> str:
    return formatting.format_number(value, current_language(), decimals)
