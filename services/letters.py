"""The printed letter: an A4 PDF of a (possibly staff-edited) referral text.

Many members are elderly and read on paper, so the letter uses a large, plain font, keeps list
items' hanging indents and prints the advice line's contact lines on every page. The fonts are
bundled so Danish letters and typographic quotes render on any machine.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from advisory.formatting import format_long_date
from advisory.referral import LANGS, REFERRAL_DIR, ReferralContent, ReferralText, load_referral_content

FONT_DIR = REFERRAL_DIR / "fonts"
FONT = "DejaVuSans"
BODY_PT = 12
LINE_MM = 6.2
# The recipient block sits where a C5/C6 window envelope shows it.
RECIPIENT_TOP_MM = 50
_MARGIN_LEFT, _MARGIN_RIGHT, _MARGIN_TOP, _MARGIN_BOTTOM = 25, 20, 18, 30
_PAGE_LABEL = {"da": "Side {page} af {{nb}}", "en": "Page {page} of {{nb}}"}
# "1. ", "• ", "– ", "- ", "* " start a list item; its wrapped lines align after the marker.
_LIST_ITEM = re.compile(r"^(?P<indent> *)(?P<marker>(?:\d+\.|[•\-–*])\s+)?(?P<rest>.*)$")


class _Letter(FPDF):
    def __init__(self, *, association: str, advice_line: str, contact_lines: Sequence[str], lang: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.association = association
        self.advice_line = advice_line
        self.contact_lines = list(contact_lines)
        self.lang = lang
        self.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
        self.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        self.set_margins(_MARGIN_LEFT, _MARGIN_TOP, _MARGIN_RIGHT)
        self.set_auto_page_break(auto=True, margin=_MARGIN_BOTTOM)

    def header(self) -> None:
        if self.page_no() == 1:
            self.set_font(FONT, "B", 18)
            self.cell(0, 9, self.association, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_font(FONT, "", 11)
            self.cell(0, 6, self.advice_line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self._rule(self.get_y() + 2)
        else:
            self.set_font(FONT, "", 9)
            self.cell(0, 5, self.association, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self._rule(self.get_y() + 1)
        self.set_y(self.get_y() + 8)

    def footer(self) -> None:
        self.set_y(-(_MARGIN_BOTTOM - 6))
        self._rule(self.get_y() - 2)
        self.set_font(FONT, "", 9.5)
        for line in self.contact_lines:
            self.cell(0, 4.6, line, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.cell(0, 4.6, _PAGE_LABEL[self.lang].format(page=self.page_no()), align=Align.R)

    def _rule(self, y: float) -> None:
        self.set_draw_color(150, 150, 150)
        self.set_line_width(0.3)
        self.line(self.l_margin, y, self.w - self.r_margin, y)


def render_letter_pdf(
    text: ReferralText,
    *,
    lang: str,
    recipient_lines: Sequence[str] = (),
    letter_date: date,
    content: ReferralContent | None = None,
) -> bytes:
    """An A4 PDF letter: letterhead, recipient, date, bold subject, wrapped body, contact footer."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {LANGS}")
    content = content or load_referral_content()
    pdf = _Letter(
        association=content.association,
        advice_line=content.advice_line_name,
        contact_lines=content.contact_lines.get(lang),
        lang=lang,
    )
    # Same input, same bytes: the creation date comes from the letter, not the clock.
    pdf.set_creation_date(datetime(letter_date.year, letter_date.month, letter_date.day, tzinfo=UTC))
    pdf.set_title(text.subject)
    pdf.set_author(content.association)
    pdf.set_lang(lang)
    pdf.add_page()

    top = max(pdf.get_y(), RECIPIENT_TOP_MM)
    pdf.set_font(FONT, "", 11)
    pdf.set_xy(pdf.l_margin, top)
    pdf.cell(0, 5.5, format_long_date(letter_date, lang), align=Align.R)
    pdf.set_xy(pdf.l_margin, top)
    for line in recipient_lines:
        pdf.cell(100, 5.5, _clean(line).strip(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(pdf.get_y(), top + 5.5) + 14)

    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(0, 6.5, _clean(text.subject).strip(), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(5)
    _write_body(pdf, text.body, headings=content.heading_lines(lang))
    return bytes(pdf.output())


def _write_body(pdf: _Letter, body: str, *, headings: frozenset[str]) -> None:
    for raw in _clean(body).strip("\n").split("\n"):
        line = raw.rstrip()
        if not line:
            pdf.ln(LINE_MM * 0.6)
            continue
        is_heading = line.strip() in headings
        if is_heading and pdf.will_page_break(LINE_MM * 3):
            pdf.add_page()  # a heading never ends a page without the text it introduces
        pdf.set_font(FONT, "B" if is_heading else "", BODY_PT)
        parts = _LIST_ITEM.match(line)
        indent = min(len(parts["indent"]), 12) * 1.8
        marker = parts["marker"] or ""
        marker_w = pdf.get_string_width(marker) if marker else 0
        pdf.set_x(pdf.l_margin + indent)
        if marker:
            pdf.cell(marker_w, LINE_MM, marker)
        pdf.multi_cell(
            pdf.epw - indent - marker_w, LINE_MM, parts["rest"], align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )


def _clean(text: str) -> str:
    """Staff may paste text from anywhere: unify line ends and tabs before layout."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
