"""Breve til afsendelse / Letters to post: the secretariat's daily batch.

All letters waiting to be printed, across advisors, oldest first. "Print" downloads them as one PDF
(each letter from a new page, the address in the envelope window, dated today) and records them as
printed; "mark posted" then marks exactly the printed letters as sent, by whom and when. A letter whose
address is not usable stays out of the batch, with what is missing. A letter already posted can be
printed again from the list below, after a confirmation; that is audited.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from advisory import access
from advisory.formatting import local_today
from console import guard
from console.components import tables
from console.components.referral_editor import address_problem_text
from console.i18n import fmt_date, fmt_datetime, fmt_number, t
from services import referrals as guidance
from services.accounts import StaffUser
from services.referrals import LetterToPost

_PRINTED = "letters_printed_ids"  # the ids of the batch printed in this session
_FLASH = "letters_flash"
_OPENED = "letters_opened"  # the letter whose row was clicked


def _batch_pdf(referral_ids: list[int], user: StaffUser) -> bytes:
    # Runs when the download button is pressed (on its own thread): the PDF holds exactly these letters,
    # except any a colleague posted in the meantime; printing re-reads the staff member's role.
    return guidance.print_batch(referral_ids, user)


def _reprint_pdf(referral_id: int, user: StaffUser) -> bytes:
    return guidance.reprint(referral_id, user)


def _remember_printed(referral_ids: list[int]) -> None:
    st.session_state[_PRINTED] = list(referral_ids)


@guard.action(access.may_post_letters)
def _mark_posted(user: StaffUser, referral_ids: list[int]) -> None:
    posted = guidance.mark_posted(referral_ids, user)
    st.session_state.pop(_PRINTED, None)
    st.session_state[_FLASH] = t("letters.posted", n=fmt_number(len(posted)))


def _address(letter: LetterToPost) -> str:
    return " · ".join(letter.address.lines)


def letters_to_post(user: StaffUser) -> None:
    st.caption(t("letters.intro"))
    if flash := st.session_state.pop(_FLASH, None):
        st.success(flash)
    waiting = guidance.letters_to_post(user)
    ready = [letter for letter in waiting if letter.address.usable]
    blocked = [letter for letter in waiting if not letter.address.usable]
    if not waiting:
        st.info(t("letters.none_waiting"))
    if ready:
        _batch(ready, user)
    for letter in blocked:
        record = letter.referral
        st.warning(t("letters.blocked", id=record.id, author=letter.author_name or "–",
                     date=fmt_date(record.created_at)) + " " + address_problem_text(letter.address))
    _posted(user)


def _batch(ready: list[LetterToPost], user: StaffUser) -> None:
    clicked = tables.show([{
        t("letters.col_written"): letter.referral.created_at,
        t("letters.col_author"): letter.author_name,
        t("letters.col_address"): _address(letter),
        t("letters.col_subject"): letter.referral.subject,
        t("letters.col_printed"): letter.referral.printed_at,
        t("letters.col_version"): letter.referral.version,
    } for letter in ready], key="letters_table", selectable=True)
    if clicked is not None and clicked < len(ready):  # a click on a row opens that letter below
        st.session_state[_OPENED] = ready[clicked].referral.id
    opened = st.session_state.get(_OPENED)
    for letter in ready:
        record = letter.referral
        if record.printed_at is None and record.printed_version is not None:
            st.warning(t("letters.edited_after_print", id=record.id, version=record.version,
                         printed=record.printed_version))
        with st.expander(t("letters.read", id=record.id, address=_address(letter)), expanded=record.id == opened):
            st.text(record.body)
    ids = [letter.referral.id for letter in ready]
    today = local_today().isoformat()
    st.download_button(t("letters.print", n=fmt_number(len(ids))), data=partial(_batch_pdf, ids, user),
                       file_name=f"breve-til-afsendelse-{today}.pdf", mime="application/pdf", key="letters_print",
                       type="primary", icon=":material/print:", on_click=_remember_printed, args=(ids,),
                       help=t("letters.print_help"))
    printed_here = set(st.session_state.get(_PRINTED, []))
    to_mark = [i for i in ids if i in printed_here or _printed_before(ready, i)]
    if to_mark:
        st.button(t("letters.mark_posted", n=fmt_number(len(to_mark))), key="letters_mark_posted",
                  icon=":material/markunread_mailbox:", on_click=_mark_posted, args=(to_mark,),
                  help=t("letters.mark_posted_help"))
    else:
        st.caption(t("letters.print_first"))


def _printed_before(ready: list[LetterToPost], referral_id: int) -> bool:
    return any(letter.referral.id == referral_id and letter.referral.printed_as_is for letter in ready)


def _posted(user: StaffUser) -> None:
    # Only letters that could go in a window envelope again (anonymised ones have no address left).
    posted = [letter for letter in guidance.recently_posted(user) if letter.address.usable]
    if not posted:
        return
    with st.expander(t("letters.posted_title")):
        by_id = {letter.referral.id: letter for letter in posted}
        chosen = st.selectbox(
            t("letters.reprint_pick"), list(by_id), index=None, key="letters_reprint_pick",
            format_func=lambda i: t("letters.posted_option", id=i, address=_address(by_id[i]),
                                    at=fmt_datetime(by_id[i].referral.posted_at)),
            placeholder=t("letters.reprint_placeholder"))
        if chosen is None:
            return
        confirmed = st.checkbox(t("letters.reprint_confirm"), key="letters_reprint_confirm")
        st.download_button(t("letters.reprint"), data=partial(_reprint_pdf, chosen, user), disabled=not confirmed,
                           file_name=f"brev-{chosen}.pdf", mime="application/pdf", key="letters_reprint",
                           icon=":material/print:", on_click="ignore")
