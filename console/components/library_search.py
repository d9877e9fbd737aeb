"""The myth/FAQ search box and entry display, shared by the call page and the library page.

`current_library()` serves the search index built from the database's entries (so supervisors' edits
show), rebuilt only when an entry changes. Library text is staff-written, so it is made literal
(console.markdown.plain: no formatting, links or images) before it reaches Markdown; only the search's
own ** ** highlight marks are kept.

A search without a confident answer says so ("Ingen sikre svar ...") and shows its weak matches under
"Måske:"; it is logged once per session for the supervisors' "Spørgsmål uden svar" view
(`note_unanswered`), and an entry used in the call afterwards is recorded with it (`note_pick`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import streamlit as st

from advisory.library import Library, LibraryEntry, SearchHit, load_bundled_entries, load_synonyms
from console.i18n import label, t
from console.markdown import plain
from db.engine import get_engine, session_scope
from db.repositories import library as library_repo
from db.repositories import unanswered as unanswered_repo
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
    return f":orange-badge[:material/warning: {t(f'library_search.status_{status}')}]"


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


# --- searches without a confident answer ----------------------------------------------------------------


def split_confident(hits: list[SearchHit]) -> tuple[list[SearchHit], list[SearchHit]]:
    """The hits that answer the query confidently, and the weak ones to show under "Måske:"."""
    return [hit for hit in hits if hit.confident], [hit for hit in hits if not hit.confident]


def _logged(key_prefix: str) -> dict[str, int | None]:
    return st.session_state.setdefault(f"{key_prefix}_logged", {})


def note_unanswered(library: Library, *, query: str, lang: str, key_prefix: str) -> None:
    """Log the search for content work when nothing answers it confidently, once per session and
    wording (a rerun of the page logs nothing new). Personal data is stripped by the repository."""
    text = query.strip()
    logged = _logged(key_prefix)
    if not text or f"{lang}:{text}" in logged:
        return
    best = library.search(text, lang=lang, limit=1)
    if best and best[0].confident:
        return
    with session_scope() as session:
        logged[f"{lang}:{text}"] = unanswered_repo.record(session, query=text, lang=lang,
                                                          is_known_word=library.knows_word)


def note_pick(*, key_prefix: str, lang: str, slug: str) -> None:
    """The advisor used an entry in the call after a search without a confident answer."""
    text = str(st.session_state.get(f"{key_prefix}_query") or "").strip()
    query_id = _logged(key_prefix).get(f"{lang}:{text}")
    if query_id is None:
        return
    with session_scope() as session:
        unanswered_repo.mark_picked(session, query_id=query_id, slug=slug)


def _use(on_use: Callable[[str], None], key_prefix: str, lang: str, slug: str) -> None:
    note_pick(key_prefix=key_prefix, lang=lang, slug=slug)
    on_use(slug)


def _result_card(hit: SearchHit, *, key_prefix: str, lang: str, on_use: Callable[[str], None] | None,
                 used: Collection[str]) -> bool:
    """One result; True when its "use in this call" button was clicked."""
    entry, text = hit.entry, hit.entry.text(lang)
    with st.container(border=True):
        st.markdown(f"**{highlighted(hit.snippets.get('title', text.title))}**")
        st.markdown(highlighted(hit.snippets.get("short_answer", text.short_answer)))
        st.caption(entry_caption(entry))
        if on_use is None:
            return False
        if entry.slug in used:
            st.caption(t("library_search.already_used"))
            return False
        return st.button(t("library_search.use"), key=f"{key_prefix}_use_{entry.slug}", on_click=_use,
                         args=(on_use, key_prefix, lang, entry.slug), icon=":material/attach_file:")


def library_search(
    library: Library,
    *,
    key_prefix: str,
    lang: str,
    on_use: Callable[[str], None] | None = None,
    used: Collection[str] = (),
    limit: int = 8,
) -> str | None:
    """A search box with its results: confident answers first; without any, "Ingen sikre svar" and the
    weak matches under "Måske:". Returns the slug whose "use in this call" button was clicked (`on_use`
    is its callback); without `on_use` no use buttons are shown. `used` marks entries already taken.
    Widget keys: `<key_prefix>_query`, `<key_prefix>_use_<slug>`.
    """
    query = st.text_input(t("library_search.query"), key=f"{key_prefix}_query",
                          placeholder=t("library_search.placeholder"))
    if not query.strip():
        st.caption(t("library_search.hint"))
        return None
    note_unanswered(library, query=query, lang=lang, key_prefix=key_prefix)
    hits = library.search(query, lang=lang, limit=limit)
    if not hits:
        st.info(t("library_search.no_hits"))
        return None
    confident, possible = split_confident(hits)
    if not confident:
        st.warning(t("library_search.no_confident"), icon=":material/help:")
    chosen = None
    for position, hit in enumerate(confident + possible):
        if possible and position == len(confident):
            st.markdown(f"**{t('library_search.possibly')}**")
        if _result_card(hit, key_prefix=key_prefix, lang=lang, on_use=on_use, used=used):
            chosen = hit.entry.slug
    return chosen
