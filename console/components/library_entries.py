"""How library entries look wherever the console shows one: the search index they come from, review
markers, and an entry's short answer, detail and sources in place (the script's offered entries, the
entries attached to a call). Search results are cards of their own (console/components/search_panel.py).

`current_library()` serves the search index built from the database's entries (so supervisors' edits
show), rebuilt only when an entry changes. Library text is staff-written, so it is made literal
(console.markdown.plain: no formatting, links or images) before it reaches Markdown; only the search's
own ** ** highlight marks are kept.
"""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from advisory.content import load_source_keys
from advisory.library import Library, LibraryEntry, load_bundled_entries, load_synonyms
from advisory.vocab import ReviewStatus
from console.i18n import label, t
from console.markdown import plain
from services import library as library_service
from settings import get_settings

REVIEW_INTERVAL = timedelta(days=365)
AWAITING_ICON = ":material/warning:"
OVERDUE_ICON = ":material/schedule:"


@st.cache_resource(max_entries=4, show_spinner=False)
def _build(database_url: str, stamp: str) -> Library:
    # A database not yet seeded with the bundled content still gets the bundled library.
    return Library(library_service.entries(database_url) or load_bundled_entries(), load_synonyms())


def current_library() -> Library:
    url = get_settings().DATABASE_URL
    return _build(url, library_service.entries_stamp(url))


@st.cache_resource(show_spinner=False)
def source_citations() -> dict[str, dict[str, str]]:
    return load_source_keys()


def escape_md(text: str) -> str:
    return plain(text)


def highlighted(snippet: str) -> str:
    """A search snippet with its ** ** marks kept and everything else escaped."""
    parts = snippet.split("**")
    return "**".join(escape_md(part) for part in parts) if len(parts) % 2 else escape_md(snippet.replace("**", ""))


# --- review state ---------------------------------------------------------------------------------------------


def review_marker(status: str) -> str:
    """A badge for content still awaiting the clinical lead's approval ("" for approved content)."""
    if status == ReviewStatus.approved:
        return ""
    return f":orange-badge[{AWAITING_ICON} {label('review_status', status)}]"


def is_overdue(entry: LibraryEntry, today: date) -> bool:
    """Not reviewed for twelve months: the content may have fallen behind the recommendations."""
    return entry.last_reviewed < today - REVIEW_INTERVAL


def markers(entry: LibraryEntry, today: date) -> str:
    """Short text markers for plain-text labels (select box options, table cells), where no icon can
    show: "(ikke godkendt)" while awaiting clinical approval, "(skal gennemgås)" when review is overdue."""
    parts = [t("library.marker_unapproved")] if entry.review_status != ReviewStatus.approved else []
    if is_overdue(entry, today):
        parts.append(t("library.marker_overdue"))
    return " ".join(f"({part})" for part in parts)


def icons(entry: LibraryEntry, today: date) -> str:
    """The same markers as Material icons, for Markdown labels (an entry's expander)."""
    return " ".join(icon for icon, shown in ((AWAITING_ICON, entry.review_status != ReviewStatus.approved),
                                             (OVERDUE_ICON, is_overdue(entry, today))) if shown)


def badges(entry: LibraryEntry, today: date) -> str:
    parts = [f":gray-badge[{label('entry_kind', entry.kind)}]"]
    if entry.theme:
        parts.append(f":blue-badge[{t(f'library.theme_{entry.theme}')}]")
    parts.append(review_marker(entry.review_status))
    if is_overdue(entry, today):
        parts.append(f":red-badge[{OVERDUE_ICON} {t('library.overdue')}]")
    return " ".join(part for part in parts if part)


# --- an entry in place -------------------------------------------------------------------------------------------


def entry_caption(entry: LibraryEntry) -> str:
    parts = [f":gray-badge[{label('entry_kind', entry.kind)}]", review_marker(entry.review_status),
             t("library_search.sources", keys=", ".join(entry.sources))]
    return " ".join(part for part in parts if part)


def entry_body(entry: LibraryEntry, lang: str) -> None:
    """The short answer (to read aloud), the detail and the sources of one entry."""
    text = entry.text(lang)
    # One element for the three (the call page redraws the entries its script offers on every profile change);
    # the sources line small and grey as a caption.
    st.markdown(f"**{escape_md(text.short_answer)}**\n\n{escape_md(text.detail)}\n\n"
                f":small[:gray[{entry_caption(entry)}]]")
