"""The "send guidance" editor for one call: prefilled text, language, channel, send or mark as sent.

The editor keeps one idempotency key per call and channel in the session, so a double click saves and
sends the same referral again (which the outbox refuses) instead of creating a second one. An unsent
referral this user started for the call is resumed, so edited text survives a reload. The steps are
services/referrals.py's; each runs through console/guard.py first.
"""

from __future__ import annotations

import streamlit as st

from advisory import access
from advisory.labels import label as vocabulary_label
from advisory.postal import MAX_LINES, AddressCheck
from advisory.vocab import LANGUAGES
from console import guard
from console.i18n import fmt_date, fmt_datetime, label, labeller, t
from services import mail
from services import referrals as guidance
from services.accounts import StaffUser
from services.referrals import CallForReferral, SendOutcome

_CALL, _KEYS = "referrals_call", "referrals_keys"
_LANG, _SUBJECT, _BODY = "referrals_lang", "referrals_subject", "referrals_body"
_CHANNEL, _EMAIL, _LINES = "referrals_channel", "referrals_recipient", "referrals_recipient_lines"


def pick_call(user: StaffUser) -> int | None:
    """The call from `?call=<id>`, else one the user picks from their calls still awaiting guidance."""
    raw = st.query_params.get("call")
    if raw:
        if str(raw).isdigit():
            return int(raw)
        st.error(t("referrals.call_not_found"))
        return None
    calls = guidance.calls_awaiting(user)
    if not calls:
        st.info(t("referrals.no_calls"))
        return None
    by_id = {c["id"]: f"#{c['id']} · {fmt_datetime(c['started_at'])} · {label('group', c['group_id'])}"
             for c in calls}
    chosen = st.selectbox(t("referrals.pick_call"), list(by_id), index=None, format_func=by_id.__getitem__,
                          placeholder=t("referrals.pick_placeholder"), key="referrals_pick")
    if chosen is not None:
        st.query_params["call"] = str(chosen)
    return chosen


def load_call(call_id: int, user: StaffUser) -> CallForReferral | None:
    """The call if this user may send guidance for it; otherwise say why and return None."""
    try:
        call = guidance.find_call(call_id, user)
    except access.AccessDenied:
        st.error(t("referrals.call_not_yours"))
        return None
    if call is None:
        st.error(t("referrals.call_not_found"))
    elif call.anonymised:
        st.warning(t("referrals.call_anonymised"))
    elif call.needs_third_party_consent:
        st.warning(t("referrals.needs_third_party_consent"), icon=":material/lock:")
    else:
        return call
    return None


def _start(call: CallForReferral, user: StaffUser) -> None:
    """Fill the editor once per call: the user's unsent referral if any, else freshly composed text."""
    opened = guidance.start(call, user)
    state = st.session_state
    state[_CALL], state[_KEYS] = call.id, {}
    state[_EMAIL], state[_LINES] = call.email or "", call.member_name or ""
    state[_LANG], state[_SUBJECT], state[_BODY] = opened.lang, opened.subject, opened.body
    if opened.channel is not None:
        state[_CHANNEL] = opened.channel
        state[_EMAIL if opened.channel == "email" else _LINES] = opened.recipient or ""
        state[_KEYS][opened.channel] = opened.key
    else:
        state[_CHANNEL] = "email" if call.email and mail.unavailable_reason() is None else "letter"


def _recompose(call_id: int, user: StaffUser) -> None:
    st.session_state[_SUBJECT], st.session_state[_BODY] = guidance.compose(call_id, user, st.session_state[_LANG])


def _text(call_id: int, channel: str, recipient: str) -> guidance.Text:
    """The editor's text for `channel`, under that channel's idempotency key."""
    state = st.session_state
    key = state[_KEYS].setdefault(channel, guidance.new_key())
    return guidance.Text(key=key, call_id=call_id, channel=channel, lang=state[_LANG], subject=state[_SUBJECT],
                         body=state[_BODY], recipient=recipient)


def _writer() -> StaffUser | None:
    # Every write of a referral (draft, e-mail, letter, marked sent) passes here, so through the guard.
    return guard.check(access.uses_outbox)


@guard.action(access.uses_outbox)
def _save_for_download(user: StaffUser, call_id: int, channel: str, recipient: str) -> None:
    guidance.save_text(_text(call_id, channel, recipient), user)


def show_outcome(outcome: SendOutcome) -> None:
    record = outcome.referral
    if outcome.sent_now:
        st.success(t("referrals.sent_ok"))
    elif record.status == "sent":
        st.info(t("referrals.already_sent_one"))
    elif record.status == "failed":
        st.error(t("referrals.send_failed", reason=t(f"referrals.error_{record.error_code}")))
        st.text(record.error_detail)
    else:
        st.info(t("referrals.busy"))


def _existing(call_id: int) -> None:
    sent = guidance.sent_for_call(call_id)
    if sent:
        st.warning(t("referrals.already_sent_call"))
        st.text("\n".join(f"{label('channel', r.channel)} · {fmt_datetime(r.sent_at)} · {r.recipient}"
                          for r in sent))


