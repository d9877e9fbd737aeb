"""Library search benchmark: speed on the bundled library and on 5,000 synthetic entries; quality
(hit@3, MRR) on the two parts of the evaluation set, reported apart (`old`: search_eval.yaml, and
`long_tail`: search_eval_long_tail.yaml, written before the entries answering it); and the
derivation of the confidence threshold (advisory/library/confidence.py).

Two SQLite FTS5 baselines rank the same entries with bm25 and the same field weights:
- `fts5_raw`: the text as it is, FTS5's default tokenizer, the query's words OR'ed (a plain search box);
- `fts5_analysed`: the fair comparison. Both sides get this engine's analyzer output: the index holds
  each word's folded stem and its compound parts, the query every term the analyzer derives (as typed,
  corrected, joined, compound parts, derivations, synonyms). What differs is only the ranking: BM25F
  with weighted query terms, dis_max per word and the confidence factor against FTS5's bm25.

Run: .venv/bin/python bench/search.py   (prints one JSON line)
Targets: median < 2 ms on the bundled library, < 25 ms at 5,000 entries; hit@3 >= 0.95 and
MRR >= 0.90 on each part.
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advisory.library import (  # noqa: E402
    CONFIDENCE_THRESHOLD,
    EntryText,
    Library,
    LibraryEntry,
    load_bundled_entries,
    load_synonyms,
)
from advisory.library.confidence import Point, derive_threshold  # noqa: E402

EVAL_DIR = ROOT / "tests" / "advisory"
EVAL_PARTS = {"old": EVAL_DIR / "search_eval.yaml", "long_tail": EVAL_DIR / "search_eval_long_tail.yaml"}
ROUNDS_BUNDLED = 20
ROUNDS_LARGE = 3
LARGE_SIZE = 5000
FTS_FIELDS = ("title", "tags", "short_answer", "detail")
FTS_WEIGHTS = "3.0, 2.0, 1.5, 1.0"  # the same field boosts as advisory.library


def load_part(name: str) -> dict:
    return yaml.safe_load(EVAL_PARTS[name].read_text(encoding="utf-8"))


def quality(rank: Callable[[str, str], list[str]], queries: list[dict[str, str]]) -> tuple[float, float]:
    """hit@3 and mean reciprocal rank of the expected slug (rank counted within the top 10)."""
    hits, reciprocal = 0, 0.0
    for item in queries:
        slugs = rank(item["query"], item["lang"])[:10]
        if item["expected"] in slugs:
            position = slugs.index(item["expected"]) + 1
            hits += position <= 3
            reciprocal += 1 / position
    return hits / len(queries), reciprocal / len(queries)


def latencies_ms(library: Library, queries: list[dict[str, str]], rounds: int) -> list[list[float]]:
    """Per round, the time of each query (with snippets), in ms. The first round runs with cold
    caches (typo corrections, marked texts); later rounds show the steady state."""
    rounds_ms = []
    for _ in range(rounds):
        timings = []
        for item in queries:
            start = time.perf_counter()
            library.search(item["query"], lang=item["lang"])
            timings.append((time.perf_counter() - start) * 1000)
        rounds_ms.append(timings)
    return rounds_ms


def flat(rounds_ms: list[list[float]]) -> list[float]:
    return [value for timings in rounds_ms for value in timings]


def synthetic_entries(base: list[LibraryEntry], count: int, seed: int = 7) -> list[LibraryEntry]:
    """Entries made by recombining the bundled entries' words, so the vocabulary and its
    frequencies stay realistic while the postings grow a hundredfold."""
    rng = random.Random(seed)

    def pool(lang: str, name: str) -> list[str]:
        words: list[str] = []
        for entry in base:
            value = getattr(entry.text(lang), name)
            words += value if isinstance(value, list) else value.split()
        return words

    pools = {lang: {name: pool(lang, name) for name in FTS_FIELDS} for lang in ("da", "en")}

    def text(lang: str) -> EntryText:
        words = pools[lang]
        return EntryText(
            title=" ".join(rng.sample(words["title"], rng.randint(5, 10))),
            short_answer=" ".join(rng.sample(words["short_answer"], rng.randint(25, 50))),
            detail=" ".join(rng.sample(words["detail"], rng.randint(100, 200))),
            tags=rng.sample(words["tags"], rng.randint(5, 9)),
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
            (entry.slug, *(" ".join(terms) for terms in library.analysed_fields(entry.slug, lang).values()))
            for entry in library.entries
        ]
        for lang in ("da", "en")
    })
    return lambda query, lang: _fts_rank(connection, lang, library.analysed_query(query, lang))


def confidence_points(library: Library, parts: dict[str, dict]) -> list[Point]:
    """The first hit's confidence for every evaluation query, answerable or not, and whether it is right."""
    points = []
    for part in parts.values():
        for item in part["queries"] + part.get("no_answer", []):
            hits = library.search(item["query"], lang=item["lang"], limit=1)
            points.append(Point(confidence=hits[0].confidence if hits else 0.0,
                                right=bool(hits) and hits[0].entry.slug == item.get("expected")))
    return points


