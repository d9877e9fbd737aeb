"""Staff-typed text as stored: control characters out, line breaks kept where text has lines."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisory.text import ADDRESS_PLACEHOLDER, clean_line, clean_multiline, redact_addresses

CONTROLS = [chr(n) for n in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, *range(0x80, 0xA0))]


@pytest.mark.parametrize(
    ("typed", "multiline", "line"),
    [
        ("Ringer\x00 igen", "Ringer igen", "Ringer igen"),
        ("Linje 1\r\nLinje 2\rLinje 3", "Linje 1\nLinje 2\nLinje 3", "Linje 1 Linje 2 Linje 3"),
        ("a\tb", "a\tb", "a b"),
        ("\x1b[31mrød\x07", "[31mrød", "[31mrød"),
        ("æøå – “citat” ＝", "æøå – “citat” ＝", "æøå – “citat” ＝"),
        ("a\u2028b", "a\nb", "a b"),
    ],
)
def test_cleaning(typed, multiline, line):
    assert clean_multiline(typed) == multiline
    assert clean_line(typed) == line


@given(st.text())
def test_nothing_invisible_survives_and_visible_text_is_kept(text):
    for cleaned in (clean_multiline(text), clean_line(text)):
        assert not set(cleaned) & set(CONTROLS)
    visible = [c for c in text if c not in CONTROLS and c not in "\r\n\t\u2028\u2029"]
    assert [c for c in clean_multiline(text) if c not in "\n\t"] == visible
    assert "\n" not in clean_line(text) and "\r" not in clean_line(text)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        ("recipient_refused: (550, b'5.1.1 <inge@example.dk>: Recipient address rejected')",
         f"recipient_refused: (550, b'5.1.1 <{ADDRESS_PLACEHOLDER}>: Recipient address rejected')"),
        ("smtp: SMTPRecipientsRefused: {'Inge.Jensen+tag@mail.example.dk': (550, 'no')}",
         f"smtp: SMTPRecipientsRefused: {{'{ADDRESS_PLACEHOLDER}': (550, 'no')}}"),
        ("smtputf8: børge@eksempel.dk", f"smtputf8: {ADDRESS_PLACEHOLDER}"),
        ("connect: [Errno 111] Connection refused", "connect: [Errno 111] Connection refused"),
    ],
)
def test_addresses_are_taken_out_of_error_texts(error, expected):
    assert redact_addresses(error) == expected
