"""Demo data: realistic calls for the last 18 months, loaded in bulk (`make demo`, benchmarks).

The calls follow a day-time advice line: Monday to Friday, mostly 9-15, plausible mixes of caller
groups and topics, red flags rare, follow-ups and referrals where the outcome calls for them, and
repeat callers. Danish names come from Faker `da_DK`.

Every call is one the console could have produced: its clinical part is a drawn caller profile (and,
rarely, a red flag) put through the script engine, which gives the group, the flags, the blocks said and
the library entries offered.

Speed (a million calls in under three minutes on SQLite): the clinical part of a call (profile, script,
group, flags, blocks, ...) is drawn from a pool of pre-built, pre-serialised cases, rows are made one
batch at a time in their stored form and written with SQLAlchemy core `insert()` (executemany, lists
of dicts) inside a few transactions; on SQLite the load runs with `PRAGMA synchronous=OFF` and a large
page cache, which is safe here because a crash only loses demo data.

Demo users (created only if missing), all with the password DEMO_PASSWORD:
rikke, mads, louise (advisors), sofie (supervisor), birgit (secretariat), admin (administrator). They are
refused on a database that already has other accounts (a real installation), unless asked for explicitly.
"""

from __future__ import annotations

import json
import random
import time
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate, islice
from typing import Any

from sqlalchemy import Column, MetaData, Table, func, insert, select, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import col

from advisory.formatting import LOCAL_TZ
from advisory.profile import CallerProfile
from advisory.script import build_script, script_content
from advisory.vocab import codes
from db.engine import session_scope
from db.models import AuditEvent, Call, CallLibraryEntry, CallTopic, FollowUp, Referral, User, UserCreate
from db.repositories import call_stats, users

DEMO_PASSWORD = "raadgivning-demo"
DEMO_USERS = (
    ("rikke", "Rikke Holm", "advisor"),
    ("mads", "Mads Kjær", "advisor"),
    ("louise", "Louise Brandt", "advisor"),
    ("sofie", "Sofie Lund", "supervisor"),
    ("birgit", "Birgit Nørgaard", "secretariat"),
    ("admin", "Administrator", "admin"),
)
DEMO_DAYS = 548  # 18 months
BATCH_SIZE = 10_000
CALLS_PER_TRANSACTION = 100_000
CASE_POOL = 5000
BULK_CACHE_KIB = 256 * 1024
FRACTURE_DATE_MARK = "@fracture-date@"

Progress = Callable[[int, int], None]

# --- the shape of the line's traffic --------------------------------------------------------------

