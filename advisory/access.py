"""Who may see and change what: the one home of the console's access rules.

Every repository function that reads or writes calls, follow-ups, written guidance, the library or
exports asks these functions (and the navigation asks them which pages to list), so a rule is
changed here once. The rules are pure: they look at the viewer's role and id and at the owner of
the object, never at a database.

- Advisors take calls and see and change their own calls, their follow-ups and their own guidance.
- Supervisors and administrators see and change everything of every call; they edit the library,
  export the call log and read the statistics. Administrators also manage staff and data protection.
- The secretariat sends written guidance: it sees the outbox and the letters waiting to be posted
  (recipient, address, subject, the text, status, who wrote it and when) and nothing else of a call.
"""

from __future__ import annotations

from typing import Protocol

from advisory.vocab import Role

CALL_HANDLERS = frozenset({Role.advisor, Role.supervisor, Role.admin})
SUPERVISORS = frozenset({Role.supervisor, Role.admin})
ADMINS = frozenset({Role.admin})
GUIDANCE_SENDERS = frozenset({Role.advisor, Role.supervisor, Role.admin, Role.secretariat})
LETTER_POSTERS = frozenset({Role.secretariat, Role.supervisor, Role.admin})


class Viewer(Protocol):
    """Anyone acting in the console: the logged-in staff member (db.repositories.users.StaffUser)."""

    @property
    def id(self) -> int: ...

    @property
    def role(self) -> str: ...


class AccessDenied(PermissionError):
    """The viewer's role does not allow this; the message names the rule, never the object's content."""


def require(allowed: bool, rule: str) -> None:
    if not allowed:
        raise AccessDenied(rule)


def takes_calls(viewer: Viewer) -> bool:
    return viewer.role in CALL_HANDLERS


def sees_all_calls(viewer: Viewer) -> bool:
    return viewer.role in SUPERVISORS


def may_read_call(viewer: Viewer, *, advisor_id: int) -> bool:
    """A call's profile, notes, contact details and history."""
    return takes_calls(viewer) and (sees_all_calls(viewer) or advisor_id == viewer.id)


def may_change_call(viewer: Viewer, *, advisor_id: int) -> bool:
    return may_read_call(viewer, advisor_id=advisor_id)


def sees_all_follow_ups(viewer: Viewer) -> bool:
    return sees_all_calls(viewer)


def may_change_follow_up(viewer: Viewer, *, assignee_id: int, call_advisor_id: int) -> bool:
    return takes_calls(viewer) and (
        sees_all_follow_ups(viewer) or viewer.id in (assignee_id, call_advisor_id)
    )


def writes_guidance(viewer: Viewer) -> bool:
    """Composes written guidance for calls at all (the secretariat only sends what others wrote)."""
    return takes_calls(viewer)


def may_write_guidance(viewer: Viewer, *, call_advisor_id: int) -> bool:
    """Compose and send written guidance for a call: whoever may read the call."""
    return may_read_call(viewer, advisor_id=call_advisor_id)


def uses_outbox(viewer: Viewer) -> bool:
    return viewer.role in GUIDANCE_SENDERS


def sees_whole_outbox(viewer: Viewer) -> bool:
    """Supervisors and the secretariat see every message; advisors only the ones they wrote."""
    return viewer.role in LETTER_POSTERS


def may_post_letters(viewer: Viewer) -> bool:
    """Print the day's letters as one batch and mark them posted."""
    return viewer.role in LETTER_POSTERS


def may_resend(viewer: Viewer, *, created_by_id: int | None) -> bool:
    return uses_outbox(viewer) and (sees_whole_outbox(viewer) or created_by_id == viewer.id)


def reads_library(viewer: Viewer) -> bool:
    return takes_calls(viewer)


def edits_library(viewer: Viewer) -> bool:
    return viewer.role in SUPERVISORS


def exports_calls(viewer: Viewer) -> bool:
    return viewer.role in SUPERVISORS


def reads_statistics(viewer: Viewer) -> bool:
    return viewer.role in SUPERVISORS


def administers(viewer: Viewer) -> bool:
    return viewer.role in ADMINS


def manages_members_data(viewer: Viewer) -> bool:
    """Retention purge, erasure and access requests: every call of a member, so administrators only."""
    return administers(viewer)
