"""The script content: one pydantic model per file kind, the loader, and the checks between files.

Content is data (`advisory/content/scripts/*.yaml`): script blocks with conditions in the rule language
of `advisory.rules`, the thresholds behind the flags, the red-flag screen with its dispositions, and the
words the script uses for the person a relative or a professional calls about (`audience.yaml`).
Loading is explicit (`script_content()` caches it per process); every error names the file and the id.
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from advisory.content import CONTENT_DIR, ContentError, load_source_keys, read_yaml
from advisory.profile import profile_fact_kinds
from advisory.rules import Condition, FactKind, Predicate, RuleError, Vocabulary, compile_condition
from advisory.vocab import LANGUAGES as LANGS
from advisory.vocab import (
    Audience,
    ContentReviewStatus,
    DiagnosisStatement,
    Disposition,
    LoadLevel,
    Section,
    Tag,
    Topic,
    codes,
)

SCRIPTS_DIR = CONTENT_DIR / "scripts"
SECTIONS = codes("section")
GROUPS = codes("group")
FLAGS = codes("flag")
AUDIENCES = tuple(Audience)
# Sections every script must have for each audience, so each needs a block without a condition; the
# referral route is paused with a red flag (the disposition is the next step then).
ALWAYS_SECTIONS = ("safety", "referral", "closing")
MEDICATION_BLOCK = "medication-ask-gp"
# The words a third-person text may use for the person it is about (audience.yaml fills them in).
PERSON_WORDS = ("person", "Person", "pronoun", "Pronoun", "object", "possessive")

# What the assessment (advisory/assessment.py) derives, as facts a condition may name.
DERIVED_FACT_KINDS: dict[str, FactKind] = {
    "load_level": frozenset(LoadLevel),
    "impact_ok": "bool",
    "bone_healing": "bool",
    "balance_with_support": "bool",
    "disposition": frozenset(Disposition),
    "ends_call": "bool",
    "diagnosis_statement": frozenset(DiagnosisStatement),
    "voice": frozenset(Audience),
}
FACT_KINDS: dict[str, FactKind] = {
    **profile_fact_kinds(),  # the profile's own fields: caller_role, age, walking_aid, ...
    "fractures_known": "bool",
    "fracture_count": "number",
    "low_energy_fracture_count": "number",
    "has_vertebral_fracture": "bool",
    "has_hip_fracture": "bool",
    "has_fragility_vertebral_or_hip": "bool",
    "vertebral_dates_known": "bool",
    "other_dates_known": "bool",
    "weeks_since_last_fracture": "number",
    "weeks_since_vertebral_fracture": "number",
    "weeks_since_hip_fracture": "number",
    "red_flag": "bool",
    **DERIVED_FACT_KINDS,  # what the assessment derives: load_level, impact_ok, bone_healing, ...
}

ReviewStatus = ContentReviewStatus


class _Content(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Reviewed(_Content):
    """Content a clinician reviews. What GUIDANCE.md marks [clinical sign-off] says so
    (`clinical_sign_off: true`, or always for thresholds and the red-flag screen): it can only be
    approved with the name of the clinical lead who signed it off."""

    review_status: ReviewStatus
    clinical_sign_off: bool = False
    signed_off_by: str | None = Field(default=None, min_length=1)

    def needs_sign_off(self) -> bool:
        return self.clinical_sign_off

    @model_validator(mode="after")
    def _approved_only_when_signed_off(self):
        if self.review_status == "approved" and self.needs_sign_off() and not self.signed_off_by:
            raise ValueError("approved without the clinical lead's sign-off: add signed_off_by "
                             "(GUIDANCE.md marks this [clinical sign-off])")
        return self


class _AlwaysSignedOff(_Reviewed):
    """Thresholds, red flags and dispositions: every one needs the clinical lead's sign-off."""

    def needs_sign_off(self) -> bool:
        return True


class Text(_Content):
    da: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return getattr(self, lang)


