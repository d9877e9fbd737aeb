"""What the written guidance says: only what the call supported, medicine to the GP, and the letter's PDF."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader
from sqlmodel import select

from advisory.referral import SAID_SECTIONS, load_referral_content
from advisory.script import script_content
from db.engine import get_engine, session_scope
from db.models import FollowUp
from db.repositories import referrals
from services import outbox
from services.guidance import compose_for_call, referral_input
from tests.services.test_outbox import HENRIK_BLOCKS, make_advisor, make_call

INGE_BLOCKS = ["questions-what-matters", "everyday-fx-continue", "everyday-fx-balance-strength", "everyday-fx-vary",
               "technique-straight-back", "avoid-forceful-flexion", "theme-staerk-walking-level", "theme-stabil",
               "referral-gp-physio", "closing-call-again"]
HANNE_BLOCKS = ["training-keep-level", "training-technique-physio", "training-straight-back-bracing",
                "avoid-forceful-flexion", "guidance-exercise-is-safe", "guidance-t-score-osteoporosis", "theme-intro",
                "theme-staerk-full"]
PERSONAS = {
    "henrik": dict(group_id="acute_vertebral_fracture", delivered_blocks=HENRIK_BLOCKS, topics=["lifting", "medication"]),
    "inge": dict(group_id="everyday_active_with_fracture", delivered_blocks=INGE_BLOCKS, topics=["lifting"],
                 caller_name="Inge Østergaard", follow_up_on=None),
    "hanne": dict(group_id="training_active_no_fracture", delivered_blocks=HANNE_BLOCKS,
                  topics=["running", "strength_training"], caller_name="Hanne Bækgaard", follow_up_on=None),
}
DOSING = re.compile(r"\b\d+\s*(mg|µg|mikrogram|microgram|IE|IU|tablet\w*)\b|\bdos(is|e|ering|age)\b", re.IGNORECASE)


def flat(text: str) -> str:
    return " ".join(text.split())


def compose(db_url, lang="da", **overrides):
    advisor = make_advisor(db_url)
    call_id = make_call(db_url, advisor.id, **overrides)
    with session_scope(get_engine(db_url)) as session:
        return compose_for_call(session, call_id=call_id, viewer=advisor, lang=lang), call_id, advisor


@pytest.mark.parametrize("persona", sorted(PERSONAS))
@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_guidance_holds_exactly_the_approved_advice_the_call_delivered(db_url, persona, lang):
    delivered = set(PERSONAS[persona]["delivered_blocks"])
    text, _, _ = compose(db_url, lang, **PERSONAS[persona])
    body = flat(text.body)
    for block in script_content().blocks:
        said = flat(getattr(block, lang))
        expected = block.id in delivered and block.section in SAID_SECTIONS and block.review_status == "approved"
        assert (said in body) == expected, (block.id, block.section, block.review_status)


@pytest.mark.parametrize(("persona", "themes"), [
    ("henrik", {"stabil", "strakt"}),
    ("inge", set()),  # her said theme blocks explain Stærk and Stabil already
    ("hanne", {"stabil", "strakt"}),  # Stærk is explained by her said block
])
def test_only_the_themes_of_said_blocks_are_emphasised(db_url, persona, themes):
    text, _, _ = compose(db_url, **PERSONAS[persona])
    content = load_referral_content()
    for key, theme in content.themes.items():
        line = f"• {theme.name.da}: {theme.line.da}"
        assert (line in text.body) == (key in themes), key


@pytest.mark.parametrize("persona", sorted(PERSONAS))
@pytest.mark.parametrize("lang", ["da", "en"])
def test_each_theme_is_explained_once_in_a_letter(db_url, persona, lang):
    text, _, _ = compose(db_url, lang, **PERSONAS[persona])
    content = load_referral_content()
    for key, theme in content.themes.items():
        name = theme.name.get(lang).split(" (")[0]  # "Strong (Stærk)" is written "Strong:" in the blocks
        explanations = [line for line in text.body.splitlines()
                        if line.startswith((f"• {theme.name.get(lang)}:", f"• {name}:"))]
        assert len(explanations) <= 1, (key, explanations)


@pytest.mark.parametrize(("topics", "blocks", "gp_line"), [
    (["medication"], HENRIK_BLOCKS, True),
    (["medication"], [b for b in HENRIK_BLOCKS if b != "medication-ask-gp"], True),
    (["lifting"], [b for b in HENRIK_BLOCKS if b != "medication-ask-gp"], False),
])
def test_medication_questions_point_to_the_gp_and_no_dose_is_ever_named(db_url, topics, blocks, gp_line):
    text, _, _ = compose(db_url, topics=topics, delivered_blocks=blocks)
    assert ("din egen læge, du skal tale med – medicin kan vi ikke rådgive om her" in flat(text.body)) == gp_line
    assert DOSING.search(text.body) is None
    if not gp_line:
        assert "medicin" not in text.body.lower()


def test_follow_up_date_only_while_the_follow_up_is_open(db_url):
    text, call_id, advisor = compose(db_url)
    assert "Vi ringer dig op omkring 19.02.2027" in text.body
    with session_scope(get_engine(db_url)) as session:
        follow_up = session.exec(select(FollowUp).where(FollowUp.call_id == call_id)).one()
        follow_up.status = "done"
        session.add(follow_up)
    with session_scope(get_engine(db_url)) as session:
        assert "Vi ringer dig op" not in compose_for_call(session, call_id=call_id, viewer=advisor).body
        assert referral_input(session, call_id=call_id, viewer=advisor).follow_up_on is None


@pytest.mark.parametrize(("consent", "greeting"), [(True, "Kære Henrik Ærø Søndergaard,"), (False, "Kære medlem,")])
def test_the_name_appears_only_with_consent(db_url, consent, greeting):
    text, _, _ = compose(db_url, contact_consent=consent)
    assert text.body.startswith(greeting)
    assert ("Søndergaard" in text.body) == consent


def test_blocks_the_content_no_longer_knows_are_skipped(db_url):
    text, _, _ = compose(db_url, delivered_blocks=["acute-healing-phase", "a-block-removed-since"])
    acute = next(b for b in script_content().blocks if b.id == "acute-healing-phase")
    assert flat(acute.da) in flat(text.body)
    assert "a-block-removed-since" not in text.body


def test_the_signature_and_date_come_from_the_call(db_url):
    _, call_id, advisor = compose(db_url)
    with session_scope(get_engine(db_url)) as session:
        inp = referral_input(session, call_id=call_id, viewer=advisor, lang="en")
    assert (inp.lang, inp.advisor_name, inp.call_date, inp.group) == (
        "en", advisor.display_name, date(2026, 11, 26), "acute_vertebral_fracture")
    assert inp.topics == ("lifting", "medication")


def test_the_letter_pdf_from_a_stored_referral_reads_back_intact(db_url):
    text, call_id, advisor = compose(db_url)
    with session_scope(get_engine(db_url)) as session:
        record = referrals.save(session, idempotency_key=referrals.new_key(), call_id=call_id, channel="letter",
                                lang="da", subject=text.subject, body=text.body,
                                recipient="Henrik Ærø Søndergaard\nÅbakken 7\n8000 Aarhus C", actor=advisor)
    pdf = outbox.letter_pdf(subject=record.subject, body=record.body, lang=record.lang,
                              recipient=record.recipient, letter_date=date(2026, 11, 27))
    reader = PdfReader(io.BytesIO(pdf))
    extracted = flat(" ".join(page.extract_text() for page in reader.pages))
    for phrase in ("Henrik Ærø Søndergaard", "Åbakken 7", "8000 Aarhus C", "27. november 2026",
                   "Kære Henrik Ærø Søndergaard,",
                   "Tal med din egen læge om en henvisning til en fysioterapeut",
                   "tilskud fra den offentlige sygesikring", "»Få støtte«", "»Lev knoglesundt«",
                   "Vi ringer dig op omkring 19.02.2027"):
        assert phrase in extracted, phrase
