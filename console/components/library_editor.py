"""Supervisors' editing of library entries: a validated form in both languages, history and restore,
and new entries (blank, or started from an unanswered question with the question prefilled).

The form remembers the version it was opened from (`library_edit_base`); its widget keys carry that
version, so a saved edit opens fresh from the new version, while after a conflict or an invalid save
everything typed stays where it was. The save itself is optimistic: the repository refuses it when
someone else saved the entry since the form was opened, and nothing is overwritten.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import streamlit as st
from pydantic import ValidationError

from advisory import access
from advisory.library import (
    KINDS,
    MEMBER_QUESTIONS_MAX,
    MEMBER_QUESTIONS_MIN,
    SHORT_ANSWER_MAX_WORDS,
    THEMES,
    Library,
    LibraryEntry,
)
from advisory.library.analysis import fold
from console import guard
from console.components import tables
from console.components.library_entries import is_overdue, markers, source_citations
from console.i18n import fmt_date, fmt_datetime, label, t
from db.engine import session_scope
from db.repositories import library as library_repo
from db.repositories.users import StaffUser

LANGS = ("da", "en")
# Every text field the form edits: a field left out would be saved empty, and an entry's member questions
# would vanish with the first edit.
TEXT_FIELDS = ("title", "short_answer", "detail", "tags", "questions")
SHARED_FIELDS = ("theme", "sources", "review_status", "last_reviewed")
STATUSES = ("approved", "needs_clinical_review", "draft")
PICK, BASE, ERRORS, NOTICE = "library_edit_slug", "library_edit_base", "library_edit_errors", "library_edit_notice"
# A new entry: the question it starts from ({"query", "lang"}, or empty for a blank one), its form's
# errors, and the page's tabs, which starting an entry from the unanswered tab switches to the editor.
NEW, NEW_ERRORS, TABS = "library_new", "library_new_errors", "library_tab"
NEW_FIELD = "library_new_{}".format


def _key(slug: str, version: int, field: str) -> str:
    return f"library_edit_{slug}_v{version}_{field}"


def field_label(name: str) -> str:
    """A changed-field or error location ("da.short_answer") in the reader's words."""
    if name == "*":
        return t("library.field_all")
    lang, _, field = name.rpartition(".")
    label = t(f"library.field_{field}")
    return f"{label} ({t(f'library.lang_{lang}')})" if lang else label


def _note(note: str) -> str:
    if note.startswith("restored version "):
        return t("library.note_restored", version=note.removeprefix("restored version "))
    return {"bundled": t("library.note_bundled"), "bundled update": t("library.note_bundled_update")}.get(note, note)


# --- reading and checking the form -----------------------------------------------------------------------


def _entry_from_form(value: Any, *, slug: str, kind: str) -> dict[str, Any]:
    """An entry's data from its form's widgets (`value(field)` reads one), tags split on commas, member
    questions one per line."""
    data: dict[str, Any] = {"slug": slug, "kind": kind, "theme": value("theme"),
                            "sources": list(value("sources") or []), "review_status": value("review_status"),
                            "last_reviewed": value("last_reviewed")}
    for lang in LANGS:
        texts = {field: value(f"{lang}_{field}") or "" for field in TEXT_FIELDS}
        texts["tags"] = [tag.strip() for tag in texts["tags"].split(",") if tag.strip()]
        texts["questions"] = [line.strip() for line in texts["questions"].splitlines() if line.strip()]
        data[lang] = texts
    return data


def form_data(state: Any, entry: LibraryEntry, version: int) -> dict[str, Any]:
    """The entry as typed into the form opened from `version` (slug and kind cannot change)."""
    return _entry_from_form(lambda field: state.get(_key(entry.slug, version, field)), slug=entry.slug,
                            kind=entry.kind)