class Threshold(_AlwaysSignedOff):
    value: float
    unit: Literal["weeks", "months", "t_score", "count"]
    note: str
    sources: list[str] = Field(min_length=1)


class Thresholds(_Content):
    healing_phase_weeks: Threshold
    other_fracture_healing_weeks: Threshold
    recent_fracture_months: Threshold
    very_low_t_score: Threshold
    osteoporosis_t_score: Threshold
    osteopenia_t_score: Threshold
    several_falls: Threshold
    high_risk_fracture_count: Threshold


class ThresholdsFile(_Content):
    thresholds: Thresholds


class DispositionEntry(_AlwaysSignedOff):
    """What a red flag means: what to say, where to send the caller, what to note in the call log."""

    id: str
    urgency: int = Field(ge=1)  # 1 is the most urgent
    label: Text
    say: Text
    third_person: Text  # the same for a relative or a professional calling about someone
    # What the written guidance says was agreed (read days later: never an instruction for the phone).
    letter: Text
    letter_third_person: Text
    send_to: Text
    note: Text
    sources: list[str] = Field(min_length=1)


class RedFlagEntry(_AlwaysSignedOff):
    id: str
    question: Text
    third_person: Text
    disposition: str
    sources: list[str] = Field(min_length=1)


class RedFlagsFile(_Content):
    dispositions: list[DispositionEntry] = Field(min_length=1)
    red_flags: list[RedFlagEntry] = Field(min_length=1)


class PersonWords(_Content):
    person: str
    pronoun: str
    object: str
    possessive: str


class AudienceFile(_Content):
    """How the script names the person a relative calls for (by relation, then by sex) or a professional
    calls about."""

    relative: dict[str, dict[str, dict[str, PersonWords]]]  # relation -> sex ("any" as fallback) -> lang
    professional: dict[str, PersonWords]  # lang


class FractureWords(_Content):
    vertebral: Text
    hip: Text
    wrist: Text
    other: Text


class AssessmentSummaries(_Content):
    impact_ok: Text
    impact_no: Text
    load: Text
    healing: Text
    not_healing: Text
    urgency: Text
    ends_call: Text
    diagnosis: Text
    balance_support: Text


class AssessmentFile(_Reviewed):
    """The words of the assessment's reasons (assessment.yaml): what the advisor sees and the call saves."""

    sources: list[str] = Field(min_length=1)
    numbers: dict[str, list[str]]  # lang -> the numbers 0..10 in words
    fractures: FractureWords
    levels: dict[LoadLevel, Text]  # each load level as the advisor reads it
    summaries: AssessmentSummaries
    reasons: dict[str, Text]

    def needs_sign_off(self) -> bool:
        return True


class BlockEntry(_Reviewed):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    section: Section
    order: int
    condition: Condition | None = None
    da: str = Field(min_length=1)
    en: str = Field(min_length=1)
    # Said to a relative or a professional about the person: {person}, {pronoun}, {object}, {possessive}.
    third_person: Text | None = None
    audience: list[Audience] = [Audience.member, Audience.relative]
    answers: list[Topic] = []  # the caller's topics this block answers (shown first on the call page)
    sources: list[str] = Field(min_length=1)
    tags: list[Tag] = []
    library: list[str] = []


class BlocksFile(_Content):
    blocks: list[dict[str, Any]] = Field(min_length=1)  # each is validated alone to name its id


class Offer(_Reviewed):
    """A library entry that is not right for every caller: offered only when the assessment allows what it
    suggests (`needs`), otherwise its variant `instead` (when there is one) or nothing."""

    slug: str
    needs: list[Literal["impact", "unsupported_balance", "not_healing"]] = Field(min_length=1)
    instead: str | None = None
    why: str
    sources: list[str] = Field(min_length=1)


class OffersFile(_Content):
    offers: list[Offer]


