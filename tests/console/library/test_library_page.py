"""The library page: search as advisors use it, "use in this call", and supervisors' editing."""

from datetime import UTC, date, datetime, timedelta

import pytest

from advisory.library import LibraryEntry, load_bundled_entries
from console.components.library_entries import AWAITING_ICON, OVERDUE_ICON
from db.engine import get_engine, session_scope
from db.models import CallCreate
from db.repositories import drafts
from db.repositories import library as library_repo
from db.repositories.calls import save_call
from tests.console.apptest import logged_in_app, make_user, texts
from tests.console.library.pages import library_page, search

SLUG = "myth-max-5-kg"
TITLE = "Jeg må højst løfte 5 kilo"
NEW_ANSWER = "Nej, der er ingen fast grænse på 5 kilo. Løft med ret ryg og tæt ind til kroppen."


def labels(at):
    return [expander.label.replace("**", "") for expander in at.expander]


def titles(at):
    """The entries' titles without their review icons (awaiting review, overdue)."""
    return [label.replace(AWAITING_ICON, "").replace(OVERDUE_ICON, "").strip() for label in labels(at)]


def stored(db_url, slug=SLUG):
    with session_scope(get_engine(db_url)) as session:
        return library_repo.get_entry(session, slug=slug)


def edit_in_db(db_url, *, expected=1, slug=SLUG, **changes):
    """Another supervisor's save, straight through the repository."""
    with session_scope(get_engine(db_url)) as session:
        entry = library_repo.get_entry(session, slug=slug).entry.model_dump()
        for name, value in changes.items():
            lang, _, field = name.partition("_")
            if lang in ("da", "en") and field:
                entry[lang][field] = value
            else:
                entry[name] = value
        library_repo.edit_entry(session, entry=LibraryEntry.model_validate(entry), expected_version=expected,
                                editor_id=None)


def open_editor(at, slug=SLUG):
    at.selectbox(key="library_edit_slug").set_value(slug).run()
    assert not at.exception
    return at


def field(at, name, slug=SLUG, version=1):
    key = f"library_edit_{slug}_v{version}_{name}"
    for kind in ("text_area", "text_input", "selectbox", "date_input", "multiselect"):
        try:
            return getattr(at, kind)(key=key)
        except KeyError:
            continue
    raise KeyError(key)


def save(at):
    at.button(key="library_edit_save").click().run()
    assert not at.exception
    return at


# --- search ---------------------------------------------------------------------------------------------------


def test_a_members_question_in_ascii_finds_the_5_kilo_myth_first(advisor):
    at = search(library_page(advisor), "maa jeg loefte 5 kilo")
    assert titles(at)[0] == TITLE
    short_answer = next(e for e in load_bundled_entries() if e.slug == SLUG).da.short_answer
    assert at.code[0].value == short_answer  # the short answer, with Streamlit's copy button
    assert "Kilder" in texts(at) and "DK2023" in texts(at)


def test_english_search_shows_english_text(advisor):
    at = search(library_page(advisor, lang="en"), "can I lift 5 kg")
    assert titles(at)[0] == "I'm not allowed to lift more than 5 kg"


@pytest.mark.parametrize(
    ("widget", "value", "kinds", "statuses"),
    [
        ("library_kind", "faq", {"faq"}, {"approved", "needs_clinical_review"}),
        ("library_kind", "myth", {"myth"}, {"approved", "needs_clinical_review"}),
        ("library_review", "needs_clinical_review", {"myth", "faq"}, {"needs_clinical_review"}),
    ],
)
def test_filters_narrow_the_list(advisor, widget, value, kinds, statuses):
    at = library_page(advisor)
    at.selectbox(key=widget).set_value(value).run()
    by_title = {entry.da.title: entry for entry in load_bundled_entries()}
    shown = [by_title[title] for title in titles(at)]
    expected = [e for e in by_title.values() if e.kind in kinds and e.review_status in statuses]
    assert len(shown) == len(expected) > 0
    assert {e.kind for e in shown} == kinds and {e.review_status for e in shown} == statuses


def test_theme_filter_applies_to_search(advisor):
    at = search(library_page(advisor), "balance")
    by_title = {entry.da.title: entry for entry in load_bundled_entries()}

    def themes():
        return {by_title[title].theme for title in titles(at)}

    assert len(themes()) > 1
    at.selectbox(key="library_theme").set_value("stabil").run()
    assert themes() == {"stabil"}


