"""The library page's search: filters, entry cards (short answer to read aloud or copy, detail, sources),
review markers, and "use in this call", which attaches an entry to the advisor's open call draft.

Entry text is staff-written: it is escaped before Markdown and the short answer is shown as a code
block (plain text with a copy button). Only the search's own ** ** highlight marks are kept.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import streamlit as st

from advisory import access
from advisory.content import load_source_keys
from advisory.library import KINDS, THEMES, Library, LibraryEntry
from console import guard
from console.components.call_state import CACHE
from console.components.library_search import escape_md, highlighted, review_marker
from console.i18n import fmt_date, label, t
from db.engine import session_scope
from db.repositories import drafts
from db.repositories.users import StaffUser

REVIEW_INTERVAL = timedelta(days=365)
REVIEW_FILTERS = ("all", "needs_clinical_review", "overdue")
MAX_HITS = 10
ATTACHED = "call_attached"  # the call draft's list of entries taken from the search (console/call_draft.py)
_NOTICE = "library_notice"
# Static CSS (no user text): the short answer's code block in reading size, wrapped like prose.
_STYLE = """<style>
[class*="st-key-library_answer_"] pre, [class*="st-key-library_answer_"] code {
  font-family: "Source Sans", sans-serif; font-size: 1.25rem; line-height: 1.5; white-space: pre-wrap;
}
</style>"""


def is_overdue(entry: LibraryEntry, today: date) -> bool:
    """Not reviewed for twelve months: the content may have fallen behind the recommendations."""
    return entry.last_reviewed < today - REVIEW_INTERVAL


def matches_review(entry: LibraryEntry, review: str, today: date) -> bool:
    if review == "needs_clinical_review":
        return entry.review_status == "needs_clinical_review"
    if review == "overdue":
        return is_overdue(entry, today)
    return True


def markers(entry: LibraryEntry, today: date) -> str:
    """Plain-text markers for labels and pickers: ⚠️ awaiting clinical review, ⏰ review overdue."""
    return ("⚠️" if entry.review_status != "approved" else "") + ("⏰" if is_overdue(entry, today) else "")


def badges(entry: LibraryEntry, today: date) -> str:
    parts = [f":gray-badge[{label('entry_kind', entry.kind)}]"]
    if entry.theme:
        parts.append(f":blue-badge[{t(f'library.theme_{entry.theme}')}]")
    parts.append(review_marker(entry.review_status))
    if is_overdue(entry, today):
        parts.append(f":red-badge[⏰ {t('library.overdue')}]")
    return " ".join(part for part in parts if part)


@st.cache_resource(show_spinner=False)
def source_citations() -> dict[str, dict[str, str]]:
    return load_source_keys()


# --- the open call -------------------------------------------------------------------------------------------


def with_entry(draft_data: dict[str, Any], slug: str) -> dict[str, Any]:
    """The call draft with `slug` added to the entries taken from the search (once)."""
    values = dict(draft_data.get("values") or {})
    attached = list(values.get(ATTACHED) or [])
    if slug not in attached:
        attached.append(slug)
    return {**draft_data, "values": {**values, ATTACHED: attached}}


def open_call_entries(advisor_id: int) -> list[str] | None:
    """The entries already attached to the advisor's open call; None when no call is open."""
    with session_scope() as session:
        draft = drafts.load_draft(session, advisor_id=advisor_id)
    if draft is None:
        return None
    return list((draft.data.get("values") or {}).get(ATTACHED) or [])


@guard.action(access.takes_calls)
def _use(user: StaffUser, slug: str, title: str) -> None:
    advisor_id = user.id
    with session_scope() as session:
        draft = drafts.load_draft(session, advisor_id=advisor_id)
        if draft is None:  # saved or discarded in another tab meanwhile
            st.session_state[_NOTICE] = ("warning", t("library.call_gone"))
            return
        data = with_entry(draft.data, slug)
        drafts.save_draft(session, advisor_id=advisor_id, data=data)
    # This session's copy of the call must agree, or the call page's next autosave would drop the entry.
    state = st.session_state
    if ATTACHED in state:
        state[ATTACHED] = list(dict.fromkeys([*(state[ATTACHED] or []), slug]))
    if CACHE in state:
        state[CACHE] = data
    state[_NOTICE] = ("success", t("library.attached", title=title))


