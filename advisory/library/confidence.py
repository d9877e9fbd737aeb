"""The three outcomes of a library search and how their thresholds are derived from the tuned sets.

A search ends in one of three outcomes (issue 21):
- **confident**: the first entry, or the first few (at most MAX_CONFIDENT), each answer the question (its
  confidence, the share of the question it answers, is at least CONFIDENT_AT) and stand clearly ahead
  of the next entry: the next one's ranking score is at most 1 - CLEAR_GAP of theirs; those hits carry
  the band "confident";
- **possible** ("muligvis relevant"): the first hit answers at least POSSIBLE_AT of the question, but
  none answers confidently, or more entries than MAX_CONFIDENT are close, or the answers are not
  clearly ahead of the next entry;
- **none**: no entry answers enough ("Ingen sikre svar").
Hits that are not confident are "possible" when they answer at least POSSIBLE_AT, else "weak".

The thresholds are derived, not chosen by hand. `bench/search.py` collects one point per question of the
tuned sets (search_eval.yaml, search_eval_long_tail.yaml, search_eval_dev.yaml; never the held-out set):
the confidences of the first hits and which of them are right answers (none for a question the library
cannot answer). `derive_bands` then picks the number of confident hits, the clear gap and the confident
threshold that maximise questions with a right confident answer minus WRONG_COST times questions with a
wrong one: a wrong confident answer misleads the advisor, a hidden right one only costs a look at
"muligvis relevant", so one wrong answer weighs as much as WRONG_COST hidden ones. The threshold is taken
on a grid of 0.01 where that objective, averaged over the neighbouring thresholds (0.03 either side),
is best: a threshold on a knife's edge, which one more question would move, is not taken. POSSIBLE_AT is the threshold that best separates right first hits from
the rest regardless of cost (the earlier single threshold's derivation, `derive_threshold`). A test
checks that the figures in code are the derived ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

Band = Literal["confident", "possible", "weak"]
Outcome = Literal["confident", "possible", "none"]

# Derived by bench/search.py from the tuned sets (see the module docstring); re-run it after changing
# content or analysis and take its `bands` figures.
CONFIDENT_AT = 0.73
CLEAR_GAP = 0.1
MAX_CONFIDENT = 1
POSSIBLE_AT = 0.69675
WRONG_COST = 4.0
GAP_CANDIDATES = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4)
MAX_CONFIDENT_CANDIDATES = (1, 2, 3)


def lead(scores: Sequence[float], size: int) -> float:
    """How far the first `size` hits stand above the next one: 1 - next score / the last one's score
    (1 when nothing follows). Ranking scores, not confidences, decide it: two entries can both hold
    every word of a question, and the ranking still knows which holds them in its title."""
    if size >= len(scores) or scores[size - 1] <= 0:
        return 1.0
    return 1.0 - scores[size] / scores[size - 1]


def hit_bands(confidences: Sequence[float], scores: Sequence[float], confident_at: float = CONFIDENT_AT,
              clear_gap: float = CLEAR_GAP, max_confident: int = MAX_CONFIDENT,
              possible_at: float = POSSIBLE_AT) -> list[Band]:
    """Each ranked hit's band from the hits' confidences and ranking scores in rank order (see the
    module docstring): the confident answers are the largest leading group of at most `max_confident`
    hits that each answer (at least `confident_at`) and lead the next hit by at least `clear_gap`. Pass
    at least max_confident + 1 hits when there are that many."""
    answering = 0
    while answering < len(confidences) and confidences[answering] >= confident_at:
        answering += 1
    confident = 0
    for size in range(min(answering, max_confident), 0, -1):
        if lead(scores, size) >= clear_gap:
            confident = size
            break
    return [
        "confident" if rank < confident else "possible" if value >= possible_at else "weak"
        for rank, value in enumerate(confidences)
    ]


def outcome(confidences: Sequence[float], scores: Sequence[float], **thresholds: float) -> Outcome:
    """The search's outcome: confident, possible ("muligvis relevant") or none."""
    found = hit_bands(confidences, scores, **thresholds)  # type: ignore[arg-type]
    if found and found[0] == "confident":
        return "confident"
    if found and found[0] == "possible":
        return "possible"
    return "none"


@dataclass(frozen=True)
class Point:
    confidence: float  # of the first hit; 0 when the search found nothing
    right: bool  # the first hit is a right answer
    # The first hits' confidences, ranking scores and whether each is a right answer (for the bands;
    # the first is `confidence` and `right`). Empty: only the first hit is known.
    confidences: tuple[float, ...] = ()
    rights: tuple[bool, ...] = ()
    scores: tuple[float, ...] = ()

    def ranked(self) -> tuple[tuple[float, ...], tuple[bool, ...], tuple[float, ...]]:
        if self.confidences:
            return self.confidences, self.rights, self.scores or tuple(1.0 for _ in self.confidences)
        return (self.confidence,), (self.right,), (1.0,)


@dataclass(frozen=True)
class ThresholdDerivation:
    threshold: float  # the midpoint of the best interval, rounded to two decimals
    low: float  # the best interval: any threshold above `low` and up to `high` separates as well
    high: float
    accuracy: float  # share of queries where "confident" agrees with "right"
    right_confident: float  # share of right first hits at or above the threshold
    wrong_below: float  # share of wrong or missing first hits below it


