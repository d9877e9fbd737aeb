"""The inverted index of one language: vocabulary, query analysis (as typed, corrected, compound parts,
joined neighbours, derivations, synonyms) and BM25F scoring with a confidence per entry.

Ranking is BM25F (BM25 over weighted fields), written here rather than taken from a package: the
well-kept BM25 libraries (bm25s, rank-bm25) score one bag of words against unweighted query tokens, and
we need per-field boosts (title > tags > short answer > detail) and query terms of different weight (a
word as typed counts more than its synonym, a typo correction or a compound part). The scoring itself is
a dozen lines; the libraries are used where they earn their keep: Snowball stemmers (`snowballstemmer`)
and edit distances (`rapidfuzz`).
"""

from __future__ import annotations

import math
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from advisory.library.analysis import Analyzer, Token, bare_forms, decompound, fold, folded_words, tokens
from advisory.library.entries import EntryText, LibraryEntry, Synonyms

FIELDS = ("title", "tags", "short_answer", "detail")
FIELD_BOOSTS = {"title": 3.0, "tags": 2.0, "short_answer": 1.5, "detail": 1.0}
# Titles and tag lists are short by nature, so their length says little about relevance.
FIELD_LENGTH_NORM = {"title": 0.4, "tags": 0.4, "short_answer": 0.75, "detail": 0.75}
K1 = 1.2
# A compound's parts ("styrke", "træning" in "styrketræning") count as half an occurrence each.
PART_TF = 0.5
# How much a query term counts, by how it was derived from what the advisor typed.
WEIGHT_EXACT = 1.0
WEIGHT_REORDERED = 0.8
WEIGHT_PART = 0.6
WEIGHT_SYNONYM = 0.6
WEIGHT_DERIVED = 0.5
WEIGHT_FUZZY = {1: 0.8, 2: 0.6}
# Typo budget by word length, as spell checkers do: short words have too many neighbours.
FUZZY_MIN_LENGTH = {1: 5, 2: 9}
# Danish derivations the Snowball stemmer leaves alone ("træne" -> "træn", "træning" stays); a query
# stem reaches them, but not compounds that merely start alike ("lang" must not reach "langvarig").
DERIVATION_SUFFIXES = {"da": ("ing", "ning", "else", "sel", "lig", "ig"), "en": ()}
MIN_DERIVATION_STEM = 4
# Several terms derived from one query word: the best counts fully, the others a little
# (Lucene's dis_max with a tie breaker), so one word cannot outweigh the rest of the query.
TIE_BREAKER = 0.1
# An entry holding every part of a compound the library does not use whole ("rygbrud": "ryg", "brud")
# answers that word almost as well as the compound itself would.
PART_COVERAGE = 0.9
# For the confidence, a term weighted at least like a synonym answers its query word fully (the ranking
# still prefers the word itself); weaker terms (derivations) answer it in proportion.
FULL_COVERAGE_WEIGHT = WEIGHT_SYNONYM
# Confidence: how much of the query an entry answers, from 0 to 1 (see `_LanguageIndex.score`). Below
# this figure the best entry is rarely the right one, so the console says it has no confident answer.
# Derived from the evaluation sets, not chosen: `bench/search.py` prints the confidence of the first
# hit for every query (answerable and not) and the threshold that best separates "the first hit is the
# expected entry" from "it is not, or there is none", as the midpoint of the best-separating interval.
# Re-run the bench after changing content or analysis, and update this figure from its
# `confidence.derived_threshold`; tests/advisory/test_library_search.py checks it still separates.
CONFIDENCE_THRESHOLD = 0.57



@dataclass
class _Word:
    """One query word, the weighted index terms it stands for, and how much it says (its idf)."""

    terms: dict[str, float] = field(default_factory=dict)
    # Ranking only: a synonym counts at most as much as the word it stands in for would (see
    # `_add_synonyms`); the confidence reads the weights in `terms`.
    damping: dict[str, float] = field(default_factory=dict)
    parts: tuple[str, ...] = ()  # the compound's parts the library uses
    part_count: int = 0  # all its parts
    importance: float = 0.0

    def add(self, term: str, weight: float) -> None:
        if weight > self.terms.get(term, 0.0):
            self.terms[term] = weight


