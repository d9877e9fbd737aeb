"""The bundled myth/FAQ library: required entries, both languages, phone-length answers, valid
sources, no dosing advice; and the loader's errors, which must name the file and the slug."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from advisory.content import ContentError, load_source_keys
from advisory.library import (
    SHORT_ANSWER_MAX_WORDS,
    LibraryEntry,
    load_bundled_entries,
    load_entries,
    load_synonyms,
)

REQUIRED_SLUGS = [
    "myth-max-5-kg",
    "myth-yoga-dangerous",
    "myth-exercise-dangerous",
    "myth-walking-enough",
    "myth-bed-rest-after-fracture",
    "myth-too-late-to-train",
    "myth-never-jump",
    "myth-osteoporosis-hurts",
    "faq-what-may-i-do",
    "faq-what-can-i-do-myself",
    "faq-strong-steady-straight",
    "faq-healing-phase",
    "faq-referral-physio",
    "faq-find-specialist-physio",
    "faq-t-score",
    "faq-lifting-technique",
    "faq-running",
    "faq-ball-games",
    "faq-balance-fall-prevention",
    "faq-back-extensors",
    "faq-pain-after-fracture",
    "faq-is-training-safe",
    "faq-daily-activities",
    "faq-advice-line",
    "faq-medication",
    "faq-cycling",
    "faq-strength-training",
]

# Dosing words (doses, units, dose forms) and osteoporosis drug names: the line gives no medication
# advice. Medicine as a topic ("medicin", "piller") is allowed only where it is referred to the GP.
DOSING = re.compile(
    r"\b(mg|µg|mikrogram|milligram|microgram|ie|iu|dosis|doser|dosering|dose|doses|dosage|tablet\w*)\b"
    r"|alendron|zoledron|ibandron|risedron|denosumab|teriparatid|romosozumab|raloxifen"
    r"|prolia|fosamax|aclasta|forsteo|evenity|bonviva",
    re.IGNORECASE,
)
MEDICINE_WORDS = re.compile(r"\b(piller|pills|lægemidler|drugs)\b", re.IGNORECASE)
MEDICINE_REFERRAL_SLUG = "faq-medication"

ENTRIES = load_bundled_entries()
BY_SLUG = {entry.slug: entry for entry in ENTRIES}
TEXTS = [pytest.param(entry, lang, id=f"{entry.slug}-{lang}") for entry in ENTRIES for lang in ("da", "en")]


def all_text(entry: LibraryEntry, lang: str) -> str:
    text = entry.text(lang)
    return "\n".join([text.title, text.short_answer, text.detail, *text.tags])


def test_library_has_enough_entries_of_both_kinds():
    kinds = {entry.kind for entry in ENTRIES}
    assert len(ENTRIES) >= 40, len(ENTRIES)
    assert kinds == {"myth", "faq"}


@pytest.mark.parametrize("slug", REQUIRED_SLUGS)
def test_required_entry_exists(slug):
    assert slug in BY_SLUG, f"{slug} is missing from advisory/content/library"
    assert BY_SLUG[slug].kind == slug.split("-")[0]


@pytest.mark.parametrize(("entry", "lang"), TEXTS)
def test_entry_is_complete_in_each_language(entry, lang):
    text = entry.text(lang)
    assert text.title.strip() and text.short_answer.strip() and text.detail.strip()
    assert text.tags and all(tag.strip() for tag in text.tags)


@pytest.mark.parametrize(("entry", "lang"), TEXTS)
def test_short_answer_can_be_read_aloud(entry, lang):
    words = len(entry.text(lang).short_answer.split())
    assert words <= SHORT_ANSWER_MAX_WORDS, f"{entry.slug} ({lang}) short answer has {words} words"


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry.slug)
def test_danish_is_written_with_danish_letters(entry):
    # Read aloud to members: the Danish text must be real Danish, not an ASCII transliteration.
    assert re.search("[æøåÆØÅ]", all_text(entry, "da")), entry.slug


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry.slug)
def test_sources_are_known_keys(entry):
    known = load_source_keys()
    assert entry.sources and set(entry.sources) <= set(known), entry.sources


@pytest.mark.parametrize(("entry", "lang"), TEXTS)
def test_no_dosing_or_drug_advice(entry, lang):
    text = all_text(entry, lang)
    assert not DOSING.search(text), f"{entry.slug} ({lang}): {DOSING.search(text).group()!r}"
    if entry.slug != MEDICINE_REFERRAL_SLUG:
        assert not MEDICINE_WORDS.search(text), (
            f"{entry.slug} ({lang}) talks medicine outside the GP referral"
        )


def test_medication_entry_refers_to_the_gp():
    entry = BY_SLUG[MEDICINE_REFERRAL_SLUG]
    assert "egen læge" in entry.da.short_answer
    assert "GP" in entry.en.short_answer


@pytest.mark.parametrize(
    ("marker", "reason"),
    [
        ("1813", "red-flag dispositions need clinical sign-off"),
        ("-2,5", "T-score thresholds need clinical sign-off"),
    ],
)
def test_clinical_sign_off_content_is_marked(marker, reason):
    unmarked = [
        entry.slug
        for entry in ENTRIES
        if marker in all_text(entry, "da") and entry.review_status != "needs_clinical_review"
    ]
    assert not unmarked, f"{reason}: {unmarked}"


@pytest.mark.parametrize("lang", ["da", "en"])
def test_titles_are_unique(lang):
    titles = [entry.text(lang).title for entry in ENTRIES]
    assert len(titles) == len(set(titles))


def test_themes_match_the_guidance():
    assert {entry.theme for entry in ENTRIES} <= {None, "staerk", "stabil", "strakt"}
    assert {"staerk", "stabil", "strakt"} <= {entry.theme for entry in ENTRIES}


def test_synonym_file_loads_with_both_languages():
    synonyms = load_synonyms()
    assert synonyms.da and synonyms.en
    assert ["knogleskørhed", "osteoporose"] == synonyms.da[0][:2]


# --- loader errors -------------------------------------------------------------------------------


def entry_data(slug: str = "faq-test", **changes) -> dict:
    text = {"title": "Titel", "short_answer": "Kort svar.", "detail": "Detaljer.", "tags": ["ord"]}
    data = {
        "slug": slug,
        "kind": slug.split("-")[0],
        "sources": ["DK2023"],
        "review_status": "approved",
        "last_reviewed": "2026-11-20",
        "da": dict(text),
        "en": dict(text),
    }
    data.update(changes)
    return data


def write(folder: Path, name: str, content) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            {"entries": [entry_data(sources=["NOPE"])]},
            r"one\.yaml: faq-test: unknown source key\(s\) \['NOPE'\]",
        ),
        (
            {"entries": [entry_data(da={**entry_data()["da"], "short_answer": "ord " * 61})]},
            r"one\.yaml: faq-test: .*short answer has 61 words",
        ),
        ({"entries": [entry_data(colour="red")]}, r"one\.yaml: faq-test: .*colour"),
        ({"entries": [{k: v for k, v in entry_data().items() if k != "en"}]}, r"one\.yaml: faq-test: .*en"),
        ({"entries": [entry_data(kind="myth")]}, r"one\.yaml: faq-test: .*must start with myth-"),
        ({"entries": [entry_data(slug="faq-Bad Slug")]}, r"one\.yaml: faq-Bad Slug: .*slug"),
        ({"entries": [entry_data(sources=[])]}, r"one\.yaml: faq-test: .*sources"),
        ({"entries": [entry_data(theme="strong")]}, r"one\.yaml: faq-test: .*theme"),
        ({"entries": ["not a mapping"]}, r"one\.yaml: entry #1: "),
        ([entry_data()], r"one\.yaml: expected a mapping with the single key 'entries'"),
        ({"entries": [], "extra": 1}, r"one\.yaml: expected a mapping with the single key 'entries'"),
    ],
    ids=[
        "unknown-source",
        "long-short-answer",
        "extra-field",
        "missing-language",
        "slug-kind-mismatch",
        "bad-slug",
        "no-sources",
        "unknown-theme",
        "entry-not-mapping",
        "not-a-mapping",
        "extra-top-key",
    ],
)
def test_loader_rejects_invalid_content_naming_file_and_slug(tmp_path, content, expected):
    path = write(tmp_path, "one.yaml", content)
    with pytest.raises(ContentError, match=expected):
        load_entries([path], {"DK2023"})


def test_loader_rejects_duplicate_slugs_across_files(tmp_path):
    first = write(tmp_path, "a.yaml", {"entries": [entry_data()]})
    second = write(tmp_path, "b.yaml", {"entries": [entry_data()]})
    with pytest.raises(ContentError, match=r"b\.yaml: faq-test: duplicate slug \(also in a\.yaml\)"):
        load_entries([first, second], {"DK2023"})


def test_loader_reports_invalid_yaml_by_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("entries: [\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"broken\.yaml: not valid YAML"):
        load_entries([path], {"DK2023"})


def test_loader_accepts_valid_content(tmp_path):
    path = write(
        tmp_path, "ok.yaml", {"entries": [entry_data(), entry_data(slug="myth-test", theme="stabil")]}
    )
    entries = load_entries([path], {"DK2023"})
    assert [entry.slug for entry in entries] == ["faq-test", "myth-test"]
    assert entries[1].text("en").title == "Titel"


def test_text_rejects_unknown_language():
    with pytest.raises(ValueError, match="unsupported language"):
        ENTRIES[0].text("de")


def test_synonym_groups_need_two_members(tmp_path):
    path = write(tmp_path, "synonyms.yaml", {"da": [["alene"]]})
    with pytest.raises(ContentError, match=r"synonyms\.yaml: .*two or more"):
        load_synonyms(path)
