"""Automated accessibility check: axe-core (the copy bundled in the axe-playwright-python package) on every
page for every role, in Chromium, with tabs opened, expanders opened and a call started and opened.

No serious or critical violation may remain, except those listed in STREAMLIT_OWN: each is a rule on markup
Streamlit draws itself (not the console's pages or theme), with the reason and the element it concerns.
Anything else, including a new violation in one of these rules on another element, fails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from db.engine import get_engine
from services.demo import seed_demo
from tests.e2e.conftest import running_console
from tests.e2e.helpers import create_user, log_in, widget
from tests.e2e.test_danish import ROLES, main, open_expanders, open_list, settle

SERIOUS = ("serious", "critical")
# (axe rule, CSS target pattern, why it is Streamlit's own and not the console's)
STREAMLIT_OWN: list[tuple[str, str, str]] = []


@dataclass
class Report:
    found: list[str] = field(default_factory=list)
    accepted: dict[str, set[str]] = field(default_factory=dict)
    scans: int = 0

    def check(self, page: Page, axe: Axe, where: str) -> None:
        self.scans += 1
        results = axe.run(page)
        for violation in results.response["violations"]:
            if violation["impact"] not in SERIOUS:
                continue
            for node in violation["nodes"]:
                target = " ".join(str(part) for part in node["target"])
                own = next((reason for rule, pattern, reason in STREAMLIT_OWN
                            if rule == violation["id"] and re.search(pattern, target)), None)
                summary = " ".join(node["failureSummary"].split())[:260]
                line = f"{where}: {violation['id']} ({violation['impact']}) at {target[-160:]}: {summary}"
                if own is None:
                    self.found.append(line)
                else:
                    self.accepted.setdefault(violation["id"], set()).add(target)


@pytest.fixture(scope="module")
def console(tmp_path_factory, chromium_path):
    tmp = tmp_path_factory.mktemp("accessibility")
    database_url = f"sqlite:///{tmp / 'console.db'}"
    for role, username in ROLES.items():
        create_user(database_url, username, role)
    seed_demo(get_engine(database_url), calls=60)
    with running_console(database_url, tmp / "streamlit.log") as server:
        yield server


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def _tabs_and_expanders(page: Page, axe: Axe, report: Report, where: str) -> None:
    settle(page)
    tabs = main(page).get_by_role("tablist").first.get_by_role("tab")
    names = [tabs.nth(i).inner_text().strip() for i in range(tabs.count())] or [None]
    for index, name in enumerate(names):
        here = where if name is None else f"{where} › {name}"
        if name is not None:
            tabs.nth(index).click()
            settle(page)
        open_expanders(page)
        report.check(page, axe, here)


def test_the_login_page_has_no_serious_accessibility_violations(console, page, axe):
    page.goto(console.url)
    expect(widget(page, "login_username")).to_be_visible()
    settle(page)
    report = Report()
    report.check(page, axe, "login")
    assert not report.found, "\n".join(report.found)


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_has_no_serious_accessibility_violations(console, page, axe, role):
    report = Report()
    log_in(page, console.url, ROLES[role])
    nav = page.locator("[data-testid='stSidebarNav'] a")
    titles = [text.strip().split("\n")[-1].strip() for text in nav.all_inner_texts()]
    visited = []
    for title in titles or [None]:
        if title is not None:
            nav.filter(has_text=title).first.click()
            expect(main(page).get_by_role("heading", name=title, level=1, exact=True)).to_be_visible()
        title = main(page).get_by_role("heading", level=1).first.inner_text().strip()
        visited.append(title)
        where = f"{role}: {title}"
        _tabs_and_expanders(page, axe, report, where)
        if widget(page, "call_start").count():
            widget(page, "call_start").locator("button").first.click()
            expect(widget(page, "call_activity_level")).to_be_visible()
            _tabs_and_expanders(page, axe, report, f"{where} › call started")
        if widget(page, "call_log_open").count():
            open_list(page, widget(page, "call_log_open").get_by_role("combobox"))
            page.get_by_role("option").nth(1).click()
            expect(widget(page, "call_log_close")).to_be_visible()
            settle(page)
            open_expanders(page, limit=10)
            report.check(page, axe, f"{where} › a call opened")
    assert visited
    print(f"{role}: {report.scans} scans of {visited}; Streamlit's own, accepted:",
          *(f"{rule}: {sorted(targets)}" for rule, targets in report.accepted.items()), sep="\n  ")
    assert not report.found, f"{len(report.found)} serious or critical:\n" + "\n".join(report.found)