HOUR_WEIGHTS = {8: 2, 9: 15, 10: 20, 11: 18, 12: 11, 13: 14, 14: 13, 15: 5, 16: 2}
WEEKDAY_WEIGHTS = (1.25, 1.05, 1.0, 1.0, 0.8, 0.02, 0.01)  # Monday first; a rare weekend call back
GROUP_WEIGHTS = dict(zip(codes("group"), (10, 14, 30, 18, 17, 11), strict=True))
CALLER_ROLES = {"member": 78, "relative": 15, "professional": 4, "other": 3}
# Red flags are rare; a recent vertebral fracture makes them about three times as likely.
DISPOSITION_WEIGHTS = dict(zip((None, *codes("disposition")), (960, 3, 5, 12, 6, 14), strict=True))
TOPICS_BY_GROUP = {
    "acute_vertebral_fracture": {"pain": 30, "lifting": 20, "daily_activities": 20, "posture": 8,
                                 "medication": 6, "referral": 8, "other": 3},
    "function_limited": {"balance": 25, "daily_activities": 25, "pain": 15, "strength_training": 10,
                         "referral": 10, "medication": 5, "other": 5},
    "everyday_active_no_fracture": {"lifting": 18, "yoga": 14, "strength_training": 16, "daily_activities": 16,
                                    "posture": 10, "balance": 10, "running": 6, "medication": 5, "other": 5},
    "everyday_active_with_fracture": {"lifting": 20, "daily_activities": 18, "strength_training": 14,
                                      "balance": 12, "posture": 12, "pain": 10, "yoga": 6, "medication": 4,
                                      "referral": 4},
    "training_active_no_fracture": {"strength_training": 26, "running": 22, "yoga": 16, "balance": 10,
                                    "lifting": 12, "posture": 6, "other": 4, "medication": 4},
    "training_active_with_fracture": {"strength_training": 26, "running": 14, "yoga": 12, "lifting": 16,
                                      "posture": 10, "balance": 10, "pain": 6, "referral": 6},
}
ACTIVITY_OF_GROUP = {
    "acute_vertebral_fracture": "everyday_active", "function_limited": "function_limited",
    "everyday_active_no_fracture": "everyday_active", "everyday_active_with_fracture": "everyday_active",
    "training_active_no_fracture": "training_active", "training_active_with_fracture": "training_active",
}
NOTES = (
    "Ringede om {topic}. Gennemgik rådene i manuskriptet, og medlemmet var tryg ved dem.",
    "Spurgte til {topic}. Aftalt at starte roligt og øge lidt ad gangen.",
    "Bekymret for {topic} efter sidste DXA-skanning. Forklarede T-scoren og hvad den betyder.",
    "Pårørende ringede på vegne af sin mor om {topic}. Sender skriftlig vejledning.",
    "Har læst at man ikke må løfte mere end 5 kg. Afkræftede myten og talte om løfteteknik.",
    "Vil gerne i gang med styrketræning igen. Anbefalet at finde en fysioterapeut med erfaring.",
    "Meget bange for at falde. Talte om balancetræning og tryghed i hverdagen.",
    "Spørgsmål om medicin henvist til egen læge.",
    "Kort samtale om {topic}; ringer igen, hvis der kommer flere spørgsmål.",
)
FOLLOW_UP_REASONS = (
    "Helingsfasen slutter: hør hvordan det går, og om træningen kan øges.",
    "Ring og hør, om det er lykkedes at finde en fysioterapeut.",
    "Følg op på smerterne efter lægebesøget.",
    "Hør hvordan balancetræningen går.",
)
CLOSING_NOTES = ("Talt med medlemmet, det går fint.", "Ingen svar; lagt besked.", "Træner nu på hold.")
TOPIC_DA = {
    "lifting": "løft", "yoga": "yoga", "running": "løb", "strength_training": "styrketræning",
    "balance": "balance", "daily_activities": "dagligdagen", "pain": "smerter", "posture": "holdning",
    "referral": "henvisning", "medication": "medicin", "other": "andet",
}
# Share of consenting callers with this outcome who get written guidance (a referral).
REFERRAL_SHARE = {"referred_to_physio": 0.7, "referred_to_gp": 0.5, "advice_given": 0.08}
EMAIL_DOMAINS = ("gmail.com", "hotmail.com", "outlook.dk", "mail.dk", "live.dk", "yahoo.dk")


@dataclass(frozen=True)
class DemoReport:
    calls: int
    follow_ups: int
    referrals: int
    users_created: list[str]
    seconds: float


@dataclass(frozen=True)
class _Member:
    number: str
    name: str
    phone: str
    email: str | None


class RealUsersPresent(RuntimeError):
    """The database has staff accounts of its own: demo users with a published password do not belong there."""

    def __init__(self, usernames: list[str]):
        super().__init__(", ".join(usernames))
        self.usernames = usernames


def ensure_demo_users(engine: Engine, *, beside_real_users: bool = False) -> list[str]:
    """Create the demo users that do not exist yet; returns the usernames created.

    Refused (RealUsersPresent) when the database already has accounts that are not demo users, unless
    `beside_real_users`: the demo password is published, so on a real database it would be a way in.
    """
    created = []
    demo_names = {username for username, _, _ in DEMO_USERS}
    with session_scope(engine) as session:
        existing = {name.lower() for name in session.execute(select(col(User.username))).scalars()}
        missing = [user for user in DEMO_USERS if user[0] not in existing]
        real = sorted(existing - demo_names)
        if missing and real and not beside_real_users:
            raise RealUsersPresent(real)
        for username, display_name, role in missing:
            users.create_user(session, data=UserCreate(username=username, display_name=display_name,
                                                       role=role, password=DEMO_PASSWORD))
            created.append(username)
    return created


