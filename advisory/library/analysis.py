"""Text analysis for library search: folding, tokenising, stopwords, stemming, decompounding.

Pure functions and small classes, no index: `advisory.library` builds the index on top of them.

Library choices (why not hand-written):
- Stemming uses `snowballstemmer`, the reference Snowball algorithms for Danish and English, kept
  by the Snowball project and used by Sphinx; it is pure Python, so nothing to compile.
- Typo tolerance uses `rapidfuzz` (in `advisory.library`): C++ edit distances, far faster than a
  Python Levenshtein over the whole vocabulary.
Folding, stopword lists and the Danish decompounder are a few lines each and depend on our own
vocabulary, so they live here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

import snowballstemmer
import yaml

from advisory.vocab import LANGUAGES

WORDS_DIR = Path(__file__).resolve().parent.parent / "content" / "words"
HOMONYMS_FILE = WORDS_DIR / "homonyms.yaml"
IRREGULAR_FILE = WORDS_DIR / "irregular_forms.yaml"

# Danish letters (and their Swedish/German look-alikes that callers' keyboards produce) become the
# digraphs Danes type without a Danish keyboard, so "løfte" and "loefte" fold to the same string.
_FOLD_TABLE = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ß": "ss"})

# A word is a run of letters or a run of digits ("5kg" -> "5", "kg"); hyphenated words are kept
# together here and split by `tokens()`, which also emits the joined form ("sit-ups" -> "situps").
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*|\d+")

# Snowball's Danish stopword list without "selv" ("Hvad kan jeg selv gøre?" is a question of its
# own), plus a few fillers of spoken questions: "ok", reported speech ("lægen siger ...") and "for ...
# skyld". Not stopped: "må", "kan", "gøre" and the question words "hvornår",
# "hvordan", "hvorfor", which carry the meaning of titles such as "Hvornår må jeg træne?".
DA_STOPWORDS = frozenset(
    """og i jeg det at en den til er som på de med han af for ikke der var mig sig men et har om vi
    min havde ham hun nu over da fra du ud sin dem os op man hans hvor eller hvad skal her alle
    vil blev kunne ind når være dog noget ville jo deres efter ned skulle denne end dette mit også
    under have dig anden hende mine alt meget sit sine vor mod disse hvis din nogle hos blive mange
    ad bliver hendes været thi jer sådan får få fik fået lidt nogen lige egentlig ok okay siger sagde
    sagt skyld selvom""".split()
)
# Snowball's English stopword list (contractions left out: the tokenizer splits them anyway, and their
# tails "s", "t", "m", "re", "ve", "ll" are stopped; "d" is not, it is the D of "vitamin D"), plus
# the fillers of spoken questions ("can I just ...", "will it ...", "get", "is it ok", "the doctor said").
EN_STOPWORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she
    her hers herself it its itself they them their theirs themselves what which who whom this that
    these those am is are was were be been being have has had having do does did doing would should
    could ought a an the and but if or because as until while of at by for with about against
    between into through during before after above below to from up down in out on off over under
    again further then once here there when where why how all any both each few more most other
    some such no nor not only own same so than too very s t m re ve ll can will just get got ok okay
    says said told""".split()
)
_STEMMER_NAMES = {"da": "danish", "en": "english"}

# Danish compounds are built as head + optional linking letter + tail ("livs-kvalitet",
# "styrke-træning"); parts shorter than this are too ambiguous to trust.
_MIN_PART = 3
_MIN_COMPOUND = 6
_LINKERS = ("s", "e")
# Danish derivational endings: never a compound's last part, even when the vocabulary happens to
# hold the same letters as a stem ("træning" is not "træn" + "ing", although "Inge" stems to "ing").
DANISH_SUFFIXES = frozenset({"ing", "ning", "else", "sel", "lig", "ig", "hed", "ende", "isk", "dom", "skab"})


