"""Library search benchmark: speed on the bundled library and on 5,000 synthetic entries; whether the
search answers only when it has the answer (issue 21), on the tuned sets and on the held-out set side by
side; ranking quality (hit@3, MRR) against two SQLite FTS5 baselines; and the confidence model
(advisory/library/confidence.py) as tools/fit_confidence.py derives it from the tuned sets, with its
leave-one-set-out cross-validated figures.

Sets:
- tuned (their figures measure the tuning; the confidence model is fitted on them): `old`
  (search_eval.yaml), `long_tail` (search_eval_long_tail.yaml), `dev` (search_eval_dev.yaml: English as
  people write it, long letters, chatty questions, homonym traps, medicine names, questions the library
  cannot answer), `dev2` (search_eval_dev2.yaml: written blind by another session, labelled after).
  Their plain figures are in-sample; the `cv <set>` rows are the model's cross-validated figures (each
  set predicted by a model fitted on the other tuned sets only): the honest estimate for unseen questions;
- held-out: `heldout` (search_eval_heldout.yaml, first committed in f374527, "written blind" before any
  search change). It is never tuned on: this script reads it only inside `heldout_figures`, which
  returns aggregate figures and nothing per question, and `--misses` refuses it.

Per set: answered@1 (the first hit is confident and right), answered@3 (a right entry among the
confident hits, at most the first three), wrong-confident (a confident hit that does not answer the
question, or any confident hit for a question the library cannot answer: the strict, per-hit reading),
answered_every_right (confident hits, every one right), and the issue's per-question reading:
answered_at_3_per_question (a right entry among the confident hits: the same count as answered@3) and
wrong_confident_per_question (confident hits, none of them right; for a question the library cannot
answer, any confident hit); honest "no answer" (of the
questions the library cannot answer, the share without a confident hit), the outcome counts (confident /
possible / none), and hit@3 / MRR of the ranking. A label naming an entry the library does not have yet
counts as "cannot answer" (reported as `not_covered`). The held-out set is also reported per language and
for its long, letter-like questions.

Run: .venv/bin/python bench/search.py        one JSON line on stdout, a table on stderr
     .venv/bin/python bench/search.py --misses dev   the tuned set's questions that go wrong (tuning aid)
Targets (held-out, both languages): wrong-confident <= 3 %, answered@3 >= 0.85, honest no-answer >= 0.85;
median < 2 ms on the bundled library, < 25 ms at 5,000 entries.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advisory.library import (  # noqa: E402
    CONFIDENT_P,
    MAX_CONFIDENT,
    POSSIBLE_P,
    EntryText,
    Library,
    LibraryEntry,
    load_bundled_entries,
    load_synonyms,
)
from advisory.library.confidence import L2, LABELLING  # noqa: E402
from tools import fit_confidence  # noqa: E402

EVAL_DIR = ROOT / "tests" / "advisory"
TUNED_SETS = fit_confidence.tuned_sets()  # old, long_tail, dev (and dev2 once written)
HELDOUT_FILE = EVAL_DIR / "search_eval_heldout.yaml"
HELDOUT_FIRST_COMMIT = "f374527"
ROUNDS_BUNDLED = 10
ROUNDS_LARGE = 3
LARGE_SIZE = 5000
FTS_FIELDS = ("title", "tags", "short_answer", "detail")
FTS_WEIGHTS = "3.0, 2.0, 1.5, 1.0"  # the same field boosts as advisory.library


@dataclass(frozen=True)
class Question:
    query: str
    lang: str
    expected: frozenset[str]  # empty: the library cannot answer it
    long: bool = False


def _questions(data: dict) -> list[Question]:
    found = []
    for item in data.get("queries", []) + data.get("no_answer", []):
        expected = item.get("expected", [])
        expected = [expected] if isinstance(expected, str) else expected
        found.append(Question(item["query"], item["lang"], frozenset(expected), bool(item.get("long", False))))
    return found


def tuned_questions(name: str) -> list[Question]:
    """A tuned set's questions. The held-out set is not a tuned set and cannot be read here."""
    if name not in TUNED_SETS:
        raise SystemExit(f"{name!r} is not a tuned set; the held-out set is reported in aggregate only")
    return _questions(yaml.safe_load(TUNED_SETS[name].read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Judged:
    """One question's result: what the figures are made of."""

    confident_right: bool
    confident_wrong: bool  # a confident hit is wrong (per hit)
    shown: tuple[bool, ...]  # whether each confident hit is right
    first_right: bool  # the first hit confident and right
    outcome: str  # confident | possible | none
    answerable: bool
    not_covered: bool
    rank: int | None  # of the first right entry within the first 10, for hit@3 and MRR


def judge(library: Library, question: Question, slugs: set[str]) -> Judged:
    covered = question.expected & slugs
    hits = library.search(question.query, lang=question.lang, limit=10)
    rights = tuple(hit.entry.slug in covered for hit in hits)
    confident = [right for hit, right in zip(hits, rights, strict=True) if hit.band == "confident"]
    outcome = "confident" if confident else "possible" if hits and hits[0].band == "possible" else "none"
    rank = next((position + 1 for position, right in enumerate(rights) if right), None)
    return Judged(
        confident_right=any(confident),
        confident_wrong=not all(confident),
        shown=tuple(confident),
        first_right=bool(hits) and hits[0].band == "confident" and rights[0],
        outcome=outcome,
        answerable=bool(covered),
        not_covered=bool(question.expected) and not covered,
        rank=rank,
    )


def figures(judged: list[Judged]) -> dict[str, object]:
    """Aggregate figures of a list of judged questions (nothing per question)."""
    answerable = [item for item in judged if item.answerable]
    unanswerable = [item for item in judged if not item.answerable]

    def share(count: int, total: int) -> float | None:
        return round(count / total, 3) if total else None

    readings = fit_confidence.reading_figures([list(item.shown) for item in judged],
                                              [item.answerable for item in judged])
    return {
        "questions": len(judged),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "not_covered": sum(item.not_covered for item in judged),
        "answered_at_1": share(sum(item.first_right for item in answerable), len(answerable)),
        "answered_at_3": share(sum(item.confident_right for item in answerable), len(answerable)),
        "wrong_confident": share(sum(item.confident_wrong for item in judged), len(judged)),
        "answered_every_right": readings["answered_every_right"],
        "answered_at_3_per_question": readings["answered_at_3_per_question"],
        "wrong_confident_per_question": readings["wrong_confident_per_question"],
        "confident_hits": sum(len(item.shown) for item in judged),
        "honest_no_answer": share(sum(item.outcome != "confident" for item in unanswerable), len(unanswerable)),
        "outcomes": {name: sum(item.outcome == name for item in judged) for name in ("confident", "possible", "none")},
        "hit_at_3": share(sum(item.rank is not None and item.rank <= 3 for item in answerable), len(answerable)),
        "mrr": share(sum(1 / item.rank for item in answerable if item.rank), len(answerable)) if answerable else None,
    }


def by_subset(judged: list[Judged], questions: list[Question]) -> dict[str, dict[str, object]]:
    pairs = list(zip(questions, judged, strict=True))
    return {
        "all": figures(judged),
        "da": figures([item for question, item in pairs if question.lang == "da"]),
        "en": figures([item for question, item in pairs if question.lang == "en"]),
        "long": figures([item for question, item in pairs if question.long]),
        "long_da": figures([item for question, item in pairs if question.long and question.lang == "da"]),
        "long_en": figures([item for question, item in pairs if question.long and question.lang == "en"]),
    }


def heldout_figures(library: Library) -> dict[str, dict[str, object]]:
    """The held-out set's aggregate figures, overall, per language and for long questions. Its
    questions and per-question results never leave this function."""
    if not HELDOUT_FILE.exists():
        return {}
    data = yaml.safe_load(HELDOUT_FILE.read_text(encoding="utf-8"))
    slugs = {entry.slug for entry in library.entries}
    questions = _questions(data)
    return by_subset([judge(library, question, slugs) for question in questions], questions)


def latencies_ms(library: Library, questions: list[Question], rounds: int) -> list[list[float]]:
    """Per round, the time of each query (with snippets), in ms. The first round runs with cold
    caches (typo corrections, marked texts); later rounds show the steady state."""
    rounds_ms = []
    for _ in range(rounds):
        timings = []
        for question in questions:
            start = time.perf_counter()
            library.search(question.query, lang=question.lang)
            timings.append((time.perf_counter() - start) * 1000)
        rounds_ms.append(timings)
    return rounds_ms


def flat(rounds_ms: list[list[float]]) -> list[float]:
    return [value for timings in rounds_ms for value in timings]


def synthetic_entries(base: list[LibraryEntry], count: int, seed: int = 7) -> list[LibraryEntry]:
    """Entries made by recombining the bundled entries' words, so the vocabulary and its
    frequencies stay realistic while the postings grow fifty-fold."""
    rng = random.Random(seed)

    def pool(lang: str, name: str) -> list[str]:
        words: list[str] = []
        for entry in base:
            value = getattr(entry.text(lang), name)
            words += value if isinstance(value, list) else value.split()
        return words

    names = (*FTS_FIELDS, "questions")
    pools = {lang: {name: pool(lang, name) for name in names} for lang in ("da", "en")}

    def text(lang: str) -> EntryText:
        words = pools[lang]
        questions = words["questions"] or words["title"]
        return EntryText(
            title=" ".join(rng.sample(words["title"], rng.randint(5, 10))),
            short_answer=" ".join(rng.sample(words["short_answer"], rng.randint(25, 50))),
            detail=" ".join(rng.sample(words["detail"], rng.randint(100, 200))),
            tags=rng.sample(words["tags"], rng.randint(5, 9)),
            questions=[" ".join(rng.sample(questions, rng.randint(5, 12))) + f" {n}?" for n in range(4)],
        )

    template = base[0]
    return [
        template.model_copy(
            update={"slug": f"faq-synthetic-{number}", "kind": "faq", "da": text("da"), "en": text("en")}
        )
        for number in range(count)
    ]


def _fts_rank(connection: sqlite3.Connection, lang: str, words: list[str]) -> list[str]:
    """Every word as an OR'ed FTS5 string, ranked by bm25 with this engine's field boosts."""
    if not words:
        return []
    match = " OR ".join('"' + word.replace('"', '""') + '"' for word in words)
    rows = connection.execute(
        f"SELECT slug FROM docs_{lang} WHERE docs_{lang} MATCH ? ORDER BY bm25(docs_{lang}, 0, {FTS_WEIGHTS}) LIMIT 10",
        (match,),
    )
    return [slug for (slug,) in rows]


def _fts_table(rows_by_lang: dict[str, list[tuple[str, ...]]]) -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:")
    for lang, rows in rows_by_lang.items():
        connection.execute(
            f"CREATE VIRTUAL TABLE docs_{lang} USING fts5(slug UNINDEXED, {', '.join(FTS_FIELDS)})"
        )
        connection.executemany(f"INSERT INTO docs_{lang} VALUES (?, ?, ?, ?, ?)", rows)
    return connection


def fts_raw_ranker(entries: list[LibraryEntry]) -> Callable[[str, str], list[str]]:
    """FTS5 over the text as written, the query's words as typed."""
    connection = _fts_table({
        lang: [
            (entry.slug, entry.text(lang).title, ", ".join(entry.text(lang).tags), entry.text(lang).short_answer,
             entry.text(lang).detail)
            for entry in entries
        ]
        for lang in ("da", "en")
    })
    return lambda query, lang: _fts_rank(connection, lang, re.findall(r"\w+", query))


def fts_analysed_ranker(library: Library) -> Callable[[str, str], list[str]]:
    """FTS5 over this engine's analyzer output on both sides, so only the ranking differs."""
    connection = _fts_table({
        lang: [
            (entry.slug, *(" ".join(terms) for name, terms in library.analysed_fields(entry.slug, lang).items()
                           if name in FTS_FIELDS))
            for entry in library.entries
        ]
        for lang in ("da", "en")
    })
    return lambda query, lang: _fts_rank(connection, lang, library.analysed_query(query, lang))


def ranking_quality(rank: Callable[[str, str], list[str]], questions: Iterable[Question]) -> dict[str, float]:
    """hit@3 and MRR of a ranker over the answerable questions (rank counted within the top 10)."""
    answerable = [question for question in questions if question.expected]
    hits, reciprocal = 0, 0.0
    for question in answerable:
        slugs = rank(question.query, question.lang)[:10]
        position = next((number + 1 for number, slug in enumerate(slugs) if slug in question.expected), None)
        if position:
            hits += position <= 3
            reciprocal += 1 / position
    return {"hit_at_3": round(hits / len(answerable), 3), "mrr": round(reciprocal / len(answerable), 3)}


def print_misses(library: Library, name: str) -> None:
    """A tuned set's questions whose outcome is wrong, with the first hits (a tuning aid)."""
    slugs = {entry.slug for entry in library.entries}
    for question in tuned_questions(name):
        item = judge(library, question, slugs)
        wrong = item.confident_wrong or (item.answerable and not item.confident_right)
        if not wrong:
            continue
        hits = library.search(question.query, lang=question.lang, limit=3)
        shown = ", ".join(f"{hit.entry.slug} {hit.confidence:.2f} {hit.band[0]}" for hit in hits)
        label = "/".join(sorted(question.expected)) or "-"
        kind = "WRONG" if item.confident_wrong else "HIDDEN"
        print(f"{kind:6} [{question.lang}] {question.query[:90]!r} -> {label} | {shown}")


def table(rows: dict[str, dict[str, object]]) -> str:
    columns = {"questions": "questions", "answerable": "answerable", "not_covered": "not covered",
               "answered_at_1": "answered@1", "answered_at_3": "answered@3", "wrong_confident": "wrong/hit",
               "answered_every_right": "every right", "wrong_confident_per_question": "wrong/question",
               "honest_no_answer": "honest none", "confident_hits": "conf. hits", "hit_at_3": "hit@3"}
    lines = [f"{'set':16}" + "".join(f"{title:>15}" for title in columns.values()) + "   outcomes c/p/n"]
    for name, values in rows.items():
        outcomes = values["outcomes"]
        assert isinstance(outcomes, dict)
        cells = "".join(f"{'-' if values.get(column) is None else values[column]!s:>15}" for column in columns)
        lines.append(f"{name:16}{cells}   {outcomes['confident']}/{outcomes['possible']}/{outcomes['none']}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="library search benchmark")
    parser.add_argument("--misses", choices=sorted(TUNED_SETS), help="print a tuned set's wrong outcomes")
    parser.add_argument("--quick", action="store_true", help="skip the timing and the FTS5 baselines")
    parser.add_argument("--skip-heldout", action="store_true",
                        help="leave the held-out set out (while tuning, so its figures are not seen)")
    arguments = parser.parse_args()
    entries = load_bundled_entries()
    synonyms = load_synonyms()
    bundled = Library(entries, synonyms)
    if arguments.misses:
        print_misses(bundled, arguments.misses)
        return
    slugs = {entry.slug for entry in entries}
    tuned = {name: tuned_questions(name) for name in TUNED_SETS}
    tuned_judged = {name: [judge(bundled, question, slugs) for question in questions]
                    for name, questions in tuned.items()}
    quality: dict[str, object] = {name: by_subset(tuned_judged[name], tuned[name]) for name in TUNED_SETS}
    fit = fit_confidence.derive(bundled)
    heldout = {} if arguments.skip_heldout else heldout_figures(bundled)
    result: dict[str, object] = {"entries": len(entries)}
    if not arguments.quick:
        questions = [question for items in tuned.values() for question in items]
        rounds_bundled = latencies_ms(bundled, questions, ROUNDS_BUNDLED)
        synthetic = synthetic_entries(entries, LARGE_SIZE - len(entries))
        start = time.perf_counter()
        large = Library(entries + synthetic, synonyms)
        build_s = time.perf_counter() - start
        rounds_large = latencies_ms(large, questions, ROUNDS_LARGE)
        result |= {
            "median_ms": round(statistics.median(flat(rounds_bundled)), 3),
            "p95_ms": round(statistics.quantiles(flat(rounds_bundled), n=20)[-1], 3),
            "cold_median_ms": round(statistics.median(rounds_bundled[0]), 3),
            "median_ms_5000": round(statistics.median(flat(rounds_large)), 3),
            "p95_ms_5000": round(statistics.quantiles(flat(rounds_large), n=20)[-1], 3),
            "build_s_5000": round(build_s, 2),
            "queries_timed": len(questions),
        }

        def engine(query: str, lang: str) -> list[str]:
            return [hit.entry.slug for hit in bundled.search(query, lang=lang, limit=10)]

        rankers = {"engine": engine, "fts5_raw": fts_raw_ranker(entries), "fts5_analysed": fts_analysed_ranker(bundled)}
        result["ranking"] = {
            name: {ranker: ranking_quality(function, tuned[name]) for ranker, function in rankers.items()}
            for name in ("old", "long_tail")
        }
    result |= {
        "labelling": fit.labelling,
        "tuned": quality,
        "heldout": heldout,
        "heldout_first_commit": HELDOUT_FIRST_COMMIT,
        # The tuned sets' figures above are in-sample (the model was fitted on them); these are
        # leave-one-set-out cross-validated, an honest estimate of how the model does on unseen questions.
        "cross_validated": fit.cross_validated,
        "cross_validated_by_language": fit.cross_validated_by_language,
        "bands": {
            "in_code": {"confident_p": CONFIDENT_P, "possible_p": POSSIBLE_P, "max_confident": MAX_CONFIDENT,
                        "l2": L2, "labelling": LABELLING},
            "derived": {
                "confident_p": fit.thresholds.confident_p,
                "possible_p": fit.thresholds.possible_p,
                "l2": fit.l2,
                "objective": fit.thresholds.objective,
                "right_confident": fit.thresholds.right_confident,
                "wrong_confident": fit.thresholds.wrong_confident,
            },
        },
    }
    print(json.dumps(result))
    rows = {name: values["all"] for name, values in quality.items()}  # type: ignore[index]
    for name, values in fit.cross_validated.items():
        rows[f"cv {name}"] = values
    for name, values in fit.cross_validated_by_language.items():
        if name != "all":
            rows[f"cv all {name}"] = values
    for subset in ("all", "da", "en", "long", "long_da", "long_en"):
        if heldout:
            rows[f"heldout {subset}"] = heldout[subset]
    print(table(rows), file=sys.stderr)


if __name__ == "__main__":
    main()
