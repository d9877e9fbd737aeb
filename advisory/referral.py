"""Written guidance after a call ("Vejledning til medlemmet"): subject and plain-text body (e-mail or letter).

The text says only what the call supported (the blocks the advisor ticked "said") plus the fixed referral
route from the 2023 Danish physiotherapy recommendation, as corrected by the clinical review. It never
gives medicine advice: a medication topic only adds a line sending the member to their own GP.
- After a red flag the letter repeats the agreed disposition and a safety net, and holds no training advice.
- While a fracture may still be healing, every letter carries the approved safety-net paragraph.
- A letter to a relative (or a professional) is addressed to the reader and speaks of the member in the
  third person throughout: every text that can reach them exists in that voice (GUIDANCE.md, 4 December
  2026: "du" is always the reader).
- Each theme appears once: the said theme blocks give its line in the call's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal

import jinja2
from pydantic import BaseModel, ConfigDict, ValidationError

from advisory.content import CONTENT_DIR, ContentError, load_source_keys, read_yaml
from advisory.formatting import format_long_date
from advisory.vocab import LANGUAGES as LANGS
from advisory.vocab import CallerGroup, ContentReviewStatus, codes

REFERRAL_DIR = CONTENT_DIR / "referral"
THEMES = ("staerk", "stabil", "strakt")
# Only advice sections reach the member; safety-screen questions and anything unknown stay out,
# so a new script section is excluded until someone decides it belongs in a letter.
SAID_SECTIONS = ("guidance", "myths")  # theme blocks feed the themes section instead, once per theme
MEDICATION_TOPIC = "medication"
# The themes wait for the end of the healing phase in this group (no training advice now).
_AFTER_HEALING_GROUPS = (CallerGroup.acute_vertebral_fracture,)
_THEME_ALIASES = {"stærk": "staerk"}


@dataclass(frozen=True)
class SaidBlock:
    id: str
    section: str
    text: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReferralInput:
    lang: str
    recipient_name: str | None  # the caller's name (the member, or the relative who called)
    group: str
    said_blocks: tuple[SaidBlock, ...]
    themes: tuple[str, ...] = ()
    follow_up_on: date | None = None
    topics: tuple[str, ...] = ()
    advisor_name: str | None = None
    call_date: date | None = None
    relative: bool = False  # a relative called: the letter speaks of the member as `person`
    professional: bool = False  # a professional called about a patient: third person, no "go along"
    person: str | None = None  # "din mor", "your father", ... (advisory.script.person_words)
    person_words: dict[str, str] | None = None  # for third-person texts ({person}, {pronoun}, ...)
    disposition: str | None = None  # what was agreed after a red flag, in the recipient's words
    safety_net: bool = False  # a fracture may still be healing
    municipal: bool = False  # the advisor said the municipality's training offers
    emergency: bool = False  # 112: the letter says what was agreed, no pain safety net
    after_healing: bool | None = None  # a fracture may still be healing (None: from the group)
    phone: str | None = None  # the advice line's number and opening hours, when configured
    hours: str | None = None


@dataclass(frozen=True)
class ReferralText:
    subject: str
    body: str


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LangText(_Model):
    da: str
    en: str

    def get(self, lang: str) -> str:
        return getattr(self, lang)


class LangLines(_Model):
    da: list[str]
    en: list[str]

    def get(self, lang: str) -> list[str]:
        return getattr(self, lang)


class ThemeText(_Model):
    sources: list[str]
    name: LangText
    line: LangText
    third_person: LangText  # the line about the member, for a relative or a professional


class PhysioHelp(LangLines):
    sources: list[str]
    third_person: LangLines  # what the physiotherapist can help the member with, told to someone else


class GroupNote(LangText):
    sources: list[str]
    review_status: ContentReviewStatus
    third_person: LangText  # {person} {pronoun} {object} {possessive}: to a relative or a professional


class Headings(_Model):
    talked_about: LangText
    themes: LangText
    next_steps: LangText
    agreed: LangText
    safety_net: LangText


class SafetyNet(LangText):
    sources: list[str]
    review_status: ContentReviewStatus
    third_person: LangText


class ReferralContent(_Model):
    association: str
    website: str
    sources: list[str]
    review_status: ContentReviewStatus
    advice_line_name: str
    advice_line: LangText
    support_page: LangText
    inspiration_page: LangText
    contact_lines: LangLines
    headings: Headings
    safety_net: SafetyNet
    themes: dict[Literal["staerk", "stabil", "strakt"], ThemeText]
    physio_help: PhysioHelp
    group_notes: dict[str, GroupNote]

    def heading_lines(self, lang: str) -> frozenset[str]:
        """The body's headings in one language (the letter prints them in bold)."""
        return frozenset(getattr(self.headings, name).get(lang) for name in Headings.model_fields)


