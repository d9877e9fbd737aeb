"""Staff-written text inside Streamlit Markdown (st.markdown, captions, messages, expander labels).

Streamlit renders GitHub-flavoured Markdown, which turns text into links and images on its own: a
library entry or a display name holding `[x](http://evil)` or `![i](http://evil/p.png)` would become
one, and so would a bare `http://evil.example`, `www.evil.dk` or `a@b.dk` (autolinks). `plain()` makes
such text show as typed: Markdown's special characters are escaped, and an invisible WORD JOINER
(U+2060) is put where an autolink would start, after "http:"/"https:", after "www" and before "@", so
no link is recognised. Raw HTML (`<img src=x>`) is escaped with the rest.
"""

from __future__ import annotations

import re

WORD_JOINER = "\u2060"
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~$:!])")
_AUTOLINK_STARTS = (
    (re.compile(r"(?i)(https?:)(?=/)"), rf"\1{WORD_JOINER}"),
    (re.compile(r"(?i)(www)(?=\.)"), rf"\1{WORD_JOINER}"),
    (re.compile(r"@"), f"{WORD_JOINER}@"),
)


def plain(text: str) -> str:
    """`text` as literal Markdown: no formatting, links, images, HTML or Streamlit directives."""
    for pattern, replacement in _AUTOLINK_STARTS:
        text = pattern.sub(replacement, text)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