@dataclass(frozen=True)
class Rule:
    """A block with its compiled condition."""

    block: BlockEntry
    predicate: Predicate
    impact: bool


@dataclass(frozen=True)
class ScriptContent:
    version: str
    thresholds: Thresholds
    dispositions: tuple[DispositionEntry, ...]  # most urgent first
    red_flags: tuple[RedFlagEntry, ...]
    audience: AudienceFile
    assessment: AssessmentFile
    offers: OffersFile
    blocks: tuple[BlockEntry, ...]  # in script order
    rules: tuple[Rule, ...]  # the same order, compiled


_SPECIAL_FILES = ("thresholds.yaml", "red_flags.yaml", "audience.yaml", "assessment.yaml", "offers.yaml")


def load_script_content(*, known_slugs: set[str] | None = None, directory: Path | None = None) -> ScriptContent:
    """Read and check every script content file; raise ContentError naming the file and the id.

    `known_slugs` are the library entries blocks may offer; None means the bundled library.
    """
    directory = directory or SCRIPTS_DIR
    if known_slugs is None:
        known_slugs = bundled_library_slugs()
    source_keys = set(load_source_keys())
    files = sorted(directory.glob("*.yaml"))
    names = {path.name for path in files}
    for special in _SPECIAL_FILES:
        if special not in names:
            raise ContentError(f"{special}: missing from {directory}")

    thresholds = _parse(ThresholdsFile, directory / "thresholds.yaml").thresholds
    red_flag_file = _parse(RedFlagsFile, directory / "red_flags.yaml")
    audience = _parse(AudienceFile, directory / "audience.yaml")
    assessment = _parse(AssessmentFile, directory / "assessment.yaml")
    offers = _parse(OffersFile, directory / "offers.yaml")
    _check_assessment(assessment, source_keys)
    _check_offers(offers, source_keys, known_slugs)
    _check_thresholds(thresholds, source_keys)
    _check_red_flags(red_flag_file, source_keys)
    _check_audience(audience)

    vocabulary = Vocabulary(
        facts=FACT_KINDS,
        flags=frozenset(FLAGS),
        groups=frozenset(GROUPS),
        topics=frozenset(Topic),
        thresholds={name: getattr(thresholds, name).value for name in Thresholds.model_fields},
    )
    entries: list[tuple[BlockEntry, Predicate]] = []
    seen: dict[str, str] = {}
    for path in files:
        if path.name in _SPECIAL_FILES:
            continue
        for block in _parse_blocks(path):
            where = f"{path.name}: block {block.id}"
            if block.id in seen:
                raise ContentError(f"{where}: id already used in {seen[block.id]}")
            seen[block.id] = path.name
            _check_block(block, where, source_keys, known_slugs)
            try:
                predicate = compile_condition(block.condition, vocabulary)
            except RuleError as exc:
                raise ContentError(f"{where}: condition: {exc}") from exc
            entries.append((block, predicate))

    entries.sort(key=lambda item: (SECTIONS.index(item[0].section), item[0].order, item[0].id))
    blocks = tuple(block for block, _ in entries)
    _check_coverage(blocks)
    return ScriptContent(
        version=content_version(directory),
        thresholds=thresholds,
        dispositions=tuple(sorted(red_flag_file.dispositions, key=lambda d: d.urgency)),
        red_flags=tuple(red_flag_file.red_flags),
        audience=audience,
        assessment=assessment,
        offers=offers,
        blocks=blocks,
        rules=tuple(Rule(block=block, predicate=predicate, impact=Tag.impact in block.tags)
                    for block, predicate in entries),
    )


@lru_cache(maxsize=1)
def script_content() -> ScriptContent:
    """The bundled content, loaded and checked once per process."""
    return load_script_content()


def content_version(directory: Path | None = None) -> str:
    """A short hash of the script files and the source list: stable across runs and machines."""
    directory = directory or SCRIPTS_DIR
    digest = hashlib.sha256()
    for path in [*sorted(directory.glob("*.yaml")), CONTENT_DIR / "sources.yaml"]:
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:12]


