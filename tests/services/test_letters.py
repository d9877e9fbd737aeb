"""The printed letter: A4 PDF, readable back with the Danish characters intact."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from advisory.referral import LANGS, ReferralInput, ReferralText, SaidBlock, compose_referral
from services.letters import (
    ADDRESS_FIELD_HEIGHT_MM,
    ADDRESS_FIELD_LEFT_MM,
    ADDRESS_FIELD_TOP_MM,
    ADDRESS_FIELD_WIDTH_MM,
    FONT_DIR,
    LetterToPrint,
    render_letter_pdf,
    render_letters_pdf,
)

A4_PT = (595.28, 841.89)
RECIPIENT = ("Inge Hansen", "Æblevej 3, 2. th.", "8000 Aarhus C")
SAID = (
    SaidBlock("g-keep-going", "guidance", "Du kan trygt fortsætte med at cykle, gå ture og klare dine huslige opgaver."),
    SaidBlock("g-lift", "guidance", "Løft med ret ryg og hold tingen tæt ind til kroppen.", ("strakt",)),
)


def letter(lang: str = "da", *, text: ReferralText | None = None, recipient=RECIPIENT) -> bytes:
    text = text or compose_referral(
        ReferralInput(
            lang=lang,
            recipient_name="Inge Hansen",
            group="everyday_active_with_fracture",
            said_blocks=SAID,
            follow_up_on=date(2027, 2, 19),
            call_date=date(2026, 11, 26),
        )
    )
    return render_letter_pdf(text, lang=lang, recipient_lines=recipient, letter_date=date(2026, 11, 27))


def pages_text(pdf: bytes) -> list[str]:
    """Extracted text per page with wrapping undone, so phrases can be found across line breaks."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_is_a4_on_every_page(lang):
    pdf = letter(lang)
    assert pdf.startswith(b"%PDF")
    for page in PdfReader(io.BytesIO(pdf)).pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4_PT, abs=1)


@pytest.mark.parametrize(
    ("lang", "phrases"),
    [
        ("da", ["Osteoporoseforeningen", "Inge Hansen", "Æblevej 3, 2. th.", "27. november 2026",
                "Vejledning efter din samtale med Fysioterapeutrådgivningen den 26. november 2026",
                "Kære Inge Hansen,", "henvisning til en fysioterapeut", "den offentlige sygesikring",
                "»Få støtte«", "»Lev knoglesundt«", "hold tingen tæt ind til kroppen",
                "Vi ringer dig op omkring 19. februar 2027"]),
        ("en", ["Osteoporoseforeningen", "Inge Hansen", "27 November 2026", "Dear Inge Hansen,",
                "referral to a physiotherapist", "(den offentlige sygesikring)", '"Få støtte" (Get support)',
                "We will call you around 19 February 2027"]),
    ],
)
def test_letter_reads_back_with_its_content(lang, phrases):
    text = " ".join(pages_text(letter(lang)))
    for phrase in phrases:
        assert phrase in text


def test_danish_letters_and_typographic_marks_survive():
    marks = "Æ Ø Å æ ø å » « – “ ” ·"
    edited = ReferralText(subject="Særlig hilsen til Søren Ærø", body=f"Kære Søren Ærø,\n\nTegn: {marks}\n")
    text = " ".join(pages_text(letter(text=edited)))
    assert "Særlig hilsen til Søren Ærø" in text
    assert f"Tegn: {marks}" in text


