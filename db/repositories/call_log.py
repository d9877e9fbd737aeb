"""The call log: filtered, paged reading of calls, a call's detail (audited) and edits after the call.

Every query is paged in SQL and ordered newest first by (started_at, id), which the started_at indexes
serve; advisors only ever see their own calls, whatever filters they pass.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import String, Text, and_, cast, distinct, exists, func, literal, select, type_coerce, update
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from advisory import access
from advisory.formatting import LOCAL_TZ, local_today
from db.models import (
    Call,
    CallEdit,
    CallLibraryEntry,
    CallPublic,
    CallTopic,
    FollowUp,
    FollowUpStatus,
    LibraryEntryRecord,
    Referral,
    Role,
    User,
    utcnow,
)
from db.repositories import audit, follow_ups
from db.repositories.users import StaffUser, staff_names

PAGE_SIZE = 50

# Red-flag filter: a disposition (advisory.vocab.Disposition), or one of these two.
ANY_RED_FLAG, NO_RED_FLAG = "any", "none"
FOLLOW_UP_FILTERS = ("open", "overdue", "done", "none")


class CallNotFound(LookupError):
    """No such call, or one the viewer may not see (advisors see only their own)."""


class CallAnonymised(ValueError):
    """The call's personal data was erased; its notes can no longer be edited."""


@dataclass(frozen=True)
class CallVersion:
    """What an edit may change, as stored at one version."""

    version: int
    notes: str
    outcome: str
    updated_at: datetime
    editor_name: str = ""  # who made this version by an edit ("" if no one edited the call yet)


class CallEditConflict(Exception):
    """Someone saved the call after the editor opened it; nothing was written.

    Carries both versions, so the page can show the stored one beside what this editor typed.
    """

    def __init__(self, call_id: int, *, expected: int, current: CallVersion, mine: dict[str, Any]) -> None:
        super().__init__(f"call {call_id}: edited from version {expected}, but it is at version {current.version} now")
        self.call_id, self.expected, self.current, self.mine = call_id, expected, current, mine


@dataclass(frozen=True)
class CallFilters:
    date_from: date | None = None  # local (Copenhagen) days, both ends inclusive
    date_to: date | None = None
    advisor_id: int | None = None
    group_ids: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()  # any of them
    outcomes: tuple[str, ...] = ()
    red_flag: str | None = None  # a disposition id, ANY_RED_FLAG or NO_RED_FLAG
    follow_up: str | None = None  # one of FOLLOW_UP_FILTERS
    has_referral: bool | None = None
    text: str = ""  # free text in the notes

    def audit_summary(self) -> dict[str, Any]:
        """The filters for the audit log, without the free text (it may name a person)."""
        summary = {key: value for key, value in self.__dict__.items() if value not in (None, (), "")}
        for key in ("date_from", "date_to"):
            if key in summary:
                summary[key] = summary[key].isoformat()
        if "text" in summary:
            summary["text"] = True
        return {key: list(value) if isinstance(value, tuple) else value for key, value in summary.items()}


@dataclass(frozen=True)
class CallRow:
    id: int
    started_at: datetime
    duration_seconds: int
    advisor_id: int
    advisor_name: str
    caller_role: str
    group_id: str
    topics: list[str]
    disposition: str | None
    outcome: str
    notes: str
    open_follow_up: bool
    has_referral: bool
    anonymised: bool


@dataclass(frozen=True)
class CallDetail:
    id: int
    started_at: datetime
    ended_at: datetime
    duration_seconds: int
    advisor_id: int
    advisor_name: str
    caller_role: str
    contact_consent: bool
    contact_consent_at: datetime | None
    member_number: str | None
    caller_name: str | None
    phone: str | None
    email: str | None
    profile: dict[str, Any]
    group_id: str
    flags: list[str]
    topics: list[str]
    disposition: str | None
    outcome: str
    delivered_blocks: list[str]
    library_slugs: list[str]
    notes: str
    content_version: str
    lang: str
    anonymised_at: datetime | None
    updated_at: datetime
    version: int
    follow_ups: list[dict[str, Any]] = field(default_factory=list)
    referrals: list[dict[str, Any]] = field(default_factory=list)
    audit_trail: list[dict[str, Any]] = field(default_factory=list)
    library_titles: dict[str, dict[str, str]] = field(default_factory=dict)  # slug -> {"da": ..., "en": ...}


