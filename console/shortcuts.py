"""Keyboard shortcuts for the actions staff repeat all day (st.button's `shortcut`).

Every one holds Ctrl (Cmd on a Mac), so none of them is a key that types into the notes; Streamlit
reserves C and R, and the browser keeps Ctrl+T, Ctrl+W and the like. The buttons show the keys, and their
help says them in words (`help_text`).

- Start opkald: Ctrl+Shift+Enter (the call page, before a call)
- Gem opkald: Ctrl+Enter (during a call; also from inside the notes, where Ctrl+Enter applies the text)
- Beregn igen: Ctrl+Shift+E (the statistics page)
"""

from __future__ import annotations

from console.i18n import t

START_CALL = "Mod+Shift+Enter"
SAVE_CALL = "Mod+Enter"
RECOMPUTE = "Mod+Shift+E"


def help_text(shortcut: str) -> str:
    """'Tastaturgenvej: Ctrl+Shift+Enter (Cmd+Shift+Enter på Mac)'."""
    return t("shortcuts.help", keys=shortcut.replace("Mod", "Ctrl"), mac=shortcut.replace("Mod", "Cmd"))
