"""Streamlit's own words on screen, in the console's language.

Streamlit 1.67 writes a few texts of its own in English and offers no setting to translate them. Where a
widget has a parameter for it the pages use that (`placeholder=` on every select box and multiselect,
`select_all=False` on multiselects, `placeholder=""` on tables, whose empty cells would read "None").
What no parameter reaches is handled here, once for every page:

- `unknown_page()`: an address that names no page (a typo, an old bookmark) would open Streamlit's English
  "Page not found" dialog. The router gives such an address a hidden page of its own, which says so in
  the user's language (or shows the login first).
- `style()`, CSS that darkens the theme's faded greys to WCAG AA contrast (captions, shortcut hints), puts
  the console's words in place of Streamlit's, and hides what cannot be translated:
  * a date field's empty year shows "yyyy" (Streamlit renders its date fields in en-US): Danish "åååå";
  * a select box's list, when what is typed matches nothing, says "No results": "Ingen resultater";
  * a text field being typed in says "Press Enter to apply" (or "... to submit form"): the hint is hidden,
    the character counter of a field with a length limit stays (fields commit on Enter and when left);
  * the keyboard's skip link says "Skip to main content": "Gå til indholdet";
  * tables and charts have a toolbar (Download as CSV, Search, Fullscreen, Show data, ...) and tables a
    column menu (Sort ascending, Pin column, Hide column, ...), all English and with no way to translate
    them: both are hidden, in either language, so the console works the same in both. Sorting by a
    click on a column's header stays; the pages offer their own downloads where one is needed.

Screen-reader labels Streamlit gives its controls ("Open", "Choose date", "Collapse sidebar", a search field's
"Clear entry") stay English;
they are not on screen, and Streamlit has no way to change them (tests/e2e/test_danish.py lists them).
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlparse

import streamlit as st

from console.i18n import current_language, t

# What the CSS shows instead of Streamlit's English, per language (None: Streamlit's own text is right).
_REPLACEMENTS = {
    "da": {"year": "åååå", "no_results": "Ingen resultater", "skip": "Gå til indholdet"},
    "en": None,
}
# A page's url_path is one path segment of plain characters (Streamlit rejects "/" in it).
_PAGE_NAME = re.compile(r"[\w.~-]{1,100}")

_HIDDEN = """
[data-testid="stElementToolbar"], [data-testid="stDataFrameColumnMenu"] { display: none !important; }
"""

# Contrast (WCAG AA, 4.5:1, checked by axe in tests/e2e/test_accessibility.py). The theme's faded grey for
# captions is 3.9:1 on white, and a button's keyboard-shortcut hint is drawn in a faded tint of the button's
# text (3.7:1 on the primary colour): captions get a darker grey, the hint the button's own text colour.
_CONTRAST = """
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: #5b5a59 !important; opacity: 1 !important; }
[data-has-shortcut="true"] kbd { color: inherit !important; opacity: 1 !important; }
"""

_TRANSLATED = """
[data-testid="InputInstructions"] > span:first-child { display: none; }
[data-testid="InputInstructions"] > span:first-child + span::before { content: none; }
[data-testid="stDateInputField"] [data-type="year"][data-placeholder="true"] {
  position: relative; -webkit-text-fill-color: transparent;
}
[data-testid="stDateInputField"] [data-type="year"][data-placeholder="true"]::after {
  content: %(year)s; position: absolute; inset: 0; padding: inherit; box-sizing: border-box;
  -webkit-text-fill-color: currentcolor;
}
[role="listbox"][data-empty="true"] [role="option"] > span { font-size: 0; }
[role="listbox"][data-empty="true"] [role="option"] > span::after { content: %(no_results)s; font-size: 0.875rem; }
[data-testid="stSkipToContent"] { font-size: 0 !important; }
[data-testid="stSkipToContent"]::after { content: %(skip)s; font-size: 1rem; }
"""


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def css(lang: str) -> str:
    """The style sheet for `lang` (a function of the language only, so each run sends the same text)."""
    words = _REPLACEMENTS.get(lang)
    if words is None:
        return _HIDDEN + _CONTRAST
    return _HIDDEN + _CONTRAST + _TRANSLATED % {name: _css_string(text) for name, text in words.items()}


def style() -> None:
    """Put the style sheet on the page (st.html with only a <style> takes no room on the page)."""
    st.html(f"<style>{css(current_language())}</style>")


def requested_page_name(known: set[str]) -> str | None:
    """The page name in the browser's address when it names none of the `known` url_paths, else None."""
    url = st.context.url
    if not url:
        return None
    path = urlparse(url).path.strip("/")
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    if base and (path == base or path.startswith(f"{base}/")):
        path = path[len(base):].strip("/")
    name = unquote(path)
    if not name or name in known or not _PAGE_NAME.fullmatch(name):
        return None
    return name


def not_found(default_page: st.Page) -> None:
    """The page behind an address that names no page of the console."""
    st.title(t("app.not_found_title"))
    st.info(t("app.not_found"))
    st.page_link(default_page, label=t("app.not_found_link"), icon=":material/home:")
