"""Fit the library search's confidence model (advisory/library/confidence.py) on the tuned sets.

One row per group of leading hits (the first, the first two, the first three; see
confidence.hit_features) of every question of the tuned sets, labelled by whether every hit of the group
answers the question. Never the held-out set: this script does not know its file.

1. Leave-one-set-out cross-validation: each tuned set's rows are predicted by a model fitted on the other
   tuned sets only. These out-of-fold probabilities estimate how the model does on unseen questions.
2. The thresholds (CONFIDENT_P, POSSIBLE_P) are chosen on the pooled out-of-fold probabilities, for each
   L2 penalty of confidence.L2_CANDIDATES; the penalty with the best cross-validated objective is kept.
3. The stored model is fitted on all tuned rows with that penalty.

Run: .venv/bin/python tools/fit_confidence.py     prints the figures to paste into confidence.py (between
     its "fitted model" markers), and the cross-validated figures per tuned set as JSON on stderr.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from advisory.library import Library  # noqa: E402
from advisory.library.confidence import (  # noqa: E402
    FEATURES,
    L2_CANDIDATES,
    RANKED,
    Model,
    Question,
    Thresholds,
    choose_thresholds,
    fit_logistic,
    hit_bands,
)

EVAL_DIR = ROOT / "tests" / "advisory"
# The tuned sets (their figures measure the tuning). search_eval_dev2.yaml joins when it exists.
TUNED_SETS = {
    "old": EVAL_DIR / "search_eval.yaml",
    "long_tail": EVAL_DIR / "search_eval_long_tail.yaml",
    "dev": EVAL_DIR / "search_eval_dev.yaml",
    "dev2": EVAL_DIR / "search_eval_dev2.yaml",
}
DECIMALS = 4


def tuned_sets() -> dict[str, Path]:
    return {name: path for name, path in TUNED_SETS.items() if path.exists()}


@dataclass(frozen=True)
class Rows:
    """A tuned set's groups of leading hits: features (one row per group), labels (every hit of the
    group answers the question), each question's row span, and whether each of its ranked hits answers."""

    features: np.ndarray
    labels: np.ndarray
    spans: list[tuple[int, int, bool]]  # (first row, end row, answerable)
    rights: list[tuple[bool, ...]]


def collect(library: Library, path: Path) -> Rows:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    slugs = {entry.slug for entry in library.entries}
    features: list[tuple[float, ...]] = []
    labels: list[bool] = []
    spans: list[tuple[int, int, bool]] = []
    rights: list[tuple[bool, ...]] = []
    for item in data.get("queries", []) + data.get("no_answer", []):
        expected = item.get("expected", [])
        expected = {expected} if isinstance(expected, str) else set(expected)
        covered = expected & slugs
        hits = library.search(item["query"], lang=item["lang"], limit=RANKED)
        start = len(features)
        answers = tuple(hit.entry.slug in covered for hit in hits)
        for position, hit in enumerate(hits):
            if hit.features:
                features.append(hit.features)
                labels.append(all(answers[: position + 1]))
        spans.append((start, len(features), bool(covered)))
        rights.append(answers)
    return Rows(np.array(features, dtype=np.float64).reshape(-1, len(FEATURES)), np.array(labels, dtype=bool), spans,
                rights)


def questions(rows: Rows, probabilities: np.ndarray) -> list[Question]:
    return [Question(tuple(probabilities[start:end].tolist()), answers, answerable)
            for (start, end, answerable), answers in zip(rows.spans, rows.rights, strict=True)]


