"""Display names of the vocabulary: `label(kind, code, lang)`, the one lookup every layer uses.

The names are content (`advisory/content/labels.yaml`); disposition names come from the red-flag screen
(`scripts/red_flags.yaml`), which defines the dispositions. Loading is explicit and cached.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, ValidationError

from advisory.content import CONTENT_DIR, ContentError, read_yaml
from advisory.vocab import KINDS
from advisory.vocab import LANGUAGES as LANGS

LABELS_FILE = CONTENT_DIR / "labels.yaml"


class Text(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    da: str
    en: str


def load_labels() -> dict[str, dict[str, Text]]:
    """kind -> code -> Text, checked against the vocabulary both ways (dispositions excluded)."""
    raw = read_yaml(LABELS_FILE)
    if not isinstance(raw, dict):
        raise ContentError(f"{LABELS_FILE.name}: expected a mapping of kinds")
    expected = {kind for kind in KINDS if kind != "disposition"}
    if unknown := sorted(set(raw) - expected):
        raise ContentError(f"{LABELS_FILE.name}: unknown kind(s) {unknown}")
    labels: dict[str, dict[str, Text]] = {}
    for kind in sorted(expected):
        given = raw.get(kind) or {}
        codes = [member.value for member in KINDS[kind]]
        missing, extra = sorted(set(codes) - set(given)), sorted(set(given) - set(codes))
        if missing or extra:
            raise ContentError(f"{LABELS_FILE.name}: {kind}: missing {missing or 'none'}, unknown {extra or 'none'}")
        try:
            labels[kind] = {code: Text.model_validate(given[code]) for code in codes}
        except ValidationError as exc:
            raise ContentError(f"{LABELS_FILE.name}: {kind}: {exc}") from exc
    return labels


@lru_cache(maxsize=1)
def _labels() -> dict[str, dict[str, Text]]:
    return load_labels()


def _dispositions(lang: str) -> dict[str, str]:
    from advisory.script import dispositions  # the red-flag screen owns the disposition names

    return {d.id: d.label for d in dispositions(lang)}


def labels(kind: str, lang: str) -> dict[str, str]:
    """code -> display name for one kind, in the vocabulary's order."""
    if lang not in LANGS:
        raise ValueError(f"unsupported language: {lang!r}")
    if kind == "disposition":
        return _dispositions(lang)
    if kind not in KINDS:
        raise KeyError(f"unknown kind of label: {kind!r}")
    return {code: getattr(text, lang) for code, text in _labels()[kind].items()}


def label(kind: str, code: str | None, lang: str) -> str:
    """The display name of `code`; an unknown code (old data) is shown as it is, None as ""."""
    if code is None:
        return ""
    return labels(kind, lang).get(str(code), str(code))


def joined(kind: str, codes: Iterable[str], lang: str) -> str:
    """Several codes' names, comma-separated (a call's topics, flags, ...)."""
    return ", ".join(label(kind, code, lang) for code in codes)
