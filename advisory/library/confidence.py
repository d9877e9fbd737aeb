"""The three outcomes of a library search, decided by a small, explainable model fitted on the tuned sets.

A search ends in one of three outcomes (issue 21):
- **confident**: the first hit, or the first few (at most MAX_CONFIDENT, when they are close), each
  likely enough to answer the question: the model's probability is at least CONFIDENT_P; those hits carry
  the band "confident";
- **possible** ("muligvis relevant"): the first hit's probability is at least POSSIBLE_P, but not enough;
- **none**: no entry is likely to answer ("Ingen sikre svar").
Hits that are not confident are "possible" at or above POSSIBLE_P, else "weak".

**The model.** For every hit (the first RANKED of a search) the search computes a few figures it already
knows (FEATURES, see `hit_features`): how much of the question's topical words the entry answers
(anywhere, weighted by field: the answer measure; and in its title, tags or member questions only), how
like the query its best member question is, how much of the question it holds only in passing (the detail
text), how much of the question no entry holds at all (a topic the library lacks: "sauna"), how far it
stands ahead of the next hit and behind the first, how many hits are close to the first, the question's
number of content words, whether it is a long message, its language, and the hit's rank. A logistic
regression turns them into the probability that the hit answers the question. Every coefficient can be
read: a positive one raises the probability with its figure (on the standardised scale of MEAN/SCALE).

**Fitting, honestly.** `tools/fit_confidence.py` collects one row per hit of every question of the tuned
sets (search_eval.yaml `old`, search_eval_long_tail.yaml, search_eval_dev.yaml and, once written,
search_eval_dev2.yaml; never the held-out set), labelled by whether the hit's entry is a right answer.
It fits the regression in numpy (`fit_logistic`: Newton's method with a small L2 penalty) with
leave-one-set-out cross-validation: each tuned set's rows are predicted by a model fitted on the other
sets only, so those predictions estimate how the model does on questions it has not seen. The thresholds
are chosen on these cross-validated predictions (`choose_thresholds`): CONFIDENT_P maximises questions with
a right confident answer minus WRONG_COST times questions with a wrong one (a wrong confident answer
misleads the advisor, a hidden right one only costs a look at "muligvis relevant"), averaged over the
neighbouring thresholds so that it does not sit on a knife's edge, and the highest of the thresholds
within THRESHOLD_TIE of the best (where the objective is flat, the more cautious one); POSSIBLE_P, below it, separates right
from wrong first hits among the rest at equal cost. The coefficients stored here are the model fitted on
all tuned rows; a test checks that they and the thresholds are what the fitting script derives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

Band = Literal["confident", "possible", "weak"]
Outcome = Literal["confident", "possible", "none"]
# What makes a group of leading hits right, the label the model is fitted on (`tools/fit_confidence.py
# --labelling`, which also chooses between them by the cross-validated figures):
# - "every": every hit of the group answers the question (the strict, per-hit reading: one wrong hit
#   among the confident ones makes the answer wrong); the confident group is the likeliest one;
# - "some": at least one hit of the group answers it (the issue's reading: answered@3 is "a right entry
#   among the confident ones", a wrong confident answer is one without any); the confident group is the
#   smallest one likely enough to hold the answer.
Labelling = Literal["every", "some"]
LABELLINGS: tuple[Labelling, ...] = ("every", "some")

# Hits the model looks at per search (the bands of the first need the next ones), and how many of
# the first hits can be confident at once (answered@3 counts a right entry among them).
RANKED = 4
MAX_CONFIDENT = 3
# A hit is "close" to the first when its ranking score is at least this share of the first one's.
CLOSE = 0.8
WRONG_COST = 4.0
# The L2 penalty is chosen among these by the cross-validated objective.
L2_CANDIDATES = (1.0, 3.0, 10.0, 30.0)
THRESHOLD_STEP = 0.01
SMOOTHING = 3  # grid steps either side
THRESHOLD_TIE = 1.0  # smoothed objectives closer than this (in right answers) are equally good

# The figures of a group of leading hits (the first one, the first two, the first three): the group
# answers when every hit in it does, so its weakest hit speaks for it.
FEATURES = (
    "answered",  # the answer measure (share of the question's importance answered, by field): the group's least
    "answered_key",  # the share answered in the title, tags or member questions: the group's least
    "question",  # the best member question's similarity to the query: the group's least
    "detail_only",  # the share held only in the detail text: the group's most
    "unknown",  # the share of the question no entry holds at all
    "lead",  # 1 - the next hit's ranking score / the group's last hit's
    "behind",  # 1 - the group's last hit's ranking score / the first hit's
    "close",  # other hits among the first RANKED within CLOSE of the first hit's score
    "words",  # log(1 + the question's content words)
    "long",  # a long message whose asking sentence was found
    "english",
    "rank",  # the group's size - 1
    "key_margin",  # answered_key - the next hit's
    "question_margin",  # question - the next hit's
)

# --- the fitted model (tools/fit_confidence.py prints these; a test checks them) --------------------------
MEAN = (0.6351, 0.5619, 0.4012, 0.0847, 0.0496, 0.3725, 0.4146, 0.2699, 1.2698, 0.2021, 0.4301, 0.9943, 0.1319, 0.1078,)
SCALE = (0.2833, 0.3265, 0.2862, 0.1895, 0.1489, 0.3052, 0.3805, 0.6536, 0.3711, 0.4015, 0.4951, 0.8166, 0.2659, 0.2664,)
COEF = (0.4123, 0.504, 0.8752, -0.1471, -0.5991, 0.8465, -0.3485, -0.061, 0.5236, 0.0085, -0.1206, -1.3728, -0.2308, 0.1566,)
INTERCEPT = -2.4625
L2 = 10.0
LABELLING: Labelling = "every"
CONFIDENT_P = 0.81
POSSIBLE_P = 0.36
# --- end of the fitted model -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Model:
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        if not len(features):
            return np.zeros(0)
        z = ((features - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))


MODEL = Model(np.array(MEAN), np.array(SCALE), np.array(COEF), INTERCEPT)


def lead(scores: Sequence[float], size: int) -> float:
    """How far the first `size` hits stand above the next one: 1 - next score / the last one's score
    (1 when nothing follows)."""
    if size >= len(scores) or scores[size - 1] <= 0:
        return 1.0
    return 1.0 - scores[size] / scores[size - 1]


def hit_features(*, answered: Sequence[float], answered_key: Sequence[float], question: Sequence[float],
                 detail_only: Sequence[float], scores: Sequence[float], unknown: float, content_words: int,
                 long: bool, lang: str) -> np.ndarray:
    """One row of FEATURES per group of leading hits (the first, the first two, ... at most
    MAX_CONFIDENT), from the ranked hits' figures in rank order (pass the first RANKED hits)."""
    count = len(scores)
    if not count:
        return np.zeros((0, len(FEATURES)))
    top = scores[0] if scores[0] > 0 else 1.0
    close = sum(1 for value in scores[1:] if value >= CLOSE * top)
    rows = []
    for last in range(min(count, MAX_CONFIDENT)):
        group = slice(0, last + 1)
        least_key, least_question = min(answered_key[group]), min(question[group])
        following = last + 1 < count
        rows.append((
            min(answered[group]), least_key, least_question, max(detail_only[group]), unknown,
            lead(scores, last + 1), 1.0 - scores[last] / top, close, float(np.log1p(content_words)), float(long),
            float(lang == "en"), float(last),
            least_key - (answered_key[last + 1] if following else 0.0),
            least_question - (question[last + 1] if following else 0.0),
        ))
    return np.array(rows, dtype=np.float64)