def fold(text: str) -> str:
    """Lower-case, Danish letters as digraphs, other accents stripped. Idempotent."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKC", text).casefold()
    text = unicodedata.normalize("NFC", text).translate(_FOLD_TABLE)
    decomposed = unicodedata.normalize("NFKD", text)
    # Stripping accents can uncover a Danish letter ("ǣ" is "æ" with a macron): fold that too.
    folded = "".join(char for char in decomposed if not unicodedata.combining(char)).translate(_FOLD_TABLE)
    return folded.lower()  # casefold maps a few scripts (Cherokee) to capitals


def bare_forms(folded: str) -> set[str]:
    """How a folded Danish word looks typed without æ/ø/å at all ("tør" as "tor", "gå" as "ga",
    "læge" as "lage" or "lege"); empty for words without those letters."""
    if not any(digraph in folded for digraph in ("ae", "oe", "aa")):
        return set()
    base = folded.replace("oe", "o").replace("aa", "a")
    return {base.replace("ae", "a"), base.replace("ae", "e")} - {folded}


def unfold_digraphs(word: str) -> str:
    """The inverse guess of `fold` for ASCII typing ("loefte" -> "løfte"), for the Danish stemmer."""
    return word.replace("ae", "æ").replace("oe", "ø").replace("aa", "å")


# Texts repeat the same few thousand words, so folding each distinct word once pays off.
_fold_word = lru_cache(maxsize=200_000)(fold)


@cache
def homonym_table(lang: str) -> dict[str, str]:
    """Folded word form -> its own index term, for the forms the stemmer would merge with a different
    word (advisory/content/words/homonyms.yaml). The term is the word's dictionary form with a trailing
    "_", which no stem or typed word can be."""
    data = yaml.safe_load(HOMONYMS_FILE.read_text(encoding="utf-8")) or {}
    table: dict[str, str] = {}
    for lemma, forms in (data.get(lang) or {}).items():
        for form in forms:
            table[fold(str(form))] = fold(str(lemma)) + "_"
    return table


@cache
def irregular_table(lang: str) -> dict[str, str]:
    """Folded irregular form -> its base word (advisory/content/words/irregular_forms.yaml)."""
    data = yaml.safe_load(IRREGULAR_FILE.read_text(encoding="utf-8")) or {}
    return {
        fold(str(form)): str(base)
        for base, forms in (data.get(lang) or {}).items()
        for form in forms
        if fold(str(form)) != fold(str(base))
    }


class Token(NamedTuple):
    """One word of a text: its folded form and where it sits in the original string."""

    folded: str
    original: str
    start: int
    end: int


def tokens(text: str) -> Iterator[Token]:
    """Words of `text` with their spans; hyphenated words yield their parts and the joined form."""
    for match in _WORD.finditer(text):
        raw = match.group()
        if "-" not in raw:
            yield Token(_fold_word(raw), raw.lower(), match.start(), match.end())
            continue
        offset = match.start()
        for part in raw.split("-"):
            yield Token(_fold_word(part), part.lower(), offset, offset + len(part))
            offset += len(part) + 1
        joined = raw.replace("-", "")
        yield Token(_fold_word(joined), joined.lower(), match.start(), match.end())


def word_pattern() -> re.Pattern[str]:
    """The pattern of a word (letters, maybe hyphenated, or digits), for callers that need the raw words."""
    return _WORD


def folded_words(text: str) -> list[str]:
    """The folded words of `text` as `tokens` yields them, without spans: the fast path for indexing."""
    found: list[str] = []
    for raw in _WORD.findall(text):
        if "-" in raw:
            found += [_fold_word(part) for part in raw.split("-")]
            raw = raw.replace("-", "")
        found.append(_fold_word(raw))
    return found


class Analyzer:
    """Stopwords and stemming for one language; terms are folded stems."""

    def __init__(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"unsupported language {lang!r}")
        self.lang = lang
        self.stopwords = frozenset(fold(word) for word in (DA_STOPWORDS if lang == "da" else EN_STOPWORDS))
        stemmer = snowballstemmer.stemmer(_STEMMER_NAMES[lang])
        # Stemming is the costly step and vocabularies are small, so remember every word seen.
        self._stem = lru_cache(maxsize=200_000)(stemmer.stemWord)
        self._homonyms = homonym_table(lang)
        self._irregular = irregular_table(lang)

    def snowball(self, word: str) -> str:
        """The folded Snowball stem alone, as the kept Danish word list (da_known_stems) holds them."""
        return fold(self._stem(word.lower()))

    def is_stopword(self, folded: str) -> bool:
        return folded in self.stopwords

    def term(self, word: str) -> str:
        """The index term of one word: stemmed before folding, since the Danish stemmer knows æ/ø/å;
        a form the stemmer would merge with a different word ("ryger" with "ryggen") has its own term
        (advisory/content/words/homonyms.yaml), and an irregular form is read as its base word
        ("fell" as "fall"; irregular_forms.yaml)."""
        lowered = word.lower()
        folded = _fold_word(lowered)
        own = self._homonyms.get(folded)
        if own is not None:
            return own
        base = self._irregular.get(folded)
        if base is not None:
            return self.term(base)
        return fold(self._stem(lowered))

    def term_guesses(self, folded: str) -> list[str]:
        """Terms a folded query word may stand for; ASCII digraphs are tried as æ/ø/å too, and a
        Danish past tense in "-ede" as its infinitive, which Snowball leaves apart after a double
        consonant ("brækkede" -> "brække", like "brækket")."""
        guesses = [self.term(folded)]
        if self.lang == "da":
            for word in (folded, unfold_digraphs(folded)):
                forms = [word, word[:-2]] if word.endswith("ede") and len(word) > 5 else [word]
                for form in forms:
                    guess = self.term(form)
                    if guess not in guesses:
                        guesses.append(guess)
        return guesses


def decompound(folded: str, is_known: Callable[[str], bool], keep_whole: frozenset[str],
               min_part: int = _MIN_PART) -> list[str]:
    """Split a folded Danish compound into known words, longest head first; [] when it is no compound.

    `is_known` tells whether a folded string is a real word (of the library, or of the language);
    parts shorter than `min_part` are not tried.
    """
    return _split(folded, is_known, keep_whole, depth=0, min_part=min_part)


def _split(word: str, is_known: Callable[[str], bool], keep_whole: frozenset[str], depth: int,
           min_part: int = _MIN_PART) -> list[str]:
    if len(word) < max(_MIN_COMPOUND, 2 * min_part) or word in keep_whole or depth > 2:
        return []
    for cut in range(len(word) - min_part, min_part - 1, -1):
        head, tail = word[:cut], word[cut:]
        if not is_known(head):
            continue
        tails = [tail]
        if tail[0] in _LINKERS and len(tail) > min_part:
            tails.append(tail[1:])
        for rest in tails:
            if rest in DANISH_SUFFIXES or len(rest) < min_part:
                continue
            if is_known(rest):
                return [head, rest]
            deeper = _split(rest, is_known, keep_whole, depth + 1, min_part)
            if deeper:
                return [head, *deeper]
    return []


# --- long questions ---------------------------------------------------------------------------------

# A message of several sentences ("Min mor er 82 … Hun er bange for at falde. Hvad kan hun gøre?") has
# one or two sentences that ask; the rest is context. The asking sentences carry the question, so their
# words count fully in the ranking and the context's words this much: enough to choose between entries
# that answer the question equally, too little to outweigh it.
CONTEXT_WEIGHT = 0.35
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")
QUESTION_OPENERS = {
    "da": frozenset(
        """hvad hvordan hvornaar hvorfor hvor hvem hvilke hvilken hvilket maa kan skal boer er har goer giver
        hjaelper betyder virker gaelder findes faar vil kunne skulle burde ville mon hjaelp""".split()
    ),
    "en": frozenset(
        """what how when why where who which whom can could should would will is are am do does did may
        might must shall has have any""".split()
    ),
}
ASKING_PHRASES = {
    "da": ("vil gerne vide", "vil gerne hoere", "spekulerer paa", "mit spoergsmaal er", "er i tvivl om",
           "vil hoere om", "kan i sige", "kan du sige", "vil gerne spoerge"),
    "en": ("like to know", "i wonder", "wondering if", "wondering whether", "my question is",
           "please advise", "any advice", "can you tell", "could you tell", "want to know"),
}


def question_focus(text: str, lang: str) -> list[tuple[int, int, bool]]:
    """For a message of several sentences, each sentence's span and whether it asks (ends with "?",
    opens like a question or says "jeg vil gerne vide"). Empty when the text is one sentence or no
    sentence asks: then every word counts alike."""
    sentences = [
        (match.start(), match.end(), match.group())
        for match in _SENTENCE.finditer(text)
        if any(char.isalnum() for char in match.group())
    ]
    if len(sentences) < 2:
        return []
    asking = []
    for _, _, sentence in sentences:
        words = folded_words(sentence)
        folded = " ".join(words)
        asking.append(
            sentence.rstrip().endswith("?")
            or (bool(words) and words[0] in QUESTION_OPENERS[lang])
            or any(phrase in folded for phrase in ASKING_PHRASES[lang])
        )
    if not any(asking):
        return []
    return [(start, end, asks) for (start, end, _), asks in zip(sentences, asking, strict=True)]
