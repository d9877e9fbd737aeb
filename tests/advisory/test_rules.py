import pytest
from pydantic import TypeAdapter, ValidationError

from advisory.rules import Condition, RuleError, Vocabulary, compile_condition

VOCABULARY = Vocabulary(
    facts={"age": "number", "t_score": "number", "pain": frozenset({"none", "mild", "severe"}), "in_physio": "bool"},
    flags=frozenset({"healing_phase", "fall_risk"}),
    groups=frozenset({"acute", "active"}),
    topics=frozenset({"lifting", "yoga"}),
    thresholds={"very_low": -3.0},
)
PARSE = TypeAdapter(Condition)


def facts(**overrides):
    base = {"age": 70, "t_score": -2.6, "pain": "mild", "in_physio": None,
            "flags": frozenset({"fall_risk"}), "group": "active", "topics": frozenset({"yoga"})}
    return base | overrides


def check(raw, **overrides) -> bool:
    return compile_condition(PARSE.validate_python(raw), VOCABULARY)(facts(**overrides))


@pytest.mark.parametrize(
    ("raw", "overrides", "expected"),
    [
        ({"flag": "fall_risk"}, {}, True),
        ({"flag": "healing_phase"}, {}, False),
        ({"group": "active"}, {}, True),
        ({"group": ["acute"]}, {}, False),
        ({"group": ["acute", "active"]}, {}, True),
        ({"topic": "yoga"}, {}, True),
        ({"topic": ["lifting"]}, {}, False),
        ({"topic": ["lifting", "yoga"]}, {}, True),
        ({"fact": "age", "gte": 70}, {}, True),
        ({"fact": "age", "gt": 70}, {}, False),
        ({"fact": "age", "lt": 70}, {}, False),
        ({"fact": "age", "lte": 70}, {}, True),
        ({"fact": "age", "eq": 70}, {}, True),
        ({"fact": "age", "ne": 70}, {}, False),
        ({"fact": "t_score", "lte": {"threshold": "very_low"}}, {}, False),
        ({"fact": "t_score", "lte": {"threshold": "very_low"}}, {"t_score": -3.0}, True),
        ({"fact": "pain", "eq": "mild"}, {}, True),
        ({"fact": "pain", "in": ["none", "severe"]}, {}, False),
        ({"fact": "in_physio", "known": False}, {}, True),
        ({"fact": "in_physio", "known": True}, {}, False),
        ({"fact": "in_physio", "eq": True}, {"in_physio": True}, True),
        # an unknown fact makes every comparison false, and "not" of it true
        ({"fact": "age", "gte": 0}, {"age": None}, False),
        ({"fact": "age", "ne": 70}, {"age": None}, False),
        ({"not": {"fact": "in_physio", "eq": True}}, {}, True),
        ({"all": [{"flag": "fall_risk"}, {"topic": "yoga"}]}, {}, True),
        ({"all": [{"flag": "fall_risk"}, {"topic": "lifting"}]}, {}, False),
        ({"any": [{"flag": "healing_phase"}, {"topic": "lifting"}]}, {}, False),
        ({"any": [{"flag": "healing_phase"}, {"not": {"group": "acute"}}]}, {}, True),
    ],
)
def test_conditions(raw, overrides, expected):
    assert check(raw, **overrides) is expected


def test_no_condition_means_always():
    assert compile_condition(None, VOCABULARY)(facts()) is True


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"flag": "healing"}, "unknown flag healing"),
        ({"group": ["active", "sporty"]}, "unknown group sporty"),
        ({"topic": "knitting"}, "unknown topic knitting"),
        ({"fact": "shoe_size", "gt": 40}, "unknown fact shoe_size"),
        ({"fact": "pain", "eq": "moderat"}, "fact pain has no value 'moderat'"),
        ({"fact": "pain", "gt": 1}, "fact pain is not a number"),
        ({"fact": "in_physio", "eq": "yes"}, "fact in_physio is yes/no"),
        ({"fact": "age", "eq": "old"}, "fact age is a number"),
        ({"fact": "age", "gt": 1, "lt": 90}, "needs exactly one of"),
        ({"fact": "age"}, "needs exactly one of"),
        ({"fact": "t_score", "lt": {"threshold": "low"}}, "unknown threshold low"),
        ({"all": [{"flag": "fall_risk"}, {"not": {"flag": "typo"}}]}, "unknown flag typo"),
    ],
)
def test_names_and_operators_are_checked(raw, message):
    with pytest.raises(RuleError, match=message):
        compile_condition(PARSE.validate_python(raw), VOCABULARY)


@pytest.mark.parametrize(
    "raw",
    [
        {"alll": []},  # no known form
        {"all": []},  # empty list
        {"flag": "fall_risk", "topic": "yoga"},  # two forms in one mapping
        {"fact": "age", "between": [1, 2]},  # unknown operator
        "fall_risk",  # not a mapping
    ],
)
def test_malformed_conditions_fail_to_parse(raw):
    with pytest.raises(ValidationError):
        PARSE.validate_python(raw)


def test_conditions_are_never_evaluated_as_code():
    # A string that would do something under eval is only ever a name to look up.
    with pytest.raises(RuleError, match="unknown flag"):
        compile_condition(PARSE.validate_python({"flag": "__import__('os').system('true')"}), VOCABULARY)
