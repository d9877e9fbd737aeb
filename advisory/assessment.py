"""The one assessment of a caller: every profile fact, the unknown ones included, read once, and the few things
the rest of the script depends on derived from them, each with its reason in Danish and English.

Derived (GUIDANCE.md, its corrections of 29 November and 4 December 2026):
- **impact** (`impact_ok`): hops, jumps, running and ball games only when nothing speaks against them. Each of
  these limits impact to brisk walking until a professional has assessed it: a fracture of any site still
  healing (any energy), a fracture of unknown date, fractures not asked yet; a vertebral or hip fracture at
  any time; two or more low-energy fractures; new unexplained pain (moderate or severe, or pain not asked
  yet); two or more falls in the last year, or falls not asked yet; fear of falling (or, after a fall, fear
  not asked yet); a walking aid; low function; a walking aid not asked yet unless the caller trains (the
  activity level answers low function: a training-active caller is not frail).
- **load level**: `healing` (a fracture may still be healing), `supported` (low function or a walking aid),
  `walking_level` (impact limited), `full`. Balance without support only at `full`.
- **bone healing** (`bone_healing`): a fracture of any site within its healing time, or of unknown date.
- **urgency**: each red flag answered "yes" with its own disposition; the most urgent decides; 112 ends the
  call's agenda (`ends_call`).
- **diagnosis statement**: the strongest evidence decides; never "not osteoporosis" against a doctor's
  diagnosis, a low-energy fracture, or while diagnosis or fractures are unknown.
- **voice**: member, relative or professional (who is calling).

The caller group and the flags are derived here too (the group decision is unchanged: VKS). Blocks, library
offers, follow-ups and letters read these derived facts (`Assessment.facts`); none re-reads the raw profile to
decide safety. The reasons' words are content (`advisory/content/scripts/assessment.yaml`).
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from advisory.profile import CallerProfile, Fracture
from advisory.vocab import (
    ActivityLevel,
    Audience,
    CallerGroup,
    CallerRole,
    Diagnosis,
    DiagnosisStatement,
    Disposition,
    Flag,
    FractureSite,
    LoadLevel,
    PainLevel,
    Relation,
    Sex,
)

if TYPE_CHECKING:
    from advisory.script.content import ScriptContent, Thresholds

LANGS = ("da", "en")
ENDS_CALL = frozenset({Disposition.emergency_112, Disposition.out_of_hours})
FRAGILITY_SITES = frozenset({FractureSite.vertebral, FractureSite.hip})


@dataclass(frozen=True)
class Reason:
    """One reason, in both languages (`code` names it for tests and statistics)."""

    code: str
    da: str
    en: str

    def get(self, lang: str) -> str:
        return self.da if lang == "da" else self.en

    def snapshot(self) -> dict[str, str]:
        return {"code": self.code, "da": self.da, "en": self.en}


@dataclass(frozen=True)
class Urgency:
    """A red flag answered "yes" and its own disposition."""

    red_flag: str
    disposition: str
    urgency: int  # 1 is the most urgent


@dataclass(frozen=True)
class Assessment:
    group: str
    flags: frozenset[str]
    facts: dict[str, Any]  # what content conditions see: profile facts, fracture facts, flags, derived facts
    follow_up_on: date | None
    load_level: LoadLevel = LoadLevel.full
    impact_ok: bool = True
    bone_healing: bool = False
    balance_with_support: bool = False
    urgencies: tuple[Urgency, ...] = ()
    disposition: str | None = None
    ends_call: bool = False
    diagnosis_statement: DiagnosisStatement = DiagnosisStatement.none
    voice: Audience = Audience.member
    # derived fact -> its reasons as the advisor reads them: "impact", "load", "healing", "urgency", ...
    reasons: dict[str, tuple[Reason, ...]] = field(default_factory=dict)
    # derived fact -> the codes of each single reason behind it ("several_falls", "pain_unknown", ...)
    causes: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def summary(self, lang: str) -> list[str]:
        """The lines the advisor sees: what is derived and why ("Ingen hop: to fald i år, ikke undersøgt")."""
        return [reason.get(lang) for key in ("urgency", "impact", "load", "healing", "diagnosis", "voice")
                for reason in self.reasons.get(key, ())]

    def snapshot(self) -> dict[str, Any]:
        """The assessment as saved with the call (JSON)."""
        return {
            "load_level": self.load_level.value,
            "impact_ok": self.impact_ok,
            "bone_healing": self.bone_healing,
            "balance_with_support": self.balance_with_support,
            "urgencies": [{"red_flag": u.red_flag, "disposition": u.disposition} for u in self.urgencies],
            "disposition": self.disposition,
            "ends_call": self.ends_call,
            "diagnosis_statement": self.diagnosis_statement.value,
            "voice": self.voice.value,
            "reasons": {key: [reason.snapshot() for reason in reasons] for key, reasons in self.reasons.items()},
            "causes": {key: list(codes) for key, codes in self.causes.items()},
        }


# --- voice ------------------------------------------------------------------------------------------------


def audience_of(profile: CallerProfile) -> Audience:
    if profile.caller_role == CallerRole.relative:
        return Audience.relative
    if profile.caller_role == CallerRole.professional:
        return Audience.professional
    return Audience.member


def person_words(profile: CallerProfile, lang: str, content: ScriptContent | None = None) -> dict[str, str]:
    """How a third-person text names the person the call is about: {person}, {pronoun}, ... filled in."""
    content = content or _content()
    if audience_of(profile) == Audience.professional:
        words = content.audience.professional[lang]
    else:
        by_sex = content.audience.relative[(profile.relation or Relation.other).value]
        sex = profile.sex.value if profile.sex in (Sex.female, Sex.male) else "any"
        words = (by_sex.get(sex) or by_sex["any"])[lang]
    values = words.model_dump()
    values["Person"] = values["person"][:1].upper() + values["person"][1:]
    values["Pronoun"] = values["pronoun"][:1].upper() + values["pronoun"][1:]
    return values


# --- dates and fractures ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Dated:
    fracture: Fracture
    days_ago: int | None  # None: date unknown


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def _dated(profile: CallerProfile, today: date) -> list[_Dated]:
    # A date after the call is a typing slip; treating it as today keeps the safe reading (recent).
    return [_Dated(f, None if f.occurred_on is None else (today - min(f.occurred_on, today)).days)
            for f in profile.fractures or []]


def _weeks_since(fractures: list[_Dated], sites: set[FractureSite] | None = None) -> float | None:
    days = [f.days_ago for f in fractures if f.days_ago is not None and (sites is None or f.fracture.site in sites)]
    return min(days) / 7 if days else None


def _fracture_facts(profile: CallerProfile, fractures: list[_Dated]) -> dict[str, Any]:
    known = profile.fractures is not None
    vertebral = [f for f in fractures if f.fracture.site == FractureSite.vertebral]
    others = [f for f in fractures if f.fracture.site != FractureSite.vertebral]
    low_energy = [f for f in fractures if f.fracture.low_energy]

    def when_known(value: Any) -> Any:
        return value if known else None

    return {
        "fractures_known": known,
        "fracture_count": when_known(len(fractures)),
        "low_energy_fracture_count": when_known(len(low_energy)),
        "has_vertebral_fracture": when_known(bool(vertebral)),
        "has_hip_fracture": when_known(any(f.fracture.site == FractureSite.hip for f in fractures)),
        "has_fragility_vertebral_or_hip": when_known(any(f.fracture.site in FRAGILITY_SITES for f in low_energy)),
        "vertebral_dates_known": all(f.days_ago is not None for f in vertebral) if vertebral else None,
        "other_dates_known": all(f.days_ago is not None for f in others) if others else None,
        "weeks_since_last_fracture": _weeks_since(fractures),
        "weeks_since_vertebral_fracture": _weeks_since(fractures, {FractureSite.vertebral}),
        "weeks_since_hip_fracture": _weeks_since(fractures, {FractureSite.hip}),
    }


def _still_healing(fractures: list[_Dated], healing_days: float) -> bool:
    """Fewer than `healing_days` ago, or of unknown date (possibly recent)."""
    return any(f.days_ago is None or f.days_ago < healing_days for f in fractures)


def _fracture_flags(profile: CallerProfile, fractures: list[_Dated], t: Thresholds, today: date) -> set[str]:
    flags: set[str] = set()
    if profile.fractures is None:
        flags.add(Flag.fracture_history_unknown)
    if any(f.days_ago is None for f in fractures):
        flags.add(Flag.fracture_date_unknown)
    vertebral = [f for f in fractures if f.fracture.site == FractureSite.vertebral]
    others = [f for f in fractures if f.fracture.site != FractureSite.vertebral]
    hips = [f for f in fractures if f.fracture.site == FractureSite.hip]
    if _still_healing(vertebral, t.healing_phase_weeks.value * 7):
        flags.add(Flag.healing_phase)
    other_days = t.other_fracture_healing_weeks.value * 7
    if _still_healing(others, other_days):
        flags.add(Flag.other_fracture_healing)
    if _still_healing(hips, other_days):
        flags.add(Flag.recent_hip_fracture)
    months = int(t.recent_fracture_months.value)
    if any(f.days_ago is not None and f.fracture.low_energy
           and _add_months(today - timedelta(days=f.days_ago), months) > today for f in fractures):
        flags.add(Flag.recent_fracture)
    low_energy = [f for f in fractures if f.fracture.low_energy]
    if (any(f.fracture.site in FRAGILITY_SITES for f in fractures)
            or len(low_energy) >= t.high_risk_fracture_count.value):
        flags.add(Flag.high_fracture_risk)
    return flags


def _other_flags(profile: CallerProfile, t: Thresholds) -> set[str]:
    flags: set[str] = set()
    score = profile.t_score
    if score is not None:
        if score <= t.very_low_t_score.value:
            flags.add(Flag.very_low_t_score)
        if score <= t.osteoporosis_t_score.value:
            flags.add(Flag.t_score_osteoporosis)
        elif score < t.osteopenia_t_score.value:
            flags.add(Flag.t_score_osteopenia)
    falls = profile.falls_last_year or 0
    # A fall in the last year or fear of falling (not fear of moving) means fall risk (SSS).
    if falls > 0 or profile.fear_of_falling:
        flags.add(Flag.fall_risk)
    if falls >= t.several_falls.value:
        flags.add(Flag.several_falls)
    return flags


def _group(profile: CallerProfile, flags: set[str], fractures: list[_Dated]) -> str:
    if Flag.healing_phase in flags:
        return CallerGroup.acute_vertebral_fracture
    if profile.activity_level == ActivityLevel.function_limited:
        return CallerGroup.function_limited
    history = "with_fracture" if any(f.fracture.low_energy for f in fractures) else "no_fracture"
    return CallerGroup(f"{profile.activity_level.value}_{history}")


def _follow_up(fractures: list[_Dated], t: Thresholds, today: date) -> date | None:
    """The end of the healing phase of the newest dated vertebral fracture still healing (None when unknown)."""
    healing_days = t.healing_phase_weeks.value * 7
    days = [f.days_ago for f in fractures
            if f.fracture.site == FractureSite.vertebral and f.days_ago is not None and f.days_ago < healing_days]
    if not days:
        return None
    return today - timedelta(days=min(days)) + timedelta(days=healing_days)


# --- the derived facts, each with its reasons -------------------------------------------------------------


class _Words:
    """The reasons' words from assessment.yaml, filled in for both languages."""

    def __init__(self, content: ScriptContent):
        self.file = content.assessment

    def reason(self, code: str, **values: Any) -> Reason:
        text = self.file.reasons[code]
        return Reason(code, *(text.get(lang).format(**self._values(values, lang)) for lang in LANGS))

    def summary(self, name: str, code: str, **values: Any) -> Reason:
        text = getattr(self.file.summaries, name)
        return Reason(code, *(text.get(lang).format(**self._values(values, lang)) for lang in LANGS))

    def joined(self, name: str, code: str, reasons: Iterable[Reason], **values: Any) -> Reason:
        reasons = list(reasons)
        text = getattr(self.file.summaries, name)
        filled = [text.get(lang).format(reasons="; ".join(r.get(lang) for r in reasons),
                                        **self._values(values, lang)) for lang in LANGS]
        return Reason(code, *filled)

    def _values(self, values: dict[str, Any], lang: str) -> dict[str, Any]:
        out = {}
        for key, value in values.items():
            if isinstance(value, FractureSite):
                value = getattr(self.file.fractures, value.value).get(lang)
            elif isinstance(value, Reason):
                value = value.get(lang)
            elif isinstance(value, dict):
                value = value[lang]
            elif isinstance(value, int) and key in ("falls", "count"):
                numbers = self.file.numbers[lang]
                value = numbers[value] if value < len(numbers) else str(value)
            elif isinstance(value, float) and key == "t_score":
                value = f"{value:.1f}".replace("-", "−")
                value = value.replace(".", ",") if lang == "da" else value
            out[key] = value
        return out


