"""The printed letter: an A4 PDF of a (possibly staff-edited) referral text, one letter or a whole batch.

Many members are elderly and read on paper, so the letter uses a large, plain font, keeps list
items' hanging indents and prints the advice line's contact lines on every page. The fonts are
bundled so Danish letters and typographic quotes render on any machine.

The recipient's address sits where a Danish window envelope shows it. Window envelopes in Denmark
(C5 for A4 folded once, C6/5 and C5/6 for A4 folded in three, C6 for A4 folded twice) have their
window on the left, 15–20 mm from the left edge, its top 39–45 mm from the top of the sheet and
35–45 mm high. So the address field here is 20 mm from the left and 45 mm from the top, 85 mm wide and
30 mm high (it also fits the 105 mm wide quarter sheet of a C6), and the text starts 5 mm inside it
(25 mm from the left, 47 mm from the top) so it stays in the window when the sheet shifts in the
envelope. At most five lines (advisory.postal.MAX_LINES) of 11 pt fit.

A batch prints several letters in one PDF for the secretariat: each letter starts on a new page with
its own letterhead, and its pages are numbered within the letter ("Side 1 af 2").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from advisory.formatting import format_long_date
from advisory.referral import LANGS, REFERRAL_DIR, ReferralContent, ReferralText, load_referral_content

FONT_DIR = REFERRAL_DIR / "fonts"
FONT = "DejaVuSans"
BODY_PT = 12
LINE_MM = 6.2
# The window-envelope address field (see the module docstring), in mm from the sheet's top-left corner.
ADDRESS_FIELD_LEFT_MM, ADDRESS_FIELD_TOP_MM = 20, 45
ADDRESS_FIELD_WIDTH_MM, ADDRESS_FIELD_HEIGHT_MM = 85, 30
ADDRESS_INSET_LEFT_MM, ADDRESS_INSET_TOP_MM = 5, 2
ADDRESS_PT, ADDRESS_LINE_MM = 11, 5.0
RECIPIENT_LEFT_MM = ADDRESS_FIELD_LEFT_MM + ADDRESS_INSET_LEFT_MM
RECIPIENT_TOP_MM = ADDRESS_FIELD_TOP_MM + ADDRESS_INSET_TOP_MM
_MARGIN_LEFT, _MARGIN_RIGHT, _MARGIN_TOP, _MARGIN_BOTTOM = 25, 20, 18, 30
_PAGE_LABEL = {"da": "Side {page} af {pages}", "en": "Page {page} of {pages}"}
_DOCUMENT_TITLE = {"da": "Vejledning til medlemmet", "en": "Guidance for the member"}
_BATCH_TITLE = {"da": "Breve til afsendelse {date}", "en": "Letters to post {date}"}
# "1. ", "• ", "– ", "- ", "* " start a list item; its wrapped lines align after the marker.
_LIST_ITEM = re.compile(r"^(?P<indent> *)(?P<marker>(?:\d+\.|[•\-–*])\s+)?(?P<rest>.*)$")


def phone_line(phone: str, hours: str, lang: str, *, website: str = "osteoporose.dk") -> str:
    """How to reach the advice line, from ADVICE_LINE_PHONE and ADVICE_LINE_HOURS (either may be empty)."""
    phone, hours = " ".join(phone.split()), " ".join(hours.split())
    if lang == "da":
        if phone and hours:
            return f"Telefon {phone} · {hours}"
        if phone:
            return f"Telefon {phone} · se telefontider på {website}"
        if hours:
            return f"Telefontider {hours} · telefonnummer på {website}"
        return f"se telefontider på {website}"
    if phone and hours:
        return f"Phone {phone} · {hours}"
    if phone:
        return f"Phone {phone} · see the opening hours on {website}"
    if hours:
        return f"Opening hours {hours} · phone number on {website}"
    return f"see the advice line's opening hours on {website}"


@dataclass(frozen=True)
class LetterToPrint:
    text: ReferralText
    lang: str
    recipient_lines: Sequence[str] = ()


class _Letters(FPDF):
    """One or more letters; page numbers and footers are drawn per letter once its length is known."""

    def __init__(self, content: ReferralContent, *, phone: str, hours: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.content = content
        self.phone, self.hours = phone, hours
        self.lang = "da"
        self.letter_start = 1
        self.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
        self.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        self.set_margins(_MARGIN_LEFT, _MARGIN_TOP, _MARGIN_RIGHT)
        self.set_auto_page_break(auto=True, margin=_MARGIN_BOTTOM)

    def header(self) -> None:
        if self.page_no() == self.letter_start:
            self.set_font(FONT, "B", 18)
            self.cell(0, 9, self.content.association, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_font(FONT, "", 11)
            self.cell(0, 6, self.content.advice_line_name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_font(FONT, "", 9.5)
            self.cell(0, 5, phone_line(self.phone, self.hours, self.lang, website=self.content.website),
                      new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self._rule(self.get_y() + 1.5)
        else:
            self.set_font(FONT, "", 9)
            self.cell(0, 5, self.content.association, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self._rule(self.get_y() + 1)
        self.set_y(self.get_y() + 6)

    def footer(self) -> None:
        """Drawn later by `finish_letter`: "page n of m" needs the letter's length."""

    def start_letter(self, lang: str) -> None:
        self.lang = lang
        self.letter_start = self.page_no() + 1
        self.add_page()

    def finish_letter(self) -> None:
        last = self.page_no()
        pages = last - self.letter_start + 1
        self.set_auto_page_break(auto=False)
        for number in range(self.letter_start, last + 1):
            self.page = number
            self._footer(number - self.letter_start + 1, pages)
        self.page = last
        self.set_auto_page_break(auto=True, margin=_MARGIN_BOTTOM)

    def _footer(self, page: int, pages: int) -> None:
        self.set_y(-(_MARGIN_BOTTOM - 6))
        self._rule(self.get_y() - 2)
        self.set_font(FONT, "", 9.5)
        content = self.content
        for line in (f"{content.association} · {content.advice_line_name}",
                     f"{content.website} · {phone_line(self.phone, self.hours, self.lang, website=content.website)}"):
            self.cell(0, 4.6, line, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.cell(0, 4.6, _PAGE_LABEL[self.lang].format(page=page, pages=pages), align=Align.R)

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
    phone: str = "",
    hours: str = "",
) -> bytes:
    """An A4 PDF letter: letterhead, recipient in the window, date, bold subject, wrapped body, footer."""
    return render_letters_pdf([LetterToPrint(text=text, lang=lang, recipient_lines=recipient_lines)],
                              letter_date=letter_date, content=content, phone=phone, hours=hours)


