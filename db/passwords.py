"""The password rule for staff accounts: long enough, and not guessable.

Length alone lets "aaaaaaaaaaaa" and "password1234" through, so the strength is estimated with zxcvbn
(Dropbox's estimator: common-password lists, dictionary words, keyboard patterns, repeats, sequences and
dates; it runs offline). A password must reach score 3 of 4 (about 10^8 guesses). The username, the
display name and the association's own words count as known to an attacker.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from zxcvbn import zxcvbn

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
MIN_SCORE = 3
# zxcvbn's matching is quadratic in the length; beyond this a password's tail adds nothing to the estimate.
_ESTIMATED_LENGTH = 72
KNOWN_WORDS = ("osteoporose", "osteoporoseforeningen", "fysioterapeut", "fysioterapeutrådgivningen", "knogle",
               "knogler", "konsol", "raadgivningskonsol", "rådgivningskonsol")


class PasswordProblem(StrEnum):
    too_short = "too_short"
    too_long = "too_long"
    too_weak = "too_weak"


def password_problem(password: str, *, known: Iterable[str] = ()) -> PasswordProblem | None:
    """What is wrong with `password`, or None. `known`: the user's name and username."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return PasswordProblem.too_short
    if len(password) > MAX_PASSWORD_LENGTH:
        return PasswordProblem.too_long
    words = [part for value in known for part in str(value).casefold().replace(".", " ").split() if part]
    result = zxcvbn(password[:_ESTIMATED_LENGTH], user_inputs=[*words, *KNOWN_WORDS])
    return PasswordProblem.too_weak if result["score"] < MIN_SCORE else None
