"""Library entries: the content model (one entry in Danish and English), the synonym file, and loading the
bundled YAML with errors that name the file and the slug."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from advisory.content import CONTENT_DIR, ContentError, load_source_keys, read_yaml, yaml_files
from advisory.vocab import ReviewStatus

SHORT_ANSWER_MAX_WORDS = 60
MEMBER_QUESTIONS_MIN = 3
MEMBER_QUESTIONS_MAX = 8
SLUG_PATTERN = r"^(myth|faq)-[a-z0-9-]+$"
KINDS = ("myth", "faq")
THEMES = ("staerk", "stabil", "strakt")
SYNONYMS_FILE = CONTENT_DIR / "synonyms.yaml"


# --- content model -------------------------------------------------------------------------------


class EntryText(BaseModel):
    """One entry in one language."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=1)
    short_answer: str = Field(min_length=1)
    detail: str = Field(min_length=1)
    tags: list[str] = Field(min_length=1)
    # The questions this entry answers, as members, relatives and professionals phrase them (issue 21):
    # matched by the search as a field of their own. The bundled library must give every entry
    # MEMBER_QUESTIONS_MIN-MAX per language (load_entries refuses it otherwise). An entry written or last
    # saved in the console before the field existed, or a supervisor's new draft, may still have none:
    # the model accepts "none yet" so that such stored entries keep loading, but never one or two.
    questions: list[str] = Field(default_factory=list)

    @field_validator("short_answer")
    @classmethod
    def _readable_on_the_phone(cls, value: str) -> str:
        words = len(value.split())
        if words > SHORT_ANSWER_MAX_WORDS:
            raise ValueError(f"short answer has {words} words; at most {SHORT_ANSWER_MAX_WORDS}")
        return value

    @field_validator("questions")
    @classmethod
    def _real_questions(cls, value: list[str]) -> list[str]:
        questions = [question.strip() for question in value]
        if not all(questions):
            raise ValueError("questions must not be blank")
        if len({question.casefold() for question in questions}) != len(questions):
            raise ValueError("the same question is listed twice")
        if questions and not MEMBER_QUESTIONS_MIN <= len(questions) <= MEMBER_QUESTIONS_MAX:
            raise ValueError(f"{len(questions)} questions; list {MEMBER_QUESTIONS_MIN}-{MEMBER_QUESTIONS_MAX} "
                             f"(or none yet)")
        return questions

    @field_validator("tags")
    @classmethod
    def _no_blank_tags(cls, value: list[str]) -> list[str]:
        tags = [tag.strip() for tag in value]
        if not all(tags):
            raise ValueError("tags must not be blank")
        return tags


class LibraryEntry(BaseModel):
    """A myth (as people say it, with the answer) or a frequently asked question."""

    model_config = ConfigDict(extra="forbid")

    slug: str = Field(pattern=SLUG_PATTERN)
    kind: Literal["myth", "faq"]
    theme: Literal["staerk", "stabil", "strakt"] | None = None
    sources: list[str] = Field(min_length=1)
    review_status: ReviewStatus
    last_reviewed: date
    # The clinical lead who approved content the domain brief marks [clinical sign-off].
    signed_off_by: str | None = Field(default=None, min_length=1)
    da: EntryText
    en: EntryText

    @model_validator(mode="after")
    def _slug_names_kind(self) -> LibraryEntry:
        if not self.slug.startswith(f"{self.kind}-"):
            raise ValueError(f"slug {self.slug!r} must start with {self.kind}-")
        return self

    def text(self, lang: str) -> EntryText:
        if lang == "da":
            return self.da
        if lang == "en":
            return self.en
        raise ValueError(f"unsupported language {lang!r}")


