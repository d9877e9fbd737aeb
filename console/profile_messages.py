"""The caller profile's validation problems (advisory.profile.profile_problems) in the advisor's words.

The bounds are quoted from advisory/profile.py, formatted the way the language writes numbers, so a message
can never disagree with the rule it explains.
"""

from __future__ import annotations

from pydantic import ValidationError

from advisory import formatting
from advisory.labels import labels
from advisory.profile import (
    AGE_MAX,
    AGE_MIN,
    EARLIEST_FRACTURE,
    FALLS_MAX,
    T_SCORE_MAX,
    T_SCORE_MIN,
    FieldProblem,
    profile_problems,
)
from console.i18n import translate

YES_NO_FIELDS = ("fear_of_movement", "fear_of_falling", "walking_aid", "in_physiotherapy")


def _signed(value: float, lang: str) -> str:
    text = formatting.format_number(value, lang, 1)
    return f"+{text}" if value > 0 else text


def _message(problem: FieldProblem, lang: str) -> str:
    if problem.code == "unknown_field" and problem.fracture is None:
        return translate("profile_errors.unknown_field", lang)
    if problem.fracture is not None:
        prefix = translate("profile_errors.fracture_prefix", lang, n=problem.fracture)
        key = f"profile_errors.fracture_{problem.code}"
        return prefix + translate(key, lang, earliest=EARLIEST_FRACTURE.year)
    if problem.field == "activity_level" and problem.code == "missing":
        return translate("profile_errors.activity_level_missing", lang)
    if problem.field in YES_NO_FIELDS:
        return translate("profile_errors.yes_no", lang)
    return translate(
        f"profile_errors.{problem.field}", lang,
        age_min=AGE_MIN, age_max=AGE_MAX, falls_max=FALLS_MAX,
        t_min=_signed(T_SCORE_MIN, lang), t_max=_signed(T_SCORE_MAX, lang),
        topics=", ".join(labels("topic", lang).values()).lower(),
    )


def profile_messages(exc: ValidationError, lang: str) -> dict[str, str]:
    """Field name -> one message to show beside that field."""
    if lang not in ("da", "en"):
        raise ValueError(f"unsupported language: {lang!r}")
    return {field: " ".join(_message(problem, lang) for problem in problems)
            for field, problems in profile_problems(exc).items()}