def error_messages(error: ValidationError, data: dict[str, Any]) -> dict[str, str]:
    """Field ("da.short_answer") -> a Danish or English message for the editor; pydantic's are English."""
    messages: dict[str, str] = {}
    for detail in error.errors():
        name = ".".join(str(part) for part in detail["loc"] if not isinstance(part, int)) or "entry"
        label = field_label(name)
        if name.endswith("short_answer") and detail["type"] == "value_error":
            lang = name.split(".")[0]
            words = len(str(data.get(lang, {}).get("short_answer", "")).split())
            message = t("library.error_words", field=label, words=words, max=SHORT_ANSWER_MAX_WORDS)
        elif name.endswith("questions"):
            message = t("library.error_questions", field=label, min=MEMBER_QUESTIONS_MIN, max=MEMBER_QUESTIONS_MAX)
        elif detail["type"] == "string_too_short":
            message = t("library.error_required", field=label)
        elif detail["type"] == "too_short":
            message = t("library.error_required_list", field=label)
        else:
            message = t("library.error_invalid", field=label)
        messages.setdefault(name, message)
    return messages


# --- actions (widget callbacks: they run before the page is drawn) ------------------------------------------


def _open(slug: str, version: int) -> None:
    st.session_state[BASE] = {"slug": slug, "version": version}
    st.session_state.pop(ERRORS, None)


@guard.action(access.edits_library)
def _save(user: StaffUser, entry: LibraryEntry, version: int) -> None:
    state = st.session_state
    data = form_data(state, entry, version)
    try:
        edited = LibraryEntry.model_validate(data)
    except ValidationError as exc:
        state[ERRORS] = error_messages(exc, data)
        return
    state.pop(ERRORS, None)
    try:
        with session_scope() as session:
            result = library_repo.edit_entry(session, entry=edited, expected_version=version, editor_id=user.id,
                                             editor_name=user.username)
    except library_repo.EditConflict as conflict:
        state[NOTICE] = ("error", t("library.conflict", version=conflict.current))
        return
    if not result.changed_fields:
        state[NOTICE] = ("info", t("library.unchanged"))
        return
    fields = ", ".join(field_label(name) for name in result.changed_fields)
    state[NOTICE] = ("success", t("library.saved", version=result.version, fields=fields))
    _open(entry.slug, result.version)


@guard.action(access.edits_library)
def _restore(user: StaffUser, slug: str, current: int) -> None:
    old = st.session_state.get("library_restore_version")
    if old is None:
        return
    try:
        with session_scope() as session:
            result = library_repo.restore(session, slug=slug, version=old, expected_version=current,
                                          editor_id=user.id, editor_name=user.username)
    except library_repo.EditConflict as conflict:
        st.session_state[NOTICE] = ("error", t("library.conflict", version=conflict.current))
        return
    if not result.changed_fields:
        st.session_state[NOTICE] = ("info", t("library.unchanged"))
        return
    st.session_state[NOTICE] = ("success", t("library.restored", old=old, version=result.version))
    st.session_state.pop("library_restore_version", None)
    _open(slug, result.version)


# --- new entries ---------------------------------------------------------------------------------------------


def slug_suggestion(query: str) -> str:
    """An id from the question's words: folded to ASCII, hyphens between, at most 50 characters."""
    words = re.findall(r"[a-z0-9]+", fold(query))
    return "-".join(words)[:50].strip("-")


def start_new_entry(query: str = "", lang: str = "da") -> None:
    """Open the new-entry form (a widget callback), prefilled with `query`: the title in the question's
    language, the question as the first tag, an id from its words. Switches the page to the editor."""
    state = st.session_state
    state[NEW] = {"query": query, "lang": lang}
    state.pop(NEW_ERRORS, None)
    defaults: dict[str, Any] = {"kind": "faq", "slug": slug_suggestion(query), "review_status": "draft",
                                "sources": []}
    for text_lang in LANGS:
        for field in TEXT_FIELDS:
            defaults[f"{text_lang}_{field}"] = ""
    if query:
        defaults[f"{lang}_title"] = query[:1].upper() + query[1:]
        defaults[f"{lang}_tags"] = query
    for field, value in defaults.items():
        state[NEW_FIELD(field)] = value
    for field in ("theme", "last_reviewed"):  # their widgets' own defaults: no theme, today
        state.pop(NEW_FIELD(field), None)
    state[TABS] = t("library.tab_edit")


