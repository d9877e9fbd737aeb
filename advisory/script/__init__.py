"""The call-time script engine: content (content.py), the script the assessment of a profile
(advisory/assessment.py) and the red flags select (builder.py), and the red-flag screen (screen.py)."""

from advisory.assessment import Assessment, Reason, assess, audience_of, person_words
from advisory.script.builder import (
    CallScript,
    DispositionText,
    ScriptBlock,
    build_script,
    disposition_text,
    text_for,
)
from advisory.script.content import (
    AUDIENCES,
    FLAGS,
    GROUPS,
    MEDICATION_BLOCK,
    SECTIONS,
    ScriptContent,
    content_version,
    load_script_content,
    script_content,
)
from advisory.script.screen import RedFlag, dispositions, most_urgent_disposition, red_flags

__all__ = [
    "AUDIENCES", "FLAGS", "GROUPS", "MEDICATION_BLOCK", "SECTIONS", "Assessment", "CallScript", "DispositionText",
    "Reason", "RedFlag", "ScriptBlock", "ScriptContent", "assess", "audience_of", "build_script", "content_version",
    "disposition_text", "dispositions", "load_script_content", "most_urgent_disposition", "person_words", "red_flags",
    "script_content", "text_for",
]
