import pytest

from tests.console.apptest import keep_router_in_charge


@pytest.fixture(autouse=True, scope="session")
def _router_in_charge():
    keep_router_in_charge()
