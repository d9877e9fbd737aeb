"""Fit the library search's confidence model (advisory/library/confidence.py) on the tuned sets.

One row per group of leading hits (the first, the first two, the first three; see
confidence.hit_features) of every question of the tuned sets, labelled by whether every hit of the group
answers the question (labelling "every") or at least one does ("some", the issue's reading; see
confidence.LABELLING). Never the held-out set: this script does not know its file.

1. Leave-one-set-out cross-validation: each tuned set's rows are predicted by a model fitted on the other
   tuned sets only. These out-of-fold probabilities estimate how the model does on unseen questions.
2. The thresholds (CONFIDENT_P, POSSIBLE_P) are chosen on the pooled out-of-fold probabilities, for each
   L2 penalty of confidence.L2_CANDIDATES; the penalty with the best cross-validated objective is kept
   (the strongest one within OBJECTIVE_TIE of the best: a smaller gain is noise).
3. The stored model is fitted on all tuned rows with that penalty.

Run: .venv/bin/python tools/fit_confidence.py     prints the figures to paste into confidence.py (between
     its "fitted model" markers), and the cross-validated figures per tuned set as JSON on stderr.
     --labelling every|some   fit on that label (default: the one in confidence.py);
     --compare                 the cross-validated figures of both labellings side by side (stderr).

The figures in both readings (`figures`):
- per hit (the strict reading, the old keys): answered_at_1, answered_at_3 (a right entry among the
  confident hits), wrong_confident (a confident hit that does not answer; one wrong hit among right
  ones counts), answered_every_right (confident, and every confident hit right);
- per question (the issue's reading): answered_at_3_per_question (a right entry among the confident
  hits, at most three: the same count as answered_at_3), wrong_confident_per_question (confident hits
  and none of them right; for a question the library cannot answer, any confident hit).
"""

from __future__ import annotations

import argparse
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
    LABELLING,
    LABELLINGS,
    RANKED,
    Labelling,
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
# Objectives closer than this (in right answers) are a tie between L2 penalties; see `derive`.
OBJECTIVE_TIE = 1.0


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
    langs: list[str]
    longs: list[bool]

    def labels_for(self, labelling: Labelling) -> np.ndarray:
        """Each group's label: every hit of it right ("every"), or one of them ("some")."""
        if labelling == "every":
            return self.labels
        labels: list[bool] = []
        for (start, end, _), answers in zip(self.spans, self.rights, strict=True):
            labels += [any(answers[: size + 1]) for size in range(end - start)]
        return np.array(labels, dtype=bool)


def collect(library: Library, path: Path) -> Rows:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    slugs = {entry.slug for entry in library.entries}
    features: list[tuple[float, ...]] = []
    labels: list[bool] = []
    spans: list[tuple[int, int, bool]] = []
    rights: list[tuple[bool, ...]] = []
    langs: list[str] = []
    longs: list[bool] = []
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
        langs.append(item["lang"])
        longs.append(bool(item.get("long", False)))
    return Rows(np.array(features, dtype=np.float64).reshape(-1, len(FEATURES)), np.array(labels, dtype=bool), spans,
                rights, langs, longs)


def questions(rows: Rows, probabilities: np.ndarray) -> list[Question]:
    return [Question(tuple(probabilities[start:end].tolist()), answers, answerable, lang, long)
            for (start, end, answerable), answers, lang, long
            in zip(rows.spans, rows.rights, rows.langs, rows.longs, strict=True)]


def share(count: int, total: int) -> float | None:
    return round(count / total, 3) if total else None


def reading_figures(shown: list[list[bool]], answerable: list[bool]) -> dict[str, float | None]:
    """The figures of both readings from each question's confident hits (whether each is right, in rank
    order, at most three) and whether the library can answer it. A question without confident hits has
    an empty list. bench/search.py counts the same way."""
    answerable_count = sum(answerable)
    return {
        "answered_at_3": share(sum(any(hits) for hits, can in zip(shown, answerable, strict=True) if can),
                               answerable_count),
        "wrong_confident": share(sum(not all(hits) for hits in shown), len(shown)),
        "answered_every_right": share(sum(bool(hits) and all(hits)
                                          for hits, can in zip(shown, answerable, strict=True) if can),
                                      answerable_count),
        "answered_at_3_per_question": share(sum(any(hits) for hits, can in zip(shown, answerable, strict=True)
                                                if can), answerable_count),
        "wrong_confident_per_question": share(sum(bool(hits) and not any(hits) for hits in shown), len(shown)),
    }


def figures(items: list[Question], thresholds: Thresholds, labelling: Labelling = LABELLING) -> dict[str, object]:
    """answered@1, both readings of answered@3 and wrong-confident (see the docstring), honest no-answer
    and the outcome counts of questions banded at `thresholds` (as bench/search.py counts them)."""
    unanswerable = [item for item in items if not item.answerable]
    outcomes = {"confident": 0, "possible": 0, "none": 0}
    first_right = honest = 0
    shown_all: list[list[bool]] = []
    for item in items:
        bands = hit_bands(item.probabilities, len(item.rights), thresholds.confident_p, thresholds.possible_p,
                          labelling)
        shown = [right for band, right in zip(bands, item.rights, strict=True) if band == "confident"]
        shown_all.append(shown)
        outcome = "confident" if shown else "possible" if bands and bands[0] == "possible" else "none"
        outcomes[outcome] += 1
        if item.answerable:
            first_right += bool(shown) and item.rights[0]
        else:
            honest += not shown
    readings = reading_figures(shown_all, [item.answerable for item in items])
    return {
        "questions": len(items),
        "answered_at_1": share(first_right, sum(item.answerable for item in items)),
        **readings,
        "honest_no_answer": share(honest, len(unanswerable)),
        "confident_hits": sum(len(shown) for shown in shown_all),
        "outcomes": outcomes,
    }


