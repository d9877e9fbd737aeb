"""The caller profile's problems in the advisor's words: validation problems
(advisory.profile.profile_problems) and numbers that could not be read (their bounds from the form's
table, console/call_form.py).

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
from advisory.vocab import LANGUAGES
from console.call_form import PROFILE_BY_FIELD, PROFILE_FORM
from console.i18n import translate
from services.calls import CallEvaluation

YES_NO_FIELDS = tuple(row.field for row in PROFILE_FORM if row.widget == "yes_no")


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


def problem_messages(problems: dict[str, list[FieldProblem]], lang: str) -> dict[str, str]:
    """Field name -> one message to show beside that field."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language: {lang!r}")
    return {field: " ".join(_message(problem, lang) for problem in field_problems)
            for field, field_problems in problems.items()}


def profile_messages(exc: ValidationError, lang: str) -> dict[str, str]:
    return problem_messages(profile_problems(exc), lang)


def _number_message(field: str, kind: str, lang: str) -> str:
    if kind == "fracture":
        return translate("call.error_fracture_number", lang)
    low, high = PROFILE_BY_FIELD[field].bounds or (0, 0)
    return translate(f"call.error_number_{kind}", lang, low=_plain(low, lang), high=_plain(high, lang))


def _plain(value: float, lang: str) -> str:
    text = str(value)
    return text.replace(".", ",") if lang == "da" else text


def field_messages(evaluation: CallEvaluation, lang: str) -> dict[str, str]:
    """Profile field -> the message beside it: a number that could not be read first, then what
    validation found."""
    messages = {field: _number_message(field, kind, lang) for field, kind in evaluation.unreadable.items()}
    for field, message in problem_messages(evaluation.problems, lang).items():
        messages.setdefault(field, message)
    return messages