def seed_demo(engine: Engine, *, calls: int, seed: int = 2026, with_users: bool = False,
              progress: Progress | None = None, today: date | None = None,
              batch_size: int = BATCH_SIZE, demo_users_beside_real_users: bool = False) -> DemoReport:
    """Add `calls` demo calls (and their topics, library entries, follow-ups, referrals).

    The calls are spread over the 18 months before `today` and taken by the active advisors; without
    any advisor (or with `with_users`) the demo users are created first. Returns what was added.
    """
    if calls < 0:
        raise ValueError("calls must not be negative")
    began = time.perf_counter()
    beside = demo_users_beside_real_users
    created = ensure_demo_users(engine, beside_real_users=beside) if with_users else []
    if not with_users and not _has_advisors(engine):
        created = ensure_demo_users(engine, beside_real_users=beside)
    generator = _Generator(engine, calls=calls, seed=seed, today=today or datetime.now(LOCAL_TZ).date())
    tables = {name: _plain(table.__table__) for name, table in _TABLES.items()}
    totals: Counter[str] = Counter()
    done = 0
    sqlite = engine.dialect.name == "sqlite"
    while done < calls:
        with engine.connect() as conn:
            if sqlite:
                conn.exec_driver_sql("PRAGMA synchronous=OFF")
                conn.exec_driver_sql(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
                conn.commit()
            try:
                with conn.begin():
                    end = min(calls, done + CALLS_PER_TRANSACTION)
                    while done < end:
                        size = min(batch_size, end - done)
                        batch = generator.batch(size)
                        totals.update(_insert_batch(conn, tables, batch))
                        if batch["call"]:  # the statistics' aggregates, in the same transaction
                            ids = [row["id"] for row in batch["call"]]
                            call_stats.add_calls(conn, Call.__table__.c.id.between(min(ids), max(ids)))
                        done += size
                        if progress:
                            progress(done, calls)
                    if done == calls:
                        _finish(conn, totals, calls, seed)
            finally:
                if sqlite:
                    conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
                    conn.exec_driver_sql("PRAGMA cache_size=-2000")
                    conn.commit()
    return DemoReport(calls=totals["call"], follow_ups=totals["follow_up"], referrals=totals["referral"],
                      users_created=created, seconds=round(time.perf_counter() - began, 1))


def _has_advisors(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(User).where(
            col(User.role) == "advisor", col(User.active) == True)).scalar_one() > 0  # noqa: E712


# Parents before children (foreign keys are on).
_TABLES = {table.__tablename__: table for table in (Call, CallTopic, CallLibraryEntry, FollowUp, Referral)}


def _plain(table: Table) -> Table:
    """The table with untyped columns: the rows arrive in their stored form (JSON text, and on SQLite
    datetime text), so SQLAlchemy passes them through instead of converting every value."""
    return Table(table.name, MetaData(), *(Column(column.name) for column in table.columns))


def _insert_batch(conn: Connection, tables: dict[str, Table], rows: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    for name, table in tables.items():
        if rows[name]:
            conn.execute(insert(table), rows[name])
    return {name: len(batch) for name, batch in rows.items()}


def _finish(conn: Connection, totals: Counter, calls: int, seed: int) -> None:
    if conn.dialect.name == "postgresql":
        # Ids were given explicitly; move the sequences past them so later inserts do not collide.
        for table in (Call, FollowUp, Referral):
            name = table.__tablename__
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                              f"COALESCE((SELECT MAX(id) FROM \"{name}\"), 0) + 1, false)"))
    conn.execute(insert(AuditEvent.__table__), [{
        "at": datetime.now(UTC), "actor_id": None, "actor_name": "seed-demo", "action": "seed_demo",
        "object_type": "call", "object_id": "",
        "detail": {"calls": calls, "seed": seed, "follow_ups": totals["follow_up"],
                   "referrals": totals["referral"]},
    }])


