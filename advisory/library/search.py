"""The searchable library: `Library.search` ranks entries for a query and says how confident it is."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from advisory.library.analysis import LANGUAGES, fold, folded_words
from advisory.library.confidence import MODEL, RANKED, Band, hit_bands, hit_features
from advisory.library.entries import (
    KINDS,
    THEMES,
    LibraryEntry,
    Synonyms,
    load_bundled_entries,
    load_synonyms,
)
from advisory.library.index import WordMatch, _field_texts, _LanguageIndex
from advisory.library.snippets import _mark, _snippets


@dataclass
class SearchHit:
    """One entry found for a query, with why it was chosen.

    - `confidence`: how much of the question the entry answers, 0..1 (the answer measure).
    - `probability`: the confidence model's probability that this entry and every hit above it answer
      the question (see advisory/library/confidence.py), from `features` (one value per
      confidence.FEATURES); 0 beyond the first confidence.MAX_CONFIDENT hits.
    - `band`: "confident" (the search's confident answer), "possible" ("muligvis relevant") or "weak".
      Only the first hits (at most confidence.MAX_CONFIDENT) can be confident.
    - `matched_question`: the member question of the entry the query matched, if one did.
    - `matched_words`: for each query word that says something, where the entry answers it
      (title, tags, questions, short_answer, detail) or None.
    """

    entry: LibraryEntry
    score: float
    snippets: dict[str, str] = field(default_factory=dict)  # field -> text with matches in ** **
    confidence: float = 1.0
    band: Band = "confident"
    matched_question: str | None = None
    matched_words: tuple[WordMatch, ...] = ()
    probability: float = 1.0
    features: tuple[float, ...] = ()

    @property
    def confident(self) -> bool:
        return self.band == "confident"


class Library:
    """Searchable myth/FAQ entries; the index is built once, searches are read-only."""

    def __init__(self, entries: Iterable[LibraryEntry], synonyms: Synonyms | None = None) -> None:
        self.entries: list[LibraryEntry] = list(entries)
        self._by_slug = {entry.slug: entry for entry in self.entries}
        synonyms = synonyms or Synonyms()
        self._indexes = {lang: _LanguageIndex(lang, self.entries, synonyms) for lang in LANGUAGES}
        self._kinds = np.array([entry.kind for entry in self.entries], dtype=object)
        self._themes = np.array([entry.theme for entry in self.entries], dtype=object)
        # Equal scores are ordered by slug, so results never depend on file order.
        self._slug_rank = np.argsort(
            np.argsort(np.array([entry.slug for entry in self.entries], dtype=object))
        )

    @classmethod
    def bundled(cls) -> Library:
        return cls(load_bundled_entries(), load_synonyms())

    def get(self, slug: str) -> LibraryEntry | None:
        return self._by_slug.get(slug)

    def analysed_fields(self, slug: str, lang: str) -> dict[str, list[str]]:
        """The terms the index holds for one entry, per field (each word's term, then its compound
        parts): the analyzer's output, for comparisons such as bench/search.py's FTS5 baseline."""
        index = self._indexes[lang]
        fields = _field_texts(self._by_slug[slug].text(lang))
        return {
            name: [term for word in folded_words(text) for term in index.word_terms(word)]
            for name, text in fields.items()
        }

    def analysed_query(self, query: str, lang: str) -> list[str]:
        """Every term the search looks up for `query`: as typed, corrected, compound parts, joined
        neighbours, derivations and synonyms (without their weights)."""
        words = self._indexes[lang].analyse_query(query)
        return list(dict.fromkeys(term for word in words for term in word.terms))

    def knows_word(self, word: str) -> bool:
        """Whether `word` is a word of the library (either language, synonyms included) or a
        stopword: what `advisory.library.query_privacy` may keep although it is capitalised."""
        folded = fold(word)
        return any(
            folded in index.vocabulary or index.analyzer.is_stopword(folded) for index in self._indexes.values()
        )

    def query_signature(self, query: str, lang: str) -> tuple[str, ...]:
        """The query's words as the search reads them, sorted and without repeats: "Må jeg stå på
        ski?" and "maa jeg staa paa ski" share one. Used to group similar questions."""
        return tuple(sorted(set(self._indexes[lang].canonical_terms(query))))

    def search(
        self,
        query: str,
        *,
        lang: str = "da",
        limit: int = 5,
        kind: str | None = None,
        theme: str | None = None,
    ) -> list[SearchHit]:
        if lang not in LANGUAGES:
            raise ValueError(f"unsupported language {lang!r}")
        if kind is not None and kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        if theme is not None and theme not in THEMES:
            raise ValueError(f"unknown theme {theme!r}")
        if limit <= 0 or not query.strip() or not self.entries:
            return []
        index = self._indexes[lang]
        words = index.analyse_query(query)
        scored = index.score(words)
        scores, confidence = scored.scores.copy(), scored.confidence
        if kind is not None:
            scores[self._kinds != kind] = 0.0
        if theme is not None:
            scores[self._themes != theme] = 0.0
        # An entry that holds only words saying nothing (a number, a filler) answers nothing.
        candidates = np.flatnonzero((scores > 0) & (confidence > 0))
        ranked = candidates[np.lexsort((self._slug_rank[candidates], -scores[candidates]))]
        # The bands of the first hits depend on the next ones, so they are decided before the list is cut.
        top = ranked[:RANKED].tolist()
        features = hit_features(
            answered=[float(confidence[doc]) for doc in top],
            answered_key=[float(scored.key_share[doc]) for doc in top],
            question=[float(scored.question_share[doc]) for doc in top],
            detail_only=[float(scored.detail_share[doc]) for doc in top],
            scores=[float(scores[doc]) for doc in top],
            unknown=scored.unknown_share,
            content_words=scored.content_words,
            long=scored.long,
            lang=lang,
        )
        probabilities = MODEL.probabilities(features).tolist()
        bands = hit_bands(probabilities, len(top))
        ranked = ranked[:limit]
        hits = []
        for position, (doc, terms) in enumerate(zip(ranked.tolist(), index.matched_terms(words, ranked), strict=True)):
            text = self.entries[doc].text(lang)
            question = index.best_question(scored.similarity, doc)
            snippets = _snippets(index, text, terms)
            if question is not None:
                snippets["question"] = _mark(index, question, terms) or question
            ranked_here = position < len(top)
            grouped = position < len(probabilities)  # the group of the hits up to this one
            hits.append(
                SearchHit(
                    entry=self.entries[doc],
                    score=round(float(scores[doc]), 4),
                    snippets=snippets,
                    confidence=round(float(confidence[doc]), 4),
                    band=bands[position] if ranked_here else "weak",
                    matched_question=question,
                    matched_words=tuple(index.word_matches(words, doc)),
                    probability=round(probabilities[position], 4) if grouped else 0.0,
                    features=tuple(features[position].tolist()) if grouped else (),
                )
            )
        return hits
