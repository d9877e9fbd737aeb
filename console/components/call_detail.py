"""One call in full (opened from the call log): what was said and done, its follow-ups, referrals and
audit trail, and the edits allowed after the call. Opening it is audited once per opening, not on
every rerun. Everything a person typed is shown with st.text or in tables: never as Markdown.

Edits are optimistic, as in the library editor: the form remembers the version it was opened from
(its widget keys carry it), and a save refused because someone saved the call meanwhile shows both
versions; the editor then takes the stored one or saves their own over it, knowingly. Nothing typed is
lost and nothing is overwritten silently."""

from __future__ import annotations

import json
from datetime import date, timedelta

import streamlit as st

from advisory import access
from advisory.formatting import local_today
from advisory.script import script_content
from advisory.vocab import codes
from console import guard
from console.call_form import PROFILE_BY_FIELD, PROFILE_FORM
from console.components import tables
from console.i18n import (
    audit_action,
    current_language,
    fmt_date,
    fmt_datetime,
    fmt_number,
    joined,
    label,
    labeller,
    t,
)
from console.markdown import plain
from db.models import FOLLOW_UP_REASON_MAX_CHARS, NOTES_MAX_CHARS
from services import call_log, follow_ups
from services.accounts import StaffUser
from services.call_log import CallDetail, CallNotFound

OUTCOMES = codes("outcome")
AUDITED_KEY = "call_detail_audited"
FLASH_KEY = "call_detail_flash"
BASE_KEY = "call_detail_edit_base"  # {"call_id", "version"}: the version the edit form was opened from
CONFLICT_KEY = "call_detail_conflict"  # a refused save: the stored version and what this editor typed


def show(call_id: int, viewer: StaffUser) -> None:
    audit_view = st.session_state.get(AUDITED_KEY) != call_id
    try:
        detail = call_log.detail(call_id, viewer, audit_view=audit_view)
    except CallNotFound:
        st.error(t("call_log.not_found"))
        return
    st.session_state[AUDITED_KEY] = call_id
    st.subheader(t("call_detail.title", id=detail.id))
    if flash := st.session_state.pop(FLASH_KEY, None):
        kind, message = flash if isinstance(flash, tuple) else ("success", flash)
        getattr(st, kind)(message)
    _summary(detail)
    _contact(detail)
    with st.expander(t("call_detail.profile")):
        _facts(profile_facts(detail.profile), key="call_detail_profile")
    _said(detail)
    st.markdown(f"**{t('call_detail.notes')}**")
    st.text(detail.notes or t("call_detail.no_notes"))
    _follow_ups(detail)
    _referrals(detail)
    _edit(detail, viewer)
    _add_follow_up(detail, viewer)
    with st.expander(t("call_detail.audit")):
        _table([{t("call_detail.col_at"): e["at"], t("call_detail.col_who"): e["actor_name"],
                 t("call_detail.col_action"): audit_action(e["action"]),
                 t("call_detail.col_detail"): json.dumps(e["detail"], ensure_ascii=False)}
                for e in detail.audit_trail], key="call_detail_audit_table")


def _summary(detail: CallDetail) -> None:
    facts = {
        t("call_detail.started"): fmt_datetime(detail.started_at),
        t("call_detail.duration"): t("call_detail.minutes", n=round(detail.duration_seconds / 60)),
        t("call_detail.advisor"): detail.advisor_name,
        t("call_detail.caller_role"): label("caller_role", detail.caller_role),
        t("call_detail.group"): label("group", detail.group_id),
        t("call_detail.flags"): joined("flag", detail.flags),
        t("call_detail.topics"): joined("topic", detail.topics),
        t("call_detail.red_flag"): label("disposition", detail.disposition) or t("call_detail.no_red_flag"),
        t("call_detail.outcome"): label("outcome", detail.outcome),
    }
    _facts(facts, key="call_detail_summary")


# The profile's fields in the order the form asks them (console/call_form.py), labelled as the form labels
# them except where the form's label is a prompt ("Aktivitetsniveau (skal udfyldes)").
_SUMMARY_LABELS = {"caller_role": "call_detail.caller_role", "activity_level": "call_detail.activity_level",
                   "topics": "call_detail.topics"}
_PROFILE_FIELDS = tuple((row.field, _SUMMARY_LABELS.get(row.field, f"profile.{row.field}")) for row in PROFILE_FORM)


def _fracture_text(fracture: dict) -> str:
    when = fracture.get("occurred_on")
    parts = [label("fracture_site", fracture.get("site")),
             fmt_date(date.fromisoformat(when)) if when else t("profile.when_unknown").lower()]
    if fracture.get("low_energy"):
        parts.append(t("profile.low_energy").lower())
    return ", ".join(part for part in parts if part)


def _profile_value(field: str, value) -> str:
    if field == "fractures":
        if value is None:
            return t("profile.fractures_unknown")
        return "; ".join(_fracture_text(f) for f in value) if value else t("profile.fractures_no")
    if value is None:
        return "–"
    row = PROFILE_BY_FIELD.get(field)
    if row is not None and row.widget in ("radio", "select"):
        return label(row.kind, value)
    if row is not None and row.widget == "topics":
        return joined(row.kind, value) or "–"
    if isinstance(value, bool):
        return t(f"profile.answer_{'yes' if value else 'no'}")
    return fmt_number(value, row.decimals if row is not None else 0)