def figures_by_language(items: list[Question], thresholds: Thresholds,
                        labelling: Labelling = LABELLING) -> dict[str, dict[str, object]]:
    return {
        "all": figures(items, thresholds, labelling),
        "da": figures([item for item in items if item.lang == "da"], thresholds, labelling),
        "en": figures([item for item in items if item.lang == "en"], thresholds, labelling),
        "long": figures([item for item in items if item.long], thresholds, labelling),
    }


@dataclass(frozen=True)
class Fit:
    model: Model
    l2: float
    thresholds: Thresholds
    labelling: Labelling
    cross_validated: dict[str, dict[str, object]]  # per tuned set, from the out-of-fold probabilities
    # the pooled out-of-fold figures of all tuned sets per language and for long letters
    cross_validated_by_language: dict[str, dict[str, object]]


def cross_validate(sets: dict[str, Rows], l2: float, labelling: Labelling = LABELLING) -> dict[str, list[Question]]:
    """Each tuned set's questions with probabilities from a model fitted on the other tuned sets."""
    out_of_fold: dict[str, list[Question]] = {}
    for name, rows in sets.items():
        others = [other for other_name, other in sets.items() if other_name != name]
        model = fit_logistic(np.vstack([other.features for other in others]),
                             np.concatenate([other.labels_for(labelling) for other in others]), l2)
        out_of_fold[name] = questions(rows, model.probabilities(rows.features))
    return out_of_fold


def derive(library: Library | None = None, labelling: Labelling = LABELLING,
           sets: dict[str, Rows] | None = None) -> Fit:
    """The model, its L2 penalty and thresholds, and the cross-validated figures (see the docstring)."""
    if sets is None:
        library = library or Library.bundled()
        sets = {name: collect(library, path) for name, path in tuned_sets().items()}
    tried: list[tuple[float, float, dict[str, list[Question]], Thresholds]] = []
    for l2 in L2_CANDIDATES:
        out_of_fold = cross_validate(sets, l2, labelling)
        thresholds = choose_thresholds([item for items in out_of_fold.values() for item in items], labelling)
        tried.append((thresholds.objective, l2, out_of_fold, thresholds))
    # The strongest penalty (the simpler model) whose cross-validated objective is within OBJECTIVE_TIE of
    # the best: a gain smaller than one right answer is noise, not a better model.
    top = max(objective for objective, *_ in tried)
    _, l2, out_of_fold, thresholds = max((item for item in tried if item[0] >= top - OBJECTIVE_TIE),
                                         key=lambda item: item[1])
    model = fit_logistic(np.vstack([rows.features for rows in sets.values()]),
                         np.concatenate([rows.labels_for(labelling) for rows in sets.values()]), l2)
    cross_validated = {name: figures(items, thresholds, labelling) for name, items in out_of_fold.items()}
    pooled = [item for items in out_of_fold.values() for item in items]
    cross_validated["all"] = figures(pooled, thresholds, labelling)
    return Fit(model, l2, thresholds, labelling, cross_validated, figures_by_language(pooled, thresholds, labelling))


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
        f'LABELLING: Labelling = "{fit.labelling}"',
        f"CONFIDENT_P = {fit.thresholds.confident_p!r}",
        f"POSSIBLE_P = {fit.thresholds.possible_p!r}",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--labelling", choices=LABELLINGS, default=LABELLING,
                        help="the label to fit on (default: the one in confidence.py)")
    parser.add_argument("--compare", action="store_true",
                        help="the cross-validated figures of every labelling, pooled and per language, on stderr")
    arguments = parser.parse_args()
    library = Library.bundled()
    sets = {name: collect(library, path) for name, path in tuned_sets().items()}
    if arguments.compare:
        for labelling in LABELLINGS:
            other = derive(labelling=labelling, sets=sets)
            print(json.dumps({"labelling": labelling, "l2": other.l2, "confident_p": other.thresholds.confident_p,
                              "cross_validated": other.cross_validated,
                              "by_language": other.cross_validated_by_language}), file=sys.stderr)
    fit = derive(labelling=arguments.labelling, sets=sets)
    print(as_code(fit))
    print(json.dumps({
        "features": dict(zip(FEATURES, rounded(fit.model.coef), strict=True)),
        "labelling": fit.labelling,
        "l2": fit.l2,
        "thresholds": {"confident_p": fit.thresholds.confident_p, "possible_p": fit.thresholds.possible_p,
                       "objective": fit.thresholds.objective, "right_confident": fit.thresholds.right_confident,
                       "wrong_confident": fit.thresholds.wrong_confident},
        "cross_validated": fit.cross_validated,
        "cross_validated_by_language": fit.cross_validated_by_language,
    }, indent=1), file=sys.stderr)


if __name__ == "__main__":
    main()