def load_referral_content() -> ReferralContent:
    """Read and check referral.yaml; errors name the file and the offending id."""
    path = REFERRAL_DIR / "referral.yaml"
    try:
        content = ReferralContent.model_validate(read_yaml(path))
    except ValidationError as exc:
        raise ContentError(f"{path.name}: {exc}") from exc
    known = load_source_keys()
    cited = {"(file)": content.sources, "physio_help": content.physio_help.sources,
             "safety_net": content.safety_net.sources}
    cited |= {f"themes.{key}": theme.sources for key, theme in content.themes.items()}
    cited |= {f"group_notes.{key}": note.sources for key, note in content.group_notes.items()}
    for where, sources in cited.items():
        if not sources:
            raise ContentError(f"{path.name}: {where} cites no source")
        unknown = sorted(set(sources) - set(known))
        if unknown:
            raise ContentError(f"{path.name}: {where} cites unknown source(s) {unknown}")
    missing = sorted(set(THEMES) - set(content.themes))
    if missing:
        raise ContentError(f"{path.name}: themes lack {missing}")
    stray = sorted(set(content.group_notes) - set(codes("group")))
    if stray:
        raise ContentError(f"{path.name}: group_notes for unknown group(s) {stray}")
    return content


@lru_cache(maxsize=1)
def _cached_content() -> ReferralContent:
    return load_referral_content()


def template_env() -> jinja2.Environment:
    """Plain text, so no HTML escaping; a missing variable is an error, never an empty gap."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(REFERRAL_DIR),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@lru_cache(maxsize=1)
def _cached_env() -> jinja2.Environment:
    return template_env()


def compose_referral(inp: ReferralInput, *, content: ReferralContent | None = None) -> ReferralText:
    """Subject and body in the member's language, ready for staff to edit and send."""
    _check(inp)
    content = content or _cached_content()
    lang = inp.lang
    context = {
        "recipient_name": _one_line(inp.recipient_name),
        "relative": inp.relative or inp.professional,  # the member in the third person
        "professional": inp.professional,
        "person": inp.person or "",
        "advisor_name": _one_line(inp.advisor_name),
        "call_date": _body_date(inp.call_date, lang),
        "follow_up": _body_date(inp.follow_up_on, lang),
        "said": said_texts(inp.said_blocks),
        "themes": theme_lines(inp, content),
        "disposition": _one_line(inp.disposition),
        "safety_net": _safety_net(content, inp) if (inp.safety_net or inp.disposition) and not inp.emergency
        else None,
        "emergency": inp.emergency,
        "municipal": inp.municipal,
        "phone": _one_line(inp.phone),
        "hours": _one_line(inp.hours),
        "after_healing": inp.group in _AFTER_HEALING_GROUPS if inp.after_healing is None else inp.after_healing,
        "group_note": _group_note(content, inp),
        "medication": MEDICATION_TOPIC in inp.topics,
        "headings": {name: getattr(content.headings, name).get(lang) for name in Headings.model_fields},
        "physio_help": (content.physio_help.third_person if _third(inp) else content.physio_help).get(lang),
        "association": content.association,
        "advice_line": content.advice_line.get(lang),
        "advice_line_name": content.advice_line_name,
        "website": content.website,
        "support_page": content.support_page.get(lang),
        "inspiration_page": content.inspiration_page.get(lang),
    }
    env = _cached_env()
    subject = _one_line(env.get_template(f"{lang}/subject.txt.j2").render(context)) or ""
    body = _tidy(env.get_template(f"{lang}/email.txt.j2").render(context))
    return ReferralText(subject=subject, body=body)