def _cancel_new() -> None:
    st.session_state.pop(NEW, None)
    st.session_state.pop(NEW_ERRORS, None)


def new_entry_data(state: Any) -> dict[str, Any]:
    """The new entry as typed into its form."""
    def value(field: str) -> Any:
        return state.get(NEW_FIELD(field))

    kind = value("kind") or "faq"
    return _entry_from_form(value, slug=f"{kind}-{(value('slug') or '').strip()}", kind=kind)


def _create(user: StaffUser) -> None:
    state = st.session_state
    data = new_entry_data(state)
    try:
        entry = LibraryEntry.model_validate(data)
    except ValidationError as exc:
        state[NEW_ERRORS] = error_messages(exc, data)
        return
    try:
        with session_scope() as session:
            library_repo.create_entry(session, entry=entry, editor_id=user.id, editor_name=user.username)
    except library_repo.EntryExists:
        state[NEW_ERRORS] = {"slug": t("library.exists", slug=entry.slug)}
        return
    _cancel_new()
    state[PICK] = entry.slug
    state[NOTICE] = ("success", t("library.created"))
    _open(entry.slug, 1)


def _new_form(user: StaffUser, lang: str, today: date) -> None:
    state = st.session_state
    started = state.get(NEW) or {}
    errors: dict[str, str] = state.get(NEW_ERRORS) or {}
    query = started.get("query") or ""
    st.subheader(t("library.new_from_query", query=query) if query else t("library.new_blank"), anchor=False)
    st.caption(t("library.new_hint"))
    sources = source_citations()
    if NEW_FIELD("last_reviewed") not in state:
        state[NEW_FIELD("last_reviewed")] = today
    with st.form("library_new_form", border=True):
        if errors:
            st.error(t("library.error_summary"))
        kind_column, slug_column = st.columns([1, 3])
        kinds = {k: t(f"library.kind_{k}") for k in KINDS}
        kind_column.selectbox(t("library.field_kind"), list(kinds), key=NEW_FIELD("kind"), format_func=kinds.get,
                              placeholder=t("common.choose"))
        slug_column.text_input(t("library.field_slug"), key=NEW_FIELD("slug"), help=t("library.new_slug_help"))
        for field in ("slug", "kind"):
            if message := errors.get(field):
                st.error(message)
        columns = st.columns(2, gap="large")
        for column, text_lang in zip(columns, LANGS, strict=True):
            with column:
                st.markdown(f"**{t(f'library.lang_{text_lang}').capitalize()}**")
                st.text_input(t("library.field_title"), key=NEW_FIELD(f"{text_lang}_title"))
                st.text_area(t("library.field_short_answer"), key=NEW_FIELD(f"{text_lang}_short_answer"), height=140,
                             help=t("library.field_short_answer_help", max=SHORT_ANSWER_MAX_WORDS))
                st.text_area(t("library.field_detail"), key=NEW_FIELD(f"{text_lang}_detail"), height=220)
                st.text_input(t("library.field_tags"), key=NEW_FIELD(f"{text_lang}_tags"),
                              help=t("library.field_tags_help"))
                st.text_area(t("library.field_questions"), key=NEW_FIELD(f"{text_lang}_questions"), height=160,
                             help=t("library.field_questions_help", min=MEMBER_QUESTIONS_MIN,
                                    max=MEMBER_QUESTIONS_MAX))
                for field in TEXT_FIELDS:
                    if message := errors.get(f"{text_lang}.{field}"):
                        st.error(message)
        theme_column, status_column, date_column = st.columns(3)
        themes = {None: t("library.theme_none"), **{k: t(f"library.theme_{k}") for k in THEMES}}
        statuses = {k: t(f"library.status_{k}") for k in STATUSES}
        citations = {k: f"{k} – {text.get(lang, '')}"[:90] for k, text in sources.items()}
        theme_column.selectbox(t("library.field_theme"), list(themes), index=0, key=NEW_FIELD("theme"),
                               format_func=themes.get, placeholder=t("common.choose"))
        status_column.selectbox(t("library.field_review_status"), list(statuses), key=NEW_FIELD("review_status"),
                                format_func=statuses.get, placeholder=t("common.choose"))
        date_column.date_input(t("library.field_last_reviewed"), format="DD.MM.YYYY", key=NEW_FIELD("last_reviewed"))
        st.multiselect(t("library.field_sources"), list(citations), key=NEW_FIELD("sources"),
                       format_func=citations.get, placeholder=t("library.new_sources_placeholder"), select_all=False)
        for field in SHARED_FIELDS:
            if message := errors.get(field):
                st.error(message)
        st.form_submit_button(t("library.new_save"), key="library_new_save", type="primary",
                              icon=":material/add:", on_click=_create, args=(user,))
    st.button(t("library.new_cancel"), key="library_new_cancel", on_click=_cancel_new, type="tertiary")