def profile_facts(profile: dict) -> dict[str, str]:
    """The stored profile snapshot in the advisor's words: label -> value, numbers and dates as the UI writes them."""
    facts = {t(key): _profile_value(field, profile.get(field)) for field, key in _PROFILE_FIELDS}
    known = {field for field, _ in _PROFILE_FIELDS}
    # A snapshot from an older version may hold a field this one does not know: shown as stored.
    facts.update({name: str(value) for name, value in profile.items() if name not in known})
    return facts


def _facts(facts: dict[str, str], *, key: str) -> None:
    """A two-column table of label and value (no headers of its own)."""
    tables.show([{"": name, " ": value} for name, value in facts.items()], key=key)


def _contact(detail: CallDetail) -> None:
    st.markdown(f"**{t('call_detail.contact')}**")
    if detail.anonymised_at is not None:
        st.info(t("call_detail.anonymised", at=fmt_datetime(detail.anonymised_at)))
        return
    if not detail.contact_consent:
        st.caption(t("call_detail.no_consent"))
        return
    st.caption(t("call_detail.consent_at", at=fmt_datetime(detail.contact_consent_at)))
    for field in ("caller_name", "member_number", "phone", "email"):
        if value := getattr(detail, field):
            st.text(f"{t(f'call_detail.{field}')}: {value}")


def _said(detail: CallDetail) -> None:
    st.markdown(f"**{t('call_detail.blocks')}**")
    st.caption(t("call_detail.content_version", version=detail.content_version or "–"))
    if detail.delivered_blocks:
        lang = current_language()
        blocks = {block.id: block for block in script_content().blocks}
        # Each block as it reads today (its id when today's content no longer has it): the caption above
        # says which content version the call was given.
        _table([{t("call_detail.col_block"): label("section", blocks[block].section) if block in blocks else "",
                 t("call_detail.col_text"): getattr(blocks[block], lang) if block in blocks else block}
                for block in detail.delivered_blocks], key="call_detail_blocks")
    else:
        st.caption(t("call_detail.no_blocks"))
    st.markdown(f"**{t('call_detail.library')}**")
    if detail.library_slugs:
        lang = current_language()
        _table([{t("call_detail.col_title"): detail.library_titles.get(slug, {}).get(lang) or slug}
                for slug in detail.library_slugs], key="call_detail_library")
    else:
        st.caption(t("call_detail.no_library"))


def _follow_ups(detail: CallDetail) -> None:
    st.markdown(f"**{t('call_detail.follow_ups')}**")
    if not detail.follow_ups:
        st.caption(t("call_detail.no_follow_ups"))
        return
    _table([{t("call_detail.col_due"): f["due_on"], t("call_detail.col_assignee"): f["assignee_name"],
             t("call_detail.col_reason"): f["reason"], t("call_detail.col_status"): t(f"follow_ups.status_{f['status']}"),
             t("call_detail.col_note"): f["closing_note"]} for f in detail.follow_ups], key="call_detail_follow_ups")


def _referrals(detail: CallDetail) -> None:
    st.markdown(f"**{t('call_detail.referrals')}**")
    if not detail.referrals:
        st.caption(t("call_detail.no_referrals"))
        return
    _table([{t("call_detail.col_channel"): label("channel", r["channel"]),
             t("call_detail.col_recipient"): r["recipient"], t("call_detail.col_subject"): r["subject"],
             t("call_detail.col_status"): t(f"referrals.status_{r['status']}"),
             t("call_detail.col_created"): r["created_at"], t("call_detail.col_sent"): r["sent_at"],
             # Letters: the version that went in the post (an edit after printing is a new version).
             t("call_detail.col_letter_version"): r["posted_version"] or r["version"] if r["channel"] == "letter"
             else None}
            for r in detail.referrals],
           key="call_detail_referrals")


def _open_edit(call_id: int, version: int) -> None:
    st.session_state[BASE_KEY] = {"call_id": call_id, "version": version}
    st.session_state.pop(CONFLICT_KEY, None)


def _edit_base(detail: CallDetail) -> int:
    base = st.session_state.get(BASE_KEY) or {}
    if base.get("call_id") != detail.id:
        _open_edit(detail.id, detail.version)
        return detail.version
    return base["version"]


def _save_edit(detail: CallDetail, viewer: StaffUser, *, expected_version: int, notes: str | None,
               outcome: str) -> None:
    edit = call_log.edit_call(detail.id, viewer, expected_version=expected_version, notes=notes, outcome=outcome)
    if edit.anonymised:
        st.session_state[FLASH_KEY] = ("error", t("call_detail.notes_locked"))
        return
    if (current := edit.conflict) is not None:
        st.session_state[CONFLICT_KEY] = {
            "call_id": detail.id, "version": current.version, "notes": current.notes, "outcome": current.outcome,
            "editor": current.editor_name, "at": current.updated_at,
            "mine_notes": notes, "mine_outcome": outcome,
        }
        return
    if edit.too_long:
        st.session_state[FLASH_KEY] = ("error", t("call_detail.notes_too_long", max=fmt_number(NOTES_MAX_CHARS)))
        return
    st.session_state[FLASH_KEY] = ("success", t("call_detail.saved") if edit.changed else t("call_detail.nothing_changed"))
    _open_edit(detail.id, edit.version or expected_version)


