"""Snippets of a search hit: the matched words of the title, tags and short answer marked with ** **, and
the detail's best sentence (with the next) as an excerpt."""

from __future__ import annotations

import re

from advisory.library.entries import EntryText
from advisory.library.index import _LanguageIndex

_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+")



def _snippets(index: _LanguageIndex, text: EntryText, terms: set[str]) -> dict[str, str]:
    snippets: dict[str, str] = {}
    for name in ("title", "short_answer"):
        marked = _mark(index, getattr(text, name), terms)
        if marked is not None:
            snippets[name] = marked
    tags = [marked for tag in text.tags if (marked := _mark(index, tag, terms)) is not None]
    if tags:
        snippets["tags"] = ", ".join(tags)
    detail = _detail_excerpt(index, text.detail, terms)
    if detail is not None:
        snippets["detail"] = detail
    return snippets


def _matches(index: _LanguageIndex, text: str, terms: set[str]) -> list[tuple[int, int]]:
    """Spans of the words of `text` that matched, overlapping spans merged."""
    merged: list[tuple[int, int]] = []
    for start, end, word_terms in index.analysed(text):
        if not terms.isdisjoint(word_terms):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
    return merged


def _wrap(text: str, spans: list[tuple[int, int]], offset: int = 0) -> str:
    pieces, cursor = [], offset
    for start, end in spans:
        pieces += [text[cursor:start], "**", text[start:end], "**"]
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _mark(index: _LanguageIndex, text: str, terms: set[str]) -> str | None:
    """`text` with the words that matched wrapped in ** **, or None when nothing matched."""
    spans = _matches(index, text, terms)
    return _wrap(text, spans) if spans else None


def _detail_excerpt(index: _LanguageIndex, detail: str, terms: set[str]) -> str | None:
    """The detail's sentence with the most matches and the one after it, marked; None without matches."""
    spans = _matches(index, detail, terms)
    if not spans:
        return None
    sentences: list[tuple[int, int]] = []
    start = 0
    for boundary in _SENTENCE_END.finditer(detail):
        sentences.append((start, boundary.start()))
        start = boundary.end()
    sentences.append((start, len(detail)))
    counts = [sum(1 for span in spans if begin <= span[0] < end) for begin, end in sentences]
    best = counts.index(max(counts))
    begin, end = sentences[best][0], sentences[min(best + 1, len(sentences) - 1)][1]
    excerpt = _wrap(detail[:end], [span for span in spans if begin <= span[0] < end], offset=begin)
    prefix = "… " if best > 0 else ""
    suffix = " …" if end < len(detail) else ""
    return prefix + " ".join(excerpt.split()) + suffix