# --- drawing ---------------------------------------------------------------------------------------------------


def _pick(library: Library, lang: str, today: date) -> str | None:
    only_due = st.checkbox(t("library.edit_only_due"), key="library_edit_due")
    entries = [e for e in library.entries
               if not only_due or e.review_status != "approved" or is_overdue(e, today)]
    entries.sort(key=lambda e: e.text(lang).title.casefold())
    titles = {e.slug: f"{e.text(lang).title} {markers(e, today)}".strip() for e in entries}
    return st.selectbox(t("library.edit_pick"), list(titles), key=PICK, index=None,
                        format_func=titles.get, placeholder=t("library.edit_pick_placeholder"))


def _language_fields(entry: LibraryEntry, version: int, lang: str, errors: dict[str, str]) -> None:
    text, key = entry.text(lang), lambda field: _key(entry.slug, version, f"{lang}_{field}")
    st.markdown(f"**{t(f'library.lang_{lang}').capitalize()}**")
    st.text_input(t("library.field_title"), value=text.title, key=key("title"))
    st.text_area(t("library.field_short_answer"), value=text.short_answer, key=key("short_answer"), height=140,
                 help=t("library.field_short_answer_help", max=SHORT_ANSWER_MAX_WORDS))
    st.text_area(t("library.field_detail"), value=text.detail, key=key("detail"), height=260)
    st.text_input(t("library.field_tags"), value=", ".join(text.tags), key=key("tags"),
                  help=t("library.field_tags_help"))
    st.text_area(t("library.field_questions"), value="\n".join(text.questions), key=key("questions"), height=160,
                 help=t("library.field_questions_help", min=MEMBER_QUESTIONS_MIN, max=MEMBER_QUESTIONS_MAX))
    for field in TEXT_FIELDS:
        if message := errors.get(f"{lang}.{field}"):
            st.error(message)


def _form(entry: LibraryEntry, version: int, user: StaffUser, lang: str) -> None:
    errors: dict[str, str] = st.session_state.get(ERRORS) or {}
    sources = source_citations()
    with st.form(f"library_edit_form_{entry.slug}_v{version}", border=True):
        if errors:
            st.error(t("library.error_summary"))
        columns = st.columns(2, gap="large")
        for column, lang in zip(columns, LANGS, strict=True):
            with column:
                _language_fields(entry, version, lang, errors)
        theme_column, status_column, date_column = st.columns(3)
        themes = {None: t("library.theme_none"), **{k: t(f"library.theme_{k}") for k in THEMES}}
        statuses = {k: t(f"library.status_{k}") for k in STATUSES}
        citations = {k: f"{k} – {text.get(lang, '')}"[:90] for k, text in sources.items()}
        theme_column.selectbox(t("library.field_theme"), list(themes), index=list(themes).index(entry.theme),
                               key=_key(entry.slug, version, "theme"), format_func=themes.get,
                               placeholder=t("common.choose"))
        status_column.selectbox(t("library.field_review_status"), list(statuses),
                                index=STATUSES.index(entry.review_status),
                                key=_key(entry.slug, version, "review_status"), format_func=statuses.get,
                                placeholder=t("common.choose"))
        date_column.date_input(t("library.field_last_reviewed"), value=entry.last_reviewed, format="DD.MM.YYYY",
                               key=_key(entry.slug, version, "last_reviewed"))
        st.multiselect(t("library.field_sources"), list(citations), default=entry.sources,
                       key=_key(entry.slug, version, "sources"), format_func=citations.get,
                       placeholder=t("library.new_sources_placeholder"), select_all=False)
        for field in SHARED_FIELDS:
            if message := errors.get(field):
                st.error(message)
        st.form_submit_button(t("library.save"), key="library_edit_save", type="primary", icon=":material/save:",
                              on_click=_save, args=(entry, version))


