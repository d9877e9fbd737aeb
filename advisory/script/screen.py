"""The red-flag screen asked at the start of every call, and what each answer "yes" means."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from advisory.assessment import audience_of, person_words
from advisory.profile import CallerProfile
from advisory.script.builder import DispositionText, check_lang, disposition_text, most_urgent
from advisory.script.content import ReviewStatus, script_content
from advisory.vocab import Audience


class RedFlag(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    question: str
    disposition: str
    review_status: ReviewStatus


def red_flags(lang: str = "da", profile: CallerProfile | None = None) -> list[RedFlag]:
    """The safety screen in the order to ask it; about the person in the third person when a relative or a
    professional calls (`profile` says who is calling)."""
    check_lang(lang)
    content = script_content()
    audience = audience_of(profile) if profile is not None else "member"
    words = person_words(profile, lang, content) if profile is not None else {}
    return [
        RedFlag(id=flag.id, disposition=flag.disposition, review_status=flag.review_status,
                question=flag.question.get(lang) if audience == "member"
                else flag.third_person.get(lang).format(**words))
        for flag in content.red_flags
    ]


def dispositions(lang: str = "da") -> list[DispositionText]:
    """What to do about red flags, most urgent first, with what the advisor says to a member."""
    check_lang(lang)
    return [disposition_text(entry, lang, Audience.member) for entry in script_content().dispositions]


def most_urgent_disposition(red_flag_ids: Iterable[str]) -> str | None:
    """The id of the disposition of the most urgent red flag answered "yes"; None when there is none."""
    entry = most_urgent(red_flag_ids)
    return entry.id if entry else None