def _healing_reasons(fractures: list[_Dated], t: Thresholds, words: _Words) -> list[Reason]:
    reasons = []
    for dated in fractures:
        site = dated.fracture.site
        heal_weeks = (t.healing_phase_weeks if site == FractureSite.vertebral else t.other_fracture_healing_weeks).value
        if dated.days_ago is None:
            reasons.append(words.reason("fracture_date_unknown", fracture=site))
        elif dated.days_ago < heal_weeks * 7:
            weeks = dated.days_ago // 7
            reasons.append(words.reason("healing_vertebral", weeks=weeks) if site == FractureSite.vertebral
                           else words.reason("healing_fracture", fracture=site, weeks=weeks))
    return reasons


def _against_impact(profile: CallerProfile, fractures: list[_Dated], healing: list[Reason], t: Thresholds,
                    words: _Words) -> list[Reason]:
    """Everything that speaks against impact now, the unknown answers included."""
    reasons = list(healing)
    if profile.fractures is None:
        reasons.append(words.reason("fractures_unknown"))
    healing_days = {FractureSite.vertebral: t.healing_phase_weeks.value * 7}
    healed_fragility = [f.fracture.site for f in fractures if f.fracture.site in FRAGILITY_SITES
                        and f.days_ago is not None
                        and f.days_ago >= healing_days.get(f.fracture.site, t.other_fracture_healing_weeks.value * 7)]
    if healed_fragility:
        reasons.append(words.reason("vertebral_or_hip", fracture=healed_fragility[0]))
    low_energy = sum(1 for f in fractures if f.fracture.low_energy)
    if low_energy >= t.high_risk_fracture_count.value:
        reasons.append(words.reason("several_fractures", count=low_energy))
    if profile.pain is None:
        reasons.append(words.reason("pain_unknown"))
    elif profile.pain == PainLevel.severe:
        reasons.append(words.reason("pain"))
    elif profile.pain == PainLevel.moderate:
        reasons.append(words.reason("pain_moderate"))
    falls = profile.falls_last_year
    if falls is None:
        reasons.append(words.reason("falls_unknown"))
    elif falls >= t.several_falls.value:
        reasons.append(words.reason("several_falls", falls=falls))
    if profile.fear_of_falling:
        reasons.append(words.reason("fear_of_falling"))
    elif profile.fear_of_falling is None and (falls or 0) > 0:
        reasons.append(words.reason("fear_unknown_after_fall"))
    reasons += _frailty(profile, words)
    return reasons