def _ascii(value: str) -> str:
    value = value.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    return unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()


class _Picker:
    """A weighted choice with the cumulative weights computed once (random.choices sums them on
    every call, which dominates when a million calls make several choices each)."""

    def __init__(self, weights: dict[Any, float]):
        self.values = list(weights)
        self.cumulative = list(accumulate(weights.values()))
        self.total = self.cumulative[-1]

    def __call__(self, random_: Callable[[], float]) -> Any:
        return self.values[bisect_right(self.cumulative, random_() * self.total)]


def _one_of(random_: Callable[[], float], values: list[Any] | tuple[Any, ...]) -> Any:
    return values[int(random_() * len(values))]


PICK_DIAGNOSIS = _Picker({"osteoporosis": 70, "osteopenia": 18, "not_diagnosed": 4, "unknown": 8})
PICK_PAIN = _Picker({"none": 45, "mild": 30, "moderate": 10, None: 15})
PICK_FALLS = _Picker({0: 60, 1: 15, 2: 6, 3: 3, None: 16})
PICK_IN_PHYSIO = _Picker({True: 20, False: 60, None: 20})
PICK_TOPIC_COUNT = _Picker({1: 55, 2: 35, 3: 10})
PICK_FOLLOW_UP_STATUS = _Picker({"done": 86, "cancelled": 5, "open": 9})
PICK_REFERRAL_STATUS = _Picker({"sent": 93, "failed": 2, "draft": 5})
PICK_GROUP = _Picker(GROUP_WEIGHTS)
PICK_ROLE = _Picker(CALLER_ROLES)
PICK_TOPIC = {group: _Picker(weights) for group, weights in TOPICS_BY_GROUP.items()}
PICK_HOUR = _Picker(HOUR_WEIGHTS)
PICK_OUTCOME = _Picker(dict(zip(codes("outcome")[:4], (58, 22, 6, 14), strict=True)))
PICK_DISPOSITION = _Picker(DISPOSITION_WEIGHTS)
PICK_ACUTE_DISPOSITION = _Picker({key: weight * (1 if key is None else 3)
                                  for key, weight in DISPOSITION_WEIGHTS.items()})


def _json_list(items: list[str] | tuple[str, ...]) -> str:
    return json.dumps(list(items))


@dataclass(frozen=True)
class _Case:
    """The clinical part of a call, its JSON already serialised. An acute case's profile holds
    FRACTURE_DATE_MARK where the fracture date (some weeks before the call) goes."""

    group: str
    caller_role: str
    topics: tuple[str, ...]
    slugs: tuple[str, ...]
    disposition: str | None
    outcome: str
    profile: str
    flags: str
    delivered: str
    fracture_weeks_ago: int


