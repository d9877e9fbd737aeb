"""No English on any page of the Danish console, in a real browser.

Each role logs in and goes through every page it may open: every tab, a few expanders, a call opened in
the call log and a call started on the call page. On each it opens every select box, multiselect and date
picker (Streamlit's English placeholders, "Select all" and "No results" hide there), types into a text
field (Streamlit's "Press Enter to apply") and scans what is on screen for English words: the visible
text, including the text the console's CSS draws in place of Streamlit's own (console/chrome.py), the
placeholders and the tooltips. The screen-reader labels are scanned too; those Streamlit gives its own
controls, which it offers no way to translate, are listed in STREAMLIT_ARIA and allowed.

Tables (st.dataframe) draw their cells on a canvas, out of reach of a text scan:
tests/console/test_danish.py checks their contents and formats.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Page, expect

from db.engine import get_engine
from services.demo import seed_demo
from tests.e2e.conftest import running_console
from tests.e2e.helpers import create_user, log_in, wait_idle, widget

ROLES = {"advisor": "rikke", "supervisor": "sofie", "admin": "anne", "secretariat": "sanne"}

# English words and phrases Streamlit (or a slip in the console) would show. Each is matched as whole
# words; none is a Danish word ("Stop", "Print", "Format" and "Sort" are, so they are not here).
ENGLISH = [
    "Choose", "Select", "Select all", "Search", "No results", "No options", "Page not found", "not found",
    "Submit", "Clear", "Loading", "Press", "Press Enter", "Upload", "Browse", "Drag and drop", "Delete", "Cancel",
    "Close", "Today", "Yes", "No", "options?", "Show", "Hide", "Download", "Fullscreen", "Running", "Skip to",
    "main content", "yyyy", "None", "True", "False", "NaN", "null", "Please", "Error", "Warning", "matches",
    "Sort ascending", "Sort descending", "Pin column", "Hide column", "Autosize", "Statistics", "Empty",
    "Open", "Save", "Edit", "Add", "Remove", "Back", "Next", "Previous", "Settings", "Rerun", "Deploy",
]
ENGLISH_WORDS = re.compile(r"\b(?:" + "|".join(sorted(ENGLISH, key=len, reverse=True)) + r")\b", re.IGNORECASE)

# Screen-reader labels Streamlit 1.67 gives its own controls; it has no way to translate them. Not on
# screen. Anything else in English (a label of the console's own, a new one from Streamlit) fails.
STREAMLIT_ARIA = [
    r"Collapse sidebar", r"Expand sidebar", r"Link to heading", r"Open", r"Close", r"Dismiss", r"Clear all",
    r"Clear value", r"Clear entry", r"Choose date", r"Choose date range", r"Show password", r"Hide password",
    r"(day|month|year), .+", r".+ (start|end) date", r"Selectbox options", r"Multiselect options",
    r"Previous", r"Next", r"Increment", r"Decrement", r"Empty", r"\d+ options? available\.?",
    r"Use arrow keys to navigate dates\. Enter to select\. Escape to close\.", r"Calendar",
    r"Remove .+", r"Help", r"Keyboard shortcut.*", r"Choose date, .+", r"Previous month", r"Next month",
    # Texts the console's CSS draws over with Danish (console/chrome.py): a screen reader still finds them.
    r"Skip to main content", r"yyyy", r"No results",
    r"[a-z_]+ icon",  # a Material icon's name (":material/warning:" is read "warning icon")
]
STREAMLIT_ARIA_RE = re.compile("|".join(f"(?:{p})" for p in STREAMLIT_ARIA))

# What is on screen: text nodes that are drawn (not hidden, not clipped to a pixel, not transparent or
# sized 0 by the console's CSS, not a Material icon's ligature), ::before/::after text, empty fields'
# placeholders and tooltips; and apart from those the screen-reader labels and screen-reader-only text.
SCAN = r"""() => {
  const styles = new Map();
  const style = (el) => { if (!styles.has(el)) styles.set(el, getComputedStyle(el)); return styles.get(el); };
  const clipped = (el) => {
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      const s = style(e);
      if (s.clipPath === 'inset(50%)' || s.clip === 'rect(0px, 0px, 0px, 0px)') return true;
    }
    return false;
  };
  const shown = (el) => {
    if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) return false;
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1 && r.bottom > -window.scrollY && r.right > -window.scrollX && !clipped(el);
  };
  const inked = (el) => {
    const s = style(el);
    return parseFloat(s.fontSize) > 0 && s.webkitTextFillColor !== 'rgba(0, 0, 0, 0)' && s.color !== 'rgba(0, 0, 0, 0)';
  };
  const screen = [], reader = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.nodeValue.trim();
    const el = node.parentElement;
    if (!text || !el || el.closest('style, script, noscript, template')) continue;
    if (!el.checkVisibility() || /Material/.test(style(el).fontFamily)) continue;  // an icon's ligature
    if (shown(el)) { if (inked(el)) screen.push(text); }
    else if (!el.closest('[aria-hidden="true"]')) reader.push(text);
  }
  for (const el of document.body.querySelectorAll('*')) {
    if (!el.checkVisibility()) continue;
    for (const pseudo of ['::before', '::after']) {
      const content = getComputedStyle(el, pseudo).content;
      const m = /^"(.*)"$/.exec(content || '');
      if (m && m[1].trim() && shown(el)) screen.push(JSON.parse(content));
    }
    const label = el.getAttribute('aria-label');
    if (label) reader.push(label);
    const title = el.getAttribute('title');
    if (title && shown(el)) screen.push(title);
    if ((el.tagName === 'INPUT' || el.tagName === 'TEXTAREA') && el.placeholder && !el.value && shown(el))
      screen.push(el.placeholder);
  }
  return {screen, reader};
}"""


@dataclass
class Findings:
    found: list[str] = field(default_factory=list)
    scans: int = 0
    lists: list[str] = field(default_factory=list)

    def scan(self, page: Page, where: str) -> None:
        seen = page.evaluate(SCAN)
        self.scans += 1
        for text in seen["screen"]:
            for match in ENGLISH_WORDS.finditer(text):
                self._add(f"{where}: {match.group(0)!r} in {text[:120]!r}")
        for text in seen["reader"]:
            if ENGLISH_WORDS.search(text) and not STREAMLIT_ARIA_RE.fullmatch(text.strip()):
                self._add(f"{where} (screen reader): {text[:120]!r}")

    def _add(self, finding: str) -> None:
        if finding not in self.found:
            self.found.append(finding)


def main(page: Page):
    return page.locator("[data-testid='stMain']")


def _close_popups(page: Page) -> None:
    # The first Escape may only clear what was typed into a multiselect's search.
    for _ in range(3):
        page.keyboard.press("Escape")
        if page.get_by_role("listbox").count() == 0:
            return
        page.wait_for_timeout(200)  # the list closes with an animation; nothing to wait on but its absence
    expect(page.get_by_role("listbox")).to_have_count(0)


def open_list(page: Page, combo) -> None:
    """Open a select box's list (a click that lands while the page reruns may not)."""
    for _ in range(3):
        combo.click()
        try:
            expect(page.get_by_role("listbox")).to_be_visible(timeout=3_000)
            return
        except AssertionError:
            wait_idle(page)
    expect(page.get_by_role("listbox")).to_be_visible()


