"""The library search, wherever it is opened: the library page (with filters, and every entry before a
query is typed) and the call page's Ctrl+K dialog. One search per rerun; its best hit decides whether the
question goes to the supervisors' "Spørgsmål uden svar" log; one card per hit (`_card`); one way to use an
entry in the call (`_use`, which attaches it to the call open in this browser session).

The line above the results says the search's outcome (advisory/library/confidence.py): "Sikkert svar"
(the first hits answer the question), "Muligvis relevant" (an entry may answer it, but not clearly) or
"Ingen sikre svar ..."; confident answers come first, the rest under "Måske:". Each hit says why it was
found: the member question it matched with the matched words in bold, or else the words it matched and
where (title, tags, ...). Entry text is staff-written: it is escaped before Markdown and the short answer is
shown as a code block (plain text with a copy button). Only the search's own ** ** highlight marks are kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import streamlit as st

from advisory import access
from advisory.library import KINDS, THEMES, Library, LibraryEntry, SearchHit
from advisory.vocab import ReviewStatus
from console import guard
from console.components import call_state
from console.components.library_entries import (
    badges,
    escape_md,
    highlighted,
    icons,
    is_overdue,
    source_citations,
)
from console.i18n import fmt_date, label, t, tn
from services import library as library_service
from services.accounts import StaffUser

MAX_HITS = 10
REVIEW_FILTERS = ("all", ReviewStatus.needs_clinical_review.value, "overdue")


def _style(key_prefix: str) -> str:
    # Static CSS (no user text): the short answer's code block in reading size, wrapped like prose.
    return f"""<style>
