"""The access rules, role by role (advisory/access.py); repositories and pages ask these functions."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from advisory import access


@dataclass(frozen=True)
class Staff:
    id: int
    role: str


ME, COLLEAGUE = 1, 2
ROLES = ("advisor", "supervisor", "admin", "secretariat")


@pytest.mark.parametrize(("role", "own", "others"), [
    ("advisor", True, False),
    ("supervisor", True, True),
    ("admin", True, True),
    ("secretariat", False, False),
])
def test_who_reads_and_changes_a_call(role, own, others):
    viewer = Staff(ME, role)
    assert access.may_read_call(viewer, advisor_id=ME) is own
    assert access.may_read_call(viewer, advisor_id=COLLEAGUE) is others
    assert access.may_change_call(viewer, advisor_id=COLLEAGUE) is others
    assert access.may_write_guidance(viewer, call_advisor_id=COLLEAGUE) is others


@pytest.mark.parametrize(("role", "assigned", "on_own_call", "neither"), [
    ("advisor", True, True, False),
    ("supervisor", True, True, True),
    ("secretariat", False, False, False),
])
def test_who_changes_a_follow_up(role, assigned, on_own_call, neither):
    viewer = Staff(ME, role)
    assert access.may_change_follow_up(viewer, assignee_id=ME, call_advisor_id=COLLEAGUE) is assigned
    assert access.may_change_follow_up(viewer, assignee_id=COLLEAGUE, call_advisor_id=ME) is on_own_call
    assert access.may_change_follow_up(viewer, assignee_id=COLLEAGUE, call_advisor_id=COLLEAGUE) is neither


@pytest.mark.parametrize(("rule", "allowed"), [
    (access.takes_calls, {"advisor", "supervisor", "admin"}),
    (access.reads_library, {"advisor", "supervisor", "admin"}),
    (access.edits_library, {"supervisor", "admin"}),
    (access.exports_calls, {"supervisor", "admin"}),
    (access.reads_statistics, {"supervisor", "admin"}),
    (access.administers, {"admin"}),
    (access.uses_outbox, {"advisor", "supervisor", "admin", "secretariat"}),
    (access.sees_whole_outbox, {"supervisor", "admin", "secretariat"}),
    (access.may_post_letters, {"supervisor", "admin", "secretariat"}),
    (access.writes_guidance, {"advisor", "supervisor", "admin"}),
    (access.manages_members_data, {"admin"}),
    (access.sees_all_follow_ups, {"supervisor", "admin"}),
])
def test_role_rules(rule, allowed):
    assert {role for role in ROLES if rule(Staff(ME, role))} == allowed


def test_resending_is_for_the_author_or_whoever_sees_the_whole_outbox():
    assert access.may_resend(Staff(ME, "advisor"), created_by_id=ME)
    assert not access.may_resend(Staff(ME, "advisor"), created_by_id=COLLEAGUE)
    assert access.may_resend(Staff(ME, "secretariat"), created_by_id=COLLEAGUE)


def test_require_raises_access_denied_naming_the_rule():
    with pytest.raises(access.AccessDenied, match="reading calls"):
        access.require(False, "reading calls")


def test_the_secretariat_sends_guidance_but_reads_nothing_of_a_call():
    secretariat = Staff(ME, "secretariat")
    assert access.uses_outbox(secretariat) and access.may_post_letters(secretariat)
    assert access.may_resend(secretariat, created_by_id=COLLEAGUE)
    for rule in (access.takes_calls, access.writes_guidance, access.reads_library, access.exports_calls,
                 access.reads_statistics, access.manages_members_data, access.sees_all_calls):
        assert not rule(secretariat), rule.__name__
    assert not access.may_read_call(secretariat, advisor_id=ME)  # not even a call "of its own"
    assert not access.may_write_guidance(secretariat, call_advisor_id=ME)