class _Generator:
    """Makes batches of rows along one time line; deterministic for a seed and a database state."""

    def __init__(self, engine: Engine, *, calls: int, seed: int, today: date):
        self.rng = random.Random(seed)
        self.random = self.rng.random
        self.today = today
        self.sqlite = engine.dialect.name == "sqlite"
        with engine.connect() as conn:
            self.advisor_ids = list(conn.execute(
                select(col(User.id)).where(col(User.role) == "advisor", col(User.active) == True)  # noqa: E712
                .order_by(User.id)).scalars())
            self.next_id = {table: (conn.execute(select(func.max(table.id))).scalar() or 0) + 1
                            for table in (Call, FollowUp, Referral)}
        builder = _CaseBuilder(self.rng, today)
        self.content_version = builder.content_version
        self.cases = builder.build(CASE_POOL)
        self.members = self._members(seed)
        self._times = self._timeline(calls)

    def _stored_time(self, value: datetime | None) -> Any:
        # SQLAlchemy's SQLite DATETIME text, which the bound parameters of every query compare against.
        if value is None or not self.sqlite:
            return value
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")

    def _stored_day(self, value: date) -> Any:
        return value.isoformat() if self.sqlite else value

    # -- who calls, and when --

    def _members(self, seed: int) -> list[_Member]:
        """A pool of callers, so that some members call more than once (as in real life)."""
        try:
            from faker import Faker  # the `demo` extra: only seed-demo needs it
        except ImportError as exc:
            raise RuntimeError("seed-demo needs Faker: pip install 'advice-line-console[demo]'") from exc
        faker = Faker("da_DK")
        faker.seed_instance(seed)
        firsts = [faker.first_name() for _ in range(400)]
        lasts = [faker.last_name() for _ in range(300)]
        rng = random.Random(seed + 1)
        members = []
        for n in range(5000):
            first, last = rng.choice(firsts), rng.choice(lasts)
            phone = f"{rng.randint(20, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
            email = (f"{_ascii(first)}.{_ascii(last)}{rng.randint(1, 99)}@{rng.choice(EMAIL_DOMAINS)}"
                     if rng.random() < 0.6 else None)
            members.append(_Member(number=str(100000 + n * 7), name=f"{first} {last}", phone=phone, email=email))
        return members

    def _timeline(self, calls: int) -> Iterator[datetime]:
        """Start times in time order: calls per day drawn first (weekdays, a slow growth), then the
        times of each day, so batches are consecutive and ids grow with started_at as in real use."""
        first = self.today - timedelta(days=DEMO_DAYS)
        days = [first + timedelta(days=i) for i in range(DEMO_DAYS)]
        weights = [WEEKDAY_WEIGHTS[day.weekday()] * (0.8 + 0.4 * i / DEMO_DAYS) for i, day in enumerate(days)]
        per_day = Counter(self.rng.choices(range(DEMO_DAYS), weights=weights, k=calls))
        random_ = self.random
        for index in sorted(per_day):
            day = days[index]
            # Local noon minus 12 hours is the UTC time of local midnight for every daytime hour, even
            # on the two nights a year the clocks change.
            midnight = datetime(day.year, day.month, day.day, 12, tzinfo=LOCAL_TZ).astimezone(UTC) - timedelta(
                hours=12)
            seconds = (PICK_HOUR(random_) * 3600 + int(random_() * 3600) for _ in range(per_day[index]))
            for second in sorted(seconds):
                yield midnight + timedelta(seconds=second)

    # -- one batch --

    def batch(self, size: int) -> dict[str, list[dict[str, Any]]]:
        rows: dict[str, list[dict[str, Any]]] = {name: [] for name in _TABLES}
        for started in islice(self._times, size):
            self._call(started, rows)
        return rows

    def _call(self, started: datetime, rows: dict[str, list[dict[str, Any]]]) -> None:
        random_ = self.random
        call_id = self.next_id[Call]
        self.next_id[Call] += 1
        case: _Case = _one_of(random_, self.cases)
        ended = started + timedelta(seconds=int(min(3600, max(120, self.rng.lognormvariate(6.3, 0.45)))))
        advisor = _one_of(random_, self.advisor_ids)
        consent = case.caller_role in ("member", "relative") and random_() < 0.55
        member: _Member | None = _one_of(random_, self.members) if consent else None
        profile = case.profile
        if case.fracture_weeks_ago:
            fractured = started.date() - timedelta(weeks=case.fracture_weeks_ago)
            profile = profile.replace(FRACTURE_DATE_MARK, fractured.isoformat())
        stored_end = self._stored_time(ended)
        rows["call"].append({
            "id": call_id, "started_at": self._stored_time(started), "ended_at": stored_end,
            "duration_seconds": int((ended - started).total_seconds()), "advisor_id": advisor,
            "caller_role": case.caller_role, "contact_consent": consent,
            "contact_consent_at": stored_end if consent else None,
            "member_number": member.number if member and case.caller_role == "member" else None,
            "caller_name": member.name if member else None, "phone": member.phone if member else None,
            "email": member.email if member else None, "profile": profile, "group_id": case.group,
            "flags": case.flags, "disposition": case.disposition,
            "outcome": case.outcome, "delivered_blocks": case.delivered,
            "notes": _one_of(random_, NOTES).format(topic=TOPIC_DA[case.topics[0]]) if random_() < 0.75 else "",
            "content_version": self.content_version, "lang": "da" if random_() < 0.97 else "en",
            "anonymised_at": None, "created_at": stored_end, "updated_at": stored_end,
        })
        rows["call_topic"].extend({"call_id": call_id, "topic": topic} for topic in case.topics)
        rows["call_library_entry"].extend({"call_id": call_id, "slug": slug} for slug in case.slugs)
        if case.outcome == "follow_up_agreed" or (case.group == "acute_vertebral_fracture" and random_() < 0.6):
            rows["follow_up"].append(self._follow_up(call_id, advisor, started, case.group))
        if member and random_() < REFERRAL_SHARE.get(case.outcome, 0):
            rows["referral"].append(self._referral(call_id, advisor, member, ended))

    def _follow_up(self, call_id: int, advisor: int, started: datetime, group: str) -> dict[str, Any]:
        rng = self.rng
        weeks = rng.randint(6, 11) if group == "acute_vertebral_fracture" else rng.randint(1, 6)
        due = started.date() + timedelta(weeks=weeks)
        assignee = advisor if rng.random() < 0.85 else rng.choice(self.advisor_ids)
        status, completed_at = "open", None
        if due < self.today - timedelta(days=3):
            status = PICK_FOLLOW_UP_STATUS(rng.random)
        if status != "open":
            completed_at = datetime(due.year, due.month, due.day, 8, tzinfo=UTC) + timedelta(
                days=rng.randint(0, 3), minutes=rng.randrange(360))
        follow_up_id = self.next_id[FollowUp]
        self.next_id[FollowUp] += 1
        reason = FOLLOW_UP_REASONS[0] if group == "acute_vertebral_fracture" else rng.choice(FOLLOW_UP_REASONS[1:])
        return {
            "id": follow_up_id, "call_id": call_id, "due_on": self._stored_day(due), "assignee_id": assignee,
            "reason": reason, "status": status,
            "closing_note": rng.choice(CLOSING_NOTES) if status == "done" else "",
            "created_at": self._stored_time(started), "completed_at": self._stored_time(completed_at),
            "completed_by_id": assignee if completed_at else None,
        }

    def _referral(self, call_id: int, advisor: int, member: _Member, ended: datetime) -> dict[str, Any]:
        rng = self.rng
        channel = "email" if member.email and rng.random() < 0.75 else "letter"
        status = PICK_REFERRAL_STATUS(rng.random)
        referral_id = self.next_id[Referral]
        self.next_id[Referral] += 1
        first = member.name.split()[0]
        sent_at = ended + timedelta(minutes=rng.randint(1, 30)) if status == "sent" else None
        return {
            "id": referral_id, "call_id": call_id, "channel": channel,
            "recipient": member.email if channel == "email" else member.name, "lang": "da",
            "subject": "Vejledning fra Osteoporoseforeningens fysioterapeutrådgivning",
            "body": f"Kære {first}\n\nTak for samtalen. Her er de råd, vi talte om.\n\nVenlig hilsen\n"
                    "Fysioterapeutrådgivningen",
            "status": status, "error": "SMTP-fejl: forbindelsen blev afvist" if status == "failed" else None,
            "idempotency_key": f"demo-{call_id}-{referral_id}", "attempts": 0 if status == "draft" else 1,
            "created_at": self._stored_time(ended), "created_by_id": advisor,
            "updated_at": self._stored_time(ended), "sent_at": self._stored_time(sent_at),
            "sent_by_id": advisor if status == "sent" else None,
        }