[class*="st-key-{key_prefix}_answer_"] pre, [class*="st-key-{key_prefix}_answer_"] code {{
  font-family: "Source Sans", sans-serif; font-size: 1.25rem; line-height: 1.5; white-space: pre-wrap;
}}
</style>"""


def matches_review(entry: LibraryEntry, review: str, today: date) -> bool:
    if review == ReviewStatus.needs_clinical_review:
        return entry.review_status == ReviewStatus.needs_clinical_review
    if review == "overdue":
        return is_overdue(entry, today)
    return True


# --- searches without a confident answer ----------------------------------------------------------------------


def _logged(key_prefix: str) -> dict[str, int | None]:
    return st.session_state.setdefault(f"{key_prefix}_logged", {})


def note_unanswered(library: Library, best: SearchHit | None, *, query: str, lang: str, key_prefix: str) -> None:
    """Log the search for content work when its best hit is not confident, once per session and wording
    (a rerun of the page logs nothing new). Personal data is stripped before it is stored."""
    text = query.strip()
    logged = _logged(key_prefix)
    if not text or f"{lang}:{text}" in logged or (best is not None and best.confident):
        return
    logged[f"{lang}:{text}"] = library_service.record_unanswered(query=text, lang=lang,
                                                                 is_known_word=library.knows_word)


def note_pick(*, key_prefix: str, lang: str, slug: str) -> None:
    """The advisor used an entry in the call after a search without a confident answer."""
    text = str(st.session_state.get(f"{key_prefix}_query") or "").strip()
    query_id = _logged(key_prefix).get(f"{lang}:{text}")
    if query_id is not None:
        library_service.mark_picked(query_id=query_id, slug=slug)


# --- the search ----------------------------------------------------------------------------------------------------

Outcome = Literal["confident", "possible", "none"]


@dataclass(frozen=True)
class Found:
    """What the panel shows: the search's outcome (None without a query), the confident answers and the
    other matches, best first (without a query: every entry by title, as hits without a reason)."""

    outcome: Outcome | None
    confident: list[SearchHit]
    others: list[SearchHit]


def outcome_of(hits: list[SearchHit]) -> Outcome:
    """The outcome of the hits shown: a confident answer, "muligvis relevant" or none."""
    if any(hit.confident for hit in hits):
        return "confident"
    return "possible" if hits and hits[0].band == "possible" else "none"


def find(library: Library, *, query: str, lang: str, kind: str | None = None, theme: str | None = None,
         review: str = "all", today: date, key_prefix: str) -> Found:
    """The entries to show with their search snippets and why they were found: best matches first;
    without a query all entries (by title) and no other matches.

    One search, over the whole library: its best hit says whether the question is answered (a filter
    does not make a question unanswered), the filters then narrow what is shown.
    """
    if query.strip():
        filtering = kind is not None or theme is not None or review != "all"
        hits = library.search(query, lang=lang, limit=len(library.entries) if filtering else MAX_HITS)
        note_unanswered(library, hits[0] if hits else None, query=query, lang=lang, key_prefix=key_prefix)
        shown = [hit for hit in hits if (kind is None or hit.entry.kind == kind)
                 and (theme is None or hit.entry.theme == theme) and matches_review(hit.entry, review, today)]
        shown = shown[:MAX_HITS]
        return Found(outcome_of(shown), [hit for hit in shown if hit.confident],
                     [hit for hit in shown if not hit.confident])
    entries = [
        entry for entry in library.entries
        if (kind is None or entry.kind == kind) and (theme is None or entry.theme == theme)
        and matches_review(entry, review, today)
    ]
    listed = sorted(entries, key=lambda e: e.text(lang).title.casefold())
    return Found(None, [SearchHit(entry=entry, score=0.0) for entry in listed], [])


# --- using an entry in the call ----------------------------------------------------------------------------------


@guard.action(access.takes_calls)
def _use(user: StaffUser, slug: str, title: str, key_prefix: str, lang: str,
         on_used: Callable[[str], None] | None) -> None:
    note_pick(key_prefix=key_prefix, lang=lang, slug=slug)
    if not call_state.attach(user.id, slug):  # saved or discarded in the meantime
        st.session_state[f"{key_prefix}_notice"] = ("warning", t("library.call_gone"))
    elif on_used is not None:
        on_used(slug)
    else:
        st.session_state[f"{key_prefix}_notice"] = ("success", t("library.attached", title=title))


# --- drawing -------------------------------------------------------------------------------------------------------


def why(hit: SearchHit) -> str | None:
    """Why a hit was found, as Markdown (staff text escaped, the search's ** ** marks kept): the member
    question it matched with the matched words in bold, or the words it matched and where; None for an
    entry listed without a search."""
    if hit.matched_question:
        return t("library_search.matched_question", question=highlighted(
            hit.snippets.get("question", hit.matched_question)))
    words = [match for match in hit.matched_words if match.field is not None]
    if not words:
        return None
    return t("library_search.matched_words", words=", ".join(
        f"**{escape_md(match.word)}** ({t(f'library_search.field_{match.field}')})"
        for match in dict((match.word, match) for match in words).values()))


def _card(hit: SearchHit, *, key_prefix: str, lang: str, today: date, expanded: bool,
          attached: list[str] | None, on_used: Callable[[str], None] | None) -> None:
    """One entry found: why it was found (above the card), and the title (with the search's highlights
    and review icons), which opens the short answer to read aloud or copy, the detail, the sources, and
    "use in this call" while a call is open here."""
    entry, snippets = hit.entry, hit.snippets
    text = entry.text(lang)
    title = highlighted(snippets.get("title", text.title))
    if reason := why(hit):
        with st.container(key=f"{key_prefix}_why_{entry.slug}"):
            st.caption(reason)
    with st.expander(f"{title} {icons(entry, today)}".strip(), expanded=expanded):
        st.markdown(badges(entry, today))
        st.caption(t("library.short_answer"))
        with st.container(key=f"{key_prefix}_answer_{entry.slug}"):
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
            st.button(t("library.use"), key=f"{key_prefix}_use_{entry.slug}", icon=":material/attach_file:",
                      on_click=_use, args=(entry.slug, text.title, key_prefix, lang, on_used))


def _search_box(where: Any, key_prefix: str) -> str:
    """A search field (type "search": the browser's clear button, Escape empties it) that the browser never
    fills from its history: what was typed there may be a member's health question."""
    return where.text_input(t("library.query"), key=f"{key_prefix}_query", placeholder=t("library.placeholder"),
                            type="search", autocomplete="off")


def _filters(key_prefix: str) -> tuple[str, str | None, str | None, str]:
    query_column, kind_column, theme_column, review_column = st.columns([4, 1, 1, 2])
    query = _search_box(query_column, key_prefix)
    # Labels are looked up now: a format_func may be called outside the script run (and its language).
    kinds: dict[str | None, str] = {None: t("library.all"), **{k: label("entry_kind", k) for k in KINDS}}
    themes: dict[str | None, str] = {None: t("library.all"), **{k: t(f"library.theme_{k}") for k in THEMES}}
    reviews = {k: t(f"library.review_{k}") for k in REVIEW_FILTERS}
    kind = kind_column.selectbox(t("library.kind"), list(kinds), key=f"{key_prefix}_kind", format_func=kinds.__getitem__,
                                 placeholder=t("common.choose"))
    theme = theme_column.selectbox(t("library.theme"), list(themes), key=f"{key_prefix}_theme",
                                   format_func=themes.__getitem__, placeholder=t("common.choose"))
    review = review_column.selectbox(t("library.review"), list(reviews), key=f"{key_prefix}_review",
                                     format_func=reviews.__getitem__, placeholder=t("common.choose"))
    return query, kind, theme, review or "all"


def search_panel(library: Library, *, key_prefix: str, lang: str, today: date, filters: bool = False,
                 on_used: Callable[[str], None] | None = None) -> None:
    """A search box and its results. With `filters` (the library page): kind, theme and review filters,
    and every entry while nothing is typed. `on_used` runs after an entry was attached to the call (the
    dialog closes itself); without it the panel says so. Widget keys: `<key_prefix>_query`,
    `<key_prefix>_use_<slug>` and, with filters, `<key_prefix>_kind|theme|review`.
    """
    st.html(_style(key_prefix))
    if filters:
        query, kind, theme, review = _filters(key_prefix)
    else:
        query = _search_box(st, key_prefix)
        kind, theme, review = None, None, "all"  # the dialog searches the whole library
    if notice := st.session_state.pop(f"{key_prefix}_notice", None):
        getattr(st, notice[0])(escape_md(notice[1]))
    searching = bool(query.strip())
    if not searching and not filters:
        st.caption(t("library_search.hint"))
        return
    found = find(library, query=query, lang=lang, kind=kind, theme=theme, review=review, today=today,
                 key_prefix=key_prefix)
    if not found.confident and not found.others:
        st.info(t("library.no_hits") if filters else t("library_search.no_hits"))
        return
    shown = len(found.confident) + len(found.others)
    st.caption(t("library.hits", count=shown) if searching else tn("library.count", shown))
    with st.container(key=f"{key_prefix}_outcome"):
        if found.outcome == "confident":
            st.success(t("library_search.confident"), icon=":material/check_circle:")
        elif found.outcome == "possible":
            st.warning(t("library_search.possible"), icon=":material/help:")
        elif found.outcome == "none":
            st.warning(t("library_search.no_confident"), icon=":material/help:")
    attached = call_state.attached_entries()
    if attached is None:
        st.caption(t("library.no_call"))
    for position, hit in enumerate(found.confident):
        _card(hit, key_prefix=key_prefix, lang=lang, today=today, expanded=position == 0 and searching,
              attached=attached, on_used=on_used)
    if found.others:
        st.markdown(f"**{t('library_search.possibly')}**")
    for hit in found.others:
        _card(hit, key_prefix=key_prefix, lang=lang, today=today, expanded=False, attached=attached, on_used=on_used)
