"""The small declarative condition language of the script content (never `eval`).

A condition is a YAML mapping with exactly one of these forms:

    {all: [cond, ...]}            every sub-condition holds
    {any: [cond, ...]}            at least one holds
    {not: cond}                   the sub-condition does not hold
    {flag: name}                  a derived flag is set (e.g. healing_phase)
    {group: name | [names]}       the caller group is one of these
    {topic: name | [names]}       the caller asks about at least one of these topics
    {fact: name, <op>: value}     compare a profile fact; <op> is one of
                                  eq, ne, in, gt, gte, lt, lte, known

A number may be written as {threshold: name} to use a threshold from thresholds.yaml.
An unknown fact (None) makes every comparison false; ask about it with `known: false`.

`compile_condition` checks every name against a `Vocabulary` and turns the condition into a
plain function of the facts, so evaluating a script is a few attribute look-ups per block.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

Facts = Mapping[str, Any]
Predicate = Callable[[Facts], bool]
FactKind = Literal["number", "bool"] | frozenset[str]  # a frozenset lists an enumeration's values


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class AllOf(_Node):
    all: list[Condition] = Field(min_length=1)


class AnyOf(_Node):
    any: list[Condition] = Field(min_length=1)


class Not(_Node):
    not_: Condition = Field(alias="not")


class HasFlag(_Node):
    flag: str


class InGroup(_Node):
    group: str | list[str]


class AsksAbout(_Node):
    topic: str | list[str]


class ThresholdRef(_Node):
    threshold: str


Scalar = bool | float | str
Number = float | ThresholdRef


class Compare(_Node):
    fact: str
    eq: Scalar | None = None
    ne: Scalar | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in", min_length=1)
    gt: Number | None = None
    gte: Number | None = None
    lt: Number | None = None
    lte: Number | None = None
    known: bool | None = None

    def operation(self) -> tuple[str, Any]:
        given = [(name, value) for name in _OPERATORS if (value := getattr(self, _attr(name))) is not None]
        if len(given) != 1:
            raise ValueError(f"fact '{self.fact}' needs exactly one of {', '.join(_OPERATORS)}")
        return given[0]


_OPERATORS = ("eq", "ne", "in", "gt", "gte", "lt", "lte", "known")
_ORDERING = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}


def _attr(op: str) -> str:
    return "in_" if op == "in" else op


def _form(value: Any) -> str | None:
    keys = ("all", "any", "not", "flag", "group", "topic", "fact")
    if isinstance(value, dict):
        return next((key for key in keys if key in value), None)
    forms: dict[type, str] = {AllOf: "all", AnyOf: "any", Not: "not", HasFlag: "flag", InGroup: "group",
             AsksAbout: "topic", Compare: "fact"}
    return forms.get(type(value))


Condition = Annotated[
    Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[Not, Tag("not")]
    | Annotated[HasFlag, Tag("flag")]
    | Annotated[InGroup, Tag("group")]
    | Annotated[AsksAbout, Tag("topic")]
    | Annotated[Compare, Tag("fact")],
    Discriminator(
        _form,
        custom_error_type="condition_form",
        custom_error_message="a condition needs one of the keys all, any, not, flag, group, topic, fact",
    ),
]

for _model in (AllOf, AnyOf, Not):
    _model.model_rebuild()


@dataclass(frozen=True)
class Vocabulary:
    """The names a condition may use; anything else is a content error."""

    facts: Mapping[str, FactKind]
    flags: frozenset[str]
    groups: frozenset[str]
    topics: frozenset[str]
    thresholds: Mapping[str, float]


class RuleError(ValueError):
    """A condition uses a name or an operator that does not fit."""


def compile_condition(condition: Condition | None, vocabulary: Vocabulary) -> Predicate:
    """A checked predicate over the facts; no condition means "always"."""
    if condition is None:
        return _always
    return _compile(condition, vocabulary)


def _always(facts: Facts) -> bool:
    return True


def _names(value: str | list[str], known: frozenset[str], kind: str) -> frozenset[str]:
    names = frozenset([value] if isinstance(value, str) else value)
    unknown = sorted(names - known)
    if unknown:
        raise RuleError(f"unknown {kind} {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    return names


def _compile(node: Condition, vocabulary: Vocabulary) -> Predicate:
    if isinstance(node, AllOf):
        parts = tuple(_compile(part, vocabulary) for part in node.all)
        return lambda facts: all(part(facts) for part in parts)
    if isinstance(node, AnyOf):
        parts = tuple(_compile(part, vocabulary) for part in node.any)
        return lambda facts: any(part(facts) for part in parts)
    if isinstance(node, Not):
        inner = _compile(node.not_, vocabulary)
        return lambda facts: not inner(facts)
    if isinstance(node, HasFlag):
        (flag,) = _names(node.flag, vocabulary.flags, "flag")
        return lambda facts: flag in facts["flags"]
    if isinstance(node, InGroup):
        groups = _names(node.group, vocabulary.groups, "group")
        return lambda facts: facts["group"] in groups
    if isinstance(node, AsksAbout):
        topics = _names(node.topic, vocabulary.topics, "topic")
        return lambda facts: not topics.isdisjoint(facts["topics"])
    return _compile_comparison(node, vocabulary)


def _compile_comparison(node: Compare, vocabulary: Vocabulary) -> Predicate:
    name = node.fact
    if name not in vocabulary.facts:
        raise RuleError(f"unknown fact {name} (known: {', '.join(sorted(vocabulary.facts))})")
    kind = vocabulary.facts[name]
    try:
        op, raw = node.operation()
    except ValueError as exc:
        raise RuleError(str(exc)) from exc

    if op == "known":
        return lambda facts: (facts[name] is not None) == raw
    if op in _ORDERING:
        if kind != "number":
            raise RuleError(f"fact {name} is not a number; '{op}' needs one")
        bound = _number(raw, vocabulary)
        compare = _ORDERING[op]
        return lambda facts: (value := facts[name]) is not None and compare(value, bound)

    values = [_value(item, kind, name) for item in (raw if op == "in" else [raw])]
    if op == "in":
        allowed = frozenset(values)
        return lambda facts: (value := facts[name]) is not None and value in allowed
    (expected,) = values
    if op == "eq":
        return lambda facts: (value := facts[name]) is not None and value == expected
    return lambda facts: (value := facts[name]) is not None and value != expected


def _number(raw: Any, vocabulary: Vocabulary) -> float:
    if isinstance(raw, ThresholdRef):
        if raw.threshold not in vocabulary.thresholds:
            known = ", ".join(sorted(vocabulary.thresholds))
            raise RuleError(f"unknown threshold {raw.threshold} (known: {known})")
        return vocabulary.thresholds[raw.threshold]
    if isinstance(raw, bool):
        raise RuleError("expected a number, got a yes/no value")
    return raw


def _value(raw: Any, kind: FactKind, name: str) -> Any:
    if isinstance(kind, frozenset):
        if not isinstance(raw, str) or raw not in kind:
            raise RuleError(f"fact {name} has no value {raw!r} (values: {', '.join(sorted(kind))})")
        return raw
    if kind == "bool":
        if not isinstance(raw, bool):
            raise RuleError(f"fact {name} is yes/no; got {raw!r}")
        return raw
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise RuleError(f"fact {name} is a number; got {raw!r}")
    return raw