class _CaseBuilder:
    """Builds the pool of clinical cases the way the console makes them: a drawn caller profile (and, rarely,
    a red flag) goes through the script engine, which gives the group, the flags, the blocks the advisor
    could tick and the library entries the script offers. Every demo call is one the console could have
    produced (a test checks it for every generated call)."""

    def __init__(self, rng: random.Random, today: date):
        self.rng = rng
        self.random = rng.random
        self.today = today
        content = script_content()
        self.content_version = content.version
        self.flag_for: dict[str, str] = {}  # disposition -> a red flag that leads to it
        for flag in content.red_flags:
            self.flag_for.setdefault(flag.disposition, flag.id)

    def build(self, n: int) -> list[_Case]:
        return [self._case() for _ in range(n)]

    def _case(self) -> _Case:
        random_ = self.random
        group = PICK_GROUP(random_)
        role = PICK_ROLE(random_)
        topics = tuple(sorted({PICK_TOPIC[group](random_) for _ in range(PICK_TOPIC_COUNT(random_))}))
        acute = group == "acute_vertebral_fracture"
        weeks = 1 + int(random_() * 11) if acute else 0
        profile = CallerProfile.model_validate(self._profile(group, role, topics, weeks))
        disposition = (PICK_ACUTE_DISPOSITION if acute else PICK_DISPOSITION)(random_)
        red_flags = [self.flag_for[disposition]] if disposition else []
        script = build_script(profile, today=self.today, lang="da", red_flags=red_flags)
        if disposition == "emergency_112":
            outcome = "emergency"
        elif disposition is not None:
            outcome = "referred_to_gp"
        else:
            outcome = PICK_OUTCOME(random_)
        # The advisor ticks most of what they say; the entries the script offers are opened now and then.
        delivered = [block.id for block in script.blocks if block.id == "safety-screen" or random_() < 0.7]
        slugs = tuple(sorted(slug for slug in script.library_slugs if random_() < 0.35))
        stored = profile.model_dump(mode="json")
        if weeks:  # the fracture date moves with each call's date (FRACTURE_DATE_MARK)
            stored["fractures"][0]["occurred_on"] = FRACTURE_DATE_MARK
        return _Case(
            group=script.group, caller_role=role, topics=tuple(sorted(t.value for t in profile.topics)),
            slugs=slugs, disposition=script.disposition.id if script.disposition else None, outcome=outcome,
            profile=json.dumps(stored), flags=_json_list(sorted(script.flags)), delivered=_json_list(delivered),
            fracture_weeks_ago=weeks,
        )

    def _profile(self, group: str, role: str, topics: tuple[str, ...], weeks: int) -> dict[str, Any]:
        """A caller of the group: activity level and fracture history chosen to lead there."""
        random_ = self.random
        fractures = None
        if group == "acute_vertebral_fracture":
            fractures = [{"site": "vertebral", "occurred_on": self.today - timedelta(weeks=weeks),
                          "low_energy": True}]
        elif group.endswith("with_fracture") or (group == "function_limited" and random_() < 0.5):
            # An earlier fracture: at least a year and a half before any demo call.
            year, month = 2005 + int(random_() * (self.today.year - 2007)), 1 + int(random_() * 12)
            fractures = [{"site": _one_of(random_, codes("fracture_site")),
                          "occurred_on": date(year, month, 15), "low_energy": True}]
        elif group.endswith("no_fracture") and random_() < 0.75:
            fractures = []  # else not asked yet: the script asks and limits impact
        return {
            "caller_role": role,
            "relation": _one_of(random_, codes("relation")) if role == "relative" else None,
            "age": min(100, max(45, int(self.rng.gauss(72, 8)))),
            "sex": "female" if random_() < 0.86 else "male",
            "diagnosis": PICK_DIAGNOSIS(random_),
            "t_score": round(-4.2 + 3.2 * random_(), 1) if random_() < 0.55 else None,
            "fractures": fractures,
            "pain": _one_of(random_, ("moderate", "severe")) if group == "acute_vertebral_fracture"
            else PICK_PAIN(random_),
            "activity_level": ACTIVITY_OF_GROUP[group],
            "falls_last_year": PICK_FALLS(random_),
            "fear_of_movement": _one_of(random_, (True, False, None)),
            "fear_of_falling": _one_of(random_, (True, False, None, None)),
            "walking_aid": (random_() < 0.4) if group == "function_limited" else _one_of(random_, (False, None)),
            "in_physiotherapy": PICK_IN_PHYSIO(random_),
            "topics": list(topics),
        }
