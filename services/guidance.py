"""From a saved call to `advisory.referral.ReferralInput`: what the written guidance may build on.

The letter says only what the call supported: the script blocks the advisor marked as said
(`Call.delivered_blocks`) in the words said to that caller (third person when a relative called), the
call's topics, its open follow-up, the disposition agreed after a red flag and, with consent, the caller's
name. Deliberate omissions:
- a block that still awaits clinical sign-off is not put in writing (staff may add their own words);
- a block id the current content no longer knows (content changed since the call) is skipped.
A relative receives guidance about the member only with the member's consent (Call.third_party_consent).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from pydantic import ValidationError
from sqlmodel import Session, col, select

from advisory import access
from advisory.access import Viewer
from advisory.formatting import to_local
from advisory.profile import CallerProfile
from advisory.referral import LANGS, ReferralInput, ReferralText, SaidBlock, compose_referral
from advisory.script import (
    CallScript,
    ScriptContent,
    audience_of,
    person_words,
    script_content,
    text_for,
)
from advisory.script.content import Audience
from advisory.vocab import CallerRole, Disposition, Flag, PainLevel, Tag
from db.models import Call, CallTopic, FollowUp, FollowUpStatus, User
from settings import get_settings

# A fracture that may still be healing: the letter carries the safety net.
HEALING_FLAGS = frozenset({Flag.healing_phase, Flag.other_fracture_healing, Flag.fracture_date_unknown})
MUNICIPAL_BLOCK = "referral-municipal-training"
# A said block that awaits sign-off and carries a restriction: the training advice that depends on it is held
# back from the letter with it, so a letter is never less safe than the call (clinical review F8).
RESTRICTING_TAGS = frozenset({Tag.healing_phase, Tag.fall_prevention})
DEPENDENT_TAGS = frozenset({Tag.staerk, Tag.stabil, Tag.strakt, Tag.impact, Tag.impact_low, Tag.technique,
                            Tag.lifting})


@dataclass(frozen=True)
class CallForReferral:
    """What the referral page shows and checks about a call (plain data)."""

    id: int
    advisor_id: int
    started_at: datetime
    group_id: str
    lang: str
    member_name: str | None  # the caller's name (with consent): the member, or the relative who called
    email: str | None
    anonymised: bool
    caller_role: str = CallerRole.member
    needs_third_party_consent: bool = False  # a relative called, and the member did not agree to guidance


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
        caller_role=call.caller_role,
        needs_third_party_consent=call.caller_role == CallerRole.relative and not call.third_party_consent,
    )


def _profile(call: Call) -> CallerProfile | None:
    try:
        return CallerProfile.model_validate(call.profile)
    except ValidationError:  # an anonymised or older snapshot: speak to the member
        return None


def said_blocks(block_ids: list[str], *, lang: str, audience: Audience = "member",
                words: dict[str, str] | None = None, content: ScriptContent | None = None,
                include_unreviewed: bool = False) -> tuple[SaidBlock, ...]:
    """The said blocks in call order with their text in `lang`, as said to the caller."""
    content = content or script_content()
    by_id = {block.id: block for block in content.blocks}
    held_back = [by_id[block_id] for block_id in block_ids if block_id in by_id
                 and by_id[block_id].review_status != "approved" and RESTRICTING_TAGS.intersection(by_id[block_id].tags)]
    blocks = []
    for block_id in dict.fromkeys(block_ids):
        block = by_id.get(block_id)
        if block is None or (block.review_status != "approved" and not include_unreviewed):
            continue
        if held_back and not include_unreviewed and DEPENDENT_TAGS.intersection(block.tags):
            continue  # its restriction is not in writing yet
        blocks.append(SaidBlock(id=block.id, section=block.section,
                                text=text_for(block, lang, audience, words or {}), tags=tuple(block.tags)))
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
    content = content or script_content()
    follow_up_on = session.exec(
        select(col(FollowUp.due_on))
        .where(FollowUp.call_id == call_id, FollowUp.status == FollowUpStatus.open.value)
        .order_by(col(FollowUp.due_on))
    ).first()
    topics = session.exec(select(CallTopic.topic).where(CallTopic.call_id == call_id).order_by(col(CallTopic.topic)))
    advisor = session.get(User, call.advisor_id)
    return letter_input(
        _profile(call), lang=lang, group=call.group_id, flags=call.flags,
        delivered_blocks=list(call.delivered_blocks), disposition_id=call.disposition,
        follow_up_on=follow_up_on, topics=tuple(topics), recipient_name=summary.member_name,
        advisor_name=advisor.display_name if advisor else None, call_date=to_local(call.started_at).date(),
        content=content,
    )


def letter_input(profile: CallerProfile | None, *, lang: str, group: str, flags: Iterable[str],
                 delivered_blocks: list[str], disposition_id: str | None, follow_up_on: date | None,
                 topics: tuple[str, ...], recipient_name: str | None = None, advisor_name: str | None = None,
                 call_date: date | None = None, content: ScriptContent | None = None) -> ReferralInput:
    """The composition input from what a call recorded (no database): also used by the review pack."""
    content = content or script_content()
    audience: Audience = audience_of(profile) if profile is not None else "member"
    words = person_words(profile, lang, content) if profile is not None and audience != "member" else None
    disposition = next((entry for entry in content.dispositions if entry.id == disposition_id), None)
    third = audience != "member" and words is not None
    # What was agreed, in the letter's own words (never a phone instruction such as "læg på og ring 112 nu").
    agreed = None
    if disposition is not None:
        agreed = (disposition.letter_third_person.get(lang).format(**words) if third and words
                  else disposition.letter.get(lang))
    settings = get_settings()
    return ReferralInput(
        lang=lang,
        recipient_name=recipient_name,
        group=group,
        said_blocks=said_blocks(delivered_blocks, lang=lang, audience=audience, words=words, content=content),
        follow_up_on=follow_up_on,
        topics=topics,
        advisor_name=advisor_name,
        call_date=call_date,
        relative=audience == "relative",
        professional=audience == "professional",
        person=words["person"] if third and words else None,
        person_words=words if third else None,
        disposition=agreed,
        # The safety net also for pain that may be new (clinical review F9).
        safety_net=bool(HEALING_FLAGS.intersection(flags))
        or bool(profile and profile.pain in (PainLevel.moderate, PainLevel.severe)),
        # Only when the advisor said it (clinical review F17).
        municipal=MUNICIPAL_BLOCK in delivered_blocks,
        emergency=disposition_id == Disposition.emergency_112,
        after_healing=bool(HEALING_FLAGS.intersection(flags)),
        phone=settings.ADVICE_LINE_PHONE.strip() or None,
        hours=settings.ADVICE_LINE_HOURS.strip() or None,
    )


def compose_for_call(session: Session, *, call_id: int, viewer: Viewer, lang: str | None = None,
                     content: ScriptContent | None = None) -> ReferralText:
    """The prefilled subject and body for a call, ready for staff to edit."""
    return compose_referral(referral_input(session, call_id=call_id, viewer=viewer, lang=lang, content=content))


def letter_for_script(profile: CallerProfile, script: CallScript, *, call_date: date,
                      recipient_name: str | None = None, advisor_name: str | None = None,
                      content: ScriptContent | None = None) -> ReferralText:
    """The letter for a call in which the advisor said every block of `script` (review pack, tests)."""
    return compose_referral(letter_input(
        profile, lang=script.lang, group=script.group, flags=script.flags, delivered_blocks=list(script.block_ids),
        disposition_id=script.disposition.id if script.disposition else None, follow_up_on=script.follow_up_on,
        topics=tuple(sorted(profile.topics)), recipient_name=recipient_name, advisor_name=advisor_name,
        call_date=call_date, content=content))
