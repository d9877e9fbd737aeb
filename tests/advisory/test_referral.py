"""Composition of the written guidance sent to members after a call."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from datetime import date

import pytest
import yaml

from advisory import referral
from advisory.content import ContentError
from advisory.referral import (
    LANGS,
    THEMES,
    ReferralInput,
    SaidBlock,
    compose_referral,
    emphasised_themes,
    load_referral_content,
)
from advisory.vocab import codes

SAFETY = SaidBlock("safety-new-pain", "safety", "Har du fået nye, pludselige og stærke rygsmerter?")
QUESTION = SaidBlock("q-activity", "questions", "Hvad laver du til daglig?")
KEEP_GOING = SaidBlock("g-keep-going", "guidance", "Du kan trygt fortsætte med at cykle og gå ture.", ("stabil",))
LIFT = SaidBlock("g-lift", "guidance", "Løft med ret ryg og hold tingen tæt\n  ind til kroppen.", ("strakt",))
MYTH = SaidBlock("m-5kg", "myths", "Der er ingen fast grænse på 5 kilo.", ("staerk",))
THEME = SaidBlock("t-balance", "themes", "Balancetræning hjælper med at forebygge fald.", ("theme:stabil",))
NOT_SAID = SaidBlock("g-yoga", "guidance", "Spring dybe foroverbøjninger over i yoga.", ("strakt",))

# Words that would mean medicine dosing advice crept into a letter.
DOSING = re.compile(r"\b(mg|milligram\w*|dosis|doser|dosering\w*|doses?|dosage|tablet\w*|pille\w*|pills?)\b", re.I)
PHONE = re.compile(r"(?<![\d.])(\+45 ?)?\d{2} ?\d{2} ?\d{2} ?\d{2}(?![\d.])")


def make(lang: str = "da", **changes) -> ReferralInput:
    base = ReferralInput(
        lang=lang,
        recipient_name="Inge Hansen",
        group="everyday_active_with_fracture",
        said_blocks=(SAFETY, KEEP_GOING, LIFT, MYTH),
    )
    return replace(base, **changes)


def body(lang: str = "da", **changes) -> str:
    return compose_referral(make(lang, **changes)).body


def test_content_loads_and_covers_every_theme():
    content = load_referral_content()
    assert set(content.themes) == set(THEMES)
    assert content.association == "Osteoporoseforeningen"
    assert content.advice_line_name == "Fysioterapeutrådgivningen"


@pytest.mark.parametrize(
    ("lang", "name", "greeting"),
    [
        ("da", "Inge Hansen", "Kære Inge Hansen,"),
        ("da", None, "Kære medlem,"),
        ("da", "   ", "Kære medlem,"),
        ("da", " Inge\n Hansen ", "Kære Inge Hansen,"),
        ("en", "Inge Hansen", "Dear Inge Hansen,"),
        ("en", None, "Dear member,"),
    ],
)
def test_greeting_opens_the_letter(lang, name, greeting):
    assert body(lang, recipient_name=name).splitlines()[0] == greeting


@pytest.mark.parametrize("lang", LANGS)
def test_only_said_advice_blocks_appear_once_each_in_call_order(lang):
    text = body(lang, said_blocks=(SAFETY, QUESTION, KEEP_GOING, MYTH, LIFT, KEEP_GOING))
    assert SAFETY.text not in text
    assert QUESTION.text not in text
    assert NOT_SAID.text not in text
    lines = text.splitlines()
    bullets = [f"• {KEEP_GOING.text}", f"• {MYTH.text}", "• Løft med ret ryg og hold tingen tæt ind til kroppen."]
    positions = [lines.index(bullet) for bullet in bullets]
    assert positions == sorted(positions)
    assert text.count(KEEP_GOING.text) == 1


@pytest.mark.parametrize(("lang", "heading"), [("da", "Det talte vi om"), ("en", "What we talked about")])
def test_without_said_advice_there_is_no_summary_section(lang, heading):
    assert heading in body(lang)
    text = body(lang, said_blocks=(SAFETY,))
    assert heading not in text
    assert SAFETY.text not in text


@pytest.mark.parametrize(
    ("blocks", "themes", "expected"),
    [
        ((KEEP_GOING, LIFT, MYTH), (), ["staerk", "stabil", "strakt"]),
        ((LIFT,), (), ["strakt"]),
        ((THEME,), (), ["stabil"]),
        ((SAFETY,), (), []),
        ((SaidBlock("s", "safety", "x", ("staerk",)),), (), []),
        ((KEEP_GOING, LIFT, MYTH), ("strakt",), ["strakt"]),
        ((), ("strakt", "Stærk"), ["staerk", "strakt"]),
    ],
)
def test_emphasised_themes_come_from_the_advisor_or_the_said_tags(blocks, themes, expected):
    assert emphasised_themes(make(said_blocks=blocks, themes=themes)) == expected


@pytest.mark.parametrize(
    ("lang", "themes", "present", "absent"),
    [
        ("da", ("stabil",), ["Stabil: balancetræning"], ["Stærk: ", "Strakt: "]),
        ("da", ("staerk", "strakt"), ["Stærk: styrketræning", "Strakt: træning af de store rygmuskler"], ["Stabil: "]),
        ("en", ("stabil",), ["Steady (Stabil): balance training"], ["Strong (Stærk): ", "Straight (Strakt): "]),
        ("en", ("strakt",), ["Straight (Strakt): training the large back muscles"], ["Steady (Stabil): "]),
    ],
)
def test_only_emphasised_themes_are_explained(lang, themes, present, absent):
    text = body(lang, themes=themes)
    for snippet in present:
        assert snippet in text
    for snippet in absent:
        assert snippet not in text


@pytest.mark.parametrize(("lang", "heading"), [("da", "Stærk, Stabil og Strakt"), ("en", "Strong, Steady and Straight")])
def test_no_theme_section_without_emphasised_themes(lang, heading):
    assert heading not in body(lang, said_blocks=(SaidBlock("g", "guidance", "Godt gået."),))


@pytest.mark.parametrize(("lang", "phrase"), [("da", "Når helingsfasen er ovre"), ("en", "Once the healing phase is over")])
def test_themes_wait_for_the_healing_phase_after_an_acute_fracture(lang, phrase):
    assert phrase in body(lang, group="acute_vertebral_fracture", themes=("staerk",))
    assert phrase not in body(lang, group="everyday_active_with_fracture", themes=("staerk",))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("theme", THEMES)
def test_theme_lines_carry_no_impact_advice(lang, theme):
    # The letter cannot know the fracture risk, so hops and jumps must never appear in a theme line.
    line = load_referral_content().themes[theme].line.get(lang).lower()
    assert not re.search(r"hop|hink|spring|jump|impact|stød", line)


@pytest.mark.parametrize(
    ("lang", "follow_up", "line"),
    [
        ("da", date(2027, 2, 19), "Vi ringer dig op omkring 19. februar 2027"),
        ("da", date(2027, 1, 5), "Vi ringer dig op omkring 5. januar 2027"),
        ("en", date(2027, 2, 19), "We will call you around 19 February 2027"),
        ("en", date(2027, 1, 5), "We will call you around 5 January 2027"),
    ],
)
def test_follow_up_date_in_the_members_language(lang, follow_up, line):
    assert line in body(lang, follow_up_on=follow_up)


@pytest.mark.parametrize(("lang", "start"), [("da", "Vi ringer dig op"), ("en", "We will call you")])
def test_no_follow_up_line_without_a_date(lang, start):
    assert start not in body(lang)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("topics", "expected"),
    [(("medication",), True), (("lifting", "medication"), True), (("lifting",), False), ((), False)],
)
def test_medication_line_iff_topic(lang, topics, expected):
    line = {"da": "Har du spørgsmål om medicin, er det din egen læge", "en": "questions about medicine, please talk to your own GP"}
    assert (line[lang] in body(lang, topics=topics)) is expected


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("group", codes("group"))
def test_every_group_renders_the_full_route_without_dosing_or_phone_numbers(lang, group):
    text = body(
        lang,
        group=group,
        said_blocks=(SAFETY, KEEP_GOING, LIFT, MYTH, THEME),
        topics=("medication", "lifting"),
        follow_up_on=date(2027, 2, 19),
        call_date=date(2026, 11, 26),
        advisor_name="Mette Jensen",
    )
    content = load_referral_content()
    for item in content.physio_help.get(lang):
        assert f"• {item}" in text
    for fixed in ("osteoporose.dk", "Få støtte", "Lev knoglesundt", "Osteoporoseforeningen", "Fysioterapeutrådgivningen"):
        assert fixed in text
    assert not DOSING.search(text)
    assert not PHONE.search(text)
    assert "\n\n\n" not in text and text.endswith("\n") and not text.endswith("\n\n")


@pytest.mark.parametrize(
    ("lang", "steps"),
    [
        ("da", ["egen læge om en henvisning til en fysioterapeut", "den offentlige sygesikring et tilskud",
                "du betaler selv den største del", "Knogleskørhed alene giver ikke gratis fysioterapi",
                "sygeforsikringen »danmark«", "særlig viden om knogleskørhed på osteoporose.dk under »Få støtte«",
                "osteoporose.dk under »Lev knoglesundt«"]),
        ("en", ["own GP about a referral to a physiotherapist", "(den offentlige sygesikring)",
                "you pay the larger share", "Osteoporosis alone does not give free physiotherapy",
                'health insurer "danmark"', 'special knowledge of osteoporosis on osteoporose.dk under "Få støtte"',
                'osteoporose.dk under "Lev knoglesundt"']),
    ],
)
def test_referral_route_steps_in_order(lang, steps):
    text = body(lang)
    positions = [text.index(step) for step in steps]
    assert positions == sorted(positions)


@pytest.mark.parametrize(
    ("group", "note_start"),
    [
        ("acute_vertebral_fracture", "Når man har haft et nyt brud i ryggen"),
        ("function_limited", "Vi vil gerne opfordre dig til at få hjælp af en fysioterapeut"),
        ("training_active_no_fracture", None),
    ],
)
def test_group_note_before_the_route(group, note_start):
    text = body(group=group)
    notes = [note.da[:30] for note in load_referral_content().group_notes.values()]
    if note_start is None:
        assert not any(note in text for note in notes)
    else:
        assert text.index(note_start) < text.index("1. Tal med din egen læge")


def test_unapproved_group_note_is_never_sent():
    content = load_referral_content()
    note = content.group_notes["function_limited"].model_copy(update={"review_status": "needs_clinical_review"})
    pending = content.model_copy(update={"group_notes": {**content.group_notes, "function_limited": note}})
    text = compose_referral(make(group="function_limited"), content=pending).body
    assert note.da[:40] not in text


@pytest.mark.parametrize(
    ("lang", "advisor", "closing"),
    [
        ("da", "Mette Jensen", "Med venlig hilsen\nMette Jensen\nFysioterapeutrådgivningen\nOsteoporoseforeningen\n"),
        ("da", None, "Med venlig hilsen\nFysioterapeutrådgivningen\nOsteoporoseforeningen\n"),
        ("en", "Mette Jensen", "Kind regards\nMette Jensen\nFysioterapeutrådgivningen\nOsteoporoseforeningen\n"),
        ("en", None, "Kind regards\nFysioterapeutrådgivningen\nOsteoporoseforeningen\n"),
    ],
)
def test_closing_invites_a_new_call_and_signs_off(lang, advisor, closing):
    text = body(lang, advisor_name=advisor)
    assert text.endswith(closing)
    assert {"da": "velkommen til at ringe til", "en": "welcome to call"}[lang] in text


@pytest.mark.parametrize(
    ("lang", "call_date", "subject"),
    [
        ("da", date(2026, 11, 26), "Vejledning efter din samtale med Fysioterapeutrådgivningen den 26. november 2026"),
        ("da", None, "Vejledning efter din samtale med Fysioterapeutrådgivningen"),
        ("en", date(2026, 11, 26),
         "Guidance after your call with the physiotherapist advice line (Fysioterapeutrådgivningen) on 26 November 2026"),
    ],
)
def test_subject_is_one_line(lang, call_date, subject):
    assert compose_referral(make(lang, call_date=call_date)).subject == subject


def test_plain_text_is_not_html_escaped():
    text = body(recipient_name="Inge & Jens <Hansen>")
    assert text.startswith("Kære Inge & Jens <Hansen>,")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"lang": "de"}, "language"),
        ({"group": "unknown_group"}, "caller group"),
        ({"themes": ("staerk", "flexible")}, "theme"),
    ],
)
def test_invalid_input_is_rejected(changes, message):
    with pytest.raises(ValueError, match=message):
        compose_referral(make(**changes))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda data: data["themes"]["staerk"].update(sources=["NOPE"]), "themes.staerk"),
        (lambda data: data["group_notes"].update(no_such_group=data["group_notes"]["function_limited"]), "no_such_group"),
        (lambda data: data["themes"].pop("strakt"), "strakt"),
        (lambda data: data.update(phone="12 34 56 78"), "phone"),
        (lambda data: data["physio_help"].update(sources=[]), "physio_help"),
    ],
)
def test_content_errors_name_the_file_and_the_id(tmp_path, monkeypatch, edit, message):
    shutil.copytree(referral.REFERRAL_DIR, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "referral.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(referral, "REFERRAL_DIR", tmp_path)
    with pytest.raises(ContentError, match="referral.yaml") as caught:
        load_referral_content()
    assert message in str(caught.value)



# --- issue 11: red flags, the safety net, relatives, each theme once, the advice line's number ----------

DISPOSITION = ("Ring til din egen læge nu – uden for åbningstid lægevagten (1813 i Region Hovedstaden, ellers din "
               "regions nummer).")
TRAINING_WORDS = re.compile(r"træning|styrke|balance|\bStærk\b|\bStabil\b|\bStrakt\b|\bhop|\bløft|\bfysioterapeut(en|er)?\b",
                            re.IGNORECASE)


def test_after_a_red_flag_the_letter_repeats_the_disposition_and_a_safety_net_and_no_training_advice():
    text = body(disposition=DISPOSITION, said_blocks=(KEEP_GOING, LIFT, MYTH, THEME), follow_up_on=date(2027, 1, 5))
    assert "Det aftalte vi" in text and DISPOSITION in text
    assert "Hvis det bliver værre" not in text  # the safety net follows the disposition directly
    assert "1813" in text and "112" in text
    letter_without_signature = text.split("Med venlig hilsen")[0]
    assert not TRAINING_WORDS.search(letter_without_signature), TRAINING_WORDS.search(letter_without_signature)
    for said in (KEEP_GOING, LIFT, MYTH, THEME):
        assert " ".join(said.text.split()) not in text


@pytest.mark.parametrize(("lang", "net"), [("da", "ring til din egen læge med det samme"),
                                          ("en", "call your own GP straight away")])
def test_a_letter_in_the_healing_phase_carries_the_safety_net(lang, net):
    assert net in body(lang, safety_net=True)
    assert net not in body(lang, safety_net=False)


def test_an_unapproved_safety_net_is_never_sent():
    content = load_referral_content()
    pending = content.model_copy(update={"safety_net": content.safety_net.model_copy(
        update={"review_status": "needs_clinical_review"})})
    assert "lægevagten" not in compose_referral(make(safety_net=True), content=pending).body


WORDS = {"person": "din mor", "Person": "Din mor", "pronoun": "hun", "Pronoun": "Hun", "object": "hende",
         "possessive": "hendes"}


def test_a_letter_to_a_relative_is_addressed_to_them_and_speaks_of_the_member_in_the_third_person():
    text = body(recipient_name="Karen Jensen", relative=True, person="din mor", person_words=WORDS, safety_net=True,
                topics=("medication",))
    assert text.startswith("Kære Karen Jensen,")
    assert "om din mor." in text
    assert "Din mor kan tale med sin egen læge om en henvisning" in text
    assert "skal din mor kontakte sin egen læge" in text  # the safety net in the third person
    assert "din mors egen læge" in text
    assert "Tal med din egen læge om en henvisning" not in text
    assert body(relative=True, person="din mor", person_words=WORDS, recipient_name=None).startswith("Kære pårørende,")


def test_each_theme_appears_once_in_the_words_of_the_call():
    staerk = SaidBlock("theme-staerk-walking-level", "themes",
                       "Stærk: styrketræning med god teknik og vægtbærende aktivitet som gåture.", ("staerk", "impact_low"))
    intro = SaidBlock("theme-intro", "themes", "Vi bruger tre temaer.", ("staerk", "stabil", "strakt"))
    text = body(said_blocks=(intro, staerk, KEEP_GOING))
    assert text.count("Stærk:") == 1
    assert "• Stærk: styrketræning med god teknik og vægtbærende aktivitet som gåture." in text
    assert "Vi bruger tre temaer." not in text


def test_the_advice_lines_number_and_hours_are_printed_when_configured():
    text = body(phone="70 20 41 31", hours="mandag–torsdag kl. 10–12")
    assert "på 70 20 41 31 (mandag–torsdag kl. 10–12)" in text
    assert "Telefontiderne kan du se på osteoporose.dk" in body()


def test_frail_callers_letters_point_to_the_municipality():
    assert "kommunens visitation" in body(municipal=True) and "kommunens visitation" not in body()
