"""The call-time script: from a caller profile (and the red flags answered "yes") to the blocks the advisor says.

The one assessment (advisory/assessment.py) reads the profile; the blocks' conditions read what it derives
(load level, impact, healing, urgency, diagnosis statement, voice). Who is calling decides the voice: a
member hears "you"; a relative hears about the person they call for in the third person, with blocks of
their own on how to help; a professional gets a short professional track. Safety by construction, whatever
the content conditions say (tests check that the content gets it right on its own too):
- a red flag pauses all training advice: only the safety screen, the disposition (what to say, where to
  send the caller, what to note) and the closing remain;
- `impact` blocks are dropped whenever the assessment says impact is not safe now;
- library entries are offered only when the assessment allows what they suggest (offers.yaml), else their
  supported variant or nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, field_serializer

from advisory.assessment import Assessment, assess, person_words
from advisory.profile import CallerProfile
from advisory.script.content import (
    LANGS,
    Audience,
    BlockEntry,
    DispositionEntry,
    ReviewStatus,
    ScriptContent,
    script_content,
)
from advisory.vocab import Section, Tag

# Sections kept while a red flag is answered "yes": the screen, the disposition (in the safety section) and
# the closing. Tags that are training advice wherever they stand.
RED_FLAG_SECTIONS = frozenset({Section.safety, Section.closing})
TRAINING_TAGS = frozenset({Tag.impact, Tag.impact_low, Tag.staerk, Tag.stabil, Tag.strakt, Tag.technique})


class ScriptBlock(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    section: str
    text: str
    tags: tuple[str, ...]
    sources: tuple[str, ...]
    library: tuple[str, ...]
    review_status: ReviewStatus
    answers: tuple[str, ...] = ()  # the caller's topics this block answers


class DispositionText(BaseModel):
    """A disposition in one language, for one audience."""

    model_config = ConfigDict(frozen=True)

    id: str
    label: str
    say: str
    send_to: str
    note: str
    urgency: int
    review_status: ReviewStatus


class CallScript(BaseModel):
    model_config = ConfigDict(frozen=True)

    lang: str
    audience: Audience
    group: str
    flags: frozenset[str]
    blocks: tuple[ScriptBlock, ...]
    library_slugs: tuple[str, ...]
    follow_up_on: date | None
    content_version: str
    red_flags: tuple[str, ...] = ()
    disposition: DispositionText | None = None
    assessment: dict[str, Any] = {}  # what the assessment derived, with its reasons (saved with the call)
    reasons: tuple[str, ...] = ()  # the assessment's reasons in the script's language, for the advisor

    @property
    def sections(self) -> tuple[str, ...]:
        """The sections present, in script order."""
        return tuple(dict.fromkeys(block.section for block in self.blocks))

    @property
    def block_ids(self) -> tuple[str, ...]:
        return tuple(block.id for block in self.blocks)

    @property
    def training_paused(self) -> bool:
        return self.disposition is not None

    @field_serializer("flags")
    def _sorted_flags(self, flags: frozenset[str]) -> list[str]:
        return sorted(flags)


def check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"unsupported language: {lang!r} (use one of {', '.join(LANGS)})")


def text_for(block: BlockEntry, lang: str, audience: Audience, words: dict[str, str]) -> str:
    """A block's text as said to this audience (third person for a relative or a professional)."""
    return _text(block, lang, audience, words)


def _text(block: BlockEntry, lang: str, audience: Audience, words: dict[str, str]) -> str:
    if audience == "member":
        return getattr(block, lang).strip()
    text = block.third_person.get(lang) if block.third_person is not None else getattr(block, lang)
    return text.format(**words).strip()


def _render(block: BlockEntry, lang: str, audience: Audience, words: dict[str, str],
            library: tuple[str, ...]) -> ScriptBlock:
    return ScriptBlock(id=block.id, section=block.section, text=_text(block, lang, audience, words),
                       tags=tuple(block.tags), sources=tuple(block.sources), library=library,
                       review_status=block.review_status, answers=tuple(block.answers))