@pytest.mark.parametrize("lang", LANGS)
def test_bundled_font_is_embedded(lang):
    page = PdfReader(io.BytesIO(letter(lang))).pages[0]
    fonts = {str(font.get_object()["/BaseFont"]) for font in page["/Resources"]["/Font"].values()}
    assert any("DejaVuSans" in name for name in fonts)
    assert {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE.txt"} <= {path.name for path in FONT_DIR.iterdir()}


@pytest.mark.parametrize(
    ("lang", "label", "contact"),
    [("da", "Side {page} af {total}", "se telefontider på osteoporose.dk"),
     ("en", "Page {page} of {total}", "see the advice line's opening hours on osteoporose.dk")],
)
def test_every_page_has_contact_footer_and_page_number(lang, label, contact):
    long_body = "\n\n".join(f"Afsnit {number}: " + "Træning under rette hensyn er sikkert. " * 12 for number in range(14))
    pages = pages_text(letter(lang, text=ReferralText(subject="Lang", body=long_body)))
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert label.format(page=number, total=len(pages)) in text
        assert contact in text
        assert "Osteoporoseforeningen" in text
    everything = " ".join(pages)
    assert all(f"Afsnit {number}:" in everything for number in range(14))


def test_staff_edits_are_printed_verbatim():
    edited = ReferralText(subject="Din henvisning", body="Kære Inge,\r\n\r\n\tHusk at tale med din læge om en henvisning.\n")
    text = " ".join(pages_text(letter(text=edited)))
    assert "Din henvisning" in text
    assert "Husk at tale med din læge om en henvisning." in text


def test_without_recipient_lines_the_letter_still_renders():
    text = " ".join(pages_text(letter(recipient=())))
    assert "27. november 2026" in text and "Kære Inge Hansen," in text


def test_same_input_gives_the_same_bytes():
    assert letter() == letter()


def test_unknown_language_is_rejected():
    with pytest.raises(ValueError, match="language"):
        render_letter_pdf(ReferralText("s", "b"), lang="de", letter_date=date(2026, 11, 27))


# --- the window envelope, the phone line, the batch -------------------------------------------------

MM_PER_PT = 25.4 / 72


def text_positions(pdf: bytes, page: int = 0) -> dict[str, tuple[float, float]]:
    """Each text run on a page with its start: (mm from the left edge, mm from the top edge to the baseline)."""
    reader = PdfReader(io.BytesIO(pdf))
    height_pt = float(reader.pages[page].mediabox.height)
    found: dict[str, tuple[float, float]] = {}

    def visit(text, cm, tm, font, size):
        if text.strip() and text.strip() not in found:
            found[text.strip()] = (tm[4] * MM_PER_PT, (height_pt - tm[5]) * MM_PER_PT)

    reader.pages[page].extract_text(visitor_text=visit)
    return found


def test_the_address_sits_in_a_danish_window_envelopes_window():
    positions = text_positions(letter())
    left, right = ADDRESS_FIELD_LEFT_MM, ADDRESS_FIELD_LEFT_MM + ADDRESS_FIELD_WIDTH_MM
    top, bottom = ADDRESS_FIELD_TOP_MM, ADDRESS_FIELD_TOP_MM + ADDRESS_FIELD_HEIGHT_MM
    for line in RECIPIENT:
        x, baseline = positions[line]
        assert left + 3 <= x <= left + 7, line  # inside the window's left edge, with room to shift
        assert top + 3 <= baseline <= bottom - 1, line
        assert right > x
    assert positions[RECIPIENT[0]][1] < positions[RECIPIENT[1]][1] < positions[RECIPIENT[2]][1]
    # Nothing else is printed in the window: the letterhead is above it, the subject below.
    for text, (x, baseline) in positions.items():
        if text not in RECIPIENT and x < right - 20:
            assert not top <= baseline <= bottom, text


def test_the_date_is_written_out():
    assert "27. november 2026" in text_positions(letter())
    assert "27 November 2026" in text_positions(letter("en"))


@pytest.mark.parametrize(("lang", "phone", "hours", "expected"), [
    ("da", "", "", "se telefontider på osteoporose.dk"),
    ("da", "12 34 56 78", "man.-tors. kl. 10-12", "Telefon 12 34 56 78 · man.-tors. kl. 10-12"),
    ("da", "12 34 56 78", "", "Telefon 12 34 56 78 · se telefontider på osteoporose.dk"),
    ("en", "12 34 56 78", "Mon-Thu 10-12", "Phone 12 34 56 78 · Mon-Thu 10-12"),
])
def test_the_letter_carries_the_advice_lines_phone_and_hours(lang, phone, hours, expected):
    text = ReferralText(subject="Emne", body="Kære Inge,\n")
    pdf = render_letter_pdf(text, lang=lang, recipient_lines=RECIPIENT, letter_date=date(2026, 11, 27),
                            phone=phone, hours=hours)
    assert expected in pages_text(pdf)[0]


def test_a_batch_starts_each_letter_on_a_new_page_and_numbers_pages_per_letter():
    long_body = "\n\n".join("Træning under rette hensyn er sikkert. " * 12 for _ in range(10))
    letters = [
        LetterToPrint(ReferralText("Til Inge", "Kære Inge,\n"), "da", RECIPIENT),
        LetterToPrint(ReferralText("Til Henrik", long_body), "da", ("Henrik Ærø", "Bøgevej 1", "2100 København Ø")),
        LetterToPrint(ReferralText("To Hanne", "Dear Hanne,\n"), "en", ("Hanne Bæk", "Elmevej 2", "5000 Odense C")),
    ]
    pdf = render_letters_pdf(letters, letter_date=date(2026, 11, 27))
    pages = pages_text(pdf)
    assert "Inge Hansen" in pages[0] and "Side 1 af 1" in pages[0] and "Henrik" not in pages[0]
    assert "Henrik Ærø" in pages[1] and "Til Henrik" in pages[1]  # a letter never starts on another's page
    henrik_pages = len(pages) - 2
    assert henrik_pages >= 2
    for number in range(1, henrik_pages + 1):
        assert f"Side {number} af {henrik_pages}" in pages[number]
    assert "Hanne Bæk" in pages[-1] and "Page 1 of 1" in pages[-1] and "27 November 2026" in pages[-1]
    assert "Henrik" not in pages[-1] and "Hanne" not in " ".join(pages[:-1])
    first = 1
    for index in (0, first, len(pages) - 1):  # each letter's first page has its address in the window
        assert text_positions(pdf, index)
    assert text_positions(pdf, len(pages) - 1)["Hanne Bæk"][0] == pytest.approx(25, abs=1)


def test_an_empty_batch_is_refused():
    with pytest.raises(ValueError, match="no letters"):
        render_letters_pdf([], letter_date=date(2026, 11, 27))