def main() -> None:
    parts = {name: load_part(name) for name in EVAL_PARTS}
    queries = [item for part in parts.values() for item in part["queries"] + part.get("no_answer", [])]
    entries = load_bundled_entries()
    synonyms = load_synonyms()
    bundled = Library(entries, synonyms)
    rounds_bundled = latencies_ms(bundled, queries, ROUNDS_BUNDLED)

    synthetic = synthetic_entries(entries, LARGE_SIZE - len(entries))
    start = time.perf_counter()
    large = Library(entries + synthetic, synonyms)
    build_s = time.perf_counter() - start
    rounds_large = latencies_ms(large, queries, ROUNDS_LARGE)

    def engine(query: str, lang: str) -> list[str]:
        return [hit.entry.slug for hit in bundled.search(query, lang=lang, limit=10)]

    rankers = {"engine": engine, "fts5_raw": fts_raw_ranker(entries), "fts5_analysed": fts_analysed_ranker(bundled)}
    quality_by_part = {}
    for name, part in parts.items():
        figures: dict[str, object] = {"queries": len(part["queries"])}
        for ranker_name, ranker in rankers.items():
            hit_at_3, mrr = quality(ranker, part["queries"])
            prefix = "" if ranker_name == "engine" else f"{ranker_name}_"
            figures[f"{prefix}hit_at_3"] = round(hit_at_3, 4)
            figures[f"{prefix}mrr"] = round(mrr, 4)
        # hit@3 per kind of query (typo, ascii, compound, ...): where the analysis earns its keep.
        figures["by_category"] = {
            category: {
                "queries": len(subset),
                "hit_at_3": round(quality(engine, subset)[0], 3),
                "fts5_raw_hit_at_3": round(quality(rankers["fts5_raw"], subset)[0], 3),
                "fts5_analysed_hit_at_3": round(quality(rankers["fts5_analysed"], subset)[0], 3),
            }
            for category in sorted({item["tests"] for item in part["queries"]})
            for subset in [[item for item in part["queries"] if item["tests"] == category]]
        }
        quality_by_part[name] = figures

    derivation = derive_threshold(confidence_points(bundled, parts))
    print(
        json.dumps(
            {
                "median_ms": round(statistics.median(flat(rounds_bundled)), 3),
                "p95_ms": round(statistics.quantiles(flat(rounds_bundled), n=20)[-1], 3),
                "cold_median_ms": round(statistics.median(rounds_bundled[0]), 3),
                "median_ms_5000": round(statistics.median(flat(rounds_large)), 3),
                "p95_ms_5000": round(statistics.quantiles(flat(rounds_large), n=20)[-1], 3),
                "cold_median_ms_5000": round(statistics.median(rounds_large[0]), 3),
                "build_s_5000": round(build_s, 2),
                **quality_by_part,
                "confidence": {
                    "threshold_in_code": CONFIDENCE_THRESHOLD,
                    "derived_threshold": derivation.threshold,
                    "best_interval": [round(derivation.low, 4), round(derivation.high, 4)],
                    "accuracy": round(derivation.accuracy, 4),
                    "right_first_hits_confident": round(derivation.right_confident, 4),
                    "wrong_or_unanswerable_below": round(derivation.wrong_below, 4),
                    "unanswerable_queries": sum(len(part.get("no_answer", [])) for part in parts.values()),
                },
                "queries_timed": len(queries),
                "entries": len(entries),
            }
        )
    )


if __name__ == "__main__":
    main()
