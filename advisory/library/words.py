"""The kept general-language word lists the library search reads (advisory/content/words/).

- How common a word is in everyday Danish or English (`wordfreq_<lang>.txt`: Zipf frequencies from the
  `wordfreq` package's data, CC BY-SA 4.0, with proper nouns marked from the hunspell spelling
  dictionaries), and the hand-kept `ordinary.yaml` (relatives, greetings, feelings, shops, times): what
  makes a word ordinary, so that a friend, a shop or "jeg elsker …" says little about the question.
- Which strings are real Danish words, and which compounds Danish knows whole (`da_known_stems.txt.gz`:
  Snowball stems of the hunspell-da dictionary's word forms, LGPL-2.1/GPL-2/MPL-1.1).
- Word forms the Snowball stemmer merges with a different word (`homonyms.yaml`, reviewed by hand; read
  by `advisory.library.analysis.homonym_table`, since the analyzer needs it).

All are made once by tools/build_word_lists.py (which says where each comes from and how to make it
again) and committed: the console needs neither wordfreq nor hunspell at run time.
"""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

from advisory.content import CONTENT_DIR, read_yaml
from advisory.library.analysis import fold

WORDS_DIR = CONTENT_DIR / "words"
# Words missing from the lists are rarer than once per million words (the lists' floor).
RARE_ZIPF = 3.0


def _data_lines(path: Path, text: str | None = None) -> list[str]:
    text = path.read_text(encoding="utf-8") if text is None else text
    return [line for line in text.splitlines() if line and not line.startswith("#")]


@cache
def frequencies(lang: str) -> tuple[dict[str, float], frozenset[str]]:
    """Folded word -> Zipf frequency, and the proper nouns among them, for one language."""
    zipf: dict[str, float] = {}
    proper: set[str] = set()
    for line in _data_lines(WORDS_DIR / f"wordfreq_{lang}.txt"):
        word, value, *flags = line.split("\t")
        zipf[word] = float(value)
        if "P" in flags:
            proper.add(word)
    return zipf, frozenset(proper)


@cache
def ordinary_words(lang: str) -> frozenset[str]:
    """The hand-kept ordinary words of one language, folded."""
    data = read_yaml(WORDS_DIR / "ordinary.yaml")
    return frozenset(fold(str(word)) for group in data[lang].values() for word in group)


@cache
def known_danish_stems() -> frozenset[str]:
    """Folded Snowball stems of every form of the Danish spelling dictionary."""
    raw = gzip.decompress((WORDS_DIR / "da_known_stems.txt.gz").read_bytes()).decode("utf-8")
    return frozenset(_data_lines(WORDS_DIR, raw))