def local_day_start(day: date) -> datetime:
    """Midnight in Copenhagen as a UTC time: "today" for staff is a Danish day."""
    return datetime.combine(day, time(), tzinfo=LOCAL_TZ).astimezone(UTC)


def scoped(filters: CallFilters, viewer: StaffUser) -> CallFilters:
    """Advisors see only their own calls, whatever advisor filter they passed; staff who take no calls none."""
    access.require(access.takes_calls(viewer), "reading calls")
    return filters if access.sees_all_calls(viewer) else replace(filters, advisor_id=viewer.id)


@dataclass(frozen=True)
class _Related:
    """A filter on rows of a child table (topics, follow-ups, referrals) that point at the call.

    It has two SQL forms because the planners need different shapes: a page walks the calls newest
    first and checks each one (correlated EXISTS through the child's call_id index), while a count is
    best driven from the child's own index (call_id IN (subquery), or counting the child rows).
    """

    call_id: Any  # the child's call_id column, e.g. CallTopic.call_id
    where: tuple[ColumnElement[bool], ...]
    negated: bool = False

    def exists(self) -> ColumnElement[bool]:
        found = exists().where(self.call_id == Call.id, *self.where)
        return ~found if self.negated else found

    def contains(self, key) -> ColumnElement[bool]:
        ids = select(self.call_id).where(*self.where)
        return key.not_in(ids) if self.negated else key.in_(ids)


def _conditions(filters: CallFilters, today: date | None = None) -> tuple[list[ColumnElement[bool]], list[_Related]]:
    """Conditions on the call's own columns, and filters on related rows."""
    where: list[ColumnElement[bool]] = []
    related: list[_Related] = []
    if filters.date_from is not None:
        where.append(col(Call.started_at) >= local_day_start(filters.date_from))
    if filters.date_to is not None:
        where.append(col(Call.started_at) < local_day_start(filters.date_to + timedelta(days=1)))
    if filters.advisor_id is not None:
        where.append(col(Call.advisor_id) == filters.advisor_id)
    if filters.group_ids:
        where.append(col(Call.group_id).in_(filters.group_ids))
    if filters.outcomes:
        where.append(col(Call.outcome).in_(filters.outcomes))
    if filters.red_flag == ANY_RED_FLAG:
        where.append(col(Call.disposition).is_not(None))
    elif filters.red_flag == NO_RED_FLAG:
        where.append(col(Call.disposition).is_(None))
    elif filters.red_flag:
        where.append(col(Call.disposition) == filters.red_flag)
    if filters.text.strip():
        where.append(col(Call.notes).icontains(filters.text.strip(), autoescape=True))
    if filters.topics:
        related.append(_Related(col(CallTopic.call_id), (col(CallTopic.topic).in_(filters.topics),)))
    if filters.follow_up:
        related.append(_follow_up_filter(filters.follow_up, today or local_today()))
    if filters.has_referral is not None:
        related.append(_Related(Referral.call_id, (), negated=not filters.has_referral))
    return where, related


def _follow_up_filter(kind: str, today: date) -> _Related:
    open_ = FollowUp.status == FollowUpStatus.open.value
    if kind == "open":
        return _Related(col(FollowUp.call_id), (open_,))
    if kind == "overdue":
        return _Related(col(FollowUp.call_id), (open_, col(FollowUp.due_on) < today))
    if kind == "done":
        return _Related(col(FollowUp.call_id), (col(FollowUp.status) == FollowUpStatus.done.value,))
    if kind == "none":
        return _Related(FollowUp.call_id, (), negated=True)
    raise ValueError(f"unknown follow-up filter: {kind}")


def _filtered(query, filters: CallFilters, viewer: StaffUser):
    """`query` (over calls) narrowed to the filters, in the shape that suits walking an index in order."""
    where, related = _conditions(scoped(filters, viewer))
    conditions = where + [item.exists() for item in related]
    return query.where(*conditions) if conditions else query


_ROW_COLUMNS = (
    Call.id, Call.started_at, Call.duration_seconds, Call.advisor_id, Call.caller_role, Call.group_id,
    Call.disposition, Call.outcome, Call.notes, Call.anonymised_at,
)


