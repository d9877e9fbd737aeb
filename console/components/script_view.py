"""The call-time script as the advisor reads it: group, flags, the safety screen first, then each section.

Each block carries its tags, a marker while it awaits clinical approval, its sources and a "said" tick.
Library entries a block offers open in place, with a "used" tick. The red-flag questions are ticks too.
Their keys come from console/call_form.py.
"""

from __future__ import annotations

from typing import Final

import streamlit as st

from advisory.labels import labels
from advisory.library import Library
from advisory.profile import CallerProfile
from advisory.script import CallScript, DispositionText, ScriptBlock, red_flags
from console.call_form import CallState, item_key, key
from console.components.library_entries import entry_body, escape_md, review_marker
from console.i18n import t

KEEP: Final = "session"
# Library entries written to a relative (advisory/content/library/faq-relatives.yaml) rather than to the member.
RELATIVE_VOICE_PREFIXES: Final = ("faq-relative-",)


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


def assessment_view(script: CallScript) -> None:
    """What the assessment derived and why ("Ingen hop: to fald i år, ikke undersøgt"): the advisor sees the
    reasons behind the script (advisory/assessment.py); the same reasons are saved with the call."""
    if not script.reasons:
        return
    with st.container(border=True, key="assessment_reasons"):
        st.markdown(f"**{t('script.assessment')}**\n\n" + "\n".join(f"- {escape_md(reason)}" for reason in script.reasons))


def red_flag_screen(lang: str, profile: CallerProfile | None = None) -> list[str]:
    """The red-flag questions as ticks (about the person when someone else calls); returns the ids ticked."""
    flags = red_flags(lang, profile)
    awaiting = any(flag.review_status != "approved" for flag in flags)
    st.markdown(f"**{t('script.red_flags')}**" + (f" :small[{review_marker('needs_clinical_review')}]" if awaiting else ""))
    with st.container(gap="xxsmall"):
        return [flag.id for flag in flags
                if st.checkbox(flag.question, key=item_key("rf", flag.id), wrap=True, persist_state=KEEP)]


def answer_blocks(script: CallScript, topics) -> list[ScriptBlock]:
    """The blocks that answer the caller's topics: the first answer to each topic in the order the topics
    were recorded, then the further answers, so every topic's answer comes into view at once."""
    rank = {getattr(topic, "value", topic): index for index, topic in enumerate(topics or ())}
    seen: dict[int, int] = {}
    keyed = []
    for block in script.blocks:
        answered = [rank[topic] for topic in block.answers if topic in rank]
        if block.section == "safety" or not answered:
            continue
        topic = min(answered)
        seen[topic] = seen.get(topic, 0) + 1
        keyed.append(((seen[topic], topic), block))
    return [block for _, block in sorted(keyed, key=lambda item: item[0])]


def current_section(script: CallScript, shown: set[str], call: CallState) -> str | None:
    """The section the advisor is in: the first (after the safety screen) with a block not yet ticked "said"."""
    for section in script.sections:
        if section == "safety":
            continue
        if any(not call.item("said", block.id) for block in script.blocks
               if block.section == section and block.id not in shown):
            return section
    return None


def _sections_chosen(present: list[str]) -> None:
    # The advisor pressed a section's button: remember the choice, also for sections this script lacks now
    # (a red flag ticked and unticked again brings the sections back as they were).
    call = CallState(st.session_state)
    chosen = list(call["open_sections"] or [])
    call["sections_wanted"] = [s for s in call["sections_wanted"] or [] if s not in present] + chosen


def _keep_current_open(section: str | None, present: list[str]) -> None:
    # The advisor's own choice of open sections is kept; when the advisor moves on to the next section (every
    # block of the one before said), that one opens and the finished one closes.
    call = CallState(st.session_state)
    wanted = list(call["sections_wanted"] or [])
    previous = call["section_now"]
    if section is not None and previous != section:
        call["section_now"] = section
        wanted = [s for s in wanted if s != previous] + [section]
        call["sections_wanted"] = wanted
    shown = [s for s in present if s in wanted]  # in script order, only sections this script has
    if shown != call["open_sections"]:
        call["open_sections"] = shown


