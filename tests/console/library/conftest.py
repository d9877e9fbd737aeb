"""The library page tests' prepared database, advisor and supervisor."""

import pytest

from db.bootstrap import prepare_database
from tests.console.apptest import make_user


@pytest.fixture
def seeded_db(console_db):
    prepare_database(console_db)
    return console_db


@pytest.fixture
def advisor(seeded_db):
    return make_user(seeded_db, "rikke", "advisor", "Rikke Rådgiver")


@pytest.fixture
def supervisor(seeded_db):
    return make_user(seeded_db, "susanne", "supervisor", "Susanne Supervisor")
