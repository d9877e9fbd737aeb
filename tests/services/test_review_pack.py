"""The clinical review pack: a spread of generated callers, the same on every run, none of them a persona."""

from datetime import date

from advisory.vocab import CallerGroup, CallerRole
from services.review_pack import PERSONA_AGES, SITUATIONS, generate_callers, main, render_pack


def test_the_callers_cover_every_group_role_situation_and_both_languages():
    callers = generate_callers()
    assert len(callers) >= 60
    groups_roles = {(c.script().group, c.profile.caller_role) for c in callers}
    assert {(g, r) for g in CallerGroup for r in (CallerRole.member, CallerRole.relative,
                                                   CallerRole.professional)} <= groups_roles
    assert {c.situation for c in callers} == set(SITUATIONS)
    for situation in SITUATIONS:
        assert {c.lang for c in callers if c.situation == situation} == {"da", "en"}
    assert any(c.red_flags == ("cannot_bear_weight_after_fall",) for c in callers)
    assert not any(c.profile.age in PERSONA_AGES for c in callers)
    assert [c.number for c in callers][:2] == ["C01", "C02"]


def test_the_pack_is_deterministic_and_shows_sources_markers_and_letters(tmp_path):
    first = render_pack(generate_callers(), generated_on=date(2026, 12, 5))
    assert first == render_pack(generate_callers(), generated_on=date(2026, 12, 5))
    assert "Genereret: 2026-12-05" in first
    assert "kilder: " in first and "afventer klinisk gennemgang" in first and "godkendt" in first
    assert first.count("### Brev") == len(generate_callers())
    output = tmp_path / "pack.md"
    assert main(["--output", str(output), "--date", "2026-12-05"]) == 0
    assert output.read_text(encoding="utf-8") == first