def editor(call: CallForReferral, user: StaffUser) -> None:
    if st.session_state.get(_CALL) != call.id:
        _start(call, user)
    st.subheader(t("referrals.for_call", id=call.id, date=fmt_date(call.started_at)))
    st.caption(label("group", call.group_id))
    _existing(call.id)
    st.radio(t("referrals.language"), LANGUAGES, key=_LANG, horizontal=True, on_change=_recompose,
             args=(call.id, user), format_func=lambda code: vocabulary_label("language", code, code),
             help=t("referrals.language_help"))
    st.text_input(t("referrals.subject"), key=_SUBJECT)
    st.text_area(t("referrals.body"), key=_BODY, height=480)
    unavailable = mail.unavailable_reason()
    channels = ["letter", "text"] if unavailable else ["email", "letter", "text"]
    if st.session_state.get(_CHANNEL) not in channels:
        st.session_state[_CHANNEL] = "letter"
    if unavailable:
        st.info(t("referrals.email_unavailable", reason=unavailable))
    channel = st.radio(t("referrals.channel"), channels, key=_CHANNEL, horizontal=True,
                       format_func=labeller("channel"))
    if channel == "email":
        _email(call)
    elif channel == "letter":
        _letter(call)
    else:
        _copy_text(call)
    if st.button(t("referrals.save_draft"), key="referrals_save_draft") and (writer := _writer()):
        recipient = st.session_state[_EMAIL] if channel == "email" else (
            st.session_state[_LINES] if channel == "letter" else "")
        record = guidance.save_text(_text(call.id, channel, recipient), writer)
        if record.status == "sent":
            st.info(t("referrals.already_sent_one" if channel == "email" else "referrals.already_marked"))
        else:
            st.success(t("referrals.draft_saved"))
    st.button(t("referrals.start_new"), key="referrals_start_new", help=t("referrals.start_new_help"),
              on_click=_start_new, args=(call.id, user))


def _start_new(call_id: int, user: StaffUser) -> None:
    """A further referral for the same call (e.g. a letter too, or another address): fresh keys and text."""
    st.session_state[_KEYS] = {}
    _recompose(call_id, user)


def _email(call: CallForReferral) -> None:
    if not call.email:
        st.caption(t("referrals.no_consented_email"))
    st.text_input(t("referrals.recipient_email"), key=_EMAIL)
    if st.button(t("referrals.send_email"), key="referrals_send_email", type="primary") and (writer := _writer()):
        with st.spinner(t("referrals.sending")):
            outcome = guidance.send_email(_text(call.id, "email", st.session_state[_EMAIL]), writer)
        if outcome is None:
            st.error(t("referrals.invalid_email"))
        else:
            show_outcome(outcome)


@st.cache_data(max_entries=16, show_spinner=False)
def _pdf(subject: str, body: str, lang: str, recipient: str) -> bytes:
    return guidance.letter_pdf(subject=subject, body=body, lang=lang, recipient=recipient)


def _letter(call: CallForReferral) -> None:
    key = st.session_state[_KEYS].get("letter")
    record = guidance.letter_record(key) if key else None
    if record is not None and record.status == "queued":
        st.info(t("referrals.letter_in_batch"))
        if record.printed_at is not None:
            # The printed text is frozen: a change is the next version, printed again before it is posted.
            st.warning(t("referrals.letter_printed_frozen", version=record.version, following=record.version + 1))
        elif record.printed_version is not None:
            st.warning(t("referrals.letter_new_version", version=record.version))
    st.text_area(t("referrals.recipient_lines"), key=_LINES, height=130, help=t("referrals.recipient_lines_help"))
    address_problem = st.empty()  # the message about the address stands right under the field
    state = st.session_state
    if st.button(t("referrals.queue_letter"), key="referrals_queue_letter", type="primary",
                 help=t("referrals.queue_letter_help")) and (writer := _writer()):
        outcome = guidance.queue_letter(_text(call.id, "letter", state[_LINES]), writer)
        if outcome.already_sent:
            st.info(t("referrals.already_marked"))
        elif outcome.address is not None:
            address_problem.error(address_problem_text(outcome.address))
        else:
            st.success(t("referrals.letter_queued"))
    st.download_button(t("referrals.download_pdf"), _pdf(state[_SUBJECT], state[_BODY], state[_LANG], state[_LINES]),
                       file_name=f"vejledning-{call.id}.pdf", mime="application/pdf", key="referrals_download_pdf",
                       on_click=_save_for_download, args=(call.id, "letter", state[_LINES]))
    _mark_sent_button(call, "letter", state[_LINES])


def address_problem_text(check: AddressCheck) -> str:
    """What a letter's address lacks, in words (the editor and the letter queue say the same)."""
    sentences = []
    if check.missing:
        sentences.append(t("letters.address_unusable",
                           problems="; ".join(t(f"letters.missing_{part}") for part in check.missing)))
    if check.too_many_lines:
        sentences.append(t("letters.too_many_lines", n=MAX_LINES))
    return " ".join(sentences)


def _copy_text(call: CallForReferral) -> None:
    st.caption(t("referrals.copy_hint"))
    st.code(f"{st.session_state[_SUBJECT]}\n\n{st.session_state[_BODY]}", language=None, wrap_lines=True)
    _mark_sent_button(call, "text", "")


def _mark_sent_button(call: CallForReferral, channel: str, recipient: str) -> None:
    if st.button(t("referrals.mark_sent"), key=f"referrals_mark_{channel}",
                 help=t(f"referrals.mark_sent_{channel}")) and (writer := _writer()):
        if guidance.mark_sent(_text(call.id, channel, recipient), writer):
            st.success(t("referrals.marked_sent"))
        else:
            st.info(t("referrals.already_marked"))
