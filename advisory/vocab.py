"""The console's vocabulary: every code that is stored, filtered, counted or shown, defined once.

Each kind is an enum here; its display names live in one content file (`advisory/content/labels.yaml`,
and for dispositions `advisory/content/scripts/red_flags.yaml`, where the clinical screen defines them)
and are read with `advisory.labels.label(kind, code, lang)`. A test fails when a member has no label
in either language or a label names no member, so a new topic is one line here and one in the file.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from settings import LANGUAGES, Language

# The language pair lives in settings (DEFAULT_LANGUAGE is one of it, and settings sits below advisory);
# everything else takes it from here.
__all__ = ["KINDS", "LANGUAGES", "ContentReviewStatus", "Language", "ReviewStatus", "codes"]


class Role(StrEnum):
    """Staff roles. The secretariat sends written guidance and sees nothing else of a call."""

    advisor = "advisor"
    supervisor = "supervisor"
    admin = "admin"
    secretariat = "secretariat"


class CallerRole(StrEnum):
    member = "member"
    relative = "relative"
    professional = "professional"
    other = "other"


class Relation(StrEnum):
    """Who a relative calls for; the script speaks of that person in the third person."""

    mother = "mother"
    father = "father"
    partner = "partner"
    other = "other"


class Audience(StrEnum):
    """Who the script speaks to, from the caller role: a member hears "you", a relative hears about the member
    in the third person, a professional gets the professional track. Not stored, so not labelled."""

    member = "member"
    relative = "relative"
    professional = "professional"


class CallerGroup(StrEnum):
    """The six caller groups of the decision model (GUIDANCE.md, VKS); the acute group overrides the rest."""

    acute_vertebral_fracture = "acute_vertebral_fracture"
    function_limited = "function_limited"
    everyday_active_no_fracture = "everyday_active_no_fracture"
    everyday_active_with_fracture = "everyday_active_with_fracture"
    training_active_no_fracture = "training_active_no_fracture"
    training_active_with_fracture = "training_active_with_fracture"


class Flag(StrEnum):
    """Facts the script engine derives from a profile (thresholds in content/scripts/thresholds.yaml)."""

    healing_phase = "healing_phase"
    other_fracture_healing = "other_fracture_healing"
    recent_fracture = "recent_fracture"
    high_fracture_risk = "high_fracture_risk"
    very_low_t_score = "very_low_t_score"
    t_score_osteoporosis = "t_score_osteoporosis"
    t_score_osteopenia = "t_score_osteopenia"
    fall_risk = "fall_risk"
    several_falls = "several_falls"
    fracture_history_unknown = "fracture_history_unknown"
    fracture_date_unknown = "fracture_date_unknown"
    recent_hip_fracture = "recent_hip_fracture"
    impact_limited = "impact_limited"


class Topic(StrEnum):
    """What the caller asks about."""

    lifting = "lifting"
    yoga = "yoga"
    running = "running"
    strength_training = "strength_training"
    balance = "balance"
    daily_activities = "daily_activities"
    pain = "pain"
    posture = "posture"
    referral = "referral"
    medication = "medication"
    other = "other"


class Outcome(StrEnum):
    advice_given = "advice_given"
    referred_to_physio = "referred_to_physio"
    referred_to_gp = "referred_to_gp"
    follow_up_agreed = "follow_up_agreed"
    emergency = "emergency"


class Disposition(StrEnum):
    """What a red flag means for the caller, most urgent first (red_flags.yaml defines and orders them)."""

    emergency_112 = "emergency_112"
    out_of_hours = "out_of_hours"
    gp_prompt = "gp_prompt"
    gp_today = "gp_today"
    gp = "gp"


class Section(StrEnum):
    """The sections of a call script, in the order they are read."""

    safety = "safety"
    questions = "questions"
    guidance = "guidance"
    themes = "themes"
    myths = "myths"
    referral = "referral"
    closing = "closing"


class Tag(StrEnum):
    """What a script block is about; `impact` marks every block that recommends jumps, hops or running."""

    impact = "impact"
    impact_low = "impact_low"
    lifting = "lifting"
    flexion = "flexion"
    staerk = "staerk"
    stabil = "stabil"
    strakt = "strakt"
    fall_prevention = "fall_prevention"
    pain = "pain"
    daily_activities = "daily_activities"
    healing_phase = "healing_phase"
    medication = "medication"
    physiotherapy = "physiotherapy"
    follow_up = "follow_up"
    reassurance = "reassurance"
    safety = "safety"
    technique = "technique"
    relative = "relative"
    professional = "professional"
    red_flag = "red_flag"


class Channel(StrEnum):
    """How written guidance reaches the member."""

    email = "email"
    letter = "letter"
    text = "text"


class EntryKind(StrEnum):
    myth = "myth"
    faq = "faq"


class ReviewStatus(StrEnum):
    """Where content stands with the clinical lead. Script and referral content is approved or awaits review;
    library entries may also be drafts (new entries supervisors write)."""

    approved = "approved"
    needs_clinical_review = "needs_clinical_review"
    draft = "draft"


# Script blocks, red flags and referral texts are approved or await review; only library entries are drafts.
ContentReviewStatus = Literal[ReviewStatus.approved, ReviewStatus.needs_clinical_review]


# --- the caller's profile (advisory.profile) ---


class Sex(StrEnum):
    female = "female"
    male = "male"
    other = "other"


class Diagnosis(StrEnum):
    osteoporosis = "osteoporosis"
    osteopenia = "osteopenia"
    not_diagnosed = "not_diagnosed"
    unknown = "unknown"


class FractureSite(StrEnum):
    vertebral = "vertebral"
    hip = "hip"
    wrist = "wrist"
    other = "other"


class PainLevel(StrEnum):
    none = "none"
    mild = "mild"
    moderate = "moderate"
    severe = "severe"


class ActivityLevel(StrEnum):
    function_limited = "function_limited"
    everyday_active = "everyday_active"
    training_active = "training_active"


class LoadLevel(StrEnum):
    """How much load the assessment (advisory/assessment.py) judges safe now, most restrictive first."""

    healing = "healing"  # a fracture may still be healing: no impact, no heavy training; what to do meanwhile
    supported = "supported"  # low function, a walking aid, falls: light strength, balance only with support
    walking_level = "walking_level"  # impact up to the level of brisk walking
    full = "full"  # nothing speaks against impact: hops, running, ball games


class DiagnosisStatement(StrEnum):
    """What the script may say about the diagnosis: the strongest evidence decides (GUIDANCE.md, 4 Dec)."""

    doctor_osteoporosis = "doctor_osteoporosis"  # a doctor's diagnosis stands, whatever a later T-score says
    fragility_fracture = "fragility_fracture"  # a low-energy vertebral or hip fracture means osteoporosis
    t_score_osteoporosis = "t_score_osteoporosis"  # the T-score is in the osteoporosis range
    low_energy_fracture = "low_energy_fracture"  # a low-energy fracture weighs more than an osteopenia number
    osteopenia = "osteopenia"  # osteopenia, and nothing known speaks for osteoporosis: "not osteoporosis" allowed
    osteopenia_open = "osteopenia_open"  # osteopenia range, but diagnosis or fractures not known yet
    none = "none"  # nothing to say about the diagnosis


# The label file's section for each kind (label(kind, ...) takes the singular).
KINDS: dict[str, type[StrEnum]] = {
    "language": Language,
    "role": Role,
    "caller_role": CallerRole,
    "relation": Relation,
    "group": CallerGroup,
    "flag": Flag,
    "topic": Topic,
    "outcome": Outcome,
    "disposition": Disposition,
    "section": Section,
    "tag": Tag,
    "channel": Channel,
    "entry_kind": EntryKind,
    "review_status": ReviewStatus,
    "sex": Sex,
    "diagnosis": Diagnosis,
    "fracture_site": FractureSite,
    "pain": PainLevel,
    "activity_level": ActivityLevel,
    "load_level": LoadLevel,
    "diagnosis_statement": DiagnosisStatement,
}


def codes(kind: str) -> tuple[str, ...]:
    """The codes of one kind, in their defined order."""
    return tuple(member.value for member in KINDS[kind])
