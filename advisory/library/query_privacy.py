"""Personal data out of search queries before they are stored for content work.

Advisors type what members say, and members say who they are: "min mor Inge på 88", a phone number
to ring back, an e-mail, a CPR number. The unanswered-query log keeps only what the question is
about, so `strip_personal_data` removes, in this order:

- e-mail addresses, CPR-like numbers (ddmmyy-xxxx, ten digits), dates, phone numbers (eight digits,
  grouped or not, with or without +45), member numbers after their keyword, and any run of six or
  more digits; short numbers stay ("5 kilo", "88 år", "1813", "112", "-2,5");
- names: common Danish first names; any word after "hedder"/"named"/"called"; a first name or a
  capitalised word after a relation word ("min mor Inge", "my husband John"); and any capitalised
  word that is not the first of a sentence and that the library does not know (`is_known_word`:
  "Alendronat" and "Region Hovedstaden" stay, "Nørregade" goes). First names that are also everyday
  words ("bo", "per", "hans", "tage", ...) go only after a relation word or capitalised mid-sentence.

The result is normalised: one space between words, lower case, at most `MAX_LENGTH` characters.
Stripping errs on the side of removing too much: a lost word costs a little content insight, a kept
name costs a member's privacy.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache

from advisory.content import CONTENT_DIR
from advisory.library.analysis import fold

MAX_LENGTH = 200
FIRST_NAMES_FILE = CONTENT_DIR / "first_names.txt"
# First names that are also everyday words (Danish or English).
AMBIGUOUS_NAMES = frozenset(
    fold(name) for name in
    "bo per else ask tom max rene sus tage hans bent sten stig frank lone dan jan lilly karl kate".split()
)
RELATION_WORDS = frozenset(fold(word) for word in """
    mor far mand kone hustru søster bror broder datter søn svigermor svigerfar svigerdatter svigersøn
    mormor morfar farmor farfar moster faster morbror farbror onkel tante ven veninde nabo kæreste
    barnebarn mother mum mom mummy father dad daddy husband wife sister brother daughter son friend
    neighbour neighbor partner grandmother grandfather granny grandma grandpa aunt uncle
""".split())
NAMING_WORDS = frozenset({"hedder", "kaldet", "named", "called"})

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_CPR = re.compile(r"(?<!\d)\d{6}[ \t]?-?[ \t]?\d{4}(?!\d)")
_DATE = re.compile(r"(?<!\d)\d{1,2}[./-]\d{1,2}[./-]\d{2,4}(?!\d)")
_PHONE = re.compile(r"(?<![\d\w])(?:(?:\+|00)\s?45[\s-]?)?(?:\d[\s-]?){7}\d(?!\d)")
_MEMBER_NUMBER = re.compile(
    r"\b(medlems?nummer|medlemsnr\.?|medlem nr\.?|member(?:ship)? (?:number|no\.?))\s*:?\s*\d+",
    re.IGNORECASE,
)
_LONG_NUMBER = re.compile(r"(?<!\d)\d{6,}(?!\d)")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?:;\n]\s*$")


@cache
def known_first_names() -> frozenset[str]:
    lines = FIRST_NAMES_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(fold(line.strip()) for line in lines if line.strip() and not line.startswith("#"))


def _strip_numbers(text: str) -> str:
    text = _EMAIL.sub(" ", text)
    text = _CPR.sub(" ", text)
    text = _DATE.sub(" ", text)
    text = _MEMBER_NUMBER.sub(lambda match: match.group(1), text)
    text = _PHONE.sub(" ", text)
    return _LONG_NUMBER.sub(" ", text)


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper()


def _name_key(word: str) -> str:
    """The folded word without a possessive ending ("Inges", "Jane's" -> "inge", "jane")."""
    folded = fold(word)
    for ending in ("'s", "’s"):
        if folded.endswith(ending):
            return folded[: -len(ending)]
    return folded


def _strip_names(text: str, is_known_word: Callable[[str], bool]) -> str:
    names = known_first_names()
    kept: list[str] = []
    cursor = 0
    previous = ""  # the folded word before, for relation and naming words
    for match in _WORD.finditer(text):
        word, start = match.group(), match.start()
        sentence_start = not text[:start].strip() or bool(_SENTENCE_END.search(text[:start]))
        key = _name_key(word)
        if key not in names and key.endswith("s") and key[:-1] in names:
            key = key[:-1]  # Danish genitive: "Inges ryg"
        after_relation = previous in RELATION_WORDS
        capitalised_inside = _is_capitalised(word) and not sentence_start
        drop = (
            previous in NAMING_WORDS
            or (key in names and (key not in AMBIGUOUS_NAMES or after_relation or capitalised_inside))
            or (capitalised_inside and not is_known_word(word))
        )
        kept.append(text[cursor:start])
        if not drop:
            kept.append(word)
        cursor = match.end()
        previous = fold(word)
    kept.append(text[cursor:])
    return "".join(kept)


def strip_personal_data(text: str, *, is_known_word: Callable[[str], bool] | None = None) -> str:
    """`text` without names, phone numbers, e-mail addresses, CPR-like and other long numbers, in
    lower case with single spaces; "" when nothing is left. See the module docstring for the rules."""
    text = unicodedata.normalize("NFC", text)
    text = _strip_numbers(text)
    text = _strip_names(text, is_known_word or (lambda word: False))
    text = re.sub(r"\s+([,.!?;:])", r"\1", " ".join(text.split()))
    text = re.sub(r"^[\s,.;:–-]+", "", text)
    return text.casefold()[:MAX_LENGTH].strip()
