"""The held-out search set stays a fair measure: no member question in the library copies one of its
queries (issue 21, "Honest measurement").

The member questions are matched as a field of their own, so a member question that is (nearly) a held-out
query would turn that query into a tuned one. On 5 December 2026, after the member questions were first
merged, 15 of 1,291 were found at a similarity of 85 or more to a held-out query (short canonical questions
such as "Gør knogleskørhed ondt?"); they were deleted, not reworded, so that nothing was written with the
held-out wording in view. This test keeps new content from doing the same.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rapidfuzz import fuzz

from advisory.library import load_bundled_entries

HELDOUT = Path(__file__).with_name("search_eval_heldout.yaml")
# token_sort_ratio: the same words in any order; 85 still lets two questions share a topic and most
# of their words ("Er svømning godt for knoglerne?" / "er stavgang godt for knoglerne" score 84).
TOO_CLOSE = 85


def _near_copies() -> list[tuple[str, str, str, str]]:
    queries = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))["queries"]
    found = []
    for entry in load_bundled_entries():
        for lang in ("da", "en"):
            for question in entry.text(lang).questions:
                for query in queries:
                    if query["lang"] == lang and fuzz.token_sort_ratio(
                            query["query"].casefold(), question.casefold()) >= TOO_CLOSE:
                        found.append((entry.slug, lang, question, query["id"]))
    return found


def test_no_member_question_copies_a_heldout_query() -> None:
    assert _near_copies() == []


@pytest.mark.parametrize("copy", ["Gør knogleskørhed ondt?", "gør knogleskørhed ondt"])
def test_the_check_finds_a_copied_question(monkeypatch: pytest.MonkeyPatch, copy: str) -> None:
    entries = load_bundled_entries()
    target = next(entry for entry in entries if entry.slug == "myth-osteoporosis-hurts")
    copied = target.model_copy(update={"da": target.da.model_copy(update={"questions": [*target.da.questions, copy]})})
    monkeypatch.setattr(
        "tests.advisory.test_heldout_untouched_by_content.load_bundled_entries",
        lambda: [copied if entry.slug == copied.slug else entry for entry in entries],
    )
    assert any(found[2] == copy for found in _near_copies())
