"""Bibliotek / Library: search the myths and FAQ, read the short answer aloud or copy it, use it in the call.

Supervisors and admins also edit entries (with history and restore), see how often each was used, and see
the questions the search could not answer, from which they start new entries. The search index is built from
the database's entries and rebuilt when one changes, so an edit shows at once.
"""

import streamlit as st

from advisory import access
from console import auth
from console.components import library_editor, library_entries, library_unanswered, search_panel, tables
from console.components.call_state import today
from console.components.library_entries import current_library
from console.i18n import current_language, label, t
from services import library as library_service

user = auth.require(access.reads_library)
lang = current_language()
day = today()
st.title(t("nav.library"))
st.caption(t("library.intro"))
library = current_library()
supervisor = access.edits_library(user)

if supervisor:
    # Keyed and stateful, so that starting an entry from an unanswered question can switch to the editor.
    tab_search, tab_edit, tab_usage, tab_unanswered = st.tabs(
        [t("library.tab_search"), t("library.tab_edit"), t("library.tab_usage"), t("library.tab_unanswered")],
        key=library_editor.TABS, on_change="rerun")
else:
    tab_search = st.container()  # type: ignore[assignment]  # a container in the place of the one tab

with tab_search:
    search_panel.search_panel(library, key_prefix="library", lang=lang, today=day, filters=True)

if supervisor:
    with tab_edit:
        library_editor.editor(library, user=user, lang=lang, today=day)
    with tab_usage:
        uses = library_service.usage_counts()
        st.caption(t("library.usage_intro"))
        entries = sorted(library.entries, key=lambda e: (-uses.get(e.slug, 0), e.text(lang).title.casefold()))
        tables.show([
            {
                t("library.col_entry"): entry.text(lang).title,
                t("library.col_kind"): label("entry_kind", entry.kind),
                t("library.col_uses"): uses.get(entry.slug, 0),
                t("library.col_status"): label("review_status", entry.review_status)
                + (f" ({t('library.marker_overdue')})" if library_entries.is_overdue(entry, day) else ""),
                t("library.col_last_reviewed"): entry.last_reviewed,
            }
            for entry in entries
        ], key="library_usage_table")
    with tab_unanswered:
        library_unanswered.unanswered_panel(library, user=user, lang=lang)
