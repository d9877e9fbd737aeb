"""Vejledning / Guidance: the written guidance for the member after a call, the outbox, the letters to post.

"Skriv vejledning" is opened for a call with `?call=<id>` (the call page links here after saving), or
with a picker of the user's recent calls that still await guidance. Advisors see their own messages,
supervisors and the secretariat all. The secretariat writes no guidance and sees nothing else of a
call: its tabs are the letters to post and the outbox.
"""

import streamlit as st

from advisory import access
from console import auth
from console.components import letter_batch, outbox_view, referral_editor
from console.i18n import t
from services import referrals as guidance

user = auth.require(access.uses_outbox)
st.title(t("nav.referrals"))
guidance.recover_interrupted()  # a send cut off by a crash is shown as failed, never resent silently

# The secretariat's day starts with the letters; everyone else's with writing.
order = ("write", "outbox", "letters") if access.writes_guidance(user) else ("letters", "outbox")
allowed = {"write": access.writes_guidance(user), "outbox": True, "letters": access.may_post_letters(user)}
keys = [key for key in order if allowed[key]]
shown = dict(zip(keys, st.tabs([t(f"referrals.tab_{key}") for key in keys]), strict=True))

if "write" in shown:
    with shown["write"]:
        call_id = referral_editor.pick_call(user)
        call = referral_editor.load_call(call_id, user) if call_id is not None else None
        if call is not None:
            referral_editor.editor(call, user)

with shown["outbox"]:
    outbox_view.outbox(user)

if "letters" in shown:
    with shown["letters"]:
        letter_batch.letters_to_post(user)
