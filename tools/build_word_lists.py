"""Regenerate the library search's kept general-language word lists (advisory/content/words/).

The search must tell an ordinary word ("veninde", "elsker", "Netto") from a topical one ("sauna",
"bowling"), and real Danish words from a stemmer's accidents. It reads that from two kept lists per
language, made once by this script and committed, so the console needs neither source at run time:

- `wordfreq_<lang>.txt`: every word of the `wordfreq` package's list for the language (PyPI
  `wordfreq` 3.1.1, Robyn Speer; code Apache-2.0, data CC BY-SA 4.0: subtitles, Wikipedia, news, web
  text, books) with its Zipf frequency (log10 of occurrences per billion words; 3.0 is once per million
  words, the list's floor for Danish, and the same floor is used for English), folded as the search
  folds ("løfte" -> "loefte"). A trailing `P` marks a proper noun: the language's spelling dictionary
  (Debian `hunspell-da`, Stavekontrolden / DSDO, LGPL-2.1 or GPL-2 or MPL-1.1; Debian `hunspell-en-us`,
  SCOWL, Kevin Atkinson's permissive licence) lists the word capitalised only (places, shops, names).
- `da_known_stems.txt.gz`: the Snowball stems (folded) of every word form of the Danish spelling
  dictionary (Debian `hunspell-da`, Stavekontrolden / DSDO, LGPL-2.1 or GPL-2 or MPL-1.1, its forms
  expanded by hunspell's `unmunch`): which strings are real Danish words, and which compounds the
  language knows whole ("sammenfald", "rygestop"), so the search splits only into real words and credits
  a compound the dictionary knows whole only a little for its parts.
- Homonym candidates are not written: `--homonym-candidates` prints, for review, the words of a
  general Danish list and of the library that share a Snowball stem although the spelling dictionary
  gives them different base forms (hunspell's stemmer, `hunspell -s`). The reviewed table the search
  uses is advisory/content/words/homonyms.yaml (hand-kept; see its header).

Regenerate (Debian: `apt-get install hunspell hunspell-tools hunspell-da hunspell-en-us`; a throwaway venv with
`pip install wordfreq==3.1.1`):

    /tmp/wf/bin/python tools/build_word_lists.py     # rewrites advisory/content/words/ (wordfreq_*, da_known_stems)
    /tmp/wf/bin/python tools/build_word_lists.py --homonym-candidates > /tmp/candidates.txt
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advisory.library.analysis import fold  # noqa: E402

WORDS_DIR = ROOT / "advisory" / "content" / "words"
HUNSPELL_NAMES = {"da": "da_DK", "en": "en_US"}
MIN_ZIPF = 3.0
_WORD = re.compile(r"[^\W\d_]+")

HEADER = """# General-language word frequencies for the library search ({language}); generated, do not edit.
# Source: the `wordfreq` package 3.1.1 (PyPI; Robyn Speer), its '{lang}' list: words with a Zipf frequency
# of at least {floor} (log10 of occurrences per billion words). wordfreq's data is licensed CC BY-SA 4.0
# (its code Apache-2.0); this derived list is shared under CC BY-SA 4.0 with that attribution.
# Proper nouns (marked P): {dictionary} accepts the word capitalised only.
# Format: folded word <TAB> Zipf frequency [<TAB> P]. Regenerate: tools/build_word_lists.py.
"""
DICTIONARY_NAMES = {
    "da": "Debian's hunspell-da (Stavekontrolden/DSDO; LGPL-2.1 or GPL-2 or MPL-1.1)",
    "en": "Debian's hunspell-en-us (SCOWL, Kevin Atkinson; permissive licence)",
}


def proper_nouns(words: list[str], lang: str) -> set[str]:
    """The words the spelling dictionary accepts only capitalised (places, shops, names): hunspell
    rejects the lower-case form (`hunspell -l` lists it) and accepts the capitalised one."""
    def rejected(candidates: list[str]) -> set[str]:
        result = subprocess.run(
            ["hunspell", "-d", HUNSPELL_NAMES[lang], "-l"], input="\n".join(candidates), capture_output=True,
            text=True, check=True,
        )
        return set(result.stdout.split())

    lower_rejected = sorted(rejected(words))
    capitalised = [word[:1].upper() + word[1:] for word in lower_rejected]
    capital_rejected = rejected(capitalised)
    return {word for word, capital in zip(lower_rejected, capitalised, strict=True) if capital not in capital_rejected}


def write_frequency_list(lang: str) -> int:
    from wordfreq import top_n_list, zipf_frequency

    words = [word for word in top_n_list(lang, 10**6)
             if zipf_frequency(word, lang) >= MIN_ZIPF and _WORD.fullmatch(word)]
    proper = proper_nouns(words, lang)
    rows: dict[str, tuple[float, bool]] = {}
    for word in words:
        zipf = zipf_frequency(word, lang)
        folded = fold(word)
        is_proper = word in proper
        known = rows.get(folded)
        if known is None:
            rows[folded] = (zipf, is_proper)
        else:
            rows[folded] = (max(known[0], zipf), known[1] and is_proper)
    language = {"da": "Danish", "en": "English"}[lang]
    lines = [HEADER.format(language=language, lang=lang, floor=MIN_ZIPF, dictionary=DICTIONARY_NAMES[lang])]
    for folded, (zipf, proper) in sorted(rows.items(), key=lambda row: (-row[1][0], row[0])):
        lines.append(f"{folded}\t{zipf:.1f}" + ("\tP" if proper else "") + "\n")
    (WORDS_DIR / f"wordfreq_{lang}.txt").write_text("".join(lines), encoding="utf-8")
    return len(rows)


KNOWN_STEMS_HEADER = """# Snowball stems (folded) of every word form of the Danish spelling dictionary: Debian's hunspell-da
# (Stavekontrolden/DSDO, Foreningen for frit tilgængelige sprogværktøjer; LGPL-2.1 or GPL-2 or MPL-1.1),
# its forms expanded with hunspell's unmunch. Generated by tools/build_word_lists.py; do not edit.
"""


def write_known_stems() -> int:
    import gzip

    import snowballstemmer

    stemmer = snowballstemmer.stemmer("danish")
    expanded = subprocess.run(
        ["unmunch", "/usr/share/hunspell/da_DK.dic", "/usr/share/hunspell/da_DK.aff"], capture_output=True,
        check=True,
    ).stdout
    stems: set[str] = set()
    for raw in expanded.splitlines():
        try:
            word = raw.decode("utf-8").split("/", 1)[0].strip()
        except UnicodeDecodeError:  # a handful of broken lines in unmunch's output
            continue
        if len(word) >= 3 and _WORD.fullmatch(word) and word[0].islower():
            stems.add(fold(stemmer.stemWord(word)))
    text = KNOWN_STEMS_HEADER + "".join(f"{stem}\n" for stem in sorted(stems))
    # mtime=0: the same list gives the same bytes, so regenerating changes nothing in git.
    (WORDS_DIR / "da_known_stems.txt.gz").write_bytes(gzip.compress(text.encode("utf-8"), 9, mtime=0))
    return len(stems)


def hunspell_stems(words: list[str], lang: str) -> dict[str, set[str]]:
    """Base forms of each word by hunspell's stemmer (`hunspell -s`)."""
    result = subprocess.run(
        ["hunspell", "-d", HUNSPELL_NAMES[lang], "-s"], input="\n".join(words), capture_output=True,
        text=True, check=True,
    )
    stems: dict[str, set[str]] = defaultdict(set)
    for line in result.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2:
            stems[parts[0]].add(parts[1].lower())
    return stems