def _block(block: ScriptBlock, tag_labels: dict[str, str]) -> None:
    # The text, then one row with the tags, review marker and sources beside the "said" tick: little height,
    # so the answers stay in view. One wrapping row of three elements, no row of its own for the tags and the
    # tick (a profile change redraws every block shown, issue 23): the text is given a width wider than any
    # screen, which the block holds to its own (max-width 100 %), so the text has a line of its own at the
    # block's full width and the tags and the tick wrap under it as before (measured: the same places to the
    # pixel). Text and tags in one element with the tick beside them made the text about 90 px narrower and
    # pushed the second answer out of view at 1400x900.
    badges = [f":blue-badge[{tag_labels.get(tag, tag)}]" for tag in block.tags]
    if marker := review_marker(block.review_status):
        badges.append(marker)
    badges.append(f":gray[{t('script.sources', keys=', '.join(block.sources))}]")
    with st.container(border=True, horizontal=True, wrap=True, vertical_alignment="center", gap="small",
                      key=item_key("block", block.id)):
        st.markdown(block.text, width=10_000)
        st.markdown(f":small[{' '.join(badges)}]", width="stretch")
        st.checkbox(t("script.said"), key=item_key("said", block.id), persist_state=KEEP, width="content")


def _offered_entry(library: Library, slug: str, lang: str, audience: str = "member") -> None:
    entry = library.get(slug)
    if entry is None:  # removed from the library since the script content was written
        return
    with st.expander(escape_md(entry.text(lang).title), icon=":material/menu_book:"):
        if audience != "member" and not slug.startswith(RELATIVE_VOICE_PREFIXES):
            # Written to the member: the advisor says it about the person, never reads it out as it stands.
            st.caption(t("script.entry_member_voice"))
        entry_body(entry, lang)
        st.checkbox(t("script.used_entry"), key=item_key("used", slug), persist_state=KEEP)


def _blocks(blocks: list[ScriptBlock], library: Library, lang: str, tag_labels: dict[str, str],
            offered: set[str], audience: str = "member") -> None:
    """The blocks, then the library entries they offer (each entry once on the page)."""
    for block in blocks:
        _block(block, tag_labels)
    for slug in dict.fromkeys(slug for block in blocks for slug in block.library):
        if slug not in offered:
            offered.add(slug)
            _offered_entry(library, slug, lang, audience)


def script_view(script: CallScript | None, *, profile: CallerProfile | None, library: Library,
                lang: str) -> list[str]:
    """The safety screen, then the answers to the caller's topics, then the rest of the script by section.

    Without a script (no valid profile yet) only the safety screen. The sections after the answers are a
    row of buttons; only open sections draw their blocks (fewer elements per rerun), and the one the advisor
    is in is open. (Not st.expander with on_change: a stateful expander mounting mid-typing started a rerun
    that dropped what the advisor had just typed.) Returns the red flags answered "yes".
    """
    sections = labels("section", lang)
    if script is None:
        st.markdown(f"##### {sections['safety']}")
        return red_flag_screen(lang, profile)
    tag_labels = labels("tag", lang)
    offered: set[str] = set()
    st.markdown(f"##### {sections['safety']}")
    _blocks([b for b in script.blocks if b.section == "safety"], library, lang, tag_labels, offered, script.audience)
    answered = red_flag_screen(lang, profile)
    # The multiselect keeps the order the topics were recorded in (the profile holds them as a set).
    call = CallState(st.session_state)
    answers = answer_blocks(script, call["topics"] or (profile.topics if profile else ()))
    if answers:
        st.markdown(f"##### {t('script.answers')}")
        _blocks(answers, library, lang, tag_labels, offered, script.audience)
    # Who the caller is in the script's terms (the group and its flags) heads the rest of the script.
    flag_labels = labels("flag", lang)
    badges = " ".join(f":red-badge[{label}]" for flag, label in flag_labels.items() if flag in script.flags)
    st.markdown(f"#### {labels('group', lang)[script.group]}\n\n{badges}")
    assessment_view(script)
    shown = {block.id for block in answers}
    rest = {section: [b for b in script.blocks if b.section == section and b.id not in shown]
            for section in script.sections if section != "safety"}
    rest = {section: blocks for section, blocks in rest.items() if blocks}
    said = {section: sum(1 for block in blocks if call.item("said", block.id))
            for section, blocks in rest.items()}
    _keep_current_open(current_section(script, shown, call), list(rest))
    # The sections as a row of buttons (pressed: open). Only open sections are drawn, which keeps each
    # update small; a said tick keeps its value while its section is closed.
    opened = st.pills(t("script.sections"), list(rest), selection_mode="multi", key=key("open_sections"),
                      format_func=lambda s: t("script.section_title", section=sections[s], said=said[s],
                                              total=len(rest[s])),
                      label_visibility="collapsed", width="stretch", wrap=True, on_change=_sections_chosen,
                      args=(list(rest),))
    for section in (s for s in rest if s in (opened or [])):
        st.markdown(f"##### {t('script.section_title', section=sections[section], said=said[section], total=len(rest[section]))}")
        _blocks(rest[section], library, lang, tag_labels, offered, script.audience)
    return answered