def _history(slug: str, current: int, lang: str, user: StaffUser) -> None:
    with session_scope() as session:
        revisions = library_repo.history(session, slug=slug)
    st.subheader(t("library.history"), anchor=False)
    tables.show([
        {
            t("library.col_version"): r.version,
            t("library.col_when"): r.created_at,
            t("library.col_editor"): r.editor_name or t("library.bundled"),
            t("library.col_changed"): ", ".join(field_label(name) for name in r.changed_fields),
            t("library.col_note"): _note(r.note),
        }
        for r in revisions
    ], key="library_history_table")
    older = {r.version: r for r in revisions if r.version != current}
    if not older:
        st.caption(t("library.restore_none"))
        return
    choices = {v: f"{v} · {fmt_datetime(r.created_at)} · {r.editor_name or t('library.bundled')}"
               for v, r in older.items()}
    chosen = st.selectbox(t("library.restore_pick"), list(choices), index=None, key="library_restore_version",
                          format_func=choices.get,
                          placeholder=t("library.restore_placeholder"))
    if chosen is None:
        return
    old = LibraryEntry.model_validate(older[chosen].data).text(lang)
    st.caption(t("library.restore_preview"))
    st.code(f"{old.title}\n\n{old.short_answer}", language=None, wrap_lines=True)
    st.button(t("library.restore"), key="library_restore", icon=":material/history:", on_click=_restore, args=(slug, current))


def editor(library: Library, *, user: StaffUser, lang: str, today: date) -> None:
    """The edit tab. Draws nothing for anyone but supervisors and admins, whatever the caller checked."""
    if not access.edits_library(user):
        return
    if st.session_state.get(NEW) is not None:
        _new_form(user, lang, today)
        return
    st.button(t("library.new_entry"), key="library_edit_new", icon=":material/add:", on_click=start_new_entry,
              args=("", lang))
    slug = _pick(library, lang, today)
    if slug is None:
        st.info(t("library.edit_pick_hint"))
        return
    with session_scope() as session:
        stored = library_repo.get_entry(session, slug=slug)
    base = st.session_state.get(BASE) or {}
    fresh = _key(slug, base.get("version", 0), "da_title") not in st.session_state
    if base.get("slug") != slug or (fresh and base.get("version") != stored.version):
        _open(slug, stored.version)  # nothing typed yet: open the newest version
        base = st.session_state[BASE]
    version = base["version"]
    st.caption(t("library.edit_meta", slug=slug, kind=label("entry_kind", stored.entry.kind), version=version,
                 date=fmt_date(stored.updated_at)))
    notice = st.session_state.pop(NOTICE, None)
    if notice:
        getattr(st, notice[0])(notice[1])
    if version != stored.version:
        if not notice:
            st.warning(t("library.stale", version=stored.version))
        st.button(t("library.reload"), key="library_edit_reload", on_click=_open, args=(slug, stored.version))
    opened = stored.entry if version == stored.version else _revision_entry(slug, version) or stored.entry
    _form(opened, version, user, lang)
    _history(slug, stored.version, lang, user)


def _revision_entry(slug: str, version: int) -> LibraryEntry | None:
    """The content the form was opened from (its defaults), when the entry has moved on since."""
    with session_scope() as session:
        revisions = library_repo.history(session, slug=slug)
    return next((LibraryEntry.model_validate(r.data) for r in revisions if r.version == version), None)