def _frailty(profile: CallerProfile, words: _Words) -> list[Reason]:
    """Low function or a walking aid (a walking aid not asked yet counts unless the caller trains)."""
    reasons = []
    if profile.activity_level == ActivityLevel.function_limited:
        reasons.append(words.reason("low_function"))
    if profile.walking_aid:
        reasons.append(words.reason("walking_aid"))
    elif profile.walking_aid is None and profile.activity_level != ActivityLevel.training_active:
        reasons.append(words.reason("walking_aid_unknown"))
    return reasons


def _diagnosis(profile: CallerProfile, fractures: list[_Dated], flags: set[str],
               words: _Words) -> tuple[DiagnosisStatement, Reason]:
    score = profile.t_score
    low_energy = [f.fracture.site for f in fractures if f.fracture.low_energy]
    if profile.diagnosis == Diagnosis.osteoporosis:
        statement = DiagnosisStatement.doctor_osteoporosis
        improved = score is not None and Flag.t_score_osteoporosis not in flags
        reason = (words.reason("doctor_osteoporosis_improved", t_score=score) if improved
                  else words.reason("doctor_osteoporosis"))
    elif any(site in FRAGILITY_SITES for site in low_energy):
        statement, reason = DiagnosisStatement.fragility_fracture, words.reason("fragility_fracture")
    elif Flag.t_score_osteoporosis in flags:
        statement, reason = DiagnosisStatement.t_score_osteoporosis, words.reason("t_score_osteoporosis",
                                                                                  t_score=score)
    elif low_energy:
        statement, reason = DiagnosisStatement.low_energy_fracture, words.reason("low_energy_fracture",
                                                                                 fracture=low_energy[0])
    elif Flag.t_score_osteopenia in flags or profile.diagnosis == Diagnosis.osteopenia:
        settled = (profile.fractures is not None and Flag.t_score_osteopenia in flags
                   and profile.diagnosis in (Diagnosis.osteopenia, Diagnosis.not_diagnosed))
        shown = score if score is not None else {"da": "ukendt", "en": "unknown"}
        statement = DiagnosisStatement.osteopenia if settled else DiagnosisStatement.osteopenia_open
        reason = words.reason(statement.value, t_score=shown)
    else:
        statement, reason = DiagnosisStatement.none, words.reason("no_statement")
    return statement, words.joined("diagnosis", f"diagnosis_{statement.value}", [reason])


