"""Supervisors' "Spørgsmål uden svar": library searches without a confident answer, grouped by wording
(advisory/library/unanswered.py), counted over a chosen period, each with a button that starts a new entry in
the editor prefilled with the question. Groups the library now answers are left out (the search is run
again on display), so a group disappears as soon as an entry answers it.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import streamlit as st

from advisory import access
from advisory.library import Library
from advisory.library.unanswered import QuestionGroup, group_questions
from console.components.library_editor import start_new_entry
from console.components.library_entries import escape_md
from console.i18n import fmt_datetime, t
from db.models import utcnow
from services import library as library_service
from services.accounts import StaffUser

PERIODS = (7, 30, 90, 365)
DEFAULT_PERIOD = 30
MAX_WORDINGS = 4


def group_key(group: QuestionGroup) -> str:
    """A stable widget key for a group: its language and analysed words, hashed."""
    return hashlib.sha1(f"{group.lang}:{' '.join(group.signature)}".encode()).hexdigest()[:10]


def _group(group: QuestionGroup, library: Library, lang: str) -> None:
    key = group_key(group)
    with st.container(border=True, key=f"library_unanswered_group_{key}"):
        st.markdown(f"**{escape_md(group.query)}**")
        st.caption(t("library.unanswered_meta", count=group.count, language=t(f"library.lang_{group.lang}"),
                     when=fmt_datetime(group.last_searched)))
        others = [wording for wording in group.wordings if wording != group.query][:MAX_WORDINGS]
        if others:
            st.caption(t("library.unanswered_wordings", wordings=escape_md(" · ".join(others))))
        if group.picked:
            titles = [
                f"{escape_md(entry.text(lang).title if (entry := library.get(slug)) else slug)} ({count})"
                for slug, count in group.picked.most_common()
            ]
            st.caption(t("library.unanswered_picked", entries=", ".join(titles)))
        st.button(t("library.unanswered_new"), key=f"library_unanswered_new_{key}", icon=":material/add:",
                  on_click=start_new_entry, args=(group.query, group.lang))


def unanswered_panel(library: Library, *, user: StaffUser, lang: str) -> None:
    """The tab. Draws nothing for anyone but supervisors and admins, whatever the caller checked."""
    if not access.edits_library(user):
        return
    st.caption(t("library.unanswered_intro"))
    days = st.selectbox(t("library.unanswered_period"), PERIODS, index=PERIODS.index(DEFAULT_PERIOD),
                        key="library_unanswered_period", format_func=lambda n: t("library.unanswered_days", days=n),
                        placeholder=t("common.choose"))
    questions = library_service.unanswered_questions(since=utcnow() - timedelta(days=days))
    groups = group_questions(questions, library)
    if not groups:
        st.info(t("library.unanswered_none"))
        return
    st.caption(t("library.unanswered_summary", groups=len(groups), count=sum(group.count for group in groups)))
    for group in groups:
        _group(group, library, lang)
