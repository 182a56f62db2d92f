"""A therapist's caseload: who is moving, who has stalled, whose answers wait for a reply.

A therapist's own clients are the clients of their organisation who have an open module
(assigned, active or paused) from them; or who had a module from them, or set up their account
through their invitation, and have no open module with another therapist now. So a newly
invited client shows up before any module is assigned, a client who finished every module stays,
and a client an admin moved to a colleague (their open modules move) leaves the caseload. A
therapist sees all of an own client's modules, whoever assigned them.

The page costs a fixed number of queries however many clients and assignments there are: two
aggregate queries over every own client (last activity, answers awaiting feedback) decide the
order, the filters and the page; three more load the assignments, module versions and shared
answers of the clients on that page only. (Module content is loaded once per module version
and cached by ``services.modules``.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from math import ceil
from typing import Any, cast

from peewee import JOIN, Case, fn

from ehealth.content.loader import Module
from ehealth.models import (
    Answer,
    Assignment,
    AssignmentStatus,
    Feedback,
    Invitation,
    ModuleVersion,
    Role,
    User,
    utcnow,
)
from ehealth.services.modules import module_for_version
from ehealth.services.progress import Progress, progress, visible_places

PAGE_SIZE = 25
DEFAULT_INACTIVE_DAYS = 14
# A client counts as stalled only while they have a module to work on: paused modules wait for
# the therapist, completed ones are done.
OPEN = (AssignmentStatus.ASSIGNED, AssignmentStatus.ACTIVE)
OPEN_OR_PAUSED = (AssignmentStatus.ASSIGNED, AssignmentStatus.ACTIVE, AssignmentStatus.PAUSED)
SHOWN = (AssignmentStatus.ASSIGNED, AssignmentStatus.ACTIVE, AssignmentStatus.PAUSED,
         AssignmentStatus.COMPLETED)
SORTS = ("name", "activity", "inactive", "awaiting")
# peewee builds SQL from the comparison; ``is False`` would not.
_SHARED = Answer.private == False  # noqa: E712


def own_client_condition(therapist: User) -> Any:
    """A peewee condition on ``User``: the therapist's own clients (see the module docstring)."""
    open_mine = Assignment.select(Assignment.client).where(
        (Assignment.therapist == therapist) & Assignment.status.in_(OPEN_OR_PAUSED))
    open_elsewhere = Assignment.select(Assignment.client).where(
        (Assignment.therapist != therapist) & Assignment.status.in_(OPEN_OR_PAUSED))
    ever_mine = Assignment.select(Assignment.client).where(Assignment.therapist == therapist)
    invited = Invitation.select(Invitation.user).where(
        (Invitation.therapist == therapist) & Invitation.user.is_null(False))
    return ((User.role == Role.CLIENT)
            & (User.organisation == therapist.__data__["organisation"])
            & (User.id.in_(open_mine)
               | ((User.id.in_(ever_mine) | User.id.in_(invited))
                  & User.id.not_in(open_elsewhere))))


def of_own_clients(therapist: User) -> Any:
    """A peewee condition on ``Assignment``: a module of one of the therapist's own clients."""
    return Assignment.client.in_(User.select(User.id).where(own_client_condition(therapist)))


@dataclass(frozen=True)
class CaseloadQuery:
    """What the therapist asked for: search, filters, order and page (from the query string)."""

    search: str = ""
    only_inactive: bool = False
    only_awaiting: bool = False
    sort: str = "name"
    descending: bool = False
    page: int = 1

    @classmethod
    def from_args(cls, args: dict[str, str]) -> CaseloadQuery:
        """Read the query string leniently: anything unknown falls back to the default."""
        sort = args.get("sort", "name")
        try:
            page = max(1, int(args.get("page", "1")))
        except ValueError:
            page = 1
        return cls(
            search=args.get("q", "").strip()[:200],
            only_inactive=args.get("inactive") == "1",
            only_awaiting=args.get("awaiting") == "1",
            sort=sort if sort in SORTS else "name",
            descending=args.get("dir") == "desc",
            page=page,
        )

    def args(self, **changes: Any) -> dict[str, str]:
        """The query string of this query with ``changes``: for sort and page links."""
        values = {"search": self.search, "only_inactive": self.only_inactive,
                  "only_awaiting": self.only_awaiting, "sort": self.sort,
                  "descending": self.descending, "page": self.page, **changes}
        result: dict[str, str] = {}
        if values["search"]:
            result["q"] = str(values["search"])
        if values["only_inactive"]:
            result["inactive"] = "1"
        if values["only_awaiting"]:
            result["awaiting"] = "1"
        if values["sort"] != "name":
            result["sort"] = str(values["sort"])
        if values["descending"]:
            result["dir"] = "desc"
        if values["page"] != 1:
            result["page"] = str(values["page"])
        return result

    def sort_args(self, column: str) -> dict[str, str]:
        """The link of a column heading: sort by it, or turn the order round if it is sorted."""
        descending = not self.descending if column == self.sort else column in (
            "inactive", "awaiting")
        return self.args(sort=column, descending=descending, page=1)


