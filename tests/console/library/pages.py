"""The library page and a search on it, as the library page tests drive them."""

from tests.console.apptest import logged_in_app


def library_page(user, lang="da"):
    at = logged_in_app(user, lang=lang).run()
    at.switch_page("pages/library.py").run()
    assert not at.exception
    return at


def search(at, query):
    at.text_input(key="library_query").set_value(query).run()
    assert not at.exception
    return at