@dataclass(frozen=True)
class BandDerivation:
    confident_at: float  # on the grid of THRESHOLD_STEP
    objective: float  # right - WRONG_COST x wrong, averaged over the threshold's neighbourhood
    clear_gap: float
    max_confident: int
    right_confident: int  # questions with a right confident answer at these figures
    wrong_confident: int  # questions with a wrong confident answer
    possible_at: ThresholdDerivation


def _midpoint(low: float, high: float) -> float:
    threshold = round((low + high) / 2, 2)
    if not low < threshold <= high:  # a gap narrower than the rounding
        threshold = (low + high) / 2
    return threshold


def _accuracy(points: Sequence[Point], threshold: float) -> float:
    return sum((point.confidence >= threshold) == point.right for point in points) / len(points)


def derive_threshold(points: Sequence[Point]) -> ThresholdDerivation:
    """The single threshold that best separates right first hits from the rest (most points where
    "at or above the threshold" agrees with "right"); of equally good gaps the widest wins.

    Candidates are the gaps between neighbouring distinct confidences, 0 and 1 included (a threshold
    inside a gap classifies every query the same way wherever it sits).
    """
    if not points:
        raise ValueError("no evaluation points")
    values = sorted({0.0, 1.0, *(point.confidence for point in points)})
    gaps = [(low, high) for low, high in zip(values, values[1:], strict=False)]
    scored = [(_accuracy(points, (low + high) / 2), high - low, low, high) for low, high in gaps]
    accuracy, _, low, high = max(scored)
    threshold = _midpoint(low, high)
    right = [point for point in points if point.right]
    wrong = [point for point in points if not point.right]
    return ThresholdDerivation(
        threshold=threshold,
        low=low,
        high=high,
        accuracy=accuracy,
        right_confident=sum(point.confidence >= threshold for point in right) / len(right) if right else 0.0,
        wrong_below=sum(point.confidence < threshold for point in wrong) / len(wrong) if wrong else 0.0,
    )


def _matrix(points: Sequence[Point]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The points' ranked confidences, rightness and leads (see `lead`, per number of leading hits)
    as arrays, padded with 0 / False."""
    width = max(len(point.ranked()[0]) for point in points) + 1
    confidences = np.zeros((len(points), width))
    rights = np.zeros((len(points), width), dtype=bool)
    leads = np.zeros((len(points), width))
    for row, point in enumerate(points):
        values, right, scores = point.ranked()
        confidences[row, : len(values)] = values
        rights[row, : len(right)] = right
        for size in range(1, len(values) + 1):
            leads[row, size - 1] = lead(scores, size)
    return confidences, rights, leads


def _tally(matrix: tuple[np.ndarray, np.ndarray, np.ndarray], confident_at: float, clear_gap: float,
           max_confident: int) -> tuple[int, int]:
    """Questions with a right confident answer, and with a wrong one (as `hit_bands` decides)."""
    confidences, rights, leads = matrix
    answering = np.cumprod(confidences >= confident_at, axis=1).sum(axis=1)
    confident = np.zeros(len(confidences), dtype=np.int64)
    for size in range(1, max_confident + 1):
        confident = np.where((answering >= size) & (leads[:, size - 1] >= clear_gap), size, confident)
    shown = np.arange(confidences.shape[1])[None, :] < confident[:, None]
    right = (rights & shown).any(axis=1)
    wrong = (~rights & shown).any(axis=1)
    return int(right.sum()), int(wrong.sum())


THRESHOLD_STEP = 0.01
SMOOTHING = 3  # steps either side


def _best_threshold(matrix: tuple[np.ndarray, np.ndarray, np.ndarray], gap: float,
                    max_confident: int) -> tuple[float, float, int, int]:
    """For one clear gap and number of confident hits: the confident threshold (on a grid of
    THRESHOLD_STEP) whose neighbourhood scores best, that smoothed objective, and the right and wrong
    counts at the threshold. Averaging over SMOOTHING steps either side keeps the threshold off a
    knife's edge that a single question would move."""
    grid = np.round(np.arange(0.3, 1.0 + THRESHOLD_STEP / 2, THRESHOLD_STEP), 2)
    tallies = [_tally(matrix, float(threshold), gap, max_confident) for threshold in grid]
    objective = np.array([right - WRONG_COST * wrong for right, wrong in tallies])
    padded = np.pad(objective, SMOOTHING, mode="edge")
    smoothed = np.convolve(padded, np.ones(2 * SMOOTHING + 1) / (2 * SMOOTHING + 1), mode="valid")
    best = int(np.argmax(smoothed))  # the lowest of equally good thresholds
    right, wrong = tallies[best]
    return float(grid[best]), float(smoothed[best]), right, wrong


def derive_bands(points: Sequence[Point]) -> BandDerivation:
    """The number of confident hits, the clear gap and the confident threshold that maximise right
    minus WRONG_COST x wrong confident answers over the tuned sets (see the module docstring); ties go
    to fewer confident hits and the smaller gap."""
    if not points:
        raise ValueError("no evaluation points")
    matrix = _matrix(points)
    results = []
    for max_confident in MAX_CONFIDENT_CANDIDATES:
        for gap in GAP_CANDIDATES:
            threshold, smoothed, right, wrong = _best_threshold(matrix, gap, max_confident)
            results.append((smoothed, -max_confident, -gap, threshold, right, wrong))
    smoothed, max_confident, gap, threshold, right, wrong = max(results)
    return BandDerivation(
        confident_at=threshold,
        objective=round(smoothed, 2),
        clear_gap=-gap,
        max_confident=-max_confident,
        right_confident=right,
        wrong_confident=wrong,
        possible_at=derive_threshold(points),
    )
