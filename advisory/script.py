"""The call-time script: from a caller profile to the ordered blocks the advisor says.

Content is data (`advisory/content/scripts/*.yaml`): script blocks with conditions in the rule
language of `advisory.rules`, the thresholds, the labels and the red-flag screen. This module
derives facts, flags and the caller group from a profile and picks the blocks whose condition holds.

Group decision (GUIDANCE.md, VKS):
1. `acute_vertebral_fracture` when a vertebral fracture is within the healing phase (fewer than
   `healing_phase_weeks` weeks ago; on the day the healing phase ends the caller leaves the group).
   Any vertebral fracture counts here, whatever the energy: the bone must heal either way.
2. `function_limited` when the activity level says so.
3. otherwise `everyday_active_*` / `training_active_*`, `with_fracture` when the caller has had
   a low-energy fracture. A fracture from a high-energy accident (a car crash, a fall from a
   ladder) says little about the bone, so it does not move the caller to a "with fracture"
   group; a vertebral or hip fracture of any energy still sets `high_fracture_risk`, which
   limits impact guidance to brisk walking. Unknown fractures (None) count as none, and the
   script asks about them.

Safety by construction: `impact` blocks are dropped for the acute and function-limited groups and
for every flag that limits impact, whatever the content conditions say (tests check that the
content gets this right on its own too).
"""

from __future__ import annotations

import hashlib
from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_serializer

from advisory.content import CONTENT_DIR, ContentError, load_source_keys, read_yaml
from advisory.profile import ActivityLevel, CallerProfile, Diagnosis, FractureSite, PainLevel, Sex
from advisory.rules import Condition, FactKind, Predicate, RuleError, Vocabulary, compile_condition
from advisory.vocab import CallerGroup, CallerRole, Section, Topic, codes

SCRIPTS_DIR = CONTENT_DIR / "scripts"
LANGS = ("da", "en")
SECTIONS = codes("section")
GROUPS = codes("group")
FLAGS = codes("flag")
# Sections every script must have, so each needs a block without a condition.
ALWAYS_SECTIONS = ("safety", "referral", "closing")
MEDICATION_BLOCK = "medication-ask-gp"
IMPACT_BLOCKED_GROUPS = frozenset({CallerGroup.acute_vertebral_fracture, CallerGroup.function_limited})
IMPACT_BLOCKED_FLAGS = frozenset({"healing_phase", "other_fracture_healing", "high_fracture_risk"})

FACT_KINDS: dict[str, FactKind] = {
    "caller_role": frozenset(CallerRole),
    "age": "number",
    "sex": frozenset(Sex),
    "diagnosis": frozenset(Diagnosis),
    "t_score": "number",
    "pain": frozenset(PainLevel),
    "activity_level": frozenset(ActivityLevel),
    "falls_last_year": "number",
    "fear_of_movement": "bool",
    "in_physiotherapy": "bool",
    "fractures_known": "bool",
    "fracture_count": "number",
    "low_energy_fracture_count": "number",
    "has_vertebral_fracture": "bool",
    "has_hip_fracture": "bool",
    "weeks_since_last_fracture": "number",
    "weeks_since_vertebral_fracture": "number",
}

ReviewStatus = Literal["approved", "needs_clinical_review"]
Lang = Literal["da", "en"]


# --- content files (one model per file kind) ----------------------------------------------------


class _Content(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Content):
    da: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Threshold(_Content):
    value: float
    unit: Literal["weeks", "months", "t_score", "count"]
    note: str
    sources: list[str] = Field(min_length=1)
    review_status: ReviewStatus


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


class DispositionEntry(_Content):
    id: str
    urgency: int = Field(ge=1)  # 1 is the most urgent
    label: Text
    say: Text
    sources: list[str] = Field(min_length=1)
    review_status: ReviewStatus


class RedFlagEntry(_Content):
    id: str
    question: Text
    disposition: str
    sources: list[str] = Field(min_length=1)
    review_status: ReviewStatus


class RedFlagsFile(_Content):
    dispositions: list[DispositionEntry] = Field(min_length=1)
    red_flags: list[RedFlagEntry] = Field(min_length=1)


