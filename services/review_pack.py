"""The clinical review pack: the script and the letter for a spread of generated callers, in one markdown
document a physiotherapist can read and sign off (`python -m services.review_pack`, `make review-pack`).

The callers are generated, not taken from the article or the tests: each caller group x caller role
(member, relative, professional) x a key situation (red flags, unknowns, a healing fracture, repeated
falls, a walking aid, high age, osteopenia with a low-energy fracture, a treated T-score that improved,
a 112 disposition, ...), in both languages. A fixed seed makes the pack the same on every run, so a
change in the document is a change in the content or the rules.

Each caller shows its profile in plain words, then the script as the advisor sees it (blocks in order,
each with its source keys and its clinical review marker, the library entries offered), then the letter
the secretariat would send when the advisor said every block.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from advisory.labels import label
from advisory.library.entries import load_bundled_entries
from advisory.profile import CallerProfile, Fracture
from advisory.script import CallScript, build_script, script_content
from advisory.vocab import (
    ActivityLevel,
    CallerGroup,
    CallerRole,
    Diagnosis,
    FractureSite,
    PainLevel,
    Relation,
    Sex,
    Topic,
)
from services.guidance import letter_for_script

SEED = 22
CALL_DATE = date(2026, 12, 7)  # a fixed call date: the pack does not change with the day it is made
DEFAULT_OUTPUT = Path("docs/clinical-review/review-pack.md")
ROLES = (CallerRole.member, CallerRole.relative, CallerRole.professional)
# The article's personas are 55, 70 and 75; no generated caller shares their age.
PERSONA_AGES = frozenset({55, 70, 75})


@dataclass(frozen=True)
class Caller:
    number: str  # C01, C02, ...
    situation: str  # the key situation it was generated for (Danish, for the reader)
    lang: str
    profile: CallerProfile
    red_flags: tuple[str, ...]

    def script(self) -> CallScript:
        return build_script(self.profile, today=CALL_DATE, lang=self.lang, red_flags=self.red_flags)


def _age(rng: random.Random, low: int, high: int) -> int:
    while (age := rng.randint(low, high)) in PERSONA_AGES:
        pass
    return age


def _weeks(site: FractureSite, weeks: int, low_energy: bool = True) -> Fracture:
    return Fracture.weeks_ago(site, weeks, today=CALL_DATE, low_energy=low_energy)


def _years(rng: random.Random, site: FractureSite, low_energy: bool = True) -> Fracture:
    return Fracture.weeks_ago(site, rng.randint(40, 520), today=CALL_DATE, low_energy=low_energy)


def _group_base(group: CallerGroup, rng: random.Random) -> dict:
    """Profile fields that put a caller in `group` (before the situation adds to it)."""
    healed = rng.choice([FractureSite.wrist, FractureSite.vertebral, FractureSite.other, FractureSite.hip])
    match group:
        case CallerGroup.acute_vertebral_fracture:
            return {"activity_level": rng.choice(list(ActivityLevel)),
                    "fractures": [_weeks(FractureSite.vertebral, rng.randint(2, 11))],
                    "pain": rng.choice([PainLevel.moderate, PainLevel.severe])}
        case CallerGroup.function_limited:
            return {"activity_level": ActivityLevel.function_limited,
                    "fractures": rng.choice([[], [_years(rng, healed)]])}
        case CallerGroup.everyday_active_no_fracture:
            return {"activity_level": ActivityLevel.everyday_active, "fractures": []}
        case CallerGroup.everyday_active_with_fracture:
            return {"activity_level": ActivityLevel.everyday_active, "fractures": [_years(rng, healed)]}
        case CallerGroup.training_active_no_fracture:
            return {"activity_level": ActivityLevel.training_active, "fractures": []}
        case _:
            return {"activity_level": ActivityLevel.training_active, "fractures": [_years(rng, FractureSite.wrist)]}


def _no_fracture(base: dict) -> bool:
    return base.get("fractures") == []


# Each situation adds to the group's profile: (fields, red flags).
Situation = Callable[[random.Random, dict], tuple[dict, tuple[str, ...]]]


def _plain(rng: random.Random, base: dict) -> tuple[dict, tuple[str, ...]]:
    return {"age": _age(rng, 58, 80), "falls_last_year": 0, "fear_of_falling": False, "walking_aid": False,
            "pain": base.get("pain", PainLevel.none)}, ()


def _red_flag(rng: random.Random, base: dict) -> tuple[dict, tuple[str, ...]]:
    flag = rng.choice(["sudden_severe_back_pain", "height_loss_or_stoop", "leg_weakness_or_bladder_bowel",
                       "weight_loss_fever_night_pain_cancer"])
    return {"age": _age(rng, 60, 85)}, (flag,)


def _emergency(rng: random.Random, base: dict) -> tuple[dict, tuple[str, ...]]:
    return {"age": _age(rng, 72, 95), "falls_last_year": rng.randint(1, 3)}, ("cannot_bear_weight_after_fall",)


def _unknowns(rng: random.Random, base: dict) -> tuple[dict, tuple[str, ...]]:
    # Only the activity level is known; fractures not asked yet unless the group needs them.
    fields: dict = {"fractures": None} if _no_fracture(base) or rng.random() < 0.5 else {}
    if base.get("fractures") and rng.random() < 0.5:
        fields["fractures"] = [Fracture.date_unknown(base["fractures"][0].site)]
    return fields, ()


def _healing(rng: random.Random, base: dict) -> tuple[dict, tuple[str, ...]]:
    site = rng.choice([FractureSite.wrist, FractureSite.hip, FractureSite.other])
    # In a "no fracture" group the healing fracture came from an accident (high energy): the group stays.
    fracture = _weeks(site, rng.randint(3, 10), low_energy=not _no_fracture(base))
    return {"age": _age(rng, 56, 84), "fractures": [*(base.get("fractures") or []), fracture]}, ()


def _falls(rng: random.Random, base: dict) -> tuple[dict, tuple[str, ...]]:
    return {"age": _age(rng, 68, 88), "falls_last_year": rng.randint(2, 4), "fear_of_falling": True,
            "walking_aid": False}, ()


def _walking_aid(rng: random.Random, base: dict) -> tuple[dict, tuple[str, ...]]:
    return {"age": _age(rng, 76, 94), "walking_aid": True, "falls_last_year": rng.randint(0, 1)}, ()


def _high_age(rng: random.Random, base: dict) -> tuple[dict, tuple[str, ...]]:
    return {"age": _age(rng, 88, 101), "walking_aid": None, "falls_last_year": None}, ()


def _osteopenia_fracture(rng: random.Random, base: dict) -> tuple[dict, tuple[str, ...]]:
    return {"age": _age(rng, 52, 72), "diagnosis": Diagnosis.osteopenia,
            "t_score": round(rng.uniform(-2.4, -1.1), 1),
            "fractures": [*(base.get("fractures") or []), _years(rng, FractureSite.wrist)]}, ()


def _treated_improved(rng: random.Random, base: dict) -> tuple[dict, tuple[str, ...]]:
    return {"age": _age(rng, 60, 80), "diagnosis": Diagnosis.osteoporosis,
            "t_score": round(rng.uniform(-2.3, -1.5), 1), "topics": {Topic.medication}}, ()


def _back_pain(rng: random.Random, base: dict) -> tuple[dict, tuple[str, ...]]:
    # New severe back pain, no known fracture: told to the advisor, the red flag not (yet) ticked.
    return {"age": _age(rng, 58, 78), "pain": PainLevel.severe}, ()


SITUATIONS: dict[str, Situation] = {
    "ingen særlige forhold": _plain,
    "rødt flag": _red_flag,
    "112 (kan ikke støtte på benet efter fald)": _emergency,
    "ukendte oplysninger": _unknowns,
    "brud, der endnu heler": _healing,
    "gentagne fald og faldangst": _falls,
    "går med rollator/stok": _walking_aid,
    "høj alder": _high_age,
    "osteopeni og tidligere lavenergibrud": _osteopenia_fracture,
    "behandlet: T-score forbedret": _treated_improved,
    "nye stærke rygsmerter": _back_pain,
}
TOPIC_SETS: tuple[list[Topic], ...] = ([], [Topic.running], [Topic.strength_training], [Topic.lifting, Topic.yoga], [Topic.balance],
              [Topic.running, Topic.strength_training], [Topic.pain, Topic.daily_activities], [Topic.posture])


def generate_callers(count: int = 66, seed: int = SEED) -> list[Caller]:
    """`count` callers spread over group x role x situation x language, the same for the same seed."""
    rng = random.Random(seed)
    groups, situations = list(CallerGroup), list(SITUATIONS.items())
    callers = []
    for i in range(count):
        group, role = groups[i % len(groups)], ROLES[(i // len(groups)) % len(ROLES)]
        name, situation = situations[i % len(situations)]
        lang = ("da", "en")[(i + i // len(groups)) % 2]
        base = _group_base(group, rng)
        extra, red_flags = situation(rng, base)
        fields = {"diagnosis": rng.choice([Diagnosis.osteoporosis, Diagnosis.osteoporosis, Diagnosis.osteopenia,
                                           Diagnosis.unknown]),
                  "sex": rng.choice([Sex.female, Sex.female, Sex.male]),
                  "age": _age(rng, 50, 90),
                  "falls_last_year": rng.choice([0, 0, 1, None]),
                  "fear_of_falling": rng.choice([False, None]),
                  "walking_aid": rng.choice([False, None]) if group != CallerGroup.function_limited else None,
                  "pain": rng.choice([PainLevel.none, PainLevel.mild, None]),
                  "in_physiotherapy": rng.choice([False, None]),
                  "topics": set(rng.choice(TOPIC_SETS)),
                  **base}
        fields.update(extra)
        if fields["diagnosis"] in (Diagnosis.osteoporosis, Diagnosis.osteopenia) and "t_score" not in fields:
            fields["t_score"] = rng.choice([None, round(rng.uniform(-3.6, -1.2), 1)])
        fields["caller_role"] = role
        if role == CallerRole.relative:
            fields["relation"] = rng.choice(list(Relation))
            if fields["relation"] == Relation.mother:
                fields["sex"] = Sex.female
            elif fields["relation"] == Relation.father:
                fields["sex"] = Sex.male
        callers.append(Caller(number=f"C{i + 1:02d}", situation=name, lang=lang,
                              profile=CallerProfile.model_validate(fields), red_flags=red_flags))
    return callers


# --- plain words ----------------------------------------------------------------------------------------


def _weeks_text(fracture: Fracture) -> str:
    if fracture.occurred_on is None:
        return "dato ukendt"
    weeks = (CALL_DATE - fracture.occurred_on).days // 7
    return f"for {weeks} uger siden" if weeks < 52 else f"for ca. {weeks // 52} år siden"


def _unknown(value: object) -> bool:
    return value is None


def describe(profile: CallerProfile, red_flags: tuple[str, ...]) -> str:
    """The profile in plain Danish words, saying what is not known yet."""
    p = profile
    who = {CallerRole.member: "Medlemmet selv ringer",
           CallerRole.relative: f"En pårørende ringer ({label('relation', p.relation, 'da').lower()})",
           CallerRole.professional: "En fagperson ringer om en borger"}.get(p.caller_role or CallerRole.other, "Ukendt, hvem der ringer")
    parts = [who + "."]
    sex = {Sex.female: "kvinde", Sex.male: "mand"}.get(p.sex, "person")  # type: ignore[arg-type]
    parts.append(f"{sex.capitalize()}, {p.age} år." if p.age else f"{sex.capitalize()}, alder ukendt.")
    parts.append(f"Aktivitet: {label('activity_level', p.activity_level, 'da').lower()}.")
    diagnosis = "ukendt" if p.diagnosis is None else label("diagnosis", p.diagnosis, "da").lower()
    t_score = "ukendt" if p.t_score is None else f"{p.t_score:.1f}".replace(".", ",").replace("-", "−")
    parts.append(f"Diagnose: {diagnosis}; T-score: {t_score}.")
    if p.fractures is None:
        parts.append("Brud: ikke spurgt endnu.")
    elif not p.fractures:
        parts.append("Ingen brud.")
    else:
        parts.append("Brud: " + "; ".join(
            f"{label('fracture_site', f.site, 'da').lower()} {_weeks_text(f)}"
            f"{'' if f.low_energy else ' (højenergi: ulykke)'}" for f in p.fractures) + ".")
    falls = "ukendt" if p.falls_last_year is None else str(p.falls_last_year)
    parts.append(f"Fald sidste år: {falls}.")
    yes_no = {True: "ja", False: "nej", None: "ukendt"}
    parts.append(f"Faldangst: {yes_no[p.fear_of_falling]}; bevægelsesangst: {yes_no[p.fear_of_movement]}; "
                 f"ganghjælpemiddel: {yes_no[p.walking_aid]}; går til fysioterapi: {yes_no[p.in_physiotherapy]}.")
    pain = "ukendt" if p.pain is None else label("pain", p.pain, "da").lower()
    parts.append(f"Smerter: {pain}.")
    if p.topics:
        parts.append("Spørger om: " + ", ".join(label("topic", t, "da").lower() for t in sorted(p.topics)) + ".")
    if red_flags:
        questions = {flag.id: flag.question.da for flag in script_content().red_flags}
        parts.append("Røde flag besvaret ja: " + "; ".join(f"»{questions[f]}«" for f in red_flags) + ".")
    return " ".join(parts)


# --- the document ---------------------------------------------------------------------------------------


def _marker(block_id: str) -> str:
    by_id = {block.id: block for block in script_content().blocks}
    block = by_id.get(block_id)
    if block is None:  # the disposition block
        entry = next((d for d in script_content().dispositions if f"disposition-{d.id}" == block_id), None)
        status = entry.review_status if entry else "?"
        sign_off = True
    else:
        status, sign_off = block.review_status, block.clinical_sign_off
    mark = "godkendt" if status == "approved" else "⚠ afventer klinisk gennemgang"
    return mark + (" · kræver klinisk sign-off" if sign_off else "")


_AUDIENCE_DA = {"member": "medlemmet", "relative": "en pårørende (3. person om medlemmet)",
                "professional": "en fagperson"}


def render_caller(caller: Caller, titles: dict[str, dict[str, str]]) -> str:
    script = caller.script()
    lines = [f"## {caller.number} · {caller.situation} · {'dansk' if caller.lang == 'da' else 'engelsk'}", ""]
    lines.append(f"**Profil:** {describe(caller.profile, caller.red_flags)}")
    lines.append("")
    lines.append(f"**Gruppe:** {label('group', script.group, 'da')} · **Taler til:** {_AUDIENCE_DA[script.audience]} · "
                 f"**Flag:** {', '.join(label('flag', f, 'da') for f in sorted(script.flags)) or 'ingen'}")
    if script.disposition is not None:
        lines.append(f"**Disposition:** {script.disposition.label} ({script.disposition.id})")
    if script.follow_up_on is not None:
        lines.append(f"**Foreslået opfølgning:** {script.follow_up_on.isoformat()}")
    lines += ["", "**Vurdering – og hvorfor** (som rådgiveren ser den):"]
    lines += [f"- {reason}" for reason in script.reasons]
    lines += ["", "### Manuskript (som rådgiveren ser det)", ""]
    for number, block in enumerate(script.blocks, start=1):
        lines.append(f"{number}. **[{block.section}] `{block.id}`** — kilder: {', '.join(block.sources)} — "
                     f"{_marker(block.id)}")
        lines.append(f"   > {' '.join(block.text.split())}")
    if script.library_slugs:
        lines += ["", "**Biblioteket tilbyder:**"]
        for slug in script.library_slugs:
            entry = titles.get(slug, {})
            lines.append(f"- `{slug}` — {entry.get(caller.lang, '?')} ({entry.get('status', '?')})")
    letter = letter_for_script(caller.profile, script, call_date=CALL_DATE)
    lines += ["", "### Brev (når rådgiveren har sagt alle blokke)", "", f"**Emne:** {letter.subject}", "", "```text",
              letter.body.rstrip(), "```", ""]
    return "\n".join(lines)


def render_pack(callers: list[Caller], *, generated_on: date) -> str:
    titles = {entry.slug: {"da": entry.da.title, "en": entry.en.title, "status": entry.review_status}
              for entry in load_bundled_entries()}
    content = script_content()
    head = [
        "# Klinisk gennemgangspakke: manuskript og brev for genererede opkald",
        "",
        f"Genereret: {generated_on.isoformat()} · opkaldsdato i pakken: {CALL_DATE.isoformat()} · "
        f"indholdsversion: {content.version} · frø (seed): {SEED} · {len(callers)} opkald",
        "",
        "Lavet med `python -m services.review_pack` (`make review-pack`). Opkalderne er genereret: hver "
        "gruppe × rolle (medlem, pårørende, fagperson) × en nøglesituation, på dansk og engelsk; ingen af dem "
        "er artiklens tre personer eller et testtilfælde. Hver blok viser sine kildenøgler og sin status: "
        "»godkendt«, eller »⚠ afventer klinisk gennemgang«; »kræver klinisk sign-off« betyder, at GUIDANCE.md "
        "markerer indholdet [clinical sign-off]. Brevet er det, sekretariatet ville sende, hvis rådgiveren "
        "havde sagt alle blokke (blokke, der afventer gennemgang, kommer ikke med i brevet).",
        "",
        "Fund skrives i `docs/clinical-review/findings.md` med opkaldets nummer (C01 …).",
        "",
        "| nr. | situation | sprog | gruppe | rolle |",
        "|---|---|---|---|---|",
    ]
    for caller in callers:
        script = caller.script()
        head.append(f"| {caller.number} | {caller.situation} | {caller.lang} | {label('group', script.group, 'da')} "
                    f"| {label('caller_role', caller.profile.caller_role, 'da')} |")
    head.append("")
    return "\n".join(head) + "\n" + "\n".join(render_caller(caller, titles) for caller in callers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--count", type=int, default=66)
    parser.add_argument("--date", type=date.fromisoformat, default=None,
                        help="the generation date printed in the pack (default: today)")
    args = parser.parse_args(argv)
    callers = generate_callers(args.count)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render_pack(callers, generated_on=args.date or date.today()), encoding="utf-8")
    print(f"{args.output}: {len(callers)} callers")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