# --- search and results --------------------------------------------------------------------------------------


def _filters() -> tuple[str, str | None, str | None, str]:
    query_column, kind_column, theme_column, review_column = st.columns([4, 1, 1, 2])
    query = query_column.text_input(t("library.query"), key="library_query", placeholder=t("library.placeholder"))
    # Labels are looked up now: a format_func may be called outside the script run (and its language).
    kinds = {None: t("library.all"), **{k: label("entry_kind", k) for k in KINDS}}
    themes = {None: t("library.all"), **{k: t(f"library.theme_{k}") for k in THEMES}}
    reviews = {k: t(f"library.review_{k}") for k in REVIEW_FILTERS}
    kind = kind_column.selectbox(t("library.kind"), list(kinds), key="library_kind", format_func=kinds.get)
    theme = theme_column.selectbox(t("library.theme"), list(themes), key="library_theme", format_func=themes.get)
    review = review_column.selectbox(t("library.review"), list(reviews), key="library_review",
                                     format_func=reviews.get)
    return query, kind, theme, review


def find(library: Library, *, query: str, lang: str, kind: str | None, theme: str | None, review: str,
         today: date) -> list[tuple[LibraryEntry, dict[str, str]]]:
    """The entries to show with their search snippets: best matches first, or all (by title) without a query."""
    if query.strip():
        hits = library.search(query, lang=lang, limit=len(library.entries), kind=kind, theme=theme)
        found = [(hit.entry, hit.snippets) for hit in hits if matches_review(hit.entry, review, today)]
        return found[:MAX_HITS]
    entries = [
        entry for entry in library.entries
        if (kind is None or entry.kind == kind) and (theme is None or entry.theme == theme)
        and matches_review(entry, review, today)
    ]
    return [(entry, {}) for entry in sorted(entries, key=lambda e: e.text(lang).title.casefold())]


def _card(entry: LibraryEntry, snippets: dict[str, str], *, lang: str, today: date, expanded: bool,
          attached: list[str] | None, advisor_id: int) -> None:
    text = entry.text(lang)
    label = highlighted(snippets.get("title", text.title))
    with st.expander(f"{label} {markers(entry, today)}".strip(), expanded=expanded):
        st.markdown(badges(entry, today))
        st.caption(t("library.short_answer"))
        with st.container(key=f"library_answer_{entry.slug}"):
            st.code(text.short_answer, language=None, wrap_lines=True)
        st.markdown(escape_md(text.detail))
        sources = source_citations()
        st.caption(t("library.sources") + "\n\n" + "\n\n".join(
            f"{key}: {escape_md(sources.get(key, {}).get(lang, ''))}" for key in entry.sources))
        st.caption(t("library.tags", tags=escape_md(", ".join(text.tags))) + " · "
                   + t("library.last_reviewed", date=fmt_date(entry.last_reviewed)))
        if attached is None:
            return
        if entry.slug in attached:
            st.caption(t("library.used"))
        else:
            st.button(t("library.use"), key=f"library_use_{entry.slug}", icon="📎", on_click=_use,
                      args=(entry.slug, text.title))


def search_panel(library: Library, *, advisor_id: int, lang: str, today: date) -> None:
    st.html(_STYLE)
    query, kind, theme, review = _filters()
    if notice := st.session_state.pop(_NOTICE, None):
        getattr(st, notice[0])(escape_md(notice[1]))
    found = find(library, query=query, lang=lang, kind=kind, theme=theme, review=review, today=today)
    if not found:
        st.info(t("library.no_hits"))
        return
    searching = bool(query.strip())
    st.caption(t("library.hits" if searching else "library.count", count=len(found)))
    attached = open_call_entries(advisor_id)
    if attached is None:
        st.caption(t("library.no_call"))
    for position, (entry, snippets) in enumerate(found):
        _card(entry, snippets, lang=lang, today=today, expanded=searching and position == 0, attached=attached,
              advisor_id=advisor_id)
