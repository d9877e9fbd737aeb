"""Questions the library could not answer, grouped for the supervisors' content work.

A question is one logged search without a confident answer (stored by db/repositories/unanswered.py,
personal data already stripped). Questions are grouped by what the search reads in them: the same
analysed words ("Må jeg stå på ski?", "maa jeg staa paa ski") fall into one group, and groups whose
words are nearly the same (rapidfuzz token-sort similarity, for the typo the analyzer cannot mend, as
"skii") are merged. A group whose wording now gets a confident answer is left out: the search is run
again when the groups are made, so a group disappears as soon as an entry answers it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from rapidfuzz import fuzz

from advisory.library.search import Library

# Two groups whose analysed words are at least this similar (0-100) are one question.
MERGE_SIMILARITY = 90


@dataclass(frozen=True)
class Question:
    query: str
    lang: str
    searched_at: datetime
    picked_slug: str | None = None


@dataclass
class QuestionGroup:
    lang: str
    signature: tuple[str, ...]
    questions: list[Question] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.questions)

    @property
    def query(self) -> str:
        """The wording asked most often (the latest of equally frequent ones): the group's name."""
        counts = Counter(question.query for question in self.questions)
        latest = {question.query: question.searched_at for question in self.questions}
        return max(counts, key=lambda query: (counts[query], latest[query]))

    @property
    def wordings(self) -> list[str]:
        """Every wording in the group, most frequent first."""
        return [query for query, _ in Counter(question.query for question in self.questions).most_common()]

    @property
    def last_searched(self) -> datetime:
        return max(question.searched_at for question in self.questions)

    @property
    def picked(self) -> Counter[str]:
        """The entries advisors opened for the call anyway, with how often."""
        return Counter(question.picked_slug for question in self.questions if question.picked_slug)


def group_questions(questions: Iterable[Question], library: Library) -> list[QuestionGroup]:
    """The questions in groups of similar wording, most asked first, without the groups the library
    now answers confidently."""
    groups: dict[tuple[str, tuple[str, ...]], QuestionGroup] = {}
    for question in questions:
        signature = library.query_signature(question.query, question.lang)
        key = (question.lang, signature)
        groups.setdefault(key, QuestionGroup(question.lang, signature)).questions.append(question)
    merged: list[QuestionGroup] = []
    for group in sorted(groups.values(), key=lambda group: -group.count):
        similar = next(
            (
                kept for kept in merged
                if kept.lang == group.lang
                and fuzz.token_sort_ratio(" ".join(kept.signature), " ".join(group.signature)) >= MERGE_SIMILARITY
            ),
            None,
        )
        if similar is None:
            merged.append(group)
        else:
            similar.questions.extend(group.questions)
    unanswered = [group for group in merged if not _answered(library, group)]
    return sorted(unanswered, key=lambda group: (-group.count, -group.last_searched.timestamp()))


def _answered(library: Library, group: QuestionGroup) -> bool:
    hits = library.search(group.query, lang=group.lang, limit=1)
    return bool(hits) and hits[0].confident