@dataclass
class ModuleProgress:
    """One of the client's modules on the caseload: its title, status and steps done."""

    assignment_id: int
    module: Module
    status: str
    progress: Progress
    due_date: dt.date | None


@dataclass
class CaseloadRow:
    """One client on the caseload."""

    client_id: int
    name: str
    email: str
    last_activity: dt.datetime | None
    days_inactive: int | None
    inactive: bool
    awaiting: int
    open_modules: int
    modules: list[ModuleProgress] = field(default_factory=list)

    @property
    def display_name(self) -> str:
        """The name, or the e-mail address for an account without a name."""
        return self.name or self.email


@dataclass
class Caseload:
    """One page of the caseload, and how many clients match in all."""

    rows: list[CaseloadRow]
    total: int
    clients: int
    page: int
    pages: int
    inactive_days: int
    query: CaseloadQuery

    @property
    def first(self) -> int:
        """The number of the first client on this page (1-based; 0 when there are none)."""
        return (self.page - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def last(self) -> int:
        """The number of the last client on this page."""
        return (self.page - 1) * PAGE_SIZE + len(self.rows)


def _days_between(since: dt.datetime | None, now: dt.datetime) -> int | None:
    if since is None:
        return None
    return max(0, (now.date() - since.date()).days)


def _summaries(therapist: User, inactive_days: int, now: dt.datetime) -> list[CaseloadRow]:
    """Every own client with last activity, stalled or not, and answers awaiting feedback.

    Two queries, whatever the number of clients.
    """
    own_shown = (Assignment.client == User.id) & Assignment.status.in_(SHOWN)
    open_count = fn.SUM(Case(None, [(Assignment.status.in_(OPEN), 1)], 0))
    clients = (User.select(User.id, User.name, User.email, User.created_at,
                           fn.MAX(Assignment.last_activity_at).alias("last_activity"),
                           fn.MAX(Assignment.assigned_at).alias("last_assigned"),
                           open_count.alias("open_modules"))
               .join(Assignment, JOIN.LEFT_OUTER, on=own_shown)
               .where(own_client_condition(therapist) & (User.active == True))  # noqa: E712
               .group_by(User.id, User.name, User.email, User.created_at))
    awaiting = _awaiting_counts(therapist)
    rows = []
    for client in clients:
        # Without any activity yet, the client has been quiet since the last module arrived.
        since = client.last_activity or client.last_assigned or client.created_at
        days = _days_between(since, now)
        open_modules = int(client.open_modules or 0)
        rows.append(CaseloadRow(
            client_id=client.id, name=client.name, email=client.email,
            last_activity=client.last_activity, days_inactive=days,
            inactive=bool(open_modules and days is not None and days > inactive_days),
            awaiting=awaiting.get(client.id, 0), open_modules=open_modules,
        ))
    return rows


def awaiting_condition() -> tuple[Any, Any]:
    """(subquery of the last feedback per answer, condition: the answer waits for a reply).

    An answer waits for feedback when nobody replied yet, or when the client changed it after
    the last reply.
    """
    last = (Feedback.select(Feedback.answer.alias("answer_id"),
                            fn.MAX(Feedback.created_at).alias("last_at"))
            .group_by(Feedback.answer).alias("last_feedback"))
    waiting = last.c.last_at.is_null() | (Answer.updated_at > last.c.last_at)
    return last, waiting


def _awaiting_counts(therapist: User) -> dict[int, int]:
    """Shared answers waiting for feedback, per client (one query)."""
    last, waiting = awaiting_condition()
    query = (Answer.select(Assignment.client.alias("client_id"),
                           fn.COUNT(Answer.id).alias("waiting"))
             .join(Assignment)
             .join(last, JOIN.LEFT_OUTER, on=(last.c.answer_id == Answer.id))
             .where(of_own_clients(therapist) & Assignment.status.in_(SHOWN) & _SHARED
                    & waiting)
             .group_by(Assignment.client)
             .dicts())
    rows = cast(Iterable[dict[str, Any]], query)
    return {row["client_id"]: int(row["waiting"]) for row in rows}


def _sort_key(sort: str) -> Any:
    if sort == "activity":
        return lambda row: (row.last_activity is not None, row.last_activity or dt.datetime.min,
                            row.display_name.casefold())
    if sort == "inactive":
        return lambda row: (row.days_inactive or 0, row.display_name.casefold())
    if sort == "awaiting":
        return lambda row: (row.awaiting, row.display_name.casefold())
    return lambda row: (row.display_name.casefold(), row.client_id)


def _matches(row: CaseloadRow, query: CaseloadQuery) -> bool:
    if query.search:
        needle = query.search.casefold()
        if needle not in row.name.casefold() and needle not in row.email.casefold():
            return False
    if query.only_inactive and not row.inactive:
        return False
    return not (query.only_awaiting and not row.awaiting)


def load_modules(assignments: list[Assignment]) -> dict[int, Module]:
    """The module of each assignment's version, by version id (one query for all versions)."""
    version_ids = {assignment.__data__["module_version"] for assignment in assignments}
    if not version_ids:
        return {}
    versions = (ModuleVersion.select(ModuleVersion.id, ModuleVersion.module_id,
                                     ModuleVersion.version, ModuleVersion.content_hash)
                .where(ModuleVersion.id.in_(version_ids)))
    return {version.id: module_for_version(version) for version in versions}


def _attach_modules(rows: list[CaseloadRow]) -> None:
    """Fill in the modules with progress of the clients on one page (three queries)."""
    if not rows:
        return
    ids = [row.client_id for row in rows]
    assignments = list(Assignment.select(
        Assignment.id, Assignment.client, Assignment.module_version, Assignment.status,
        Assignment.done_steps, Assignment.due_date, Assignment.assigned_at)
        .where(Assignment.client.in_(ids) & Assignment.status.in_(SHOWN))
        .order_by(Assignment.assigned_at, Assignment.id))
    modules = load_modules(assignments)
    values: dict[int, dict[str, Any]] = {}
    if assignments:
        shared = (Answer.select(Answer.assignment, Answer.step_id, Answer.value)
                  .where(Answer.assignment.in_([a.id for a in assignments]) & _SHARED))
        for answer in shared:
            values.setdefault(answer.__data__["assignment"], {})[answer.step_id] = answer.value
    by_client = {row.client_id: row for row in rows}
    for assignment in assignments:
        module = modules[assignment.__data__["module_version"]]
        places = visible_places(module, values.get(assignment.id, {}))
        by_client[assignment.__data__["client"]].modules.append(ModuleProgress(
            assignment.id, module, assignment.status,
            progress(places, assignment.done_steps), assignment.due_date))


def caseload(therapist: User, query: CaseloadQuery,
             inactive_days: int = DEFAULT_INACTIVE_DAYS, now: dt.datetime | None = None
             ) -> Caseload:
    """One page of the therapist's own clients, searched, filtered and sorted as asked."""
    now = now or utcnow()
    everyone = _summaries(therapist, inactive_days, now)
    rows = [row for row in everyone if _matches(row, query)]
    rows.sort(key=_sort_key(query.sort), reverse=query.descending)
    pages = max(1, ceil(len(rows) / PAGE_SIZE))
    page = min(query.page, pages)
    shown = rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    _attach_modules(shown)
    return Caseload(shown, len(rows), len(everyone), page, pages, inactive_days, query)
