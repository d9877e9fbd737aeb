"""The call-time script as the advisor reads it: group, flags, the safety screen first, then each section.

Each block carries its tags, a marker while it awaits clinical approval, its sources and a "said" tick
(`call_said_<block id>`). Library entries a block offers open in place, with a "used" tick
(`call_used_<slug>`). The red-flag questions are ticks too (`call_rf_<flag id>`).
"""

from __future__ import annotations

import streamlit as st

from advisory.labels import labels
from advisory.library import Library
from advisory.profile import CallerProfile
from advisory.script import CallScript, DispositionText, ScriptBlock, red_flags
from console.components.library_search import entry_body, escape_md, review_marker
from console.i18n import t

KEEP = "session"


def disposition_banner(disposition: DispositionText) -> None:
    """What a red flag means for the caller: the words to say, where to send them, what to note.

    Shown above everything else; the script below it gives no training advice while a red flag stands.
    """
    st.error(f"**{t('script.disposition')}: {disposition.label}**\n\n"
             f"{t('script.say')}: »{disposition.say}«\n\n"
             f"**{t('script.send_to')}:** {disposition.send_to}  \n**{t('script.note')}:** {disposition.note}",
             icon=":material/emergency:")
    st.caption(t("script.training_paused"))
    if marker := review_marker(disposition.review_status):
        st.caption(marker)


def red_flag_screen(lang: str, profile: CallerProfile | None = None) -> list[str]:
    """The red-flag questions as ticks (about the person when someone else calls); returns the ids ticked."""
    flags = red_flags(lang, profile)
    st.markdown(f"**{t('script.red_flags')}**")
    if any(flag.review_status != "approved" for flag in flags):
        st.caption(review_marker("needs_clinical_review"))
    return [flag.id for flag in flags
            if st.checkbox(flag.question, key=f"call_rf_{flag.id}", wrap=True, persist_state=KEEP)]


def _block(block: ScriptBlock, tag_labels: dict[str, str]) -> None:
    with st.container(border=True):
        st.markdown(block.text)
        badges = [f":blue-badge[{tag_labels.get(tag, tag)}]" for tag in block.tags]
        if marker := review_marker(block.review_status):
            badges.append(marker)
        badges.append(t("script.sources", keys=", ".join(block.sources)))
        st.caption(" ".join(badges))
        st.checkbox(t("script.said"), key=f"call_said_{block.id}", persist_state=KEEP)


def _offered_entry(library: Library, slug: str, lang: str) -> None:
    entry = library.get(slug)
    if entry is None:  # removed from the library since the script content was written
        return
    with st.expander(escape_md(entry.text(lang).title), icon=":material/menu_book:"):
        entry_body(entry, lang)
        st.checkbox(t("script.used_entry"), key=f"call_used_{slug}", persist_state=KEEP)


def script_view(script: CallScript | None, *, profile: CallerProfile | None, library: Library,
                lang: str) -> list[str]:
    """The whole script; without a script (no valid profile yet) only the safety screen.

    Returns the red flags answered "yes".
    """
    sections = labels("section", lang)
    if script is None:
        st.markdown(f"#### {sections['safety']}")
        return red_flag_screen(lang, profile)
    flag_labels = labels("flag", lang)
    st.subheader(labels("group", lang)[script.group])
    if script.flags:
        st.markdown(" ".join(f":red-badge[{label}]" for flag, label in flag_labels.items() if flag in script.flags))
    tag_labels = labels("tag", lang)
    offered: set[str] = set()
    answered: list[str] = []
    for section in script.sections:
        st.markdown(f"#### {sections[section]}")
        for block in (b for b in script.blocks if b.section == section):
            _block(block, tag_labels)
            for slug in block.library:
                if slug not in offered:
                    offered.add(slug)
                    _offered_entry(library, slug, lang)
        if section == "safety":
            answered = red_flag_screen(lang, profile)
    return answered
