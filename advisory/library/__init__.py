"""The myth/FAQ library: entries (entries.py), text analysis (analysis.py), the index and its ranking
(index.py), the kept general-language word lists (words.py), snippets (snippets.py), the search
(search.py) and its three outcomes, decided by a small fitted model (confidence.py); for the supervisors' unanswered questions, query_privacy.py strips personal data and
unanswered.py groups similar questions.

Search is built for an advisor typing while a member talks: Danish or English, typos, ASCII spellings of
æ/ø/å, compounds written apart, and the member's own words for things.
"""

from advisory.library.confidence import CONFIDENT_P, MAX_CONFIDENT, POSSIBLE_P
from advisory.library.entries import (
    KINDS,
    MEMBER_QUESTIONS_MAX,
    MEMBER_QUESTIONS_MIN,
    SHORT_ANSWER_MAX_WORDS,
    SLUG_PATTERN,
    SYNONYMS_FILE,
    THEMES,
    EntryText,
    LibraryEntry,
    Synonyms,
    describe,
    load_bundled_entries,
    load_entries,
    load_synonyms,
)
from advisory.library.index import WordMatch
from advisory.library.search import Library, SearchHit

__all__ = [
    "CONFIDENT_P", "KINDS", "MAX_CONFIDENT", "MEMBER_QUESTIONS_MAX", "MEMBER_QUESTIONS_MIN", "POSSIBLE_P", "SHORT_ANSWER_MAX_WORDS", "SLUG_PATTERN", "SYNONYMS_FILE", "THEMES",
    "EntryText", "Library", "LibraryEntry", "SearchHit", "Synonyms", "describe", "load_bundled_entries",
    "load_entries", "load_synonyms", "WordMatch",
]