def test_review_markers_show_entries_awaiting_approval_and_overdue_ones(seeded_db, advisor):
    long_ago = date.today() - timedelta(days=400)
    edit_in_db(seeded_db, last_reviewed=long_ago.isoformat())
    at = library_page(advisor)
    page = texts(at)
    assert "Afventer klinisk godkendelse" in page  # the bundled entries awaiting the clinical lead
    assert f"{OVERDUE_ICON} Ikke gennemgået i over 12 måneder" in page
    at.selectbox(key="library_review").set_value("overdue").run()
    assert titles(at) == [TITLE] and labels(at)[0].endswith(OVERDUE_ICON)


# --- use in this call ---------------------------------------------------------------------------------------


def test_use_in_this_call_attaches_the_entry_to_the_open_call(seeded_db, advisor):
    at = logged_in_app(advisor).run()
    at.button(key="call_start").click().run()
    at.switch_page("pages/library.py").run()
    search(at, "5 kilo")
    at.button(key=f"library_use_{SLUG}").click().run()
    assert not at.exception
    assert f"»{TITLE}« er føjet til opkaldet." in texts(at)
    assert "✓ Brugt i opkaldet" in texts(at)
    with session_scope(get_engine(seeded_db)) as session:
        assert drafts.list_drafts(session, advisor_id=advisor.id)[0].data["values"]["call_attached"] == [SLUG]
    at.switch_page("pages/call.py").run()  # the call's autosave must keep it
    assert not at.exception
    assert at.session_state["call_attached"] == [SLUG]
    with session_scope(get_engine(seeded_db)) as session:
        assert drafts.list_drafts(session, advisor_id=advisor.id)[0].data["values"]["call_attached"] == [SLUG]


def test_without_an_open_call_there_is_nothing_to_use(advisor):
    at = search(library_page(advisor), "5 kilo")
    assert "Der er ikke noget opkald i gang" in texts(at)
    assert not [button for button in at.button if str(button.key).startswith("library_use_")]


# --- editing --------------------------------------------------------------------------------------------------


def test_advisors_never_see_the_edit_form(advisor):
    at = search(library_page(advisor), "5 kilo")
    assert not at.tabs
    keys = [str(widget.key) for kind in (at.selectbox, at.text_area, at.text_input, at.button) for widget in kind]
    assert not [key for key in keys if key.startswith(("library_edit", "library_restore"))]
    assert not at.dataframe


def test_a_supervisor_edits_an_entry_and_sees_the_new_text(seeded_db, supervisor):
    at = open_editor(library_page(supervisor))
    field(at, "da_short_answer").set_value(NEW_ANSWER)
    field(at, "da_tags").set_value("løfte, kilo, fem kilo , ")
    save(at)
    assert "Gemt som version 2. Ændret: Kort svar (dansk), Emneord (dansk)." in texts(at)
    assert field(at, "da_short_answer", version=2).value == NEW_ANSWER
    after = stored(seeded_db)
    assert (after.version, after.edited_by_staff, after.entry.da.tags) == (2, True, ["løfte", "kilo", "fem kilo"])
    search(at, "maa jeg loefte 5 kilo")
    assert at.code[0].value == NEW_ANSWER  # the search index was rebuilt from the edited entry
    history = at.dataframe[0].value
    assert list(history["Version"]) == [2, 1]
    assert list(history["Af"]) == ["Susanne Supervisor", "Indbygget indhold"]


def test_the_member_questions_are_edited_with_the_entry_and_kept_by_other_edits(seeded_db, supervisor):
    before = stored(seeded_db).entry
    at = open_editor(library_page(supervisor))
    assert field(at, "da_questions").value.splitlines() == before.da.questions  # one per line
    field(at, "da_questions").set_value("Må jeg løfte min kuffert?\n\nMå jeg bære en ølkasse?")
    save(at)
    assert "Medlemmernes spørgsmål (dansk): skriv 3-8 spørgsmål" in texts(at)
    assert stored(seeded_db).version == 1  # nothing saved, and what was typed is still there
    assert field(at, "da_questions").value.startswith("Må jeg løfte min kuffert?")
    field(at, "da_questions").set_value("Må jeg løfte min kuffert?\nMå jeg bære en ølkasse?\nmax 5 kilo?")
    save(at)
    assert "Gemt som version 2. Ændret: Medlemmernes spørgsmål (dansk)." in texts(at)
    after = stored(seeded_db).entry
    assert after.da.questions == ["Må jeg løfte min kuffert?", "Må jeg bære en ølkasse?", "max 5 kilo?"]
    assert after.en.questions == before.en.questions