def _linked(session: Session, column, call_ids: list[int]) -> dict[int, list[str]]:
    """Per call, the values of a link table's `column` (topics or library slugs), sorted.

    One query by the link table's primary key (call_id, value) for a page or an export chunk.
    """
    found: dict[int, list[str]] = {call_id: [] for call_id in call_ids}
    if not call_ids:
        return found
    table = column.class_
    low, high = min(call_ids), max(call_ids)
    if len(call_ids) > 200 and high - low < 4 * len(call_ids):
        # An export chunk: its ids are (nearly) one run, so read the range from the primary key and drop the
        # strangers, instead of binding thousands of parameters.
        condition = table.call_id.between(low, high)
    else:
        condition = table.call_id.in_(call_ids)
    rows = session.connection().execute(select(table.call_id, column).where(condition)
                                         .order_by(table.call_id, column)).all()
    for call_id, value in rows:
        if (values := found.get(call_id)) is not None:
            values.append(value)
    return found


def call_topics(session: Session, call_ids: list[int]) -> dict[int, list[str]]:
    return _linked(session, CallTopic.topic, call_ids)


def call_library_slugs(session: Session, call_ids: list[int]) -> dict[int, list[str]]:
    return _linked(session, CallLibraryEntry.slug, call_ids)


def list_calls(session: Session, *, filters: CallFilters, viewer: StaffUser, limit: int = PAGE_SIZE,
               offset: int = 0) -> list[CallRow]:
    """One page of the log, newest first."""
    open_follow_up = exists().where(col(FollowUp.call_id) == col(Call.id),
                                    col(FollowUp.status) == FollowUpStatus.open.value).label("open_follow_up")
    has_referral = exists().where(col(Referral.call_id) == col(Call.id)).label("has_referral")
    query = select(*_ROW_COLUMNS, open_follow_up, has_referral)
    query = _filtered(query, filters, viewer)
    query = query.order_by(col(Call.started_at).desc(), col(Call.id).desc()).limit(limit).offset(offset)
    rows = session.execute(query).all()
    names = staff_names(session, ids={row.advisor_id for row in rows})
    topics = call_topics(session, [row.id for row in rows])
    return [
        CallRow(
            id=row.id, started_at=row.started_at, duration_seconds=row.duration_seconds,
            advisor_id=row.advisor_id, advisor_name=names.get(row.advisor_id, ""), caller_role=row.caller_role,
            group_id=row.group_id, topics=topics[row.id], disposition=row.disposition,
            outcome=row.outcome, notes=row.notes, open_follow_up=bool(row.open_follow_up),
            has_referral=bool(row.has_referral), anonymised=row.anonymised_at is not None,
        )
        for row in rows
    ]


def count_calls(session: Session, *, filters: CallFilters, viewer: StaffUser) -> int:
    """How many calls match. With a topic, follow-up or referral filter the count is driven from that
    table's index (counting its distinct call ids), which stays fast at a million calls."""
    where, related = _conditions(scoped(filters, viewer))
    drivers = [item for item in related if not item.negated]
    if not drivers:
        query = select(func.count()).select_from(Call).where(*where, *(item.contains(Call.id) for item in related))
        return session.execute(query).scalar_one()
    driver = drivers[0]
    key = driver.call_id
    others = [item.contains(key) for item in related if item is not driver]
    query = select(func.count(distinct(key))).select_from(key.class_).where(*driver.where, *others)
    if where:
        query = query.join(Call, Call.id == key).where(*where)
    return session.execute(query).scalar_one()


def iter_calls(session: Session, *, filters: CallFilters, viewer: StaffUser,
               chunk_size: int = 5000) -> Iterator[dict[str, Any]]:
    """Every matching call as a dict, newest first, fetched in keyset-paged chunks.

    Keyset paging (after the last (started_at, id) seen) keeps each chunk an index range, so an export
    of a million calls holds one chunk in memory and no long-running cursor.
    """
    columns = [column for column in Call.__table__.columns if column.name != "profile"]
    base = _filtered(select(*columns), filters, viewer)
    last: tuple[datetime, int] | None = None
    while True:
        query = base
        if last is not None:
            # "<=" keeps the condition an index range; the few rows at the same instant are trimmed by id.
            query = query.where(col(Call.started_at) <= last[0], ~and_(col(Call.started_at) == last[0], col(Call.id) >= last[1]))
        # Core rows from the connection: the ORM's row loading is not needed for plain columns.
        chunk = session.connection().execute(
            query.order_by(col(Call.started_at).desc(), col(Call.id).desc()).limit(chunk_size)).all()
        if not chunk:
            return
        names = staff_names(session, ids={row.advisor_id for row in chunk})
        ids = [row.id for row in chunk]
        topics, slugs = call_topics(session, ids), call_library_slugs(session, ids)
        for row in chunk:
            values = dict(row._mapping)
            values["advisor_name"] = names.get(row.advisor_id, "")
            values["topics"], values["library_slugs"] = topics[row.id], slugs[row.id]
            yield values
        last = (chunk[-1].started_at, chunk[-1].id)