def said_texts(blocks: tuple[SaidBlock, ...]) -> list[str]:
    """Texts of the said advice blocks, in call order, each once, on one line."""
    seen: set[str] = set()
    texts = []
    for block in blocks:
        text = _one_line(block.text)
        if block.section not in SAID_SECTIONS or block.id in seen or not text:
            continue
        seen.add(block.id)
        texts.append(text)
    return texts


def theme_lines(inp: ReferralInput, content: ReferralContent) -> list[dict[str, str]]:
    """Each emphasised theme once: its line in the words of the said theme block, else the general line."""
    lines = []
    for key in emphasised_themes(inp):
        theme = content.themes[key]  # type: ignore[index]  # emphasised_themes yields theme keys only
        name = theme.name.get(inp.lang)
        said = next((block.text for block in inp.said_blocks if block.section == "themes"
                     and _theme_key_set(block.tags) == {key}), None)
        general = (theme.third_person if _third(inp) else theme.line).get(inp.lang)
        lines.append({"name": name, "line": _without_theme_name(_one_line(said) or "", theme) if said
                      else general})
    return lines


def _theme_key_set(tags: tuple[str, ...]) -> set[str]:
    return {_theme_key(tag) for tag in tags} & set(THEMES)


def _without_theme_name(text: str, theme: ThemeText) -> str:
    """A theme block begins with the theme's name ("Stærk: ..."); the letter prints the name once."""
    for name in {theme.name.da, theme.name.en, theme.name.en.split(" (")[0]}:
        if text.startswith(f"{name}:"):
            text = text[len(name) + 1:].strip()
            return text[:1].lower() + text[1:] if text[:1].isupper() and not text[:2].isupper() else text
    return text


def _third(inp: ReferralInput) -> bool:
    """The letter speaks of the member in the third person (a relative or a professional reads it)."""
    return (inp.relative or inp.professional) and inp.person_words is not None


def _safety_net(content: ReferralContent, inp: ReferralInput) -> str | None:
    net = content.safety_net
    if net.review_status != "approved":
        return None
    if _third(inp) and inp.person_words:
        return _one_line(net.third_person.get(inp.lang).format(**inp.person_words))
    return _one_line(net.get(inp.lang))


def emphasised_themes(inp: ReferralInput) -> list[str]:
    """Themes in the fixed order Stærk, Stabil, Strakt: the advisor's choice, else the said blocks' tags."""
    if inp.themes:
        chosen = {_theme_key(theme) for theme in inp.themes}
    else:
        chosen = {
            _theme_key(tag)
            for block in inp.said_blocks
            if block.section in (*SAID_SECTIONS, "themes")
            for tag in block.tags
        }
    return [theme for theme in THEMES if theme in chosen]


def _check(inp: ReferralInput) -> None:
    if inp.lang not in LANGS:
        raise ValueError(f"unknown language {inp.lang!r}; expected one of {LANGS}")
    if inp.group not in codes("group"):
        raise ValueError(f"unknown caller group {inp.group!r}")
    unknown = [theme for theme in inp.themes if _theme_key(theme) not in THEMES]
    if unknown:
        raise ValueError(f"unknown theme(s) {unknown}; expected a subset of {THEMES}")


def _theme_key(tag: str) -> str:
    key = tag.strip().lower().removeprefix("theme:")
    return _THEME_ALIASES.get(key, key)


def _group_note(content: ReferralContent, inp: ReferralInput) -> str | None:
    note = content.group_notes.get(inp.group)
    if note is None or note.review_status != "approved":
        return None
    if _third(inp) and inp.person_words:
        return note.third_person.get(inp.lang).format(**inp.person_words)
    return note.get(inp.lang)


def _body_date(value: date | None, lang: str) -> str | None:
    """The date written out: 19. februar 2027 / 19 February 2027 (no ambiguous numeric dates for members)."""
    if value is None:
        return None
    return format_long_date(value, lang)


def _one_line(text: str | None) -> str | None:
    """Collapse whitespace (YAML folding, stray newlines in a name) so each item stays one line."""
    if text is None:
        return None
    return " ".join(text.split()) or None


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