def test_an_admin_may_edit_too(seeded_db):
    admin = make_user(seeded_db, "alma", "admin", "Alma Admin")
    at = open_editor(library_page(admin))
    field(at, "en_title").set_value("Can I only lift 5 kg?")
    save(at)
    assert stored(seeded_db).entry.en.title == "Can I only lift 5 kg?"


def test_a_stale_edit_gets_the_conflict_message_and_overwrites_nothing(seeded_db, supervisor):
    at = open_editor(library_page(supervisor))
    edit_in_db(seeded_db, da_title="Morten var hurtigere")
    field(at, "da_short_answer").set_value(NEW_ANSWER)
    save(at)
    assert "Ikke gemt: en anden har gemt opslaget, mens du redigerede (nu version 2)" in texts(at)
    assert field(at, "da_short_answer").value == NEW_ANSWER  # what was typed is still there
    after = stored(seeded_db)
    assert (after.version, after.entry.da.title) == (2, "Morten var hurtigere")
    assert after.entry.da.short_answer != NEW_ANSWER
    at.button(key="library_edit_reload").click().run()
    assert field(at, "da_title", version=2).value == "Morten var hurtigere"


def test_an_invalid_edit_is_explained_and_keeps_the_text(seeded_db, supervisor):
    at = open_editor(library_page(supervisor))
    too_long = " ".join(["ord"] * 61)
    field(at, "da_short_answer").set_value(too_long)
    field(at, "en_title").set_value("  ")
    save(at)
    page = texts(at)
    assert "Opslaget er ikke gemt" in page
    assert "Kort svar (dansk): højst 60 ord – teksten har 61 ord." in page
    assert "Titel (engelsk): skal udfyldes." in page
    assert field(at, "da_short_answer").value == too_long
    assert stored(seeded_db).version == 1


def test_restore_brings_the_earlier_text_back(seeded_db, supervisor):
    original = stored(seeded_db).entry.da.short_answer
    at = open_editor(library_page(supervisor))
    field(at, "da_short_answer").set_value(NEW_ANSWER)
    save(at)
    at.selectbox(key="library_restore_version").set_value(1).run()
    assert at.code[-1].value.endswith(original)  # the preview of what would come back
    at.button(key="library_restore").click().run()
    assert not at.exception
    assert "Version 1 er gendannet som ny version 3." in texts(at)
    assert field(at, "da_short_answer", version=3).value == original
    assert (stored(seeded_db).version, stored(seeded_db).entry.da.short_answer) == (3, original)


def test_supervisors_see_usage_counts_most_used_first(seeded_db, supervisor, advisor):
    start = datetime(2026, 11, 2, 9, tzinfo=UTC)
    with session_scope(get_engine(seeded_db)) as session:
        for slugs in ([SLUG, "myth-yoga-dangerous"], [SLUG]):
            save_call(session, data=CallCreate(started_at=start, ended_at=start + timedelta(minutes=5),
                                               advisor_id=advisor.id, group_id="function_limited", library_slugs=slugs))
    at = library_page(supervisor)
    usage = next(frame.value for frame in at.dataframe if "Brugt i opkald" in frame.value.columns)
    titles = {entry.slug: entry.da.title for entry in load_bundled_entries()}
    assert list(usage["Opslag"][:2]) == [titles[SLUG], titles["myth-yoga-dangerous"]]
    assert list(usage["Brugt i opkald"][:3]) == [2, 1, 0]


def test_the_search_boxes_are_search_fields_the_browser_does_not_fill(advisor):
    """A clear button (type "search") and no autofill: what was typed may be a member's health question."""
    from streamlit.proto.TextInput_pb2 import TextInput

    at = library_page(advisor)
    box = at.text_input(key="library_query").proto
    assert (box.type, box.autocomplete) == (TextInput.Type.SEARCH, "off")
    at = logged_in_app(advisor).run()
    at.button(key="call_start").click().run()
    at.button(key="call_search_open").click().run()
    box = at.text_input(key="call_search_query").proto
    assert (box.type, box.autocomplete) == (TextInput.Type.SEARCH, "off")