def json_list(value: Any) -> list[str]:
    """A JSON list of codes as stored (text on SQLite; PostgreSQL's driver has parsed it already).

    Lists of plain codes ('["a", "b"]') are split without the JSON parser, a third of an export's reading
    time at a million calls; anything with an escape, or a comma or quote inside an item, goes to it."""
    if value.__class__ is not str:
        return list(value or ())
    if value == "[]":
        return []
    parts = value[2:-2].split('", "')  # json.dumps' own separators
    if value[:2] != '["' or value[-2:] != '"]' or "\\" in value or value.count('"') != 2 * len(parts):
        return json.loads(value)
    return parts


_JSON_COLUMNS = ("flags", "delivered_blocks")
_TIME_COLUMNS = ("started_at", "ended_at", "contact_consent_at", "anonymised_at", "created_at", "updated_at")
LINKED_COLUMNS = ("advisor_name", "topics", "library_slugs")


def _joined_links(session: Session, column, call_ids: Sequence[int]) -> dict[int, str]:
    """Per call that has any, the values of a link table's `column` (topics or library slugs), sorted and
    joined with ";" in SQL: one query for an export chunk, over the link table's primary key (call_id,
    value) by an id range when the chunk's ids are (nearly) one run, else by the ids."""
    table = column.class_
    low, high = min(call_ids), max(call_ids)
    if high - low < 4 * len(call_ids):
        condition = table.call_id.between(low, high)
    else:
        condition = table.call_id.in_(call_ids)
    if session.get_bind().dialect.name == "postgresql":
        query = (select(table.call_id, func.string_agg(column, aggregate_order_by(literal(";"), column)))
                 .where(condition).group_by(table.call_id))
    else:
        # SQLite 3.40 has no ORDER BY inside group_concat: grouped by call_id, the rows come from the primary
        # key (call_id, value) in its order, so each call's values come sorted, with no sorting step (an
        # ordered subquery costs a temporary B-tree for the GROUP BY). tests/services/test_export_reference.py
        # holds it to the sorted order.
        query = select(table.call_id, func.group_concat(column, ";")).where(condition).group_by(table.call_id)
    return dict(_tuples(session, query))


def _tuples(session: Session, query) -> list[tuple[Any, ...]]:
    """The rows of a Core select as the driver's plain tuples: the export selects only columns that need no
    conversion by SQLAlchemy (times and JSON as text), and a million Row objects cost seconds."""
    result = session.connection().execute(query)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


ExportKey = tuple[datetime, int]  # (started_at, id): a call's place in the export's order, newest first


def export_key_at(session: Session, *, filters: CallFilters, viewer: StaffUser, position: int) -> ExportKey | None:
    """The key of the matching call at `position` (0: the newest) in the export's order; None past the end.
    Splits a large export into parts (`iter_call_columns`' start_at and stop_at)."""
    query = _filtered(select(Call.started_at, Call.id), filters, viewer)
    row = session.execute(query.order_by(col(Call.started_at).desc(), col(Call.id).desc())
                          .offset(position).limit(1)).first()
    return None if row is None else (row[0], row[1])