def render_letters_pdf(
    letters: Sequence[LetterToPrint],
    *,
    letter_date: date,
    content: ReferralContent | None = None,
    phone: str = "",
    hours: str = "",
) -> bytes:
    """Several letters in one PDF, each from a new page, all dated `letter_date` (the day they are posted)."""
    if not letters:
        raise ValueError("no letters to print")
    for letter in letters:
        if letter.lang not in LANGS:
            raise ValueError(f"unknown language {letter.lang!r}; expected one of {LANGS}")
    content = content or load_referral_content()
    pdf = _Letters(content, phone=phone, hours=hours)
    # Same input, same bytes: the creation date comes from the letter, not the clock.
    pdf.set_creation_date(datetime(letter_date.year, letter_date.month, letter_date.day, tzinfo=UTC))
    first = letters[0]
    if len(letters) == 1:
        pdf.set_title(f"{_DOCUMENT_TITLE[first.lang]}: {first.text.subject}")
    else:
        pdf.set_title(_BATCH_TITLE[first.lang].format(date=format_long_date(letter_date, first.lang)))
    pdf.set_author(content.association)
    pdf.set_lang(first.lang)
    for letter in letters:
        pdf.start_letter(letter.lang)
        _write_letter(pdf, letter, letter_date=letter_date, content=content)
        pdf.finish_letter()
    return bytes(pdf.output())


def _write_letter(pdf: _Letters, letter: LetterToPrint, *, letter_date: date, content: ReferralContent) -> None:
    top = max(pdf.get_y(), RECIPIENT_TOP_MM)
    pdf.set_font(FONT, "", ADDRESS_PT)
    pdf.set_xy(pdf.l_margin, top)
    pdf.cell(0, ADDRESS_LINE_MM, format_long_date(letter_date, letter.lang), align=Align.R)
    address_width = ADDRESS_FIELD_WIDTH_MM - ADDRESS_INSET_LEFT_MM
    y = top
    for raw in letter.recipient_lines:
        line = _clean(raw).strip()
        size: float = ADDRESS_PT
        while size > 8 and pdf.get_string_width(line) > address_width:
            size -= 0.5  # a long street name shrinks a little rather than leaving the window
            pdf.set_font_size(size)
        pdf.set_xy(RECIPIENT_LEFT_MM, y)
        pdf.cell(address_width, ADDRESS_LINE_MM, line)
        pdf.set_font_size(ADDRESS_PT)
        y += ADDRESS_LINE_MM
    pdf.set_y(max(y, top + ADDRESS_LINE_MM, ADDRESS_FIELD_TOP_MM + ADDRESS_FIELD_HEIGHT_MM) + 8)

    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(0, 6.5, _clean(letter.text.subject).strip(), align=Align.L, new_x=XPos.LMARGIN,
                   new_y=YPos.NEXT)
    pdf.ln(5)
    _write_body(pdf, letter.text.body, headings=content.heading_lines(letter.lang))


def _write_body(pdf: _Letters, body: str, *, headings: frozenset[str]) -> None:
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
        assert parts is not None  # the pattern matches every line (each part may be empty)
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