def confident_count(probabilities: Sequence[float], confident_p: float = CONFIDENT_P,
                    labelling: Labelling = LABELLING) -> int:
    """How many leading hits are confident answers (of sizes 1 to MAX_CONFIDENT), else 0. Labelling
    "every" (each probability: every hit of the group answers): the group most likely to answer (ties
    go to the smaller), when its probability is at least `confident_p`. Labelling "some" (each
    probability: the group holds an answer): the smallest group whose probability is at least
    `confident_p`."""
    if not len(probabilities):
        return 0
    if labelling == "some":
        return next((size + 1 for size, value in enumerate(probabilities[:MAX_CONFIDENT]) if value >= confident_p), 0)
    best = int(np.argmax(probabilities))
    return best + 1 if probabilities[best] >= confident_p else 0


def hit_bands(probabilities: Sequence[float], hits: int, confident_p: float = CONFIDENT_P,
              possible_p: float = POSSIBLE_P, labelling: Labelling = LABELLING) -> list[Band]:
    """The bands of `hits` ranked hits from the probabilities of their leading groups: the confident
    group's hits are "confident"; another hit is "possible" when a group holding it is at least
    `possible_p` likely to answer, else "weak"."""
    confident = confident_count(probabilities, confident_p, labelling)
    bands: list[Band] = []
    for rank in range(hits):
        plausible = max(probabilities[rank:], default=0.0) >= possible_p
        bands.append("confident" if rank < confident else "possible" if plausible else "weak")
    return bands


