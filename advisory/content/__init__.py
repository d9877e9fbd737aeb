"""Bundled, validated content (YAML) and the small helpers every content loader shares.

Loading is always explicit (a function call), never at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

CONTENT_DIR = Path(__file__).resolve().parent


class ContentError(ValueError):
    """A content file is invalid; the message names the file and the id."""


def read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            # The C parser (libyaml) loads the bundled content several times faster than the pure-Python one.
            return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise ContentError(f"{path.name}: not valid YAML: {exc}") from exc


def yaml_files(subdir: str) -> list[Path]:
    """The YAML files of one content folder, sorted so loading is deterministic."""
    return sorted((CONTENT_DIR / subdir).glob("*.yaml"))


def load_source_keys() -> dict[str, dict[str, str]]:
    """Source key -> {'da': citation, 'en': citation}."""
    data = read_yaml(CONTENT_DIR / "sources.yaml")
    if not isinstance(data, dict):
        raise ContentError("sources.yaml: expected a mapping of source keys")
    return data
