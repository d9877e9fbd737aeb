"""The README stays honest: every setting and every page is named, and the two commands come first."""

from pathlib import Path

from console.i18n import catalogue
from console.navigation import PAGES
from settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_readme():
    missing = [name for name in Settings.model_fields if f"`{name}`" not in README]
    assert missing == []


def test_every_page_is_in_the_readme():
    for page in PAGES:
        assert catalogue("da")[page.title_key] in README
        assert catalogue("en")[page.title_key] in README


def test_quick_start_shows_make_run_then_make_test():
    quick_start = README.split("## Quick start", 1)[1]
    assert quick_start.index("make run") < quick_start.index("make test")