@guard.action(access.takes_calls)
def _keep_mine(viewer: StaffUser, detail: CallDetail) -> None:
    conflict = st.session_state.get(CONFLICT_KEY) or {}
    _save_edit(detail, viewer, expected_version=conflict["version"], notes=conflict["mine_notes"],
               outcome=conflict["mine_outcome"])


def _conflict(detail: CallDetail, viewer: StaffUser) -> None:
    conflict = st.session_state.get(CONFLICT_KEY)
    if not conflict or conflict["call_id"] != detail.id:
        return
    st.error(t("call_detail.conflict", version=conflict["version"], who=plain(conflict["editor"]) or "–",
               at=fmt_datetime(conflict["at"])))
    theirs, mine = st.columns(2)
    with theirs:
        st.markdown(f"**{t('call_detail.conflict_theirs', version=conflict['version'])}**")
        st.caption(f"{t('call_detail.edit_outcome')}: {label('outcome', conflict['outcome'])}")
        st.text(conflict["notes"] or t("call_detail.no_notes"))
    with mine:
        st.markdown(f"**{t('call_detail.conflict_mine')}**")
        st.caption(f"{t('call_detail.edit_outcome')}: {label('outcome', conflict['mine_outcome'])}")
        notes = conflict["mine_notes"]
        st.text(t("call_detail.notes_locked") if notes is None else notes or t("call_detail.no_notes"))
    take, keep = st.columns(2)
    take.button(t("call_detail.conflict_take_theirs"), key=f"call_detail_take_theirs_{detail.id}",
                on_click=_open_edit, args=(detail.id, conflict["version"]))
    keep.button(t("call_detail.conflict_keep_mine"), key=f"call_detail_keep_mine_{detail.id}", type="primary",
                on_click=_keep_mine, args=(detail,))


def _edit(detail: CallDetail, viewer: StaffUser) -> None:
    version = _edit_base(detail)
    _conflict(detail, viewer)
    if version != detail.version and CONFLICT_KEY not in st.session_state:
        st.warning(t("call_detail.stale", version=detail.version))
        st.button(t("call_detail.reload"), key=f"call_detail_reload_{detail.id}", on_click=_open_edit,
                  args=(detail.id, detail.version))
    locked = detail.anonymised_at is not None
    with st.form(f"call_detail_edit_{detail.id}_v{version}"):
        st.markdown(f"**{t('call_detail.edit')}**")
        notes = st.text_area(t("call_detail.edit_notes"), value=detail.notes, disabled=locked,
                             max_chars=NOTES_MAX_CHARS, key=f"call_detail_notes_{detail.id}_v{version}",
                             help=t("call_detail.notes_locked") if locked else None)
        outcome = st.selectbox(t("call_detail.edit_outcome"), OUTCOMES, index=OUTCOMES.index(detail.outcome)
                               if detail.outcome in OUTCOMES else 0, format_func=labeller("outcome"),
                               key=f"call_detail_outcome_{detail.id}_v{version}", placeholder=t("common.choose"))
        if not st.form_submit_button(t("call_detail.save")) or (actor := guard.check(access.takes_calls)) is None:
            return
    _save_edit(detail, actor, expected_version=version, notes=None if locked else notes, outcome=outcome)
    st.rerun()


def _add_follow_up(detail: CallDetail, viewer: StaffUser) -> None:
    names = dict(follow_ups.assignee_choices())
    with st.form(f"call_detail_add_follow_up_{detail.id}"):
        st.markdown(f"**{t('call_detail.add_follow_up')}**")
        due = st.date_input(t("call_detail.due_on"), value=local_today() + timedelta(weeks=2),
                            format="DD.MM.YYYY", key=f"call_detail_fu_due_{detail.id}")
        assignee = st.selectbox(t("call_detail.assignee"), list(names), format_func=names.__getitem__,
                                index=list(names).index(viewer.id) if viewer.id in names else 0,
                                key=f"call_detail_fu_assignee_{detail.id}", placeholder=t("common.choose"))
        reason = st.text_input(t("call_detail.reason"), key=f"call_detail_fu_reason_{detail.id}",
                               max_chars=FOLLOW_UP_REASON_MAX_CHARS)
        if not st.form_submit_button(t("call_detail.add")) or (actor := guard.check(access.takes_calls)) is None:
            return
    if assignee is None:  # nobody to give it to: there is always the advisor themselves
        return
    follow_ups.add(call_id=detail.id, due_on=due, assignee_id=assignee, reason=reason, actor=actor)
    st.session_state[FLASH_KEY] = t("call_detail.follow_up_added")
    st.rerun()


def _table(rows: list[dict], *, key: str) -> None:
    tables.show(rows, key=key)