def open_dropdowns(page: Page, findings: Findings, where: str) -> None:
    """Every select box and multiselect in view: its list, and a search that finds nothing."""
    boxes = main(page).locator("[data-testid='stSelectbox'], [data-testid='stMultiSelect']")
    searched = set()
    for i in range(boxes.count()):
        box = boxes.nth(i)
        combo = box.get_by_role("combobox")
        if not box.is_visible() or not combo.is_enabled():
            continue
        kind = box.get_attribute("data-testid")
        open_list(page, combo)
        label = box.locator("[data-testid='stWidgetLabel']").inner_text().strip()
        findings.lists.append(f"{where} › {label}")
        findings.scan(page, f"{where} › list {label!r}")
        if kind not in searched:
            searched.add(kind)
            page.keyboard.type("qqxqq")
            expect(page.get_by_role("listbox")).to_have_attribute("data-empty", "true")
            findings.scan(page, f"{where} › {label!r} searched for nothing")
        _close_popups(page)


def open_date_pickers(page: Page, findings: Findings, where: str) -> None:
    buttons = main(page).locator("[data-testid='stDateInput'] button[aria-haspopup='dialog']")
    for i in range(buttons.count()):
        if not buttons.nth(i).is_visible() or not buttons.nth(i).is_enabled():
            continue
        buttons.nth(i).click()
        expect(page.get_by_role("dialog")).to_be_visible()
        findings.scan(page, f"{where} › date picker")
        page.keyboard.press("Escape")
        expect(page.get_by_role("dialog")).to_have_count(0)


def type_into_a_field(page: Page, findings: Findings, where: str) -> None:
    """Typing shows Streamlit's hint under the field; clearing it again changes nothing."""
    fields = main(page).locator("[data-testid='stTextInput'] input, [data-testid='stTextArea'] textarea")
    for i in range(fields.count()):
        box = fields.nth(i)
        if box.is_visible() and box.is_editable() and not box.input_value():
            box.click()
            page.keyboard.type("x")
            findings.scan(page, f"{where} › typing")
            page.keyboard.press("Backspace")
            box.blur()
            settle(page)
            return


