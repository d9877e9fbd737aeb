"""Which pages a staff member may open. The router lists only these; each page asks the same rule again.

The rules themselves live in advisory/access.py, so the navigation and the repositories cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from advisory import access
from advisory.access import Viewer


@dataclass(frozen=True)
class PageSpec:
    path: str  # relative to console/app.py
    title_key: str
    icon: str  # Material icons ship with Streamlit; emoji need a colour-emoji font on the machine
    allowed: Callable[[Viewer], bool]

    @property
    def url_path(self) -> str:
        return self.path.removeprefix("pages/").removesuffix(".py")


PAGES = (
    PageSpec("pages/call.py", "nav.call", ":material/call:", access.takes_calls),
    PageSpec("pages/library.py", "nav.library", ":material/menu_book:", access.reads_library),
    PageSpec("pages/call_log.py", "nav.call_log", ":material/history:", access.takes_calls),
    PageSpec("pages/follow_ups.py", "nav.follow_ups", ":material/event:", access.takes_calls),
    PageSpec("pages/referrals.py", "nav.referrals", ":material/mail:", access.uses_outbox),
    PageSpec("pages/statistics.py", "nav.statistics", ":material/bar_chart:", access.reads_statistics),
    PageSpec("pages/admin.py", "nav.admin", ":material/admin_panel_settings:", access.administers),
)


def pages_for(viewer: Viewer) -> list[PageSpec]:
    return [page for page in PAGES if page.allowed(viewer)]