def offered(slugs: Iterable[str], assessment: Assessment, content: ScriptContent | None = None) -> tuple[str, ...]:
    """The library entries to offer for these slugs: each as it is when the assessment allows what it
    suggests (offers.yaml), else its variant `instead`, else nothing."""
    content = content or script_content()
    rules = {offer.slug: offer for offer in content.offers.offers}
    allowed = {"impact": assessment.impact_ok, "unsupported_balance": not assessment.balance_with_support,
               "not_healing": not assessment.bone_healing}
    chosen = []
    for slug in slugs:
        rule = rules.get(slug)
        if rule is None or all(allowed[need] for need in rule.needs):
            chosen.append(slug)
        elif rule.instead is not None:
            chosen.append(rule.instead)
    return tuple(dict.fromkeys(chosen))


def disposition_text(entry: DispositionEntry, lang: str, audience: Audience,
                     words: dict[str, str] | None = None) -> DispositionText:
    say = entry.say.get(lang) if audience == "member" else entry.third_person.get(lang).format(**(words or {}))
    return DispositionText(id=entry.id, label=entry.label.get(lang), say=say, send_to=entry.send_to.get(lang),
                           note=entry.note.get(lang), urgency=entry.urgency, review_status=entry.review_status)


def most_urgent(red_flag_ids: Iterable[str], content: ScriptContent | None = None) -> DispositionEntry | None:
    """The disposition of the most urgent red flag answered "yes"; None when there is none."""
    content = content or script_content()
    by_flag = {flag.id: flag.disposition for flag in content.red_flags}
    by_id = {d.id: d for d in content.dispositions}
    chosen = []
    for flag_id in red_flag_ids:
        if flag_id not in by_flag:
            raise KeyError(f"unknown red flag: {flag_id}")
        chosen.append(by_id[by_flag[flag_id]])
    return min(chosen, key=lambda d: d.urgency, default=None)


def _disposition_block(entry: DispositionEntry, text: DispositionText) -> ScriptBlock:
    return ScriptBlock(id=f"disposition-{entry.id}", section=Section.safety, text=text.say,
                       tags=(Tag.safety, Tag.red_flag), sources=tuple(entry.sources), library=(),
                       review_status=entry.review_status)


def build_script(
    profile: CallerProfile,
    *,
    today: date,
    lang: str = "da",
    red_flags: Iterable[str] = (),
    content: ScriptContent | None = None,
) -> CallScript:
    """The script for this caller on this call date, in Danish or English.

    `red_flags` are the ids of the red-flag questions answered "yes"; with any of them the script leads
    with the disposition and gives no training advice.
    """
    check_lang(lang)
    content = content or script_content()
    answered = tuple(dict.fromkeys(red_flags))
    assessment = assess(profile, today=today, thresholds=content.thresholds, red_flags=answered, content=content)
    entry = next((d for d in content.dispositions if d.id == assessment.disposition), None)
    audience = assessment.voice
    words = person_words(profile, lang, content)
    blocks: list[ScriptBlock] = []
    for rule in content.rules:
        block = rule.block
        if audience not in block.audience or not rule.predicate(assessment.facts):
            continue
        if not assessment.impact_ok and rule.impact:
            continue
        if entry is not None and (block.section not in RED_FLAG_SECTIONS or TRAINING_TAGS.intersection(block.tags)):
            continue
        blocks.append(_render(block, lang, audience, words, offered(block.library, assessment, content)))
    disposition = None
    if entry is not None:
        disposition = disposition_text(entry, lang, audience, words)
        after_safety = sum(1 for block in blocks if block.section == Section.safety)
        blocks.insert(after_safety, _disposition_block(entry, disposition))
    slugs = tuple(dict.fromkeys(slug for block in blocks for slug in block.library))
    return CallScript(
        lang=lang,
        audience=audience,
        group=assessment.group,
        flags=assessment.flags,
        blocks=tuple(blocks),
        library_slugs=slugs,
        follow_up_on=assessment.follow_up_on,
        content_version=content.version,
        red_flags=answered,
        disposition=disposition,
        assessment=assessment.snapshot(),
        reasons=tuple(assessment.summary(lang)),
    )
