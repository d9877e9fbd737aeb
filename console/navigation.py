"""Which pages each role may open. The router lists only these; each page checks the role again."""

from __future__ import annotations

from dataclasses import dataclass

ALL_ROLES = ("advisor", "supervisor", "admin")
SUPERVISORS = ("supervisor", "admin")
ADMINS = ("admin",)


@dataclass(frozen=True)
class PageSpec:
    path: str  # relative to console/app.py
    title_key: str
    icon: str  # Material icons ship with Streamlit; emoji need a colour-emoji font on the machine
    roles: tuple[str, ...]

    @property
    def url_path(self) -> str:
        return self.path.removeprefix("pages/").removesuffix(".py")


PAGES = (
    PageSpec("pages/call.py", "nav.call", ":material/call:", ALL_ROLES),
    PageSpec("pages/library.py", "nav.library", ":material/menu_book:", ALL_ROLES),
    PageSpec("pages/call_log.py", "nav.call_log", ":material/history:", ALL_ROLES),
    PageSpec("pages/follow_ups.py", "nav.follow_ups", ":material/event:", ALL_ROLES),
    PageSpec("pages/referrals.py", "nav.referrals", ":material/mail:", ALL_ROLES),
    PageSpec("pages/statistics.py", "nav.statistics", ":material/bar_chart:", SUPERVISORS),
    PageSpec("pages/admin.py", "nav.admin", ":material/admin_panel_settings:", ADMINS),
)


def pages_for(role: str) -> list[PageSpec]:
    return [page for page in PAGES if role in page.roles]
