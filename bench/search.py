"""Library search benchmark: speed on the bundled library and on 5,000 synthetic entries, and
quality (hit@3, MRR) on the shared evaluation set, side by side with SQLite FTS5 (default
tokenizer, bm25 ranking) over the same entries and queries.

Run: .venv/bin/python bench/search.py   (prints one JSON line)
Targets: median < 5 ms on the bundled library, < 25 ms at 5,000 entries.
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

from advisory.library import EntryText, Library, LibraryEntry, load_bundled_entries, load_synonyms  # noqa: E402

EVAL_FILE = ROOT / "tests" / "advisory" / "search_eval.yaml"
ROUNDS_BUNDLED = 20
ROUNDS_LARGE = 3
LARGE_SIZE = 5000
FTS_FIELDS = ("title", "tags", "short_answer", "detail")
FTS_WEIGHTS = "3.0, 2.0, 1.5, 1.0"  # the same field boosts as advisory.library


def load_queries() -> list[dict[str, str]]:
    return yaml.safe_load(EVAL_FILE.read_text(encoding="utf-8"))["queries"]


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


def fts_ranker(entries: list[LibraryEntry]) -> Callable[[str, str], list[str]]:
    connection = sqlite3.connect(":memory:")
    for lang in ("da", "en"):
        connection.execute(
            f"CREATE VIRTUAL TABLE docs_{lang} USING fts5(slug UNINDEXED, {', '.join(FTS_FIELDS)})"
        )
        connection.executemany(
            f"INSERT INTO docs_{lang} VALUES (?, ?, ?, ?, ?)",
            [
                (
                    entry.slug,
                    entry.text(lang).title,
                    ", ".join(entry.text(lang).tags),
                    entry.text(lang).short_answer,
                    entry.text(lang).detail,
                )
                for entry in entries
            ],
        )

    def rank(query: str, lang: str) -> list[str]:
        # Every word of the query as an OR'ed FTS5 string, as a plain search box would send it.
        words = re.findall(r"\w+", query)
        if not words:
            return []
        match = " OR ".join('"' + word.replace('"', '""') + '"' for word in words)
        rows = connection.execute(
            f"SELECT slug FROM docs_{lang} WHERE docs_{lang} MATCH ? ORDER BY bm25(docs_{lang}, 0, {FTS_WEIGHTS}) LIMIT 10",
            (match,),
        )
        return [slug for (slug,) in rows]

    return rank


def main() -> None:
    queries = load_queries()
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

    baseline = fts_ranker(entries)
    hit_at_3, mrr = quality(engine, queries)
    baseline_hit_at_3, baseline_mrr = quality(baseline, queries)
    # hit@3 per kind of query (typo, ascii, compound, ...): where the analysis earns its keep.
    by_category = {}
    for category in sorted({item["tests"] for item in queries}):
        subset = [item for item in queries if item["tests"] == category]
        by_category[category] = {
            "queries": len(subset),
            "hit_at_3": round(quality(engine, subset)[0], 3),
            "baseline_hit_at_3": round(quality(baseline, subset)[0], 3),
        }
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
                "hit_at_3": round(hit_at_3, 4),
                "mrr": round(mrr, 4),
                "baseline_hit_at_3": round(baseline_hit_at_3, 4),
                "baseline_mrr": round(baseline_mrr, 4),
                "by_category": by_category,
                "queries": len(queries),
                "entries": len(entries),
            }
        )
    )


if __name__ == "__main__":
    main()
