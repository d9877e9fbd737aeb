"""Staff-written text in Markdown makes no links, images or HTML (the browser test checks Streamlit's own
renderer; this one checks the text against a CommonMark parser and GitHub's autolink rules)."""

import re

import pytest
from markdown_it import MarkdownIt

from console.markdown import WORD_JOINER, plain

PAYLOADS = [
    "[x](http://evil)",
    "![i](http://evil/p.png)",
    "http://evil.example",
    "HTTPS://evil.example/sti?x=1",
    "www.evil.dk",
    "se WWW.evil.dk nu",
    "a@b.dk",
    "mailto:a@b.dk",
    "<img src=x>",
    "<http://evil>",
    "[ref]: http://evil\n\n[ref]",
    "**fed** _kursiv_ `kode` # overskrift :red[rød] :material/home: $x$",
    "Ring til Inge (inge.jensen@example.dk) på www.example.dk eller https://example.dk/kontakt",
]

# GitHub's autolink literals (remark-gfm / mdast-util-gfm-autolink-literal): what Streamlit links on its own.
GFM_AUTOLINKS = (
    re.compile(r"(https?://|www(?=\.))([-.\w]+)", re.IGNORECASE),
    re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)"),
)


def _tokens(tokens):
    for token in tokens:
        yield token
        yield from _tokens(token.children or [])


@pytest.mark.parametrize("payload", PAYLOADS)
def test_staff_text_renders_as_typed_without_links_images_or_html(payload):
    rendered = plain(payload)
    tokens = list(_tokens(MarkdownIt("commonmark").parse(rendered)))
    kinds = {token.type for token in tokens}
    assert not kinds & {"link_open", "image", "html_inline", "html_block", "strong_open", "em_open",
                        "code_inline", "heading_open"}
    text = "".join(token.content for token in tokens if token.type in ("text", "softbreak"))
    assert not [pattern.pattern for pattern in GFM_AUTOLINKS if pattern.search(text)]
    # What the reader sees is what was typed (the word joiner is invisible; line breaks aside).
    assert re.sub(r"\s", "", text.replace(WORD_JOINER, "")) == re.sub(r"\s", "", payload)
