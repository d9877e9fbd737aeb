"""A letter's recipient block must be a usable Danish postal address before it goes in the batch."""

from __future__ import annotations

import pytest

from advisory.postal import MAX_LINES, check_address, is_postcode_town


@pytest.mark.parametrize(("block", "missing"), [
    ("Inge Hansen\nÆblevej 3, 2. th.\n8000 Aarhus C", ()),
    ("  Inge  Hansen \n\n Æblevej 3 \n 2100  København Ø ", ()),
    ("Inge Hansen\nc/o Jens Hansen\nÆblevej 3\n0800 Høje Taastrup", ()),
    ("Inge Hansen", ("street", "postcode_town")),
    ("Inge Hansen\nÆblevej 3", ("postcode_town",)),
    ("Inge Hansen\n8000 Aarhus C", ("street",)),
    ("8000 Aarhus C", ("name", "street")),
    ("", ("name", "street", "postcode_town")),
    ("Inge Hansen\nÆblevej 3\n800 Aarhus", ("postcode_town",)),  # three digits
    ("Inge Hansen\nÆblevej 3\n80000 Aarhus", ("postcode_town",)),  # five digits
    ("Inge Hansen\nÆblevej 3\n8000", ("postcode_town",)),  # no town
    ("Inge Hansen\nÆblevej 3\nAarhus C 8000", ("postcode_town",)),  # town first
    ("Inge Hansen\nÆblevej 3\nDK-8000 Aarhus C", ("postcode_town",)),  # only 4 digits + town, as the post reads
    ("12\nÆblevej 3\n8000 Aarhus C", ("name",)),
])
def test_what_a_block_lacks(block, missing):
    assert check_address(block).missing == missing
    assert check_address(block).usable is (missing == ())


def test_more_lines_than_the_window_shows_are_not_usable():
    block = "\n".join(["Inge Hansen", "c/o Jens", "Æblevej 3", "2. th.", "Bygning B", "8000 Aarhus C"])
    check = check_address(block)
    assert len(check.lines) == MAX_LINES + 1
    assert check.missing == () and check.too_many_lines and not check.usable


@pytest.mark.parametrize(("line", "ok"), [("2100 København Ø", True), ("9990 Skagen", True), ("2100 42", False),
                                          ("21 00 København", False), ("2100København", False)])
def test_postcode_and_town(line, ok):
    assert is_postcode_town(line) is ok
