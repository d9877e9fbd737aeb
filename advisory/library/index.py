"""The inverted index of one language: vocabulary, query analysis (as typed, corrected, compound parts,
joined neighbours, derivations, fixed phrases, synonyms, broader terms, the asking sentence of a long
message) and scoring: BM25F for the ranking, and for each entry how much of the question it answers.

Ranking is BM25F (BM25 over weighted fields), written here rather than taken from a package: the
well-kept BM25 libraries (bm25s, rank-bm25) score one bag of words against unweighted query tokens, and
we need per-field boosts (title > tags, member questions > short answer > detail) and query terms of
different weight (a word as typed counts more than its synonym, a typo correction or a compound part).
The libraries are used where they earn their keep: Snowball stemmers (`snowballstemmer`) and edit
distances (`rapidfuzz`).

The answer measure (issue 21) is separate from the ranking. A query word counts as answered by an entry
only where that matters: its title, its tags or the questions it answers; the short answer counts less
and the detail text little, and a word found only inside one of the entry's compounds counts half. Each
word counts with its importance: how much it says about the topic. Words the library holds in a few
entries say much, words most entries hold (knogleskørhed) little; a word the library lacks says as much
as the general language makes it topical ("sauna", "bowling": rare words) or as little as it makes it
ordinary (fillers, feelings, relatives, places and shops: common words, proper nouns, and the hand-kept
list in advisory/content/words/ordinary.yaml). The kept word lists are described in words.py.
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

from advisory.library.analysis import (
    CONTEXT_WEIGHT,
    Analyzer,
    Token,
    bare_forms,
    decompound,
    fold,
    folded_words,
    homonym_table,
    question_focus,
    tokens,
    word_pattern,
)
from advisory.library.entries import EntryText, LibraryEntry, Synonyms
from advisory.library.words import RARE_ZIPF, frequencies, known_danish_stems, ordinary_words
from advisory.vocab import ReviewStatus

FIELDS = ("title", "tags", "questions", "short_answer", "detail")
FIELD_BOOSTS = {"title": 3.0, "tags": 2.0, "questions": 2.0, "short_answer": 1.5, "detail": 1.0}
# Titles, tag lists and member questions are short by nature, so their length says little.
FIELD_LENGTH_NORM = {"title": 0.4, "tags": 0.4, "questions": 0.4, "short_answer": 0.75, "detail": 0.75}
# How well an entry answers a query word it holds, by where it holds it: the title, the tags and the
# questions the entry answers say what the entry is about; the short answer mostly; the detail text
# mentions many things in passing (a question about coffee is not answered by a detail that mentions
# the coffee machine).
FIELD_ANSWERS = {"title": 1.0, "tags": 1.0, "questions": 1.0, "short_answer": 0.6, "detail": 0.2}
# A word the entry holds only inside a compound ("hånd" in "håndvægte") answers half as well.
PART_ANSWERS = 0.5
K1 = 1.2
# A compound's parts ("styrke", "træning" in "styrketræning") count as half an occurrence each.
PART_TF = 0.5
# How much a query term counts, by how it was derived from what the advisor typed.
WEIGHT_EXACT = 1.0
WEIGHT_REORDERED = 0.8
WEIGHT_PART = 0.6
WEIGHT_SYNONYM = 0.6
WEIGHT_BROADER = 0.8
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
# answers that word almost as well as the compound itself would; a compound Danish knows whole
# ("rygestop", "sukkersyge") means more than its parts, so they answer it only half.
PART_COVERAGE = 0.9
PART_COVERAGE_KNOWN_WHOLE = 0.5
# A term weighted at least like a synonym answers its query word fully (the ranking still prefers the
# word itself); weaker terms (derivations) answer it in proportion.
FULL_COVERAGE_WEIGHT = WEIGHT_SYNONYM
# Importance of a query word. A word the library holds in the fields that matter counts with its idf
# over those fields, relative to the most a word can say; a word it lacks counts like a word one entry
# holds, times how topical the general language makes it: fully below RARE_ZIPF (rarer than once per
# million words), falling to ORDINARY_FLOOR at TOPICAL_ZIPF_END ("kaffe", "veninde" are everyday words).
# Any word as common as the most frequent words (from COMMON_ZIPF to FILLER_ZIPF: "stadig", "gerne")
# counts little even where the library holds it, and so do the hand-kept ordinary words and proper nouns.
TOPICAL_ZIPF_END = 5.0
COMMON_ZIPF = 5.0
FILLER_ZIPF = 6.0
COMMON_FLOOR = 0.15
ORDINARY_FLOOR = 0.1
NUMBER_MAX = 0.2
# A question made only of ordinary words ("hej, hvad så?") has too little substance to be answered:
# the confidence is divided by at least this much importance.
MIN_SUBSTANCE = 0.5
# A long message (see analysis.question_focus): besides the sentences that ask, this many of the other
# sentences' most telling words make up the question (the topic word: "Fosamax" in "I have been on
# Fosamax for five years. … Can I …?"). Measured on the tuned sets: one topic word finds more long
# questions than two, at the same cost in wrong answers; none loses the letters whose question refers
# back ("Kan jeg blive ved?").
TOPIC_WORDS = 1
# When the sentences that ask say less than this ("What can she do?"), the whole message is the question.
THIN_QUESTION = 0.3
# Ranking: BM25F times the answer measure (raised to RANK_POWER), so that an entry answering more of
# the question ranks above one that repeats a few of its words; RANK_FLOOR keeps entries that match
# only a little in the list (as "weak").
RANK_POWER = 2.0
RANK_FLOOR = 0.05
# Ranking: an entry one of whose member questions holds most of the query is the likelier answer.
QUESTION_BOOST = 0.5
# A member question is reported as matched when it is at least this like the query (see
# `question_similarity`).
QUESTION_MATCH_MIN = 0.5


@dataclass
class _Word:
    """One query word, the weighted index terms it stands for, and how much it says."""

    text: str = ""  # as typed
    terms: dict[str, float] = field(default_factory=dict)
    # Ranking only: a synonym counts at most as much as the word it stands in for would (see
    # `_add_synonyms`); the answer measure reads the weights in `terms`.
    damping: dict[str, float] = field(default_factory=dict)
    parts: tuple[str, ...] = ()  # the compound's parts the library uses
    part_count: int = 0  # all its parts
    part_coverage: float = PART_COVERAGE
    importance: float = 0.0
    focus: float = 1.0  # CONTEXT_WEIGHT for a word outside the sentences that ask in a long message
    broader: bool = False  # a name whose broader term was added (a medicine's brand name)
    topic: bool = False  # one of a long message's topic words, outside the sentences that ask

    def add(self, term: str, weight: float) -> None:
        if weight > self.terms.get(term, 0.0):
            self.terms[term] = weight


@dataclass(frozen=True, slots=True)
class _Posting:
    """The documents of one term (sorted ids), their query-independent BM25F scores, how well each
    answers the term (FIELD_ANSWERS of the best field, PART_ANSWERS for a compound part) and the index
    of that field in FIELDS."""

    docs: np.ndarray
    scores: np.ndarray
    answers: np.ndarray
    fields: np.ndarray


# Fields that say what an entry is about (FIELDS' first three: title, tags, member questions).
KEY_FIELDS = 3
# A query word that says at least this much counts as one of the question's content words.
CONTENT_WORD = 0.1


@dataclass(frozen=True)
class Scored:
    """A query's scores over the documents: the ranking score, the answer measure (`confidence`), the
    member questions' similarity to the query (per question) and, per document, the evidence the
    confidence model reads (advisory/library/confidence.py): the best member question's similarity,
    the share of the question answered in the title, tags or member questions, the share held only in
    passing (the detail text); and for the query: the share of its importance no entry holds at all,
    its number of content words, and whether it is a long message whose asking sentence was found."""

    scores: np.ndarray
    confidence: np.ndarray
    similarity: np.ndarray
    question_share: np.ndarray
    key_share: np.ndarray
    detail_share: np.ndarray
    unknown_share: float
    content_words: int
    long: bool


@dataclass(frozen=True)
class WordMatch:
    """Where an entry answers one query word: the word as typed and the entry's field (None: nowhere)."""

    word: str
    field: str | None
    answered: float  # 0..1, how well (see FIELD_ANSWERS)


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
        self._zipf, self._proper = frequencies(lang)
        self._ordinary = ordinary_words(lang)
        self._known_stems = known_danish_stems() if lang == "da" else frozenset()
        texts = [_field_texts(entry.text(lang)) for entry in entries]
        phrases = synonyms.groups(lang)
        # Folded word -> term, over everything the library says (and the synonym file), so that
        # queries map words exactly as the index did and the decompounder knows real words only.
        self.vocabulary: dict[str, str] = {}
        self._learn_all(text for fields in texts for text in fields.values())
        self._learn_all(phrase for group in phrases for phrase in group)
        self._learn_all(synonyms.fixed_phrases(lang))
        self._learn_all(word for group in synonyms.broader_groups(lang).values() for word in group)
        self._learn_all(synonyms.broader_groups(lang))
        # Stems are words of the vocabulary too ("styrk" for "styrke"), except where a stem is itself a
        # word with a term of its own ("gæld", debt, is not the stem of "gælder").
        homonyms = homonym_table(lang)
        for term in list(self.vocabulary.values()):
            if len(term) >= 3 and term not in homonyms:
                self.vocabulary.setdefault(term, term)
        self._by_length: dict[int, list[str]] = defaultdict(list)
        for word in self.vocabulary:
            self._by_length[len(word)].append(word)
        self._general_by_length: dict[tuple[int, str], list[str]] = defaultdict(list)
        for word in self._zipf:
            if len(word) >= FUZZY_MIN_LENGTH[1] - 1:
                self._general_by_length[(len(word), word[0])].append(word)
        # Danish words as typed without æ/ø/å at all ("tor" for "tør"), to their terms.
        self._bare: dict[str, set[str]] = defaultdict(set)
        if lang == "da":
            for word, term in self.vocabulary.items():
                for bare in bare_forms(word):
                    self._bare[bare].add(term)
        # Fixed phrases ("rask gang"): matched as one term, never as their words.
        self._fixed: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        for phrase in synonyms.fixed_phrases(lang):
            words = tuple(folded_words(phrase))
            if len(words) >= 2:
                self._fixed[words[0]].append((words, "+".join(words)))
        self._terms_of_word: dict[str, tuple[str, ...]] = {}
        self.analysed = lru_cache(maxsize=100_000)(self._analyse)
        self._corrections = lru_cache(maxsize=10_000)(self._find_corrections)
        self._general_zipf = lru_cache(maxsize=10_000)(self._find_general_zipf)
        self.postings, self.key_df = self._build_postings(texts)
        # The most a query word can say: the idf of a term no entry holds.
        self.unknown_idf = _idf(self.size, 0)
        self.rare_importance = _idf(self.size, 1) / self.unknown_idf if self.size else 1.0
        # Synonym phrases by their first term, so a query looks up only the phrases it could start.
        self._group_terms: list[frozenset[str]] = []
        self._phrases_by_first: dict[str, list[tuple[tuple[str, ...], int]]] = defaultdict(list)
        for number, group in enumerate(phrases):
            analysed = [terms for terms in (self._phrase_terms(phrase) for phrase in group) if terms]
            self._group_terms.append(frozenset(term for terms in analysed for term in terms))
            for terms in analysed:
                self._phrases_by_first[terms[0]].append((terms, number))
        # Broader terms: a narrower word (a medicine's name) also finds what its broader term finds.
        self._broader: dict[str, set[str]] = defaultdict(set)
        for broad, narrower in synonyms.broader_groups(lang).items():
            broad_terms = self._phrase_terms(broad)
            for word in narrower:
                for term in self._phrase_terms(word):
                    self._broader[term].update(broad_terms)
        self._build_questions(entries)

    # the index

    def _field_terms(self, text: str) -> list[tuple[str, bool]]:
        """The terms of a library text, each with whether it is a compound's part; a fixed phrase
        yields its phrase term instead of its words."""
        words = folded_words(text)
        found: list[tuple[str, bool]] = []
        fixed, word_terms = self._fixed, self.word_terms
        position = 0
        while position < len(words):
            word = words[position]
            if word in fixed:
                phrase = self._fixed_phrase_at(words, position)
                if phrase is not None:
                    found.append((phrase[1], False))
                    position += len(phrase[0])
                    continue
            terms = word_terms(word)
            if terms:
                found.append((terms[0], False))
                found.extend((part, True) for part in terms[1:])
            position += 1
        return found

    def _fixed_phrase_at(self, words: list[str], position: int) -> tuple[tuple[str, ...], str] | None:
        for phrase, term in self._fixed.get(words[position], ()):
            if tuple(words[position : position + len(phrase)]) == phrase:
                return phrase, term
        return None

    def _build_postings(self, texts: list[dict[str, str]]) -> tuple[dict[str, _Posting], dict[str, int]]:
        field_tf: list[dict[str, dict[str, float]]] = []
        answers: list[dict[str, tuple[float, int]]] = []
        lengths: dict[str, list[int]] = {name: [] for name in FIELDS}
        for fields in texts:
            per_field: dict[str, dict[str, float]] = {}
            best: dict[str, tuple[float, int]] = {}
            for number, name in enumerate(FIELDS):
                counts: dict[str, float] = defaultdict(float)
                length = 0
                for term, is_part in self._field_terms(fields[name]):
                    if name == "questions" and term.isdigit():
                        continue  # ages and counts in members' questions ("min far på 86") say nothing
                    if not is_part:
                        length += 1
                    counts[term] += PART_TF if is_part else 1.0
                    answered = FIELD_ANSWERS[name] * (PART_ANSWERS if is_part else 1.0)
                    if answered > best.get(term, (0.0, 0))[0]:
                        best[term] = (answered, number)
                per_field[name] = counts
                lengths[name].append(length)
            field_tf.append(per_field)
            answers.append(best)
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
        key_df: dict[str, int] = {}
        for term, docs in pseudo_tf.items():
            idf = _idf(self.size, len(docs))
            ids = np.fromiter(docs.keys(), dtype=np.int32, count=len(docs))
            tfs = np.fromiter(docs.values(), dtype=np.float64, count=len(docs))
            held = np.fromiter((answers[doc][term][0] for doc in docs), dtype=np.float64, count=len(docs))
            where = np.fromiter((answers[doc][term][1] for doc in docs), dtype=np.int8, count=len(docs))
            order = np.argsort(ids)
            postings[term] = _Posting(ids[order], (idf * tfs / (K1 + tfs))[order], held[order], where[order])
            key_df[term] = int(np.count_nonzero(held >= FIELD_ANSWERS["short_answer"]))
        return postings, key_df

    def _build_questions(self, entries: list[LibraryEntry]) -> None:
        """Every member question as a document of its own, to find the question a query matches:
        per term, the questions holding it and how much the word says there (its importance). An entry
        without member questions (a draft) counts its title as its one question."""
        self.questions: list[str] = []
        owners: list[int] = []
        by_term: dict[str, dict[int, float]] = defaultdict(dict)
        totals: list[float] = []
        for doc, entry in enumerate(entries):
            text = entry.text(self.lang)
            # A new draft not yet given member questions is asked by its title.
            drafted = [text.title] if entry.review_status == ReviewStatus.draft else []
            for question in text.questions or drafted:
                number = len(self.questions)
                self.questions.append(question)
                owners.append(doc)
                # In a member question every word was chosen ("min far" says who asks), so each
                # counts as much as the library makes it say; numbers say nothing.
                weights = {
                    term: self._specificity(term)
                    for term, is_part in self._field_terms(question)
                    if not is_part and not term.isdigit()
                }
                for term, weight in weights.items():
                    by_term[term][number] = weight
                totals.append(sum(weights.values()))
        self.question_owner = np.array(owners, dtype=np.int32)
        self.question_total = np.array(totals, dtype=np.float64)
        self.question_postings = {
            term: (np.fromiter(ids.keys(), dtype=np.int32, count=len(ids)),
                   np.fromiter(ids.values(), dtype=np.float64, count=len(ids)))
            for term, ids in by_term.items()
        }

    def _static_ordinariness(self, folded: str) -> float:
        """1 for a word that may say what a question is about, down to ORDINARY_FLOOR for one that
        cannot: the hand-kept ordinary words, and the most common words of the language."""
        if folded in self._ordinary:
            return ORDINARY_FLOOR
        zipf = self._general_zipf(folded)
        if zipf <= COMMON_ZIPF:
            return 1.0
        share = min(1.0, (zipf - COMMON_ZIPF) / (FILLER_ZIPF - COMMON_ZIPF))
        return 1.0 - share * (1.0 - COMMON_FLOOR)

    # vocabulary and document analysis

    def _learn(self, text: str) -> None:
        for raw in word_pattern().findall(text):
            pieces = [*raw.split("-"), raw.replace("-", "")] if "-" in raw else [raw]
            for piece in pieces:
                folded = fold(piece)
                if folded not in self.vocabulary and not self.analyzer.is_stopword(folded):
                    self.vocabulary[folded] = self.analyzer.term(piece)

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

    def _is_real_word(self, folded: str) -> bool:
        """A word of the library, or of the general language (the word lists)."""
        return (
            folded in self.vocabulary
            or folded in self._zipf
            or (self.lang == "da" and self.analyzer.snowball(folded) in self._known_stems)
        )

    def known_whole(self, folded: str) -> bool:
        """Whether the language knows the word whole (its stem is a dictionary word's stem)."""
        return self.lang == "da" and self.analyzer.snowball(folded) in self._known_stems

    def parts(self, term: str) -> list[str]:
        """A Danish compound's parts as terms. The stem is split, not the word, so that inflection
        endings cannot pose as words ("sengen" is "seng" + "en", not "sen" + "gen")."""
        if self.lang != "da":
            return []
        # A word Danish knows whole is split only into parts of four letters or more: "sammen" is not
        # "sam" + "men", "rygestop" not "ryg" + "stop"; "håndledsbrud" is "håndled" + "brud".
        min_part = 4 if term in self._known_stems or self.known_whole(term) else 3
        return [self.vocabulary[part] for part in decompound(term, self._is_word, self.keep_whole, min_part)]

    def query_parts(self, folded: str) -> list[str]:
        """The parts of a query compound: real words of the library or of the language; the parts the
        library does not use stay as they are (they still count in the part count)."""
        if self.lang != "da":
            return []
        split = decompound(folded, self._is_real_word, self.keep_whole, 4 if self.known_whole(folded) else 3)
        return [self.vocabulary.get(part) or self.analyzer.term(part) for part in split]

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
        """Spans of the words of a library text with their terms, for marking matches; the words of a
        fixed phrase carry the phrase's term."""
        found = [(token.start, token.end, token.folded) for token in tokens(text)]
        words = [folded for _, _, folded in found]
        spans: list[tuple[int, int, tuple[str, ...]]] = []
        position = 0
        while position < len(found):
            phrase = self._fixed_phrase_at(words, position)
            if phrase is not None:
                for start, end, _ in found[position : position + len(phrase[0])]:
                    spans.append((start, end, (phrase[1],)))
                position += len(phrase[0])
                continue
            start, end, folded = found[position]
            spans.append((start, end, self.word_terms(folded)))
            position += 1
        return tuple(spans)

    def _phrase_terms(self, phrase: str) -> tuple[str, ...]:
        words = folded_words(phrase)
        fixed = self._fixed_phrase_at(words, 0) if words else None
        if fixed is not None and len(fixed[0]) == len(words):
            return (fixed[1],)
        return tuple(
            self.vocabulary[token.folded]
            for token in tokens(phrase)
            if not self.analyzer.is_stopword(token.folded) and token.folded in self.vocabulary
        )

    # query analysis

    def analyse_query(self, query: str) -> list[_Word]:
        return self._analyse_query(query)[0]

    def canonical_terms(self, query: str) -> list[str]:
        """One term per query word: what it was read as (as typed, or corrected, or its stem)."""
        return self._analyse_query(query)[1]

    def _analyse_query(self, query: str) -> tuple[list[_Word], list[str]]:
        text = unicodedata.normalize("NFC", query)
        sentences = question_focus(text, self.lang)
        all_tokens = list(tokens(text))
        fixed = self._query_fixed_phrases(all_tokens)
        query_tokens = [token for token in all_tokens if not self.analyzer.is_stopword(token.folded)]
        sentence_starts = {start for start, _, _ in sentences} | {0}
        words: list[_Word] = []
        canonical: list[str] = []
        for token in query_tokens:
            word = _Word(text=text[token.start : token.end])
            phrase = fixed.get(token.start)
            if phrase is not None:
                # A word of a fixed phrase stands for the phrase alone ("rask gang" is brisk walking);
                # the phrase counts once, with its first word.
                term, phrase_words = phrase
                if term in self.postings:
                    word.add(term, WEIGHT_EXACT)
                if phrase_words:
                    word.importance = self._phrase_importance(term, phrase_words)
                words.append(word)
                canonical.append(term)
                continue
            best = self._best_term(token, word)
            decade = self._decade(token)
            if decade is not None:
                word.add(decade, WEIGHT_DERIVED)
            # A stem can be cut too short to split ("balanceøvelser" stems to "balanceøv"); the word
            # as typed is tried then, query side only. A word the library does not know is split into
            # real words of the language.
            all_parts = self.parts(best) or self.parts(token.folded)
            if not all_parts and token.folded not in self.vocabulary and not word.terms:
                all_parts = self.query_parts(token.folded)
            parts = [term for term in all_parts if term in self.postings]
            if parts:
                word.parts, word.part_count = tuple(parts), len(all_parts)
                if token.folded not in self.vocabulary and self.known_whole(token.folded):
                    word.part_coverage = PART_COVERAGE_KNOWN_WHOLE
            for term in parts:
                word.add(term, WEIGHT_PART)
            for term in self._derivations(best):
                word.add(term, WEIGHT_DERIVED)
            broad_terms = [term for term in self._broader.get(best, ()) if term in self.postings]
            for term in broad_terms:
                word.add(term, WEIGHT_BROADER)
                word.broader = True
            if broad_terms:
                # The name ranks no higher than its broader term would: the rest of the question
                # decides between the entries that list the name and the one that fits.
                cap = max(self._term_idf(term) for term in broad_terms)
                for term in word.terms:
                    if term not in broad_terms:
                        word.damping[term] = min(word.damping.get(term, 1.0), cap / self._term_idf(term))
            word.importance = self._importance(token, word, text, sentence_starts)
            words.append(word)
            canonical.append(best)
        self._join_neighbours(query_tokens, canonical, words)
        self._add_synonyms(words, canonical)
        self._mark_context(query_tokens, words, sentences)
        return words, canonical

    def _mark_context(self, query_tokens: list[Token], words: list[_Word],
                      sentences: list[tuple[int, int, bool]]) -> None:
        """In a message of several sentences, the question is what the asking sentences say and the
        message's topic words (the TOPIC_WORDS most telling words of the other sentences). The other
        words are context: they help the ranking a little and take no part in the answer measure."""
        if not sentences:
            return
        asking = [
            next((asks for start, end, asks in sentences if start <= token.start < end), True)
            for token in query_tokens
        ]
        if sum(word.importance for word, asks in zip(words, asking, strict=True) if asks) < THIN_QUESTION:
            return  # "What can she do?" says nothing by itself: the whole message is the question
        context = [word for word, asks in zip(words, asking, strict=True) if not asks]
        topic = sorted(context, key=lambda word: -word.importance)[:TOPIC_WORDS]
        for word in context:
            if any(word is chosen for chosen in topic):
                word.topic = True
            else:
                word.focus = CONTEXT_WEIGHT

    def _query_fixed_phrases(self, query_tokens: list[Token]) -> dict[int, tuple[str, tuple[str, ...]]]:
        """Token start -> (phrase term, the phrase's words for its first token, else ()), for the words
        of the fixed phrases the query contains."""
        if not self._fixed:
            return {}
        words = [token.folded for token in query_tokens]
        found: dict[int, tuple[str, tuple[str, ...]]] = {}
        for position in range(len(words)):
            if query_tokens[position].start in found:
                continue
            phrase = self._fixed_phrase_at(words, position)
            if phrase is not None:
                for offset, token in enumerate(query_tokens[position : position + len(phrase[0])]):
                    found[token.start] = (phrase[1], phrase[0] if offset == 0 else ())
        return found

    def _phrase_importance(self, term: str, phrase_words: tuple[str, ...]) -> float:
        """A fixed phrase counts like a word: as the library holds it, or (a phrase the library does
        not use, "rock climbing") as topical as its most topical word; as ordinary as its least
        ordinary word."""
        content = [word for word in phrase_words if not self.analyzer.is_stopword(word)] or list(phrase_words)
        ordinary = max(self._static_ordinariness(word) for word in content)
        if self.key_df.get(term, 0):
            return self._specificity(term) * ordinary
        return self.rare_importance * max(self._topicality(word) for word in content) * ordinary

    def _decade(self, token: Token) -> str | None:
        """The decade of a two-digit number the library does not use ("42" -> "40"): callers give
        ages ("jeg er 42", "min mor på 88"), entries speak of "40 år", "80 år". It helps the ranking
        only; the number still says nothing for the answer measure."""
        folded = token.folded
        if len(folded) != 2 or not folded.isdigit() or folded in self.postings:
            return None
        decade = folded[0] + "0"
        return decade if decade in self.postings else None

    def _specificity(self, term: str) -> float:
        """How much holding `term` in the fields that matter sets an entry apart, 0..1."""
        return _idf(self.size, self.key_df.get(term, 0)) / self.unknown_idf if self.size else 0.0

    def _find_general_zipf(self, folded: str) -> float:
        """The general-language frequency of a word; for a word missing from the list, that of the
        common word it is one typo away from ("venninde"), else rare."""
        zipf = self._zipf.get(folded)
        if zipf is not None:
            return zipf
        if len(folded) >= FUZZY_MIN_LENGTH[1]:
            candidates = [
                word
                for size in (len(folded) - 1, len(folded), len(folded) + 1)
                for word in self._general_by_length.get((size, folded[0]), ())
            ]
            match = process.extractOne(folded, candidates, scorer=OSA.distance, score_cutoff=1)
            if match is not None:
                return self._zipf[match[0]]
        return RARE_ZIPF - 0.5

    def _ordinariness(self, token: Token, text: str, sentence_starts: set[int], held: bool) -> float:
        """1 for a word that may say what the question is about, down to ORDINARY_FLOOR for a word
        that cannot: the most common words, the hand-kept ordinary words, and (where the library does
        not use them) proper nouns and capitalised words inside a sentence."""
        folded = token.folded
        if not held:
            capitalised = text[token.start : token.start + 1].isupper() and token.start not in sentence_starts
            if folded in self._proper or capitalised:
                return ORDINARY_FLOOR
        return self._static_ordinariness(folded)

    def _topicality(self, folded: str) -> float:
        """How topical a word the library lacks is: 1 for a rare word, down to ORDINARY_FLOOR for an
        everyday one."""
        zipf = self._general_zipf(folded)
        if zipf <= RARE_ZIPF:
            return 1.0
        share = min(1.0, (zipf - RARE_ZIPF) / (TOPICAL_ZIPF_END - RARE_ZIPF))
        return 1.0 - share * (1.0 - ORDINARY_FLOOR)

    def _importance(self, token: Token, word: _Word, text: str, sentence_starts: set[int]) -> float:
        """How much a query word says about the topic (see the module docstring). Numbers the
        library never mentions ("88" in "my mother is 88") say nothing."""
        if token.folded.isdigit():
            # Only the number itself ("112", "5 kilo"), never its decade, and never much: ages and
            # counts fill members' questions ("min mor på 88", "10 cigaretter").
            known = [term for term, weight in word.terms.items() if weight >= WEIGHT_EXACT and self.key_df.get(term, 0)]
            return min(NUMBER_MAX, min((self._specificity(term) for term in known), default=0.0))
        strong = [term for term, weight in word.terms.items() if weight >= FULL_COVERAGE_WEIGHT
                  and self.key_df.get(term, 0) and term not in word.parts]
        held = bool(strong)
        ordinary = self._ordinariness(token, text, sentence_starts, held)
        if held:
            top = max(word.terms[term] for term in strong)
            importance = min(self._specificity(term) for term in strong if word.terms[term] == top)
            if word.broader:
                # A medicine's name says "osteoporosis medicine": the rest of the question says which entry.
                importance = min([importance, *(self._specificity(term) for term in strong
                                                if word.terms[term] == WEIGHT_BROADER)])
        else:
            importance = self.rare_importance * self._topicality(token.folded)
        return importance * ordinary

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
        # A real word of the language is taken as written, not as a typo of a library word
        # ("sauna" is not "sauma"): only words the language does not know are corrected.
        if token.folded in self._zipf or self.known_whole(token.folded):
            return self.analyzer.term(token.original)
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
        if len(term) < MIN_DERIVATION_STEM or term.endswith("_"):
            return []
        return [term + suffix for suffix in DERIVATION_SUFFIXES[self.lang] if term + suffix in self.postings]

    def _join_neighbours(self, query_tokens: list[Token], canonical: list[str], words: list[_Word]) -> None:
        """Two words written apart that the library writes as one ("ryg øvelser" -> "rygøvelser", "t
        score" -> "tscore"); Danish also turns "X i ryggen" into "rygX" ("smerter i ryggen" ->
        "rygsmerter")."""
        links = ("", "s", "e") if self.lang == "da" else ("",)
        for position in range(len(query_tokens) - 1):
            first, second = query_tokens[position], query_tokens[position + 1]
            orders = [((first.folded, canonical[position]), second.folded, WEIGHT_EXACT)]
            if self.lang == "da":
                orders.append(((second.folded, canonical[position + 1]), first.folded, WEIGHT_REORDERED))
            for heads, tail, weight in orders:
                for joined in {head + link + tail for head in heads for link in links}:
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
                            if word.broader:
                                damping = min(damping, word.damping.get(said, 1.0))
                            word.damping[term] = min(word.damping.get(term, 1.0), damping)

    def _term_idf(self, term: str) -> float:
        posting = self.postings.get(term)
        return _idf(self.size, 0 if posting is None else len(posting.docs))

    # scoring

    def score(self, words: list[_Word]) -> Scored:
        """One ranking score per document (0 for no match), one answer measure per document, and the
        evidence the confidence model reads (see `Scored`).

        The answer measure (the hit's confidence) is the share of the question's importance the entry
        answers: each word counts with its importance, times how well the entry holds it (where: see
        FIELD_ANSWERS; how faithfully: 1 for the word itself or a synonym, less for a typo correction
        or a derivation; a compound's parts in proportion).
        """
        totals = np.zeros(self.size)
        answered = np.zeros(self.size)
        key_answered = np.zeros(self.size)
        detail_only = np.zeros(self.size)
        unknown = 0.0
        for word in words:
            best = np.zeros(self.size)
            summed = np.zeros(self.size)
            held = np.zeros(self.size)
            key_held = np.zeros(self.size)
            reach = np.zeros(self.size)
            parts_held = np.zeros(self.size)
            parts_key = np.zeros(self.size)
            known = False
            for term, weight in word.terms.items():
                posting = self.postings.get(term)
                if posting is None:
                    continue
                known = True
                values = weight * word.damping.get(term, 1.0) * posting.scores
                summed[posting.docs] += values
                best[posting.docs] = np.maximum(best[posting.docs], values)
                in_key = posting.fields < KEY_FIELDS
                if term in word.parts:
                    parts_held[posting.docs] += posting.answers
                    parts_key[posting.docs] += posting.answers * in_key
                else:
                    faithful = min(1.0, weight / FULL_COVERAGE_WEIGHT)
                    held[posting.docs] = np.maximum(held[posting.docs], faithful * posting.answers)
                    key_held[posting.docs] = np.maximum(key_held[posting.docs], faithful * posting.answers * in_key)
                    reach[posting.docs] = np.maximum(reach[posting.docs], faithful)
            if word.parts:
                held = np.maximum(held, word.part_coverage * parts_held / word.part_count)
                key_held = np.maximum(key_held, word.part_coverage * parts_key / word.part_count)
                reach = np.maximum(reach, word.part_coverage * (parts_held > 0))
            totals += word.focus * (best + TIE_BREAKER * (summed - best))
            if word.focus >= 1.0:
                answered += word.importance * held
                key_answered += word.importance * key_held
                # Held only where it is mentioned in passing: the detail text (or a compound of it).
                detail_only += word.importance * reach * (held <= FIELD_ANSWERS["detail"] * reach + 1e-9)
                if not known:
                    unknown += word.importance
        # A long message is answered when what it asks is (see `_mark_context`).
        asked = sum(word.importance for word in words if word.focus >= 1.0)
        denominator = max(asked, MIN_SUBSTANCE)
        confidence = answered / denominator if words else np.zeros(self.size)
        similarity = self.question_similarity(words)
        question_share = self._question_share(similarity)
        # A member question that says what the query says answers it, however ordinary its words.
        confidence = np.minimum(np.maximum(confidence, question_share * (totals > 0)), 1.0)
        # Reward documents that answer more of the query, weighing its words by what they say: an
        # entry holding the query's one rare word beats one holding its common words many times.
        scores = totals * (RANK_FLOOR + confidence ** RANK_POWER)
        scores *= 1 + QUESTION_BOOST * question_share
        return Scored(
            scores=scores,
            confidence=confidence,
            similarity=similarity,
            question_share=question_share,
            key_share=np.minimum(key_answered / denominator, 1.0),
            detail_share=np.minimum(detail_only / denominator, 1.0),
            unknown_share=min(unknown / denominator, 1.0),
            content_words=sum(1 for word in words if word.focus >= 1.0 and word.importance >= CONTENT_WORD),
            long=any(word.focus < 1.0 or word.topic for word in words),
        )

    def question_similarity(self, words: list[_Word]) -> np.ndarray:
        """For each member question, how well it and the query say the same: the harmonic mean of
        the share of the query's importance the question holds and the share of the question's
        importance the query holds ("hvad må jeg egentlig" is the member question "Hvad må jeg
        egentlig?" although none of its words says much)."""
        count = len(self.questions)
        if not count or not words:
            return np.zeros(count)
        importance = sum(word.importance for word in words if word.focus >= 1.0)
        held = np.zeros(count)
        said = np.zeros(count)
        seen: set[str] = set()
        for word in words:
            best = np.zeros(count)
            for term, weight in word.terms.items():
                posting = self.question_postings.get(term)
                if posting is None or term in word.parts:
                    continue
                ids, weights = posting
                best[ids] = np.maximum(best[ids], min(1.0, weight / FULL_COVERAGE_WEIGHT))
                if weight >= FULL_COVERAGE_WEIGHT and term not in seen:
                    seen.add(term)
                    said[ids] += weights
            if word.focus >= 1.0:
                held += word.importance * best
        recall = held / importance if importance > 0 else held
        precision = np.divide(said, self.question_total, out=np.zeros(count), where=self.question_total > 0)
        total = recall + precision
        return np.divide(2 * recall * precision, total, out=np.zeros(count), where=total > 0)

    def _question_share(self, similarity: np.ndarray) -> np.ndarray:
        """For each document, the best similarity of one of its member questions."""
        share = np.zeros(self.size)
        if len(similarity):
            np.maximum.at(share, self.question_owner, similarity)
        return share

    def best_question(self, similarity: np.ndarray, doc: int) -> str | None:
        """The member question of `doc` most like the query, if it is alike enough."""
        if not self.questions:
            return None
        own = np.flatnonzero(self.question_owner == doc)
        if not len(own):
            return None
        best = own[int(np.argmax(similarity[own]))]
        return self.questions[best] if similarity[best] >= QUESTION_MATCH_MIN else None

    def word_matches(self, words: list[_Word], doc: int) -> list[WordMatch]:
        """Where `doc` answers each query word that says something (importance > 0)."""
        matches: list[WordMatch] = []
        for word in words:
            if word.importance <= 0:
                continue
            answered, where = 0.0, None
            for term, weight in word.terms.items():
                posting = self.postings.get(term)
                if posting is None:
                    continue
                position = int(np.searchsorted(posting.docs, doc))
                if position < len(posting.docs) and posting.docs[position] == doc:
                    factor = word.part_coverage / max(word.part_count, 1) if term in word.parts else min(
                        1.0, weight / FULL_COVERAGE_WEIGHT)
                    value = factor * float(posting.answers[position])
                    if value > answered:
                        answered, where = value, FIELDS[int(posting.fields[position])]
            matches.append(WordMatch(word.text, where, round(answered, 3)))
        return matches

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
        # Each question its own sentence, so that no phrase runs from one into the next.
        "questions": " | ".join(text.questions),
        "short_answer": text.short_answer,
        "detail": text.detail,
    }