def iter_call_columns(session: Session, *, filters: CallFilters, viewer: StaffUser, columns: Sequence[str],
                      chunk_size: int = 5000, start_at: ExportKey | None = None,
                      stop_at: ExportKey | None = None) -> Iterator[list[Sequence[Any]]]:
    """The export's reading: every matching call, newest first, in keyset-paged chunks like `iter_calls`;
    each chunk column by column (a list of `columns`, each a sequence of the chunk's values), so the export
    converts a column at a time.

    Values come as stored, nothing parsed per row: times as the driver returns them (SQLite: the stored UTC
    text "YYYY-MM-DD HH:MM:SS.ffffff"; PostgreSQL: aware datetimes), JSON lists as their JSON text, topics
    and library slugs sorted and joined with ";" (None when there are none), advisor_name the display
    name (None if unknown). `start_at`: from that call on (itself included); `stop_at`: up to that call (itself
    left out): one part of a split export (`export_key_at`)."""
    table = Call.__table__.c
    expressions: dict[str, Any] = {}
    for name in columns:
        if name in _JSON_COLUMNS:
            expressions[name] = cast(table[name], Text)
        elif name in _TIME_COLUMNS:
            expressions[name] = type_coerce(table[name], String)  # the stored text on SQLite, unparsed
        elif name not in LINKED_COLUMNS:
            expressions[name] = table[name]
    # The keyset (started_at, id) and the advisor come first; the call's own asked columns follow.
    own = [name for name in columns if name not in LINKED_COLUMNS]
    selected = [type_coerce(table.started_at, String), table.id, table.advisor_id,
                *(expressions[name] for name in own)]
    at = {name: 3 + index for index, name in enumerate(own)}
    base = _filtered(select(*selected), filters, viewer)
    if stop_at is not None:  # calls after it in the export's order: newer, or as new with a higher id
        base = base.where(col(Call.started_at) >= stop_at[0],
                          ~and_(col(Call.started_at) == stop_at[0], col(Call.id) <= stop_at[1]))
    # The keyset: the next chunk starts after `last` (the last call read; from start_at on: as if after it).
    last: ExportKey | None = None if start_at is None else (start_at[0], start_at[1] + 1)
    linked = {"topics": col(CallTopic.topic), "library_slugs": col(CallLibraryEntry.slug)}
    while True:
        query = base
        if last is not None:
            query = query.where(col(Call.started_at) <= last[0],
                                ~and_(col(Call.started_at) == last[0], col(Call.id) >= last[1]))
        chunk = _tuples(session, query.order_by(col(Call.started_at).desc(), col(Call.id).desc()).limit(chunk_size))
        if not chunk:
            return
        last = (_stored_utc(chunk[-1][0]), chunk[-1][1])
        values = list(zip(*chunk, strict=True))
        del chunk  # the rows' values live on in `values` alone: the export converts the columns in place
        result: list[Sequence[Any]] = []
        for name in columns:
            if name == "advisor_name":
                names = staff_names(session, ids=set(values[2]))
                result.append(list(map(names.get, values[2])))
            elif name in linked:
                joined = _joined_links(session, linked[name], values[1])
                result.append(list(map(joined.get, values[1])))
            else:
                result.append(values[at[name]])
        del values
        yield result
        del result


def _stored_utc(value: Any) -> datetime:
    """A time as read unparsed (`iter_call_columns`) as an aware UTC datetime, for the next keyset page."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def advisor_choices(session: Session, *, date_from: date | None = None,
                    date_to: date | None = None) -> list[tuple[int, str]]:
    """The people the advisor filter offers: active advisors (who take the calls), and anyone with calls in
    the period (`date_from`..`date_to`, local days, open ends allowed) such as a former advisor since
    deactivated or given another role. Secretariat and administrator accounts without calls are not listed."""
    with_calls = select(Call.advisor_id)
    if date_from is not None:
        with_calls = with_calls.where(col(Call.started_at) >= local_day_start(date_from))
    if date_to is not None:
        with_calls = with_calls.where(col(Call.started_at) < local_day_start(date_to + timedelta(days=1)))
    advisors = (col(User.role) == Role.advisor.value) & (col(User.active) == True)  # noqa: E712
    rows = session.execute(select(col(User.id), col(User.display_name))
                           .where(advisors | col(User.id).in_(with_calls.distinct()))
                           .order_by(col(User.display_name), col(User.id)))
    return [(row.id, row.display_name) for row in rows]


def _visible_call(session: Session, call_id: int, viewer: StaffUser) -> Call:
    call = session.get(Call, call_id)
    if call is None or not access.may_read_call(viewer, advisor_id=call.advisor_id):
        raise CallNotFound(call_id)
    return call


def get_call_detail(session: Session, *, call_id: int, viewer: StaffUser, audit_view: bool = True) -> CallDetail:
    """Everything about one call. Opening it is recorded in the audit log (pass audit_view=False on a
    mere rerun of a page that already recorded it)."""
    call = _visible_call(session, call_id, viewer)
    session.refresh(call)  # an edit is a core UPDATE: never serve a stale identity-map copy
    trail, _ = audit.list_events(session, object_type="call", object_id=call.id, limit=200)
    public = CallPublic.model_validate(call, update={"topics": call_topics(session, [call.id])[call.id],
                                                     "library_slugs": call_library_slugs(session, [call.id])[call.id]})
    values = public.model_dump()
    values["advisor_name"] = staff_names(session, ids={call.advisor_id}).get(call.advisor_id, "")
    detail = CallDetail(
        **{name: values[name] for name in CallDetail.__dataclass_fields__
           if name not in ("follow_ups", "referrals", "audit_trail", "library_titles")},
        follow_ups=[asdict(row) for row in follow_ups.list_for_call(session, call_id=call.id, viewer=viewer)],
        referrals=_referrals(session, call.id),
        audit_trail=trail,
        library_titles=_library_titles(session, public.library_slugs),
    )
    if audit_view:
        audit.record(session, action="view", actor_id=viewer.id, actor_name=viewer.username,
                     object_type="call", object_id=call.id)
    return detail


def _library_titles(session: Session, slugs: list[str]) -> dict[str, dict[str, str]]:
    if not slugs:
        return {}
    rows = session.execute(select(col(LibraryEntryRecord.slug), col(LibraryEntryRecord.data))
                           .where(col(LibraryEntryRecord.slug).in_(slugs)))
    return {slug: {lang: (data.get(lang) or {}).get("title", slug) for lang in ("da", "en")} for slug, data in rows}


def _referrals(session: Session, call_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(col(Referral.id), col(Referral.channel), col(Referral.recipient), col(Referral.lang), col(Referral.subject),
               Referral.status, Referral.created_at, Referral.sent_at, Referral.version, Referral.posted_version)
        .where(Referral.call_id == call_id).order_by(Referral.id)
    )
    return [dict(row._mapping) for row in rows]


def current_version(session: Session, *, call_id: int, viewer: StaffUser) -> CallVersion:
    """The call's editable fields as stored now, with the name of whoever last edited them."""
    call = _visible_call(session, call_id, viewer)
    session.refresh(call)
    edits, _ = audit.list_events(session, action="call_edit", object_type="call", object_id=call.id, limit=1)
    editor = ""
    if edits:
        actor_id = edits[0]["actor_id"]
        editor = staff_names(session, ids={actor_id}).get(actor_id, "") or edits[0]["actor_name"]
    return CallVersion(version=call.version, notes=call.notes, outcome=call.outcome, updated_at=call.updated_at,
                       editor_name=editor)