class Synonyms(BaseModel):
    """Groups of interchangeable words or phrases per language, Danish words never to split, fixed
    phrases matched only as a whole, and broader terms (a narrower word also finds its broader term,
    not the other way round)."""

    model_config = ConfigDict(extra="forbid")

    da: list[list[str]] = []
    en: list[list[str]] = []
    da_keep_whole: list[str] = []
    da_fixed_phrases: list[str] = []
    en_fixed_phrases: list[str] = []
    da_broader: dict[str, list[str]] = {}
    en_broader: dict[str, list[str]] = {}

    @field_validator("da_fixed_phrases", "en_fixed_phrases")
    @classmethod
    def _phrases_have_words(cls, phrases: list[str]) -> list[str]:
        for phrase in phrases:
            if len(phrase.split()) < 2:
                raise ValueError(f"a fixed phrase needs two or more words: {phrase!r}")
        return phrases

    @field_validator("da", "en")
    @classmethod
    def _real_groups(cls, groups: list[list[str]]) -> list[list[str]]:
        for group in groups:
            if len(group) < 2 or not all(str(member).strip() for member in group):
                raise ValueError(f"a synonym group needs two or more non-blank members: {group}")
        return groups

    def groups(self, lang: str) -> list[list[str]]:
        return self.da if lang == "da" else self.en

    def keep_whole(self, lang: str) -> list[str]:
        return self.da_keep_whole if lang == "da" else []

    def fixed_phrases(self, lang: str) -> list[str]:
        return self.da_fixed_phrases if lang == "da" else self.en_fixed_phrases

    def broader_groups(self, lang: str) -> dict[str, list[str]]:
        return self.da_broader if lang == "da" else self.en_broader


# --- loading -------------------------------------------------------------------------------------


def load_entries(paths: Iterable[Path], source_keys: Collection[str]) -> list[LibraryEntry]:
    """Validate library files; errors name the file and the slug."""
    entries: list[LibraryEntry] = []
    seen: dict[str, str] = {}
    for path in paths:
        for entry in _read_entries(path):
            if entry.slug in seen:
                raise ContentError(f"{path.name}: {entry.slug}: duplicate slug (also in {seen[entry.slug]})")
            unknown = [key for key in entry.sources if key not in source_keys]
            if unknown:
                raise ContentError(
                    f"{path.name}: {entry.slug}: unknown source key(s) {unknown}; known: {sorted(source_keys)}"
                )
            unasked = [lang for lang in ("da", "en") if not entry.text(lang).questions]
            if unasked:
                raise ContentError(f"{path.name}: {entry.slug}: no member questions in {', '.join(unasked)}; list "
                                   f"{MEMBER_QUESTIONS_MIN}-{MEMBER_QUESTIONS_MAX} per language")
            seen[entry.slug] = path.name
            entries.append(entry)
    return entries


def _read_entries(path: Path) -> Iterator[LibraryEntry]:
    data = read_yaml(path)
    if not isinstance(data, dict) or set(data) != {"entries"} or not isinstance(data["entries"], list):
        raise ContentError(f"{path.name}: expected a mapping with the single key 'entries' holding a list")
    for position, item in enumerate(data["entries"], start=1):
        slug = item.get("slug") if isinstance(item, dict) else None
        try:
            yield LibraryEntry.model_validate(item)
        except ValidationError as exc:
            raise ContentError(f"{path.name}: {slug or f'entry #{position}'}: {describe(exc)}") from exc


def describe(error: ValidationError) -> str:
    """Pydantic's errors in one line a content editor can act on: "da.short_answer: ..."."""
    return "; ".join(
        f"{'.'.join(str(part) for part in detail['loc']) or 'entry'}: {detail['msg']}"
        for detail in error.errors()
    )


def load_bundled_entries() -> list[LibraryEntry]:
    return load_entries(yaml_files("library"), load_source_keys())


def load_synonyms(path: Path = SYNONYMS_FILE) -> Synonyms:
    data = read_yaml(path)
    try:
        return Synonyms.model_validate(data or {})
    except ValidationError as exc:
        raise ContentError(f"{path.name}: {describe(exc)}") from exc


