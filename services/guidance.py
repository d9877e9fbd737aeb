"""From a saved call to `advisory.referral.ReferralInput`: what the written guidance may build on.

The letter says only what the call supported: the script blocks the advisor marked as said
(`Call.delivered_blocks`), the call's topics, its open follow-up and, with consent, the member's name.
Two deliberate omissions:
- a block that still awaits clinical sign-off is not put in writing (staff may add their own words);
- a block id the current content no longer knows (content changed since the call) is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from advisory import access
from advisory.access import Viewer
from advisory.formatting import to_local
from advisory.referral import LANGS, ReferralInput, ReferralText, SaidBlock, compose_referral
from advisory.script import ScriptContent, script_content
from db.models import Call, CallTopic, FollowUp, FollowUpStatus, User


@dataclass(frozen=True)
class CallForReferral:
    """What the referral page shows and checks about a call (plain data)."""

    id: int
    advisor_id: int
    started_at: datetime
    group_id: str
    lang: str
    member_name: str | None
    email: str | None
    anonymised: bool


def call_for_referral(session: Session, *, call_id: int, viewer: Viewer) -> CallForReferral | None:
    """The call to write guidance for; None when it does not exist, AccessDenied when `viewer` may not."""
    call = session.get(Call, call_id)
    if call is None:
        return None
    access.require(access.may_write_guidance(viewer, call_advisor_id=call.advisor_id), "writing guidance")
    consent = call.contact_consent and call.anonymised_at is None
    return CallForReferral(
        id=call.id,
        advisor_id=call.advisor_id,
        started_at=call.started_at,
        group_id=call.group_id,
        lang=call.lang if call.lang in LANGS else "da",
        member_name=call.caller_name if consent else None,
        email=call.email if consent else None,
        anonymised=call.anonymised_at is not None,
    )


def said_blocks(block_ids: list[str], *, lang: str, content: ScriptContent | None = None,
                include_unreviewed: bool = False) -> tuple[SaidBlock, ...]:
    """The said blocks in call order with their text in `lang`."""
    content = content or script_content()
    by_id = {block.id: block for block in content.blocks}
    blocks = []
    for block_id in dict.fromkeys(block_ids):
        block = by_id.get(block_id)
        if block is None or (block.review_status != "approved" and not include_unreviewed):
            continue
        blocks.append(SaidBlock(id=block.id, section=block.section, text=getattr(block, lang).strip(),
                                tags=tuple(block.tags)))
    return tuple(blocks)


def referral_input(session: Session, *, call_id: int, viewer: Viewer, lang: str | None = None,
                   content: ScriptContent | None = None) -> ReferralInput:
    """The composition input for a call, in `lang` (default: the language of the call)."""
    summary = call_for_referral(session, call_id=call_id, viewer=viewer)
    if summary is None:
        raise LookupError(f"call {call_id} does not exist")
    call = session.get(Call, call_id)
    lang = lang or (call.lang if call.lang in LANGS else "da")
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {LANGS}")
    follow_up_on = session.exec(
        select(FollowUp.due_on)
        .where(FollowUp.call_id == call_id, FollowUp.status == FollowUpStatus.open.value)
        .order_by(col(FollowUp.due_on))
    ).first()
    topics = session.exec(select(CallTopic.topic).where(CallTopic.call_id == call_id).order_by(col(CallTopic.topic)))
    advisor = session.get(User, call.advisor_id)
    return ReferralInput(
        lang=lang,
        member_name=summary.member_name,
        group=call.group_id,
        said_blocks=said_blocks(list(call.delivered_blocks), lang=lang, content=content),
        follow_up_on=follow_up_on,
        topics=tuple(topics),
        advisor_name=advisor.display_name if advisor else None,
        call_date=to_local(call.started_at).date(),
    )


def compose_for_call(session: Session, *, call_id: int, viewer: Viewer, lang: str | None = None,
                     content: ScriptContent | None = None) -> ReferralText:
    """The prefilled subject and body for a call, ready for staff to edit."""
    return compose_referral(referral_input(session, call_id=call_id, viewer=viewer, lang=lang, content=content))
