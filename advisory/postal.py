"""Is a letter's recipient block a usable Danish postal address?

A letter goes out in a window envelope, so the block staff type is exactly what the postman reads:
the recipient's name on the first line, one or more street lines (street and number, floor, "c/o"),
and last a Danish postcode with its town ("8000 Aarhus C"). Postcodes are four digits (0800-9990);
the town must contain letters. A block that lacks a part names what is missing, so the editor and
the letter queue can say it in words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Parts of an address, in the order a block lists them (the console translates each code).
NAME, STREET, POSTCODE_TOWN = "name", "street", "postcode_town"
PARTS = (NAME, STREET, POSTCODE_TOWN)
# An envelope's window shows five lines of the letter's address (services/letters.py); a sixth would
# hide the last line, the one the post sorts by (postcode and town).
MAX_LINES = 5
_POSTCODE_TOWN = re.compile(r"^(?P<postcode>\d{4})\s+(?P<town>.*\w.*)$")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class AddressCheck:
    lines: tuple[str, ...]
    missing: tuple[str, ...]  # codes from PARTS
    too_many_lines: bool = False

    @property
    def usable(self) -> bool:
        return not self.missing and not self.too_many_lines


def address_lines(text: str) -> tuple[str, ...]:
    """The non-empty lines of a typed block, each with its spaces collapsed."""
    return tuple(" ".join(line.split()) for line in (text or "").splitlines() if line.strip())


def is_postcode_town(line: str) -> bool:
    """"4 digits + town": 2100 København Ø, 8000 Aarhus C, 0800 Høje Taastrup."""
    match = _POSTCODE_TOWN.match(line.strip())
    return match is not None and bool(_LETTER.search(match["town"]))


def check_address(text: str) -> AddressCheck:
    """What the block lacks: a name, a street line, a postcode and town on the last line."""
    lines = address_lines(text)
    missing: list[str] = []
    has_postcode = bool(lines) and is_postcode_town(lines[-1])
    body = lines[:-1] if has_postcode else lines
    if not body or not _LETTER.search(body[0]):
        missing.append(NAME)
    if len(body) < 2:
        missing.append(STREET)
    if not has_postcode:
        missing.append(POSTCODE_TOWN)
    return AddressCheck(lines=lines, missing=tuple(missing), too_many_lines=len(lines) > MAX_LINES)