class BlockEntry(_Content):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    section: Section
    order: int
    condition: Condition | None = None
    da: str = Field(min_length=1)
    en: str = Field(min_length=1)
    sources: list[str] = Field(min_length=1)
    tags: list[str] = []
    library: list[str] = []
    review_status: ReviewStatus


class BlocksFile(_Content):
    blocks: list[dict[str, Any]] = Field(min_length=1)  # each is validated alone to name its id


# --- what build_script returns -------------------------------------------------------------------


class ScriptBlock(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    section: Section
    text: str
    tags: tuple[str, ...]
    sources: tuple[str, ...]
    library: tuple[str, ...]
    review_status: ReviewStatus


class CallScript(BaseModel):
    model_config = ConfigDict(frozen=True)

    lang: Lang
    group: str
    flags: frozenset[str]
    blocks: tuple[ScriptBlock, ...]
    library_slugs: tuple[str, ...]
    follow_up_on: date | None
    content_version: str

    @property
    def sections(self) -> tuple[str, ...]:
        """The sections present, in script order."""
        return tuple(dict.fromkeys(block.section for block in self.blocks))

    @property
    def block_ids(self) -> tuple[str, ...]:
        return tuple(block.id for block in self.blocks)

    @field_serializer("flags")
    def _sorted_flags(self, flags: frozenset[str]) -> list[str]:
        return sorted(flags)


class RedFlag(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    question: str
    disposition: str
    review_status: ReviewStatus


class Disposition(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    label: str
    say: str
    urgency: int
    review_status: ReviewStatus


# --- loading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    predicate: Predicate
    impact: bool
    rendered: dict[str, ScriptBlock]


@dataclass(frozen=True)
class ScriptContent:
    version: str
    thresholds: Thresholds
    dispositions: tuple[DispositionEntry, ...]
    red_flags: tuple[RedFlagEntry, ...]
    blocks: tuple[BlockEntry, ...]  # in script order
    rules: tuple[_Rule, ...]  # the same order, compiled


_SPECIAL_FILES = ("thresholds.yaml", "red_flags.yaml")


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
    _check_thresholds(thresholds, source_keys)
    _check_red_flags(red_flag_file, source_keys)

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
            _check_block(block, where, source_keys, known_slugs, set(codes("tag")))
            try:
                predicate = compile_condition(block.condition, vocabulary)
            except RuleError as exc:
                raise ContentError(f"{where}: condition: {exc}") from exc
            entries.append((block, predicate))

    entries.sort(key=lambda item: (SECTIONS.index(item[0].section), item[0].order, item[0].id))
    blocks = tuple(block for block, _ in entries)
    _check_coverage(blocks)
    rules = tuple(
        _Rule(predicate=predicate, impact="impact" in block.tags, rendered={lang: _render(block, lang) for lang in LANGS})
        for block, predicate in entries
    )
    return ScriptContent(
        version=content_version(directory),
        thresholds=thresholds,
        dispositions=tuple(sorted(red_flag_file.dispositions, key=lambda d: d.urgency)),
        red_flags=tuple(red_flag_file.red_flags),
        blocks=blocks,
        rules=rules,
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
    try:
        from advisory.library import load_bundled_entries
    except ImportError:  # the library module may not exist yet; its YAML files are enough
        load_bundled_entries = None
    if load_bundled_entries is not None:
        return {entry["slug"] if isinstance(entry, dict) else entry.slug for entry in load_bundled_entries()}
    slugs: set[str] = set()
    for path in sorted((CONTENT_DIR / "library").glob("*.yaml")):
        data = read_yaml(path)
        entries = data.get("entries") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise ContentError(f"{path.name}: expected a mapping with 'entries:'")
        slugs.update(entry["slug"] for entry in entries if isinstance(entry, dict) and "slug" in entry)
    return slugs


def _describe(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or 'file'}: {error['msg']}" for error in exc.errors()
    )


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


def _check_block(block: BlockEntry, where: str, sources: set[str], slugs: set[str], tags: set[str]) -> None:
    for kind, values, known in (("source", block.sources, sources), ("library slug", block.library, slugs),
                                ("tag", block.tags, tags)):
        if unknown := _unknown(values, known):
            raise ContentError(f"{where}: unknown {kind} {', '.join(unknown)}")
    if {"impact", "impact_low"} <= set(block.tags):
        raise ContentError(f"{where}: a block is either 'impact' or 'impact_low', not both")


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
    if sorted(disposition_ids) != sorted(codes("disposition")):
        raise ContentError(f"red_flags.yaml: dispositions {disposition_ids} differ from the vocabulary "
                           f"{list(codes('disposition'))} (advisory/vocab.py)")
    if len({d.urgency for d in content.dispositions}) != len(content.dispositions):
        raise ContentError("red_flags.yaml: two dispositions share an urgency; most urgent must be clear")
    for flag in content.red_flags:
        if flag.disposition not in disposition_ids:
            raise ContentError(f"red_flags.yaml: red flag {flag.id}: unknown disposition {flag.disposition}")


def _check_coverage(blocks: tuple[BlockEntry, ...]) -> None:
    for section in ALWAYS_SECTIONS:
        if not any(block.section == section and block.condition is None for block in blocks):
            raise ContentError(f"script blocks: section {section} needs a block without a condition")
    if MEDICATION_BLOCK not in {block.id for block in blocks}:
        raise ContentError(f"script blocks: block {MEDICATION_BLOCK} is missing")


def _render(block: BlockEntry, lang: str) -> ScriptBlock:
    return ScriptBlock(
        id=block.id,
        section=block.section,
        text=getattr(block, lang).strip(),
        tags=tuple(block.tags),
        sources=tuple(block.sources),
        library=tuple(block.library),
        review_status=block.review_status,
    )


# --- assessment: facts, flags, group ------------------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    group: str
    flags: frozenset[str]
    facts: dict[str, Any]  # what conditions see: the profile facts plus flags, group and topics
    follow_up_on: date | None


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def assess(profile: CallerProfile, *, today: date, thresholds: Thresholds | None = None) -> Assessment:
    """Derive the facts, flags and caller group of a profile on the call date."""
    t = thresholds or script_content().thresholds
    fractures = profile.fractures or []
    # A date after the call is a typing slip; treating it as today keeps the safe reading (acute).
    dated = [(fracture, min(fracture.occurred_on, today)) for fracture in fractures]
    days = [(fracture, (today - occurred).days) for fracture, occurred in dated]
    vertebral_days = [d for fracture, d in days if fracture.site == FractureSite.vertebral]
    low_energy = [fracture for fracture in fractures if fracture.low_energy]
    known = profile.fractures is not None

    facts: dict[str, Any] = {
        "caller_role": profile.caller_role,
        "age": profile.age,
        "sex": profile.sex,
        "diagnosis": profile.diagnosis,
        "t_score": profile.t_score,
        "pain": profile.pain,
        "activity_level": profile.activity_level,
        "falls_last_year": profile.falls_last_year,
        "fear_of_movement": profile.fear_of_movement,
        "in_physiotherapy": profile.in_physiotherapy,
        "fractures_known": known,
        "fracture_count": len(fractures) if known else None,
        "low_energy_fracture_count": len(low_energy) if known else None,
        "has_vertebral_fracture": bool(vertebral_days) if known else None,
        "has_hip_fracture": any(f.site == FractureSite.hip for f in fractures) if known else None,
        "weeks_since_last_fracture": min(d for _, d in days) / 7 if days else None,
        "weeks_since_vertebral_fracture": min(vertebral_days) / 7 if vertebral_days else None,
    }

    flags: set[str] = set()
    healing_days = t.healing_phase_weeks.value * 7
    if vertebral_days and min(vertebral_days) < healing_days:
        flags.add("healing_phase")
    other_days = t.other_fracture_healing_weeks.value * 7
    if any(d < other_days for fracture, d in days if fracture.site != FractureSite.vertebral):
        flags.add("other_fracture_healing")
    months = int(t.recent_fracture_months.value)
    if any(_add_months(occurred, months) > today for fracture, occurred in dated if fracture.low_energy):
        flags.add("recent_fracture")
    if (any(f.site in (FractureSite.vertebral, FractureSite.hip) for f in fractures)
            or len(low_energy) >= t.high_risk_fracture_count.value):
        flags.add("high_fracture_risk")
    score = profile.t_score
    if score is not None:
        if score <= t.very_low_t_score.value:
            flags.add("very_low_t_score")
        if score <= t.osteoporosis_t_score.value:
            flags.add("t_score_osteoporosis")
        elif score < t.osteopenia_t_score.value:
            flags.add("t_score_osteopenia")
    falls = profile.falls_last_year or 0
    if falls > 0 or profile.fear_of_movement:
        flags.add("fall_risk")
    if falls >= t.several_falls.value:
        flags.add("several_falls")

    if "healing_phase" in flags:
        group = "acute_vertebral_fracture"
        follow_up_on = today - timedelta(days=min(vertebral_days)) + timedelta(days=healing_days)
    else:
        follow_up_on = None
        if profile.activity_level == ActivityLevel.function_limited:
            group = "function_limited"
        else:
            fracture = "with_fracture" if low_energy else "no_fracture"
            group = f"{profile.activity_level.value}_{fracture}"

    facts.update(flags=frozenset(flags), group=group, topics=frozenset(profile.topics))
    return Assessment(group=group, flags=frozenset(flags), facts=facts, follow_up_on=follow_up_on)


# --- the script ----------------------------------------------------------------------------------


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"unsupported language: {lang!r} (use one of {', '.join(LANGS)})")


def build_script(
    profile: CallerProfile, *, today: date, lang: str = "da", content: ScriptContent | None = None
) -> CallScript:
    """The script for this caller on this call date, in Danish or English."""
    _check_lang(lang)
    content = content or script_content()
    assessment = assess(profile, today=today, thresholds=content.thresholds)
    no_impact = assessment.group in IMPACT_BLOCKED_GROUPS or not IMPACT_BLOCKED_FLAGS.isdisjoint(assessment.flags)
    facts = assessment.facts
    blocks = tuple(
        rule.rendered[lang]
        for rule in content.rules
        if rule.predicate(facts) and not (no_impact and rule.impact)
    )
    slugs = tuple(dict.fromkeys(slug for block in blocks for slug in block.library))
    return CallScript(
        lang=lang,
        group=assessment.group,
        flags=assessment.flags,
        blocks=blocks,
        library_slugs=slugs,
        follow_up_on=assessment.follow_up_on,
        content_version=content.version,
    )


# --- labels and the red-flag screen ---------------------------------------------------------------


def red_flags(lang: str = "da") -> list[RedFlag]:
    """The safety screen asked at the start of every call, in the order to ask it."""
    _check_lang(lang)
    return [
        RedFlag(id=flag.id, question=getattr(flag.question, lang), disposition=flag.disposition,
                review_status=flag.review_status)
        for flag in script_content().red_flags
    ]


def dispositions(lang: str = "da") -> list[Disposition]:
    """What to do about red flags, most urgent first, with what the advisor says."""
    _check_lang(lang)
    return [
        Disposition(id=d.id, label=getattr(d.label, lang), say=getattr(d.say, lang), urgency=d.urgency,
                    review_status=d.review_status)
        for d in script_content().dispositions
    ]


def most_urgent_disposition(red_flag_ids: Iterable[str]) -> str | None:
    """The disposition of the most urgent red flag answered "yes"; None when there is none."""
    content = script_content()
    by_flag = {flag.id: flag.disposition for flag in content.red_flags}
    urgency = {d.id: d.urgency for d in content.dispositions}
    chosen = []
    for flag_id in red_flag_ids:
        if flag_id not in by_flag:
            raise KeyError(f"unknown red flag: {flag_id}")
        chosen.append(by_flag[flag_id])
    return min(chosen, key=urgency.__getitem__, default=None)