def open_expanders(page: Page, limit: int = 3) -> None:
    closed = main(page).locator("[data-testid='stExpander'] details:not([open]) > summary").element_handles()
    for summary in [s for s in closed if s.is_visible()][:limit]:
        summary.click()
    settle(page)


def settle(page: Page) -> None:
    """Wait until the page has finished drawing: a rerun can start a moment after the click that asked
    for it, and a page draws in parts, so wait until its number of elements holds still."""
    elements = main(page).locator("[data-testid='stElementContainer']")
    before = -1
    for _ in range(50):
        wait_idle(page)
        now = elements.count()
        if now == before and not main(page).locator("[data-testid='stSkeleton']").count():
            return
        before = now
        page.wait_for_timeout(400)  # nothing to wait on but the absence of change
    raise AssertionError("the page kept changing")


def go_through(page: Page, findings: Findings, where: str) -> None:
    settle(page)
    tabs = main(page).get_by_role("tablist").first.get_by_role("tab")
    names = [tabs.nth(i).inner_text().strip() for i in range(tabs.count())] or [None]
    for index, name in enumerate(names):
        here = where if name is None else f"{where} › {name}"
        if name is not None:
            tabs.nth(index).click()
            settle(page)
        open_expanders(page)
        findings.scan(page, here)
        open_dropdowns(page, findings, here)
        open_date_pickers(page, findings, here)
        type_into_a_field(page, findings, here)


@pytest.fixture(scope="module")
def console(tmp_path_factory, chromium_path):
    tmp = tmp_path_factory.mktemp("danish")
    database_url = f"sqlite:///{tmp / 'console.db'}"
    for role, username in ROLES.items():
        create_user(database_url, username, role)
    seed_demo(get_engine(database_url), calls=80)
    with running_console(database_url, tmp / "streamlit.log") as server:
        yield server


@pytest.mark.parametrize("role", list(ROLES))
def test_no_english_on_any_page(console, page, role):
    findings = Findings()
    log_in(page, console.url, ROLES[role])
    findings.scan(page, f"{role}: after login")
    page.goto(console.url)  # a fresh page (the session cookie keeps the login), for the keyboard's first step:
    settle(page)
    page.keyboard.press("Tab")
    expect(page.locator("[data-testid='stSkipToContent']")).to_be_focused()  # the skip link shows
    findings.scan(page, f"{role}: first Tab")
    nav = page.locator("[data-testid='stSidebarNav'] a")
    titles = [text.strip().split("\n")[-1].strip() for text in nav.all_inner_texts()]
    visited = []
    for title in titles or [None]:  # the secretariat has one page, and no page list
        if title is not None:
            nav.filter(has_text=title).first.click()
            expect(main(page).get_by_role("heading", name=title, level=1, exact=True)).to_be_visible()
        title = main(page).get_by_role("heading", level=1).first.inner_text().strip()
        visited.append(title)
        where = f"{role}: {title}"
        go_through(page, findings, where)
        if widget(page, "call_start").count():
            widget(page, "call_start").locator("button").first.click()
            expect(widget(page, "call_activity_level")).to_be_visible()
            go_through(page, findings, f"{where} › call started")
        if widget(page, "call_log_open").count():
            open_list(page, widget(page, "call_log_open").get_by_role("combobox"))
            page.get_by_role("option").nth(1).click()
            expect(widget(page, "call_log_close")).to_be_visible()
            settle(page)
            open_expanders(page, limit=10)
            findings.scan(page, f"{where} › a call opened")
    assert visited, "no page was visited"
    assert findings.lists or role == "secretariat"
    print(f"{role}: {findings.scans} scans, pages {visited}, lists opened:", *findings.lists, sep="\n  ")
    assert not findings.found, f"English in the Danish UI ({len(findings.found)}):\n" + "\n".join(findings.found)


def test_an_unknown_address_says_so_in_danish(console, page):
    page.goto(f"{console.url}/nonsense")
    expect(widget(page, "login_username")).to_be_visible()
    expect(page.get_by_role("dialog")).to_have_count(0)
    log_in(page, f"{console.url}/nonsense", "rikke")
    expect(main(page).get_by_role("heading", name="Siden findes ikke", level=1)).to_be_visible()
    expect(page.get_by_text("Page not found")).to_have_count(0)
    expect(page.get_by_role("dialog")).to_have_count(0)
    findings = Findings()
    findings.scan(page, "/nonsense")
    assert not findings.found, "\n".join(findings.found)
    main(page).get_by_role("link", name="Gå til startsiden").click()
    expect(widget(page, "call_start")).to_be_visible()
    # A page that exists but the role may not open still says "Ingen adgang" (tests/e2e/test_pages.py).
    page.goto(f"{console.url}/statistics")
    expect(main(page)).to_contain_text("Ingen adgang")
    expect(page.get_by_role("dialog")).to_have_count(0)
