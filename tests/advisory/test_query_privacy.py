"""Personal data is stripped from search queries before they are stored (advisory/library/query_privacy.py):
names, phone numbers, e-mail addresses and CPR-like numbers, table-driven, in Danish and English."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisory.library import Library
from advisory.library.query_privacy import MAX_LENGTH, known_first_names, strip_personal_data


@pytest.fixture(scope="module")
def knows_word():
    return Library.bundled().knows_word


@pytest.mark.parametrize(
    ("query", "stored"),
    [
        # names
        ("min mor Inge er faldet", "min mor er faldet"),
        ("Inge er faldet og kan ikke komme op", "er faldet og kan ikke komme op"),
        ("min mor inge på 88 har knogleskørhed", "min mor på 88 har knogleskørhed"),
        ("min mor hedder Gudrun og er 88", "min mor hedder og er 88"),
        ("min far Per vil ikke træne", "min far vil ikke træne"),
        ("Jørgen Hansen spørger om yoga", "spørger om yoga"),
        ("kan Inges datter ringe igen", "kan datter ringe igen"),
        ("my husband John fell in the garden", "my husband fell in the garden"),
        ("my mum is called margaret and fell", "my mum is called and fell"),
        ("ringer for Karen Mortensen fra Nørregade", "ringer for fra"),
        # phone numbers
        ("ring til mig på 12 34 56 78", "ring til mig på"),
        ("ring på 12345678 om yoga", "ring på om yoga"),
        ("+45 12 34 56 78 må jeg løfte", "må jeg løfte"),
        ("0045 1234-5678 hoftebrud", "hoftebrud"),
        ("call me on +45 2345 6789", "call me on"),
        # e-mail addresses
        ("skriv til inge.hansen@example.dk om yoga", "skriv til om yoga"),
        ("send it to j.smith+osteo@mail.co.uk please", "send it to please"),
        # CPR-like numbers
        ("cpr 010203-1234 medicin", "cpr medicin"),
        ("0102031234", ""),
        ("cpr 010203 1234 og medicin", "cpr og medicin"),
        # other numbers that identify
        ("medlemsnummer 4711 kontingent", "medlemsnummer kontingent"),
        ("født 12.03.1950 har osteopeni", "født har osteopeni"),
        ("member number: 99812 renewal", "member number renewal"),
    ],
)
def test_personal_data_is_stripped(knows_word, query, stored):
    assert strip_personal_data(query, is_known_word=knows_word) == stored


@pytest.mark.parametrize(
    ("query", "stored"),
    [
        ("skal jeg stoppe med Alendronat?", "skal jeg stoppe med alendronat?"),  # a word the library knows
        ("Prolia og Aclasta", "prolia og aclasta"),
        ("må jeg løfte 5 kilo", "må jeg løfte 5 kilo"),
        ("ring 112 eller 1813", "ring 112 eller 1813"),
        ("t-score -2,5 og 88 år", "t-score -2,5 og 88 år"),
        ("Hans ryg gør ondt", "hans ryg gør ondt"),  # "hans" is "his" as well as a name
        ("to gange per uge", "to gange per uge"),
        ("Må jeg stå på ski?", "må jeg stå på ski?"),
        ("   many    spaces  here ", "many spaces here"),
    ],
)
def test_what_the_question_is_about_stays(knows_word, query, stored):
    assert strip_personal_data(query, is_known_word=knows_word) == stored


def test_without_the_librarys_words_every_capitalised_word_inside_a_sentence_goes():
    assert strip_personal_data("skal jeg stoppe med Alendronat?") == "skal jeg stoppe med?"


def test_first_names_are_folded_and_include_both_sexes():
    names = known_first_names()
    assert {"inge", "hanne", "henrik", "soeren", "joergen"} <= names


@given(st.text(max_size=400))
def test_stripping_never_raises_and_stays_short(text):
    stripped = strip_personal_data(text)
    assert len(stripped) <= MAX_LENGTH
    assert stripped == stripped.casefold()
    assert not re.search(r"\d{6,}", stripped), stripped