def update_call(session: Session, *, call_id: int, viewer: StaffUser, expected_version: int,
                notes: str | None = None, outcome: str | None = None) -> list[str]:
    """Change a call's notes and/or outcome after the call; returns the changed fields (audited).

    `expected_version` is the version the editor opened. When someone saved the call since, nothing is
    written and CallEditConflict carries both versions: the check is in the UPDATE itself
    (`WHERE version = :expected`), so of two editors who opened the same version exactly one wins,
    on SQLite and PostgreSQL alike.
    """
    edit = CallEdit.model_validate({"expected_version": expected_version, "notes": notes, "outcome": outcome})
    call = _visible_call(session, call_id, viewer)
    session.refresh(call)
    mine = {"notes": edit.notes, "outcome": edit.outcome}
    if call.version != edit.expected_version:
        raise CallEditConflict(call_id, expected=edit.expected_version, mine=mine,
                               current=current_version(session, call_id=call_id, viewer=viewer))
    changed: list[str] = []
    values: dict[str, Any] = {}
    detail: dict[str, Any] = {}
    if edit.outcome is not None and edit.outcome != call.outcome:
        detail["outcome"] = {"from": call.outcome, "to": edit.outcome}
        values["outcome"] = edit.outcome
        changed.append("outcome")
    if edit.notes is not None and edit.notes != call.notes:
        if call.anonymised_at is not None:
            raise CallAnonymised(call_id)
        # The note itself stays out of the audit log: it may hold personal data the retention purge erases.
        detail["notes"] = {"from_length": len(call.notes), "to_length": len(edit.notes)}
        values["notes"] = edit.notes
        changed.append("notes")
    if not changed:
        return changed
    version = edit.expected_version + 1
    where = [Call.id == call.id, Call.version == edit.expected_version]
    if "notes" in values:
        where.append(col(Call.anonymised_at).is_(None))
    result = session.connection().execute(update(Call).where(*where).values(**values, version=version,
                                                                            updated_at=utcnow()))
    session.expire(call)
    if result.rowcount != 1:
        current = current_version(session, call_id=call_id, viewer=viewer)
        if "notes" in values and current.version == edit.expected_version:
            raise CallAnonymised(call_id)  # erased between the read and the write
        raise CallEditConflict(call_id, expected=edit.expected_version, mine=mine, current=current)
    audit.record(session, action="call_edit", actor_id=viewer.id, actor_name=viewer.username,
                 object_type="call", object_id=call.id, detail={"fields": changed, "version": version, **detail})
    return changed