def homonym_candidates(lang: str) -> None:
    """Print groups of words sharing a Snowball stem whose dictionary base forms differ, limited to
    stems the library uses (a general word can only be misread as a library word there)."""
    import snowballstemmer
    from wordfreq import top_n_list, zipf_frequency

    from advisory.library import load_bundled_entries
    from advisory.library.analysis import tokens

    stemmer = snowballstemmer.stemmer({"da": "danish", "en": "english"}[lang])
    library_words: set[str] = set()
    for entry in load_bundled_entries():
        text = entry.text(lang)
        for piece in (text.title, text.short_answer, text.detail, *text.tags, *text.questions):
            library_words.update(token.original for token in tokens(piece) if "-" not in token.original)
    general = [word for word in top_n_list(lang, 10**6) if zipf_frequency(word, lang) >= MIN_ZIPF
               and _WORD.fullmatch(word)]
    words = sorted(library_words | set(general))
    base_forms = hunspell_stems(words, lang)
    by_stem: dict[str, set[str]] = defaultdict(set)
    for word in words:
        by_stem[stemmer.stemWord(word)].add(word)
    for stem, group in sorted(by_stem.items()):
        if not group & library_words or len(group) < 2:
            continue
        lemmas = {word: base_forms.get(word, {word}) for word in group}
        # Words with one base form make the clusters (forms of one word); a word the dictionary reads
        # two ways ("ryg": the back, or "smoke!") joins every cluster it touches but bridges none.
        clusters: list[tuple[set[str], set[str]]] = []
        for word, forms in sorted(lemmas.items(), key=lambda item: len(item[1])):
            touched = [cluster for cluster in clusters if cluster[1] & forms]
            if len(forms) == 1 and not touched:
                clusters.append(({word}, set(forms)))
            elif touched:
                for members, _ in touched:
                    members.add(word)
            else:
                clusters.append(({word}, set(forms)))
        if len(clusters) < 2:
            continue
        described = " | ".join(
            ",".join(
                f"{word}{'*' if word in library_words else ''}({zipf_frequency(word, lang):.1f})"
                for word in sorted(members)
            ) + f" <{'/'.join(sorted(bases))}>"
            for members, bases in clusters
        )
        print(f"{stem}\t{described}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--homonym-candidates", choices=("da", "en"), help="print stem merges for review")
    arguments = parser.parse_args()
    if arguments.homonym_candidates:
        homonym_candidates(arguments.homonym_candidates)
        return
    for lang in ("da", "en"):
        print(lang, write_frequency_list(lang), "words")
    print("da", write_known_stems(), "known stems")


if __name__ == "__main__":
    main()