def _urgencies(red_flags: Iterable[str], content: ScriptContent) -> tuple[Urgency, ...]:
    by_flag = {flag.id: flag.disposition for flag in content.red_flags}
    by_id = {d.id: d for d in content.dispositions}
    urgencies = []
    for flag_id in dict.fromkeys(red_flags):
        if flag_id not in by_flag:
            raise KeyError(f"unknown red flag: {flag_id}")
        entry = by_id[by_flag[flag_id]]
        urgencies.append(Urgency(red_flag=flag_id, disposition=entry.id, urgency=entry.urgency))
    return tuple(urgencies)


def _urgency_reasons(urgencies: tuple[Urgency, ...], profile: CallerProfile, content: ScriptContent,
                     words: _Words) -> list[Reason]:
    questions = {flag.id: flag for flag in content.red_flags}
    labels = {d.id: d.label for d in content.dispositions}
    reasons = []
    for urgency in sorted(urgencies, key=lambda u: u.urgency):
        flag = questions[urgency.red_flag]
        reasons.append(words.summary("urgency", f"red_flag_{urgency.red_flag}",
                                     question={lang: flag.question.get(lang) for lang in LANGS},
                                     disposition={lang: labels[urgency.disposition].get(lang) for lang in LANGS}))
    if any(u.disposition in ENDS_CALL for u in urgencies):
        reasons.append(words.summary("ends_call", "ends_call"))
    return reasons


