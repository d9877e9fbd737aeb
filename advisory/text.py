"""Staff-typed text as it may be stored, and personal data kept out of technical texts.

Control characters reach the console when text is pasted from other programs. PostgreSQL refuses NUL
in text, and none of them is visible to a reader, so they are removed rather than reported: a message
would name a character the advisor cannot see or find. Line breaks and tabs stay in multi-line text;
a single-line field turns them into spaces.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator

# C0 controls but tab and line breaks, DEL and the C1 controls; Unicode line separators count as breaks.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_LINE_WHITESPACE = re.compile(r"[\t\n\r\u2028\u2029\x85]")
# An e-mail address as a mail server may echo it: "<a@b.dk>", "a@b.dk", "RCPT TO:<a@b.dk>".
_ADDRESS = re.compile(r"[^\s<>()\[\]{},;:\"'`]+@[^\s<>()\[\]{},;:\"'`]+")
ADDRESS_PLACEHOLDER = "[e-mail]"


def clean_multiline(value: str) -> str:
    """`value` without invisible control characters; CR LF and lone CR become LF, tabs stay."""
    return _INVISIBLE.sub("", _LINE_BREAKS.sub("\n", value))


def clean_line(value: str) -> str:
    """`value` as one line: control characters removed, tabs and line breaks become spaces."""
    return _INVISIBLE.sub("", _LINE_WHITESPACE.sub(" ", value.replace("\r\n", " ")))


def _if_text(clean):
    def validate(value: Any) -> Any:
        return clean(value) if isinstance(value, str) else value

    return validate


# Field types for models that take staff-typed text (pydantic runs the cleaning before length checks).
MultilineText = Annotated[str, BeforeValidator(_if_text(clean_multiline))]
LineText = Annotated[str, BeforeValidator(_if_text(clean_line))]


def redact_addresses(text: str) -> str:
    """`text` with every e-mail address replaced by a placeholder (SMTP errors echo the recipient)."""
    return _ADDRESS.sub(ADDRESS_PLACEHOLDER, text)
