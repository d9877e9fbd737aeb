"""How the library search's confidence threshold is derived from the evaluation sets.

Every evaluation query gives one point: the confidence of the search's first hit (0 when nothing is
found) and whether that hit is the right answer (the expected entry; never for a question the library
cannot answer). The threshold is the figure that best separates right first hits from wrong or missing
ones: the confidence interval in which "confident" agrees with "right" for the most queries, and its
midpoint, so it sits as far as the data allows from the nearest query on either side.

`bench/search.py` prints the derivation; `advisory.library.CONFIDENCE_THRESHOLD` holds its figure and
tests/advisory/test_library_search.py checks that the figure still lies in the best interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Point:
    confidence: float  # of the first hit; 0 when the search found nothing
    right: bool  # the first hit is the expected entry


@dataclass(frozen=True)
class ThresholdDerivation:
    threshold: float  # the midpoint of the best interval, rounded to two decimals
    low: float  # the best interval: any threshold above `low` and up to `high` separates as well
    high: float
    accuracy: float  # share of queries where "confident" agrees with "right"
    right_confident: float  # share of right first hits at or above the threshold
    wrong_below: float  # share of wrong or missing first hits below it


def _accuracy(points: Sequence[Point], threshold: float) -> float:
    return sum((point.confidence >= threshold) == point.right for point in points) / len(points)


def derive_threshold(points: Sequence[Point]) -> ThresholdDerivation:
    """The threshold that best separates right first hits from the rest (see the module docstring).

    Candidates are the gaps between neighbouring distinct confidences, 0 and 1 included (a threshold
    inside a gap classifies every query the same way wherever it sits). Of the gaps with the highest
    accuracy the widest wins, as a maximum-margin classifier would choose.
    """
    if not points:
        raise ValueError("no evaluation points")
    values = sorted({0.0, 1.0, *(point.confidence for point in points)})
    gaps = [(low, high) for low, high in zip(values, values[1:], strict=False)]
    scored = [(_accuracy(points, (low + high) / 2), high - low, low, high) for low, high in gaps]
    accuracy, _, low, high = max(scored)
    threshold = round((low + high) / 2, 2)
    if not low < threshold <= high:  # a gap narrower than the rounding
        threshold = (low + high) / 2
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