def outcome(bands: Sequence[Band]) -> Outcome:
    """The search's outcome from its hits' bands: confident, possible ("muligvis relevant") or none."""
    if bands and bands[0] == "confident":
        return "confident"
    if bands and bands[0] == "possible":
        return "possible"
    return "none"


# --- fitting (tools/fit_confidence.py) --------------------------------------------------------------------


def standardise(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = features.mean(axis=0)
    scale = features.std(axis=0)
    return mean, np.where(scale > 1e-9, scale, 1.0)


def fit_logistic(features: np.ndarray, labels: np.ndarray, l2: float = L2, iterations: int = 50) -> Model:
    """A logistic regression by Newton's method (iteratively reweighted least squares) on standardised
    features, with an L2 penalty on the coefficients (not the intercept). Deterministic."""
    mean, scale = standardise(features)
    x = np.hstack([np.ones((len(features), 1)), (features - mean) / scale])
    y = labels.astype(np.float64)
    weights = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(x @ weights)))
        gradient = x.T @ (p - y) + penalty * weights
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty) + 1e-9 * np.eye(x.shape[1])
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if np.max(np.abs(step)) < 1e-10:
            break
    return Model(mean, scale, weights[1:], float(weights[0]))


@dataclass(frozen=True)
class Question:
    """One question: the probabilities of its leading groups (see `hit_features`), whether each ranked
    hit is a right answer, and whether the library can answer it."""

    probabilities: tuple[float, ...]
    rights: tuple[bool, ...]
    answerable: bool
    lang: str = "da"
    long: bool = False


def shown_wrong(shown: Sequence[bool], labelling: Labelling) -> bool:
    """Whether confident hits (whether each is right) are a wrong confident answer: under "every",
    when any of them is wrong (per hit); under "some", when there are some and none is right (per
    question: the issue's reading)."""
    return (bool(shown) and not any(shown)) if labelling == "some" else not all(shown)


def tally(questions: Sequence[Question], confident_p: float, labelling: Labelling = LABELLING) -> tuple[int, int]:
    """Questions with a right confident answer, and with a wrong one, at a confident threshold."""
    right = wrong = 0
    for question in questions:
        shown = question.rights[: confident_count(question.probabilities, confident_p, labelling)]
        right += any(shown)
        wrong += shown_wrong(shown, labelling)
    return right, wrong


@dataclass(frozen=True)
class Thresholds:
    confident_p: float
    possible_p: float
    objective: float  # right - WRONG_COST x wrong at confident_p, smoothed over its neighbourhood
    right_confident: int
    wrong_confident: int


def choose_thresholds(questions: Sequence[Question], labelling: Labelling = LABELLING) -> Thresholds:
    """CONFIDENT_P and POSSIBLE_P from (cross-validated) probabilities; see the module docstring. The
    objective counts wrong confident answers as `labelling` reads them (see `shown_wrong`)."""
    if not questions:
        raise ValueError("no questions")
    grid = np.round(np.arange(0.3, 1.0, THRESHOLD_STEP), 2)
    tallies = [tally(questions, float(threshold), labelling) for threshold in grid]
    objective = np.array([right - WRONG_COST * wrong for right, wrong in tallies])
    padded = np.pad(objective, SMOOTHING, mode="edge")
    smoothed = np.convolve(padded, np.ones(2 * SMOOTHING + 1) / (2 * SMOOTHING + 1), mode="valid")
    # The most cautious (highest) threshold whose smoothed objective is within THRESHOLD_TIE of the best:
    # the objective is flat over a wide range, and there a difference below one right answer is noise.
    best = int(np.flatnonzero(smoothed >= smoothed.max() - THRESHOLD_TIE).max())
    confident_p = float(grid[best])
    # Among the questions without a confident answer: the first hits are "possibly relevant" where one
    # of them is right more often than not.
    rest = [question for question in questions
            if not confident_count(question.probabilities, confident_p, labelling) and question.probabilities]
    candidates = [float(value) for value in np.round(np.arange(0.05, confident_p, THRESHOLD_STEP), 2)]
    scored = [(sum((1 if any(question.rights[:MAX_CONFIDENT]) else -1)
                   for question in rest if max(question.probabilities) >= value), -value) for value in candidates]
    possible_p = -max(scored)[1] if scored else confident_p
    right, wrong = tallies[best]
    return Thresholds(confident_p, round(possible_p, 2), round(float(smoothed[best]), 2), right, wrong)