def _voice_reason(profile: CallerProfile, voice: Audience, content: ScriptContent, words: _Words) -> Reason:
    if voice == Audience.member:
        return words.reason("voice_member")
    person = {lang: person_words(profile, lang, content)["person"] for lang in LANGS}
    return words.reason(f"voice_{voice.value}", person=person)


def _content() -> ScriptContent:
    from advisory.script.content import script_content  # the content package imports this module's callers

    return script_content()


def assess(profile: CallerProfile, *, today: date, thresholds: Thresholds | None = None,
           red_flags: Iterable[str] = (), content: ScriptContent | None = None) -> Assessment:
    """Read every fact of `profile` on the call date (and the red flags answered "yes") and derive what the
    script, the library offers, the follow-up and the letter depend on, each with its reasons."""
    content = content or _content()
    t = thresholds or content.thresholds
    words = _Words(content)
    fractures = _dated(profile, today)
    flags = _fracture_flags(profile, fractures, t, today) | _other_flags(profile, t)
    group = _group(profile, flags, fractures)

    healing = _healing_reasons(fractures, t, words)
    bone_healing = bool(healing)
    against = _against_impact(profile, fractures, healing, t, words)
    impact_ok = not against
    if not impact_ok:
        flags.add(Flag.impact_limited)
    frail = profile.activity_level == ActivityLevel.function_limited or bool(profile.walking_aid)
    if bone_healing:
        load = LoadLevel.healing
    elif frail:
        load = LoadLevel.supported
    elif not impact_ok:
        load = LoadLevel.walking_level
    else:
        load = LoadLevel.full
    balance_with_support = load != LoadLevel.full

    urgencies = _urgencies(red_flags, content)
    most_urgent = min(urgencies, key=lambda u: u.urgency, default=None)
    disposition = most_urgent.disposition if most_urgent else None
    # 112 ends the call's agenda (GUIDANCE.md, 4 December 2026), and so does "a doctor now" for leg weakness or
    # bladder/bowel problems (clinical review F2): the caller is to phone, not to answer more questions.
    ends_call = disposition in ENDS_CALL
    statement, diagnosis_reason = _diagnosis(profile, fractures, flags, words)
    voice = audience_of(profile)

    level_label = {lang: _level_label(load, content, lang) for lang in LANGS}
    reasons: dict[str, tuple[Reason, ...]] = {
        "urgency": tuple(_urgency_reasons(urgencies, profile, content, words)),
        "impact": (words.summary("impact_ok", "impact_ok"),) if impact_ok
        else (words.joined("impact_no", "impact_no", against),),
        "load": (words.summary("load", f"load_{load.value}", level=level_label),)
        + ((words.summary("balance_support", "balance_support"),) if balance_with_support else ()),
        "healing": (words.joined("healing", "healing", healing),) if bone_healing
        else (words.summary("not_healing", "not_healing"),),
        "diagnosis": (diagnosis_reason,),
        "voice": (_voice_reason(profile, voice, content, words),),
    }
    causes = {
        "impact": tuple(r.code for r in against),
        "healing": tuple(r.code for r in healing),
        "urgency": tuple(u.red_flag for u in urgencies),
        "diagnosis": (diagnosis_reason.code,),
    }
    derived = {
        "load_level": load.value,
        "impact_ok": impact_ok,
        "bone_healing": bone_healing,
        "balance_with_support": balance_with_support,
        "disposition": disposition,
        "ends_call": ends_call,
        "diagnosis_statement": statement.value,
        "voice": voice.value,
    }
    facts: dict[str, Any] = {
        **profile.facts(),
        **_fracture_facts(profile, fractures),
        **derived,
        "red_flag": disposition is not None,
        "flags": frozenset(flags),
        "group": group,
        "topics": frozenset(profile.topics),
    }
    return Assessment(
        group=group, flags=frozenset(flags), facts=facts,
        # A follow-up is agreed with the member or a relative, never with a professional (clinical review F26).
        follow_up_on=_follow_up(fractures, t, today)
        if group == CallerGroup.acute_vertebral_fracture and voice != Audience.professional else None,
        load_level=load, impact_ok=impact_ok, bone_healing=bone_healing,
        balance_with_support=balance_with_support, urgencies=urgencies, disposition=disposition,
        ends_call=ends_call, diagnosis_statement=statement, voice=voice, reasons=reasons, causes=causes,
    )


def _level_label(level: LoadLevel, content: ScriptContent, lang: str) -> str:
    return content.assessment.levels[level].get(lang)