def bundled_library_slugs() -> set[str]:
    """The slugs of the bundled library entries, which script blocks may offer."""
    slugs: set[str] = set()
    for path in sorted((CONTENT_DIR / "library").glob("*.yaml")):
        data = read_yaml(path)
        entries = data.get("entries") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise ContentError(f"{path.name}: expected a mapping with 'entries:'")
        slugs.update(entry["slug"] for entry in entries if isinstance(entry, dict) and "slug" in entry)
    return slugs


def placeholders(text: str) -> set[str]:
    """The {names} a text fills in."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _describe(exc: ValidationError) -> str:
    """Each error with where it is; an error about the whole item (an empty location) is just its message."""
    def where(error) -> str:
        return ".".join(str(part) for part in error["loc"])

    return "; ".join(f"{where(error)}: {error['msg']}" if where(error) else error["msg"] for error in exc.errors())


def _parse(model: type[BaseModel], path: Path) -> Any:
    try:
        return model.model_validate(read_yaml(path))
    except ValidationError as exc:
        raise ContentError(f"{path.name}: {_describe(exc)}") from exc


def _parse_blocks(path: Path) -> list[BlockEntry]:
    raw = _parse(BlocksFile, path).blocks
    blocks = []
    for number, item in enumerate(raw, start=1):
        name = item.get("id", f"#{number}")
        try:
            blocks.append(BlockEntry.model_validate(item))
        except ValidationError as exc:
            raise ContentError(f"{path.name}: block {name}: {_describe(exc)}") from exc
    return blocks


def _unknown(values: Iterable[str], known: set[str]) -> list[str]:
    return sorted(set(values) - known)


def _check_texts(where: str, texts: dict[str, str], allowed: set[str]) -> None:
    for name, text in texts.items():
        if stray := sorted(placeholders(text) - allowed):
            raise ContentError(f"{where}: {name} uses unknown placeholder(s) {stray}; allowed: {sorted(allowed)}")


def _check_block(block: BlockEntry, where: str, sources: set[str], slugs: set[str]) -> None:
    for kind, values, known in (("source", block.sources, sources), ("library slug", block.library, slugs)):
        if unknown := _unknown(values, known):
            raise ContentError(f"{where}: unknown {kind} {', '.join(unknown)}")
    if {Tag.impact, Tag.impact_low} <= set(block.tags):
        raise ContentError(f"{where}: a block is either 'impact' or 'impact_low', not both")
    if not block.audience:
        raise ContentError(f"{where}: audience is empty")
    # A block said only to relatives or professionals may name the person in its own texts.
    _check_texts(where, {"da": block.da, "en": block.en}, set() if "member" in block.audience else set(PERSON_WORDS))
    if block.third_person is not None:
        _check_texts(where, {"third_person.da": block.third_person.da, "third_person.en": block.third_person.en},
                     set(PERSON_WORDS))
    if "professional" in block.audience and block.audience != ["professional"] and block.third_person is None:
        raise ContentError(f"{where}: a block said to professionals needs a third_person text")


def _check_thresholds(thresholds: Thresholds, sources: set[str]) -> None:
    for name in Thresholds.model_fields:
        threshold: Threshold = getattr(thresholds, name)
        where = f"thresholds.yaml: threshold {name}"
        if unknown := _unknown(threshold.sources, sources):
            raise ContentError(f"{where}: unknown source {', '.join(unknown)}")
        if threshold.unit != "t_score" and (threshold.value <= 0 or threshold.value != int(threshold.value)):
            raise ContentError(f"{where}: {threshold.unit} must be a positive whole number")


def _check_red_flags(content: RedFlagsFile, sources: set[str]) -> None:
    disposition_ids = [d.id for d in content.dispositions]
    for kind, items in (("disposition", content.dispositions), ("red flag", content.red_flags)):
        ids = [item.id for item in items]
        for item in items:
            where = f"red_flags.yaml: {kind} {item.id}"
            if ids.count(item.id) > 1:
                raise ContentError(f"{where}: duplicate id")
            if unknown := _unknown(item.sources, sources):
                raise ContentError(f"{where}: unknown source {', '.join(unknown)}")
            _check_texts(where, {f"third_person.{lang}": item.third_person.get(lang) for lang in LANGS},
                         set(PERSON_WORDS))
            if isinstance(item, DispositionEntry):
                _check_texts(where, {f"letter_third_person.{lang}": item.letter_third_person.get(lang)
                                     for lang in LANGS}, set(PERSON_WORDS))
    if sorted(disposition_ids) != sorted(codes("disposition")):
        raise ContentError(f"red_flags.yaml: dispositions {disposition_ids} differ from the vocabulary "
                           f"{list(codes('disposition'))} (advisory/vocab.py)")
    if len({d.urgency for d in content.dispositions}) != len(content.dispositions):
        raise ContentError("red_flags.yaml: two dispositions share an urgency; most urgent must be clear")
    for flag in content.red_flags:
        if flag.disposition not in disposition_ids:
            raise ContentError(f"red_flags.yaml: red flag {flag.id}: unknown disposition {flag.disposition}")


def _check_assessment(assessment: AssessmentFile, sources: set[str]) -> None:
    if unknown := _unknown(assessment.sources, sources):
        raise ContentError(f"assessment.yaml: unknown source {', '.join(unknown)}")
    for lang in LANGS:
        if len(assessment.numbers.get(lang, [])) != 11:
            raise ContentError(f"assessment.yaml: numbers.{lang} needs the words for 0 to 10")
    if missing := sorted(set(LoadLevel) - set(assessment.levels)):
        raise ContentError(f"assessment.yaml: levels lacks {missing}")


def _check_offers(offers: OffersFile, sources: set[str], slugs: set[str]) -> None:
    seen: set[str] = set()
    for offer in offers.offers:
        where = f"offers.yaml: {offer.slug}"
        if offer.slug in seen:
            raise ContentError(f"{where}: listed twice")
        seen.add(offer.slug)
        for slug in (offer.slug, offer.instead):
            if slug is not None and slug not in slugs:
                raise ContentError(f"{where}: unknown library slug {slug}")
        if unknown := _unknown(offer.sources, sources):
            raise ContentError(f"{where}: unknown source {', '.join(unknown)}")
    instead = {offer.instead for offer in offers.offers if offer.instead}
    if looped := sorted(instead & seen):
        raise ContentError(f"offers.yaml: a variant offered instead must suit everyone: {looped}")


def _check_audience(audience: AudienceFile) -> None:
    if missing := sorted(set(codes("relation")) - set(audience.relative)):
        raise ContentError(f"audience.yaml: relative: missing relation(s) {missing}")
    for relation, by_sex in audience.relative.items():
        if "any" not in by_sex:
            raise ContentError(f"audience.yaml: relative.{relation}: needs an 'any' entry")
        for sex, by_lang in by_sex.items():
            if sorted(by_lang) != sorted(LANGS):
                raise ContentError(f"audience.yaml: relative.{relation}.{sex}: needs da and en")
    if sorted(audience.professional) != sorted(LANGS):
        raise ContentError("audience.yaml: professional: needs da and en")


def _check_coverage(blocks: tuple[BlockEntry, ...]) -> None:
    for audience in AUDIENCES:
        for section in ALWAYS_SECTIONS:
            if not any(block.section == section and block.condition is None and audience in block.audience
                       for block in blocks):
                raise ContentError(f"script blocks: section {section} needs a block without a condition "
                                   f"for the {audience} audience")
    if MEDICATION_BLOCK not in {block.id for block in blocks}:
        raise ContentError(f"script blocks: block {MEDICATION_BLOCK} is missing")
