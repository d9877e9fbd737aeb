"""The library page's search: filters, entry cards (short answer to read aloud or copy, detail, sources),
review markers, and "use in this call", which attaches an entry to the advisor's open call draft.
Confident answers come first; without any, the page says so and shows weak matches under "Måske:", and
the search is logged for the supervisors' "Spørgsmål uden svar" view (console/components/library_search.py).

Entry text is staff-written: it is escaped before Markdown and the short answer is shown as a code
block (plain text with a copy button). Only the search's own ** ** highlight marks are kept.
"""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from advisory import access
from advisory.content import load_source_keys
from advisory.library import KINDS, THEMES, Library, LibraryEntry
from console import guard
from console.components import call_state
from console.components.library_search import (
    escape_md,
    highlighted,
    note_pick,
    note_unanswered,
    review_marker,
)
from console.i18n import fmt_date, label, t
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


AWAITING_ICON = ":material/warning:"
OVERDUE_ICON = ":material/schedule:"


def markers(entry: LibraryEntry, today: date) -> str:
    """Short text markers for plain-text labels (select box options, table cells), where no icon can
    show: "(ikke godkendt)" while awaiting clinical approval, "(skal gennemgås)" when review is overdue."""
    parts = [t("library.marker_unapproved")] if entry.review_status != "approved" else []
    if is_overdue(entry, today):
        parts.append(t("library.marker_overdue"))
    return " ".join(f"({part})" for part in parts)


def icons(entry: LibraryEntry, today: date) -> str:
    """The same markers as Material icons, for Markdown labels (an entry's expander)."""
    return " ".join(icon for icon, shown in ((AWAITING_ICON, entry.review_status != "approved"),
                                             (OVERDUE_ICON, is_overdue(entry, today))) if shown)


def badges(entry: LibraryEntry, today: date) -> str:
    parts = [f":gray-badge[{label('entry_kind', entry.kind)}]"]
    if entry.theme:
        parts.append(f":blue-badge[{t(f'library.theme_{entry.theme}')}]")
    parts.append(review_marker(entry.review_status))
    if is_overdue(entry, today):
        parts.append(f":red-badge[{OVERDUE_ICON} {t('library.overdue')}]")
    return " ".join(part for part in parts if part)


@st.cache_resource(show_spinner=False)
def source_citations() -> dict[str, dict[str, str]]:
    return load_source_keys()


# --- the open call -------------------------------------------------------------------------------------------


@guard.action(access.takes_calls)
def _use(user: StaffUser, slug: str, title: str, lang: str) -> None:
    note_pick(key_prefix="library", lang=lang, slug=slug)
    if call_state.attach(user.id, slug):
        st.session_state[_NOTICE] = ("success", t("library.attached", title=title))
    else:  # saved or discarded in the meantime
        st.session_state[_NOTICE] = ("warning", t("library.call_gone"))


# --- search and results --------------------------------------------------------------------------------------


def _filters() -> tuple[str, str | None, str | None, str]:
    query_column, kind_column, theme_column, review_column = st.columns([4, 1, 1, 2])
    query = query_column.text_input(t("library.query"), key="library_query", placeholder=t("library.placeholder"))
    # Labels are looked up now: a format_func may be called outside the script run (and its language).
    kinds = {None: t("library.all"), **{k: label("entry_kind", k) for k in KINDS}}
    themes = {None: t("library.all"), **{k: t(f"library.theme_{k}") for k in THEMES}}
    reviews = {k: t(f"library.review_{k}") for k in REVIEW_FILTERS}
    kind = kind_column.selectbox(t("library.kind"), list(kinds), key="library_kind", format_func=kinds.get,
                                 placeholder=t("common.choose"))
    theme = theme_column.selectbox(t("library.theme"), list(themes), key="library_theme", format_func=themes.get,
                                   placeholder=t("common.choose"))
    review = review_column.selectbox(t("library.review"), list(reviews), key="library_review",
                                     format_func=reviews.get, placeholder=t("common.choose"))
    return query, kind, theme, review


Found = list[tuple[LibraryEntry, dict[str, str]]]


def find(library: Library, *, query: str, lang: str, kind: str | None, theme: str | None, review: str,
         today: date) -> tuple[Found, Found]:
    """The entries to show with their search snippets, as (confident answers, weak matches): best
    matches first; without a query all entries (by title) and no weak matches."""
    if query.strip():
        hits = library.search(query, lang=lang, limit=len(library.entries), kind=kind, theme=theme)
        shown = [hit for hit in hits if matches_review(hit.entry, review, today)][:MAX_HITS]
        return ([(hit.entry, hit.snippets) for hit in shown if hit.confident],
                [(hit.entry, hit.snippets) for hit in shown if not hit.confident])
    entries = [
        entry for entry in library.entries
        if (kind is None or entry.kind == kind) and (theme is None or entry.theme == theme)
        and matches_review(entry, review, today)
    ]
    return [(entry, {}) for entry in sorted(entries, key=lambda e: e.text(lang).title.casefold())], []


def _card(entry: LibraryEntry, snippets: dict[str, str], *, lang: str, today: date, expanded: bool,
          attached: list[str] | None, advisor_id: int) -> None:
    text = entry.text(lang)
    label = highlighted(snippets.get("title", text.title))
    with st.expander(f"{label} {icons(entry, today)}".strip(), expanded=expanded):
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
            st.button(t("library.use"), key=f"library_use_{entry.slug}", icon=":material/attach_file:", on_click=_use,
                      args=(entry.slug, text.title, lang))


def search_panel(library: Library, *, advisor_id: int, lang: str, today: date) -> None:
    st.html(_STYLE)
    query, kind, theme, review = _filters()
    if notice := st.session_state.pop(_NOTICE, None):
        getattr(st, notice[0])(escape_md(notice[1]))
    note_unanswered(library, query=query, lang=lang, key_prefix="library")
    confident, possible = find(library, query=query, lang=lang, kind=kind, theme=theme, review=review, today=today)
    if not confident and not possible:
        st.info(t("library.no_hits"))
        return
    searching = bool(query.strip())
    st.caption(t("library.hits" if searching else "library.count", count=len(confident) + len(possible)))
    if searching and not confident:
        st.warning(t("library_search.no_confident"), icon=":material/help:")
    attached = call_state.attached_entries()
    if attached is None:
        st.caption(t("library.no_call"))
    for position, (entry, snippets) in enumerate(confident):
        _card(entry, snippets, lang=lang, today=today, expanded=position == 0 and searching, attached=attached,
              advisor_id=advisor_id)
    if possible:
        st.markdown(f"**{t('library_search.possibly')}**")
    for entry, snippets in possible:
        _card(entry, snippets, lang=lang, today=today, expanded=False, attached=attached, advisor_id=advisor_id)