@dataclass(frozen=True, slots=True)
class _Posting:
    """The documents of one term (sorted ids) and their query-independent BM25F scores."""

    docs: np.ndarray
    scores: np.ndarray


class _LanguageIndex:
    """The inverted index of one language's texts, with the vocabulary the query analysis needs.

    Postings are numpy arrays so a query adds up thousands of documents per term in one step;
    the bundled library would not need it, a library grown to thousands of entries does.
    """

    def __init__(self, lang: str, entries: list[LibraryEntry], synonyms: Synonyms) -> None:
        self.lang = lang
        self.size = len(entries)
        self.analyzer = Analyzer(lang)
        self.keep_whole = frozenset(fold(word) for word in synonyms.keep_whole(lang))
        texts = [_field_texts(entry.text(lang)) for entry in entries]
        phrases = synonyms.groups(lang)
        # Folded word -> term, over everything the library says (and the synonym file), so that
        # queries map words exactly as the index did and the decompounder knows real words only.
        self.vocabulary: dict[str, str] = {}
        self._learn_all(text for fields in texts for text in fields.values())
        self._learn_all(phrase for group in phrases for phrase in group)
        for term in list(self.vocabulary.values()):
            if len(term) >= 3:
                self.vocabulary.setdefault(term, term)
        self._by_length: dict[int, list[str]] = defaultdict(list)
        for word in self.vocabulary:
            self._by_length[len(word)].append(word)
        # Danish words as typed without æ/ø/å at all ("tor" for "tør"), to their terms.
        self._bare: dict[str, set[str]] = defaultdict(set)
        if lang == "da":
            for word, term in self.vocabulary.items():
                for bare in bare_forms(word):
                    self._bare[bare].add(term)
        self._terms_of_word: dict[str, tuple[str, ...]] = {}
        self.analysed = lru_cache(maxsize=100_000)(self._analyse)
        self._corrections = lru_cache(maxsize=10_000)(self._find_corrections)
        self.postings = self._build_postings(texts)
        # The idf of a word no entry uses: the most a query word can say.
        self.unknown_idf = _idf(self.size, 0)
        # Synonym phrases by their first term, so a query looks up only the phrases it could start.
        self._group_terms: list[frozenset[str]] = []
        self._phrases_by_first: dict[str, list[tuple[tuple[str, ...], int]]] = defaultdict(list)
        for number, group in enumerate(phrases):
            analysed = [terms for terms in (self._phrase_terms(phrase) for phrase in group) if terms]
            self._group_terms.append(frozenset(term for terms in analysed for term in terms))
            for terms in analysed:
                self._phrases_by_first[terms[0]].append((terms, number))

    def _build_postings(self, texts: list[dict[str, str]]) -> dict[str, _Posting]:
        field_tf: list[dict[str, dict[str, float]]] = []
        lengths: dict[str, list[int]] = {name: [] for name in FIELDS}
        for fields in texts:
            per_field: dict[str, dict[str, float]] = {}
            for name, text in fields.items():
                counts: dict[str, float] = defaultdict(float)
                length = 0
                for word in folded_words(text):
                    terms = self.word_terms(word)
                    if not terms:
                        continue
                    length += 1
                    counts[terms[0]] += 1.0
                    for part in terms[1:]:
                        counts[part] += PART_TF
                per_field[name] = counts
                lengths[name].append(length)
            field_tf.append(per_field)
        average = {
            name: (sum(values) / len(values) if values else 1.0) or 1.0 for name, values in lengths.items()
        }

        # BM25F: per document, field frequencies are length-normalised, boosted and summed before
        # the saturation k1; the product with idf does not depend on the query, so store it.
        pseudo_tf: dict[str, dict[int, float]] = defaultdict(dict)
        for doc, per_field in enumerate(field_tf):
            for name, counts in per_field.items():
                norm = (
                    1 - FIELD_LENGTH_NORM[name] + FIELD_LENGTH_NORM[name] * lengths[name][doc] / average[name]
                )
                for term, tf in counts.items():
                    pseudo_tf[term][doc] = pseudo_tf[term].get(doc, 0.0) + FIELD_BOOSTS[name] * tf / norm
        postings: dict[str, _Posting] = {}
        for term, docs in pseudo_tf.items():
            idf = _idf(self.size, len(docs))
            ids = np.fromiter(docs.keys(), dtype=np.int32, count=len(docs))
            tfs = np.fromiter(docs.values(), dtype=np.float64, count=len(docs))
            order = np.argsort(ids)
            postings[term] = _Posting(ids[order], (idf * tfs / (K1 + tfs))[order])
        return postings

    # vocabulary and document analysis

    def _learn(self, text: str) -> None:
        for token in tokens(text):
            if token.folded not in self.vocabulary and not self.analyzer.is_stopword(token.folded):
                self.vocabulary[token.folded] = self.analyzer.term(token.original)

    def _learn_all(self, texts: Iterable[str]) -> None:
        # Only texts with a word not seen yet need the slower pass that keeps the original spelling.
        for text in texts:
            if any(
                word not in self.vocabulary and not self.analyzer.is_stopword(word)
                for word in folded_words(text)
            ):
                self._learn(text)

    def _is_word(self, folded: str) -> bool:
        return folded in self.vocabulary

    def parts(self, term: str) -> list[str]:
        """A Danish compound's parts as terms. The stem is split, not the word, so that inflection
        endings cannot pose as words ("sengen" is "seng" + "en", not "sen" + "gen")."""
        if self.lang != "da":
            return []
        return [self.vocabulary[part] for part in decompound(term, self._is_word, self.keep_whole)]

    def word_terms(self, folded: str) -> tuple[str, ...]:
        """The terms a word of the library is indexed under: its own, then its compound parts."""
        known = self._terms_of_word.get(folded)
        if known is None:
            # Stems join the vocabulary too, and a stopword can look like one ("sig" from "sige").
            term = None if self.analyzer.is_stopword(folded) else self.vocabulary.get(folded)
            known = () if term is None else (term, *self.parts(term))
            self._terms_of_word[folded] = known
        return known

    def _analyse(self, text: str) -> tuple[tuple[int, int, tuple[str, ...]], ...]:
        """Spans of the words of a library text with their terms, for marking matches."""
        return tuple((token.start, token.end, self.word_terms(token.folded)) for token in tokens(text))

    def _phrase_terms(self, phrase: str) -> tuple[str, ...]:
        return tuple(
            self.vocabulary[token.folded]
            for token in tokens(phrase)
            if not self.analyzer.is_stopword(token.folded)
        )

    # query analysis

    def analyse_query(self, query: str) -> list[_Word]:
        return self._analyse_query(query)[0]

    def canonical_terms(self, query: str) -> list[str]:
        """One term per query word: what it was read as (as typed, or corrected, or its stem)."""
        return self._analyse_query(query)[1]

    def _analyse_query(self, query: str) -> tuple[list[_Word], list[str]]:
        query_tokens = [
            token
            for token in tokens(unicodedata.normalize("NFC", query))
            if not self.analyzer.is_stopword(token.folded)
        ]
        words: list[_Word] = []
        canonical: list[str] = []
        for token in query_tokens:
            word = _Word()
            best = self._best_term(token, word)
            word.importance = self._importance(token, word)
            decade = self._decade(token)
            if decade is not None:
                word.add(decade, WEIGHT_DERIVED)
            # A stem can be cut too short to split ("balanceøvelser" stems to "balanceøv"); the word
            # as typed is tried then, query side only.
            all_parts = self.parts(best) or self.parts(token.folded)
            parts = [term for term in all_parts if term in self.postings]
            if parts:
                if not word.terms:
                    word.importance = max(self._term_idf(term) for term in parts)
                word.parts, word.part_count = tuple(parts), len(all_parts)
            for term in parts:
                word.add(term, WEIGHT_PART)
            for term in self._derivations(best):
                word.add(term, WEIGHT_DERIVED)
            words.append(word)
            canonical.append(best)
        self._join_neighbours(query_tokens, canonical, words)
        self._add_synonyms(words, canonical)
        return words, canonical

    def _decade(self, token: Token) -> str | None:
        """The decade of a two-digit number the library does not use ("42" -> "40"): callers give
        ages ("jeg er 42", "min mor på 88"), entries speak of "40 år", "80 år". It helps the ranking
        only; the number still says nothing for the confidence."""
        folded = token.folded
        if len(folded) != 2 or not folded.isdigit() or folded in self.postings:
            return None
        decade = folded[0] + "0"
        return decade if decade in self.postings else None

    def _term_idf(self, term: str) -> float:
        posting = self.postings.get(term)
        return _idf(self.size, 0 if posting is None else len(posting.docs))

    def _importance(self, token: Token, word: _Word) -> float:
        """How much a query word says, as the idf of what it was read as: a rare word says much, a
        common one little, a word no entry uses the most. Numbers the library never mentions ("88"
        in "my mother is 88") say nothing about the topic and count for nothing."""
        if not word.terms:
            return 0.0 if token.folded.isdigit() else self.unknown_idf
        term = max(word.terms, key=word.terms.__getitem__)
        return self._term_idf(term)

    def _best_term(self, token: Token, word: _Word) -> str:
        """Add the terms a query word stands for as typed (or, failing that, as corrected) to
        `word`, and return the term that represents it in phrases (synonyms, compounds)."""
        known = self.vocabulary.get(token.folded)
        if known is not None:
            # A word of the library or of the synonym file: taken as meant, never "corrected".
            if known in self.postings:
                word.add(known, WEIGHT_EXACT)
            return known
        exact = [term for term in self.analyzer.term_guesses(token.folded) if term in self.postings]
        for term in exact:
            word.add(term, WEIGHT_EXACT)
        if exact:
            return exact[0]
        unaccented = sorted(term for term in self._bare.get(token.folded, ()) if term in self.postings)
        for term in unaccented:
            word.add(term, WEIGHT_EXACT if len(unaccented) == 1 else WEIGHT_FUZZY[1])
        if unaccented:
            return unaccented[0]
        corrections = self._corrections(token.folded, len(token.original))
        for term, weight in corrections:
            word.add(term, weight)
        return corrections[0][0] if corrections else self.analyzer.term(token.original)

    def _find_corrections(self, word: str, length: int) -> list[tuple[str, float]]:
        """Terms of the vocabulary words nearest to a word the library does not know (typos)."""
        budget = max((edits for edits, minimum in FUZZY_MIN_LENGTH.items() if length >= minimum), default=0)
        if not budget:
            return []
        # Callers rarely mistype a word's first letter, and allowing it makes short words
        # ambiguous ("taske" would become "raske").
        candidates = [
            known
            for size in range(len(word) - budget, len(word) + budget + 1)
            for known in self._by_length.get(size, ())
            if known[0] == word[0]
        ]
        # Optimal string alignment distance: a swapped pair of letters is one typo, not two.
        matches = process.extract(word, candidates, scorer=OSA.distance, score_cutoff=budget, limit=5)
        if not matches:
            return []
        nearest = min(distance for _, distance, _ in matches)
        found: dict[str, float] = {}
        for known, distance, _ in matches:
            term = self.vocabulary[known]
            if distance == nearest and term in self.postings:
                found[term] = max(found.get(term, 0.0), WEIGHT_FUZZY[int(distance)])
        return list(found.items())

    def _derivations(self, term: str) -> list[str]:
        """Index terms derived from a stem ("træn" -> "træning"): word forms the stemmer keeps apart.
        Stems of three letters are too short to trust ("ryg" + "ning" is smoking, not the back)."""
        if len(term) < MIN_DERIVATION_STEM:
            return []
        return [term + suffix for suffix in DERIVATION_SUFFIXES[self.lang] if term + suffix in self.postings]

    def _join_neighbours(self, query_tokens: list[Token], canonical: list[str], words: list[_Word]) -> None:
        """Two words written apart that the library writes as one ("ryg øvelser" -> "rygøvelser");
        Danish also turns "X i ryggen" into "rygX" ("smerter i ryggen" -> "rygsmerter")."""
        if self.lang != "da":
            return
        for position in range(len(query_tokens) - 1):
            first, second = query_tokens[position], query_tokens[position + 1]
            orders = (
                ((first.folded, canonical[position]), second.folded, WEIGHT_EXACT),
                ((second.folded, canonical[position + 1]), first.folded, WEIGHT_REORDERED),
            )
            for heads, tail, weight in orders:
                for joined in {head + link + tail for head in heads for link in ("", "s", "e")}:
                    term = self.vocabulary.get(joined)
                    if term is not None and term in self.postings:
                        words[position].add(term, weight)
                        words[position + 1].add(term, weight)

    def _add_synonyms(self, words: list[_Word], canonical: list[str]) -> None:
        """The other members of every synonym group one of whose phrases the query contains,
        credited to the words that matched the phrase."""
        applied: set[int] = set()
        for start, first in enumerate(canonical):
            for phrase, group in self._phrases_by_first.get(first, ()):
                if group in applied or tuple(canonical[start : start + len(phrase)]) != phrase:
                    continue
                applied.add(group)
                for term in self._group_terms[group].difference(phrase):
                    if term in self.postings:
                        for word, said in zip(words[start : start + len(phrase)], phrase, strict=True):
                            word.add(term, WEIGHT_SYNONYM)
                            # As Lucene's SynonymQuery does: a rare synonym of a common word must
                            # not outweigh the word itself ("brud i ryggen" is not "kompressionsfraktur"
                            # three times over), so its idf is capped at that of the word said.
                            damping = min(1.0, self._term_idf(said) / self._term_idf(term))
                            word.damping[term] = min(word.damping.get(term, 1.0), damping)

    # scoring

    def score(self, words: list[_Word]) -> tuple[np.ndarray, np.ndarray]:
        """One score per document (0 for no match), and one confidence per document.

        The confidence is the share of the query an entry answers: each query word counts with its
        importance (idf), times how faithfully the entry holds it (1 for the word itself, less for a
        typo correction, a synonym or a compound part; see the WEIGHT_ constants). A query whose
        telling words no entry holds ("må jeg stå på ski" without a skiing entry) gets a low figure
        however well its common words match.
        """
        totals = np.zeros(self.size)
        answered = np.zeros(self.size)
        for word in words:
            best = np.zeros(self.size)
            summed = np.zeros(self.size)
            held = np.zeros(self.size)
            parts_held = np.zeros(self.size)
            for term, weight in word.terms.items():
                posting = self.postings.get(term)
                if posting is None:
                    continue
                values = weight * word.damping.get(term, 1.0) * posting.scores
                summed[posting.docs] += values
                best[posting.docs] = np.maximum(best[posting.docs], values)
                if term in word.parts:
                    parts_held[posting.docs] += 1
                else:
                    coverage = min(1.0, weight / FULL_COVERAGE_WEIGHT)
                    held[posting.docs] = np.maximum(held[posting.docs], coverage)
            if word.parts:
                held = np.maximum(held, PART_COVERAGE * parts_held / word.part_count)
            totals += best + TIE_BREAKER * (summed - best)
            answered += word.importance * held
        importance = sum(word.importance for word in words)
        confidence = answered / importance if importance > 0 else np.zeros(self.size)
        # Reward documents that answer more of the query, weighing its words by what they say: an
        # entry holding the query's one rare word beats one holding its common words many times.
        scores = totals * (1 + len(words) * confidence) / (1 + len(words))
        return scores, confidence

    def matched_terms(self, words: list[_Word], docs: np.ndarray) -> list[set[str]]:
        """For each of `docs`, the query terms it contains (to mark them in snippets)."""
        matched: list[set[str]] = [set() for _ in range(len(docs))]
        for term in {term for word in words for term in word.terms}:
            posting = self.postings.get(term)
            if posting is None:
                continue
            found = (
                posting.docs[np.minimum(np.searchsorted(posting.docs, docs), len(posting.docs) - 1)] == docs
            )
            for position in np.flatnonzero(found).tolist():
                matched[position].add(term)
        return matched


def _idf(size: int, docs: int) -> float:
    """BM25's inverse document frequency of a term found in `docs` of `size` documents."""
    return math.log(1 + (size - docs + 0.5) / (docs + 0.5))


def _field_texts(text: EntryText) -> dict[str, str]:
    return {
        "title": text.title,
        "tags": ", ".join(text.tags),
        "short_answer": text.short_answer,
        "detail": text.detail,
    }


