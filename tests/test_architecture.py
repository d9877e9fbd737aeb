"""The house's structure holds: no import circle between modules, and every vocabulary code list written once."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import grimp

from advisory.vocab import KINDS, codes

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("console", "cli", "services", "db", "advisory", "settings")


def _cycles(graph) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), i.e. import circles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(module: str) -> None:
        index[module] = low[module] = counter[0]
        counter[0] += 1
        stack.append(module)
        on_stack.add(module)
        for target in graph.find_modules_directly_imported_by(module):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph.modules):
        if module.split(".")[0] in PACKAGES and module not in index:
            visit(module)
    return found


def test_no_import_circle_between_modules():
    graph = grimp.build_graph(*PACKAGES)
    assert _cycles(graph) == []


def _python_files():
    for package in PACKAGES:
        yield from (ROOT / package).rglob("*.py")


def test_no_list_of_vocabulary_codes_is_written_twice():
    """A tuple or list literal holding most of a vocabulary kind's codes outside advisory/vocab.py means the
    list was copied instead of read from the enum (codes(kind), list(Enum))."""
    kinds = {kind: {member.value for member in enum} for kind, enum in KINDS.items() if len(enum) >= 4}
    offenders = []
    for path in _python_files():
        if path.name == "vocab.py" or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Tuple | ast.List | ast.Set):
                continue
            strings = {element.value for element in node.elts if isinstance(element, ast.Constant)
                       and isinstance(element.value, str)}
            for kind, kind_codes in kinds.items():
                if len(strings & kind_codes) >= max(3, len(kind_codes) - 1):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} repeats the {kind} codes")
    assert offenders == []


def test_ui_catalogues_hold_no_vocabulary_labels():
    """Group, topic, outcome, role ... labels live in advisory/content/labels.yaml only."""
    for lang in ("da", "en"):
        catalogue = (ROOT / "console" / "i18n" / f"{lang}.toml").read_text(encoding="utf-8")
        profile = catalogue.split("[profile]\n", 1)[1].split("\n[", 1)[0]
        for kind in ("sex", "diagnosis", "pain", "activity_level"):
            # the field's own name and help stay; its options' names do not
            leftovers = [code for code in codes(kind) if re.search(rf"^{kind}_{code} =", profile, re.MULTILINE)]
            assert leftovers == [], f"{lang}.toml [profile] labels {kind} codes {leftovers}"
        assert not re.search(r"^\[(roles|[a-z_]+\.(group|topic|outcome|caller_role|flag|disposition|channel|kind))\]$",
                             catalogue, re.MULTILINE)
