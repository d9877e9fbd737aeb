"""The printed letter: A4 PDF, readable back with the Danish characters intact."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from advisory.referral import LANGS, ReferralInput, ReferralText, SaidBlock, compose_referral
from services.letters import FONT_DIR, render_letter_pdf

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