def figures(items: list[Question], thresholds: Thresholds) -> dict[str, object]:
    """answered@1, answered@3, wrong-confident, honest no-answer and the outcome counts of questions
    banded at `thresholds` (as bench/search.py counts them)."""
    answerable = [item for item in items if item.answerable]
    unanswerable = [item for item in items if not item.answerable]
    outcomes = {"confident": 0, "possible": 0, "none": 0}
    first_right = confident_right = wrong = honest = 0
    for item in items:
        bands = hit_bands(item.probabilities, len(item.rights), thresholds.confident_p, thresholds.possible_p)
        shown = [right for band, right in zip(bands, item.rights, strict=True) if band == "confident"]
        outcome = "confident" if shown else "possible" if bands and bands[0] == "possible" else "none"
        outcomes[outcome] += 1
        wrong += not all(shown)
        if item.answerable:
            first_right += bool(shown) and item.rights[0]
            confident_right += any(shown)
        else:
            honest += not shown

    def share(count: int, total: int) -> float | None:
        return round(count / total, 3) if total else None

    return {
        "questions": len(items),
        "answered_at_1": share(first_right, len(answerable)),
        "answered_at_3": share(confident_right, len(answerable)),
        "wrong_confident": share(wrong, len(items)),
        "honest_no_answer": share(honest, len(unanswerable)),
        "outcomes": outcomes,
    }


@dataclass(frozen=True)
class Fit:
    model: Model
    l2: float
    thresholds: Thresholds
    cross_validated: dict[str, dict[str, object]]  # per tuned set, from the out-of-fold probabilities


def cross_validate(sets: dict[str, Rows], l2: float) -> dict[str, list[Question]]:
    """Each tuned set's questions with probabilities from a model fitted on the other tuned sets."""
    out_of_fold: dict[str, list[Question]] = {}
    for name, rows in sets.items():
        others = [other for other_name, other in sets.items() if other_name != name]
        model = fit_logistic(np.vstack([other.features for other in others]),
                             np.concatenate([other.labels for other in others]), l2)
        out_of_fold[name] = questions(rows, model.probabilities(rows.features))
    return out_of_fold


def derive(library: Library | None = None) -> Fit:
    """The model, its L2 penalty and thresholds, and the cross-validated figures (see the docstring)."""
    library = library or Library.bundled()
    sets = {name: collect(library, path) for name, path in tuned_sets().items()}
    best: tuple[float, float, dict[str, list[Question]], Thresholds] | None = None
    for l2 in L2_CANDIDATES:  # the penalty whose cross-validated objective is best (ties: the smaller)
        out_of_fold = cross_validate(sets, l2)
        thresholds = choose_thresholds([item for items in out_of_fold.values() for item in items])
        if best is None or thresholds.objective > best[0]:
            best = (thresholds.objective, l2, out_of_fold, thresholds)
    assert best is not None
    _, l2, out_of_fold, thresholds = best
    model = fit_logistic(np.vstack([rows.features for rows in sets.values()]),
                         np.concatenate([rows.labels for rows in sets.values()]), l2)
    cross_validated = {name: figures(items, thresholds) for name, items in out_of_fold.items()}
    cross_validated["all"] = figures([item for items in out_of_fold.values() for item in items], thresholds)
    return Fit(model, l2, thresholds, cross_validated)


def rounded(values: np.ndarray) -> tuple[float, ...]:
    return tuple(round(float(value), DECIMALS) for value in values)


def as_code(fit: Fit) -> str:
    def row(name: str, values: tuple[float, ...]) -> str:
        return f"{name} = (" + ", ".join(repr(value) for value in values) + ",)"

    return "\n".join([
        row("MEAN", rounded(fit.model.mean)),
        row("SCALE", rounded(fit.model.scale)),
        row("COEF", rounded(fit.model.coef)),
        f"INTERCEPT = {round(fit.model.intercept, DECIMALS)!r}",
        f"L2 = {fit.l2!r}",
        f"CONFIDENT_P = {fit.thresholds.confident_p!r}",
        f"POSSIBLE_P = {fit.thresholds.possible_p!r}",
    ])


def main() -> None:
    fit = derive()
    print(as_code(fit))
    print(json.dumps({
        "features": dict(zip(FEATURES, rounded(fit.model.coef), strict=True)),
        "l2": fit.l2,
        "thresholds": {"confident_p": fit.thresholds.confident_p, "possible_p": fit.thresholds.possible_p,
                       "objective": fit.thresholds.objective, "right_confident": fit.thresholds.right_confident,
                       "wrong_confident": fit.thresholds.wrong_confident},
        "cross_validated": fit.cross_validated,
    }, indent=1), file=sys.stderr)


if __name__ == "__main__":
    main()
