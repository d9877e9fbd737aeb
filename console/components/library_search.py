"""The myth/FAQ search box and entry display, shared by the call page and the library page.

`current_library()` serves the search index built from the database's entries (so supervisors' edits
show), rebuilt only when an entry changes. Library text is staff-written, so it is made literal
(console.markdown.plain: no formatting, links or images) before it reaches Markdown; only the search's
own ** ** highlight marks are kept.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import streamlit as st

from advisory.library import Library, LibraryEntry, load_bundled_entries, load_synonyms
from console.i18n import label, t
from console.markdown import plain
from db.engine import get_engine, session_scope
from db.repositories import library as library_repo
from settings import get_settings


@st.cache_resource(max_entries=4, show_spinner=False)
def _build(database_url: str, stamp: str) -> Library:
    with session_scope(get_engine(database_url)) as session:
        entries = library_repo.load_entries(session)
    # A database not yet seeded with the bundled content still gets the bundled library.
    return Library(entries or load_bundled_entries(), load_synonyms())


def current_library() -> Library:
    url = get_settings().DATABASE_URL
    with session_scope(get_engine(url)) as session:
        stamp = library_repo.entries_stamp(session)
    return _build(url, stamp)


def escape_md(text: str) -> str:
    return plain(text)


def highlighted(snippet: str) -> str:
    """A search snippet with its ** ** marks kept and everything else escaped."""
    parts = snippet.split("**")
    return "**".join(escape_md(part) for part in parts) if len(parts) % 2 else escape_md(snippet.replace("**", ""))


def review_marker(status: str) -> str:
    """A badge for content still awaiting the clinical lead's approval ("" for approved content)."""
    if status == "approved":
        return ""
    return f":orange-badge[⚠️ {t(f'library_search.status_{status}')}]"


def entry_caption(entry: LibraryEntry) -> str:
    kind = label("entry_kind", entry.kind)
    parts = [f":gray-badge[{kind}]", review_marker(entry.review_status),
             t("library_search.sources", keys=", ".join(entry.sources))]
    return " ".join(part for part in parts if part)


def entry_body(entry: LibraryEntry, lang: str) -> None:
    """The short answer (to read aloud), the detail and the sources of one entry."""
    text = entry.text(lang)
    st.markdown(f"**{escape_md(text.short_answer)}**")
    st.markdown(escape_md(text.detail))
    st.caption(entry_caption(entry))


def library_search(
    library: Library,
    *,
    key_prefix: str,
    lang: str,
    on_use: Callable[[str], None] | None = None,
    used: Collection[str] = (),
    limit: int = 8,
) -> str | None:
    """A search box with its results; returns the slug whose "use in this call" button was clicked.

    Without `on_use` no use buttons are shown (the library page). `used` marks entries already taken.
    Widget keys: `<key_prefix>_query`, `<key_prefix>_use_<slug>`.
    """
    query = st.text_input(t("library_search.query"), key=f"{key_prefix}_query",
                          placeholder=t("library_search.placeholder"))
    if not query.strip():
        st.caption(t("library_search.hint"))
        return None
    hits = library.search(query, lang=lang, limit=limit)
    if not hits:
        st.info(t("library_search.no_hits"))
        return None
    chosen = None
    for hit in hits:
        entry, text = hit.entry, hit.entry.text(lang)
        with st.container(border=True):
            st.markdown(f"**{highlighted(hit.snippets.get('title', text.title))}**")
            st.markdown(highlighted(hit.snippets.get("short_answer", text.short_answer)))
            st.caption(entry_caption(entry))
            if on_use is None:
                continue
            if entry.slug in used:
                st.caption(t("library_search.already_used"))
            elif st.button(t("library_search.use"), key=f"{key_prefix}_use_{entry.slug}", on_click=on_use,
                           args=(entry.slug,), icon="📎"):
                chosen = entry.slug
    return chosen
