"""A therapist's caseload: who is moving, who has stalled, whose answers wait for a reply.

The caseload lists the clients the therapist has an active care relationship with
(``services.care``: the same rule that opens a client's record), primary or co-therapist,
marked as such. Deactivated accounts are left out. A therapist sees all of a client's modules,
whoever assigned them.

Searching, filtering, sorting and paging happen in the database. Sorted by name (the default)
and without the inactive or awaiting filters, only the page's 25 clients get their activity
and awaiting counts computed; sorting or filtering by those computes them in one grouped query
over the therapist's own clients. Then three more queries load the assignments, module
versions and shared answers of the clients on the page. (Module content is loaded once per
module version and cached by ``services.modules``.)

Only answers to feedback moments (steps marked ``"feedback": true`` in their module version)
count as awaiting feedback; one more small query lists the module versions to find them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from math import ceil
from typing import Any, cast

from peewee import JOIN, SQL, Case, fn

from ehealth.content.loader import Module
from ehealth.content.steps import feedback_moments
from ehealth.input_guard import positive_number
from ehealth.models import (
    Answer,
    Assignment,
    AssignmentStatus,
    CareRole,
    Feedback,
    ModuleVersion,
    User,
    utcnow,
)
from ehealth.services import care
from ehealth.services.modules import module_for_version
from ehealth.services.progress import Progress, progress, visible_places

PAGE_SIZE = 25
MAX_PAGE = 100_000
DEFAULT_INACTIVE_DAYS = 14
# A client counts as stalled only while they have a module to work on: paused modules wait for
# the therapist, completed ones are done.
OPEN = (AssignmentStatus.ASSIGNED, AssignmentStatus.ACTIVE)
SHOWN = (AssignmentStatus.ASSIGNED, AssignmentStatus.ACTIVE, AssignmentStatus.PAUSED,
         AssignmentStatus.COMPLETED)
SORTS = ("name", "activity", "inactive", "awaiting")
# peewee builds SQL from the comparison; ``is False`` would not.
_SHARED = Answer.private == False  # noqa: E712


def waiting_for_feedback() -> Any:
    """A condition on ``Answer``: the answer waits for a reply.

    It does when nobody replied yet, or when the client changed it after the last reply: no
    feedback was written at or after its last change.
    """
    replied = Feedback.select(Feedback.id).where(
        (Feedback.answer == Answer.id) & (Feedback.created_at >= Answer.updated_at))
    return ~fn.EXISTS(replied)


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
        page = positive_number(args.get("page", "1").strip(), MAX_PAGE) or 1
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
    care_role: str = CareRole.PRIMARY
    created_at: dt.datetime | None = None  # the account's: quiet since then without modules
    modules: list[ModuleProgress] = field(default_factory=list)

    @property
    def co_therapist(self) -> bool:
        """The therapist is a co-therapist of this client (not the primary therapist)."""
        return self.care_role == CareRole.CO_THERAPIST

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

    @property
    def page_links(self) -> list[int | None]:
        """The page numbers to link to: the first and last, and two either side of this one;
        None where numbers are left out (80 links would not fit a phone, nor help anyone)."""
        shown = sorted({1, self.pages, *range(max(1, self.page - 2),
                                              min(self.pages, self.page + 2) + 1)})
        links: list[int | None] = []
        for number in shown:
            if links and number - (links[-1] or 0) > 1:
                links.append(None)
            links.append(number)
        return links


def _days_between(since: dt.datetime | None, now: dt.datetime) -> int | None:
    if since is None:
        return None
    return max(0, (now.date() - since.date()).days)


def _as_datetime(value: Any) -> dt.datetime | None:
    """Aggregates over datetime columns come back as text on SQLite."""
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


def _activity(clients: Any) -> Any:
    """Per client of ``clients`` (ids or a subquery): last activity, last module given, how
    many modules are open."""
    open_count = fn.SUM(Case(None, [(Assignment.status.in_(OPEN), 1)], 0))
    return (Assignment.select(Assignment.client.alias("client_id"),
                              fn.MAX(Assignment.last_activity_at).alias("last_activity"),
                              fn.MAX(Assignment.assigned_at).alias("last_assigned"),
                              open_count.alias("open_modules"))
            .where(Assignment.client.in_(clients) & Assignment.status.in_(SHOWN))
            .group_by(Assignment.client))


def _at_feedback_moment() -> Any:
    """A condition on ``Answer`` (joined to its Assignment): the answer is to a step its
    module version marks as a feedback moment (``"feedback": true``).

    One small query lists the module versions; their content comes from the cache of
    ``services.modules``. Versions with the same feedback moments share one term.
    """
    versions_by_moments: dict[frozenset[str], list[int]] = {}
    for version in ModuleVersion.select(ModuleVersion.id, ModuleVersion.module_id,
                                        ModuleVersion.version, ModuleVersion.content_hash):
        moments = feedback_moments(module_for_version(version).steps_by_id.values())
        if moments:
            versions_by_moments.setdefault(moments, []).append(version.id)
    condition: Any = SQL("1 = 0")
    for moments, versions in versions_by_moments.items():
        condition = condition | (Assignment.module_version.in_(versions)
                                 & Answer.step_id.in_(sorted(moments)))
    return condition


def _awaiting(clients: Any, at_moment: Any = None) -> Any:
    """Per client of ``clients``: how many shared answers to feedback moments wait for
    feedback (``at_moment``: ``_at_feedback_moment()``, when the caller has it already)."""
    at_moment = _at_feedback_moment() if at_moment is None else at_moment
    return (Answer.select(Assignment.client.alias("client_id"),
                          fn.COUNT(Answer.id).alias("waiting"))
            .join(Assignment)
            .where(Assignment.client.in_(clients) & Assignment.status.in_(SHOWN) & _SHARED
                   & at_moment & waiting_for_feedback())
            .group_by(Assignment.client))


def _name_key() -> Any:
    """What the caseload sorts names by: the name, or the e-mail address without one."""
    # Written as the index user_sort_name is (a literal '', not a parameter), so it is used.
    return fn.LOWER(fn.COALESCE(fn.NULLIF(User.name, SQL("''")), User.email))


def _ordering(sort: str, descending: bool, activity: Any, awaiting: Any) -> list[Any]:
    """ORDER BY terms for ``sort``; descending turns every term round, as a reversed sort."""
    name = _name_key()
    if sort == "activity":
        last = activity.c.last_activity
        terms = [Case(None, [(last.is_null(), 0)], 1), last, name]
    elif sort == "inactive":
        # More days inactive is an older day to count from.
        since = fn.DATE(fn.COALESCE(activity.c.last_activity, activity.c.last_assigned,
                                    User.created_at))
        terms = [(since, False), name]
    elif sort == "awaiting":
        terms = [fn.COALESCE(awaiting.c.waiting, 0), name]
    else:
        terms = [name]
    terms.append(User.id)
    ordered = []
    for term in terms:
        expression, ascending = term if isinstance(term, tuple) else (term, True)
        ordered.append(expression.asc() if ascending != descending else expression.desc())
    return ordered


def _rows_of(records: Iterable[Any], inactive_days: int, now: dt.datetime) -> list[CaseloadRow]:
    rows = []
    for record in records:
        last_activity = _as_datetime(record.get("last_activity"))
        # Without any activity yet, the client has been quiet since the last module arrived.
        since = (last_activity or _as_datetime(record.get("last_assigned"))
                 or _as_datetime(record["created_at"]))
        days = _days_between(since, now)
        open_modules = int(record.get("open_modules") or 0)
        rows.append(CaseloadRow(
            client_id=record["id"], name=record["name"], email=record["email"],
            last_activity=last_activity, days_inactive=days,
            inactive=bool(open_modules and days is not None and days > inactive_days),
            awaiting=int(record.get("waiting") or 0), open_modules=open_modules,
            care_role=record["role"] or CareRole.PRIMARY,
            created_at=_as_datetime(record["created_at"])))
    return rows


def _page_figures(rows: list[CaseloadRow], inactive_days: int, now: dt.datetime,
                  at_moment: Any = None) -> None:
    """Activity and awaiting counts of the clients on one page (two queries)."""
    ids = [row.client_id for row in rows]
    if not ids:
        return
    activity = {r["client_id"]: r for r in cast(Iterable[dict[str, Any]], _activity(ids).dicts())}
    waiting = {r["client_id"]: r["waiting"]
               for r in cast(Iterable[dict[str, Any]], _awaiting(ids, at_moment).dicts())}
    for row in rows:
        figures = activity.get(row.client_id, {})
        row.last_activity = _as_datetime(figures.get("last_activity"))
        row.open_modules = int(figures.get("open_modules") or 0)
        since = row.last_activity or _as_datetime(figures.get("last_assigned")) or row.created_at
        row.days_inactive = _days_between(since, now)
        row.inactive = bool(row.open_modules and row.days_inactive is not None
                            and row.days_inactive > inactive_days)
        row.awaiting = int(waiting.get(row.client_id) or 0)


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


def _count(query: Any) -> int:
    return int(User.select(fn.COUNT(SQL("*"))).from_(query.alias("matching")).scalar() or 0)


def caseload(therapist: User, query: CaseloadQuery,
             inactive_days: int = DEFAULT_INACTIVE_DAYS, now: dt.datetime | None = None
             ) -> Caseload:
    """One page of the therapist's clients, searched, filtered and sorted as asked.

    Only the figures a filter or the order needs are computed over the whole caseload (in the
    query that picks the page, which also counts the matches); the page's 25 clients then get
    all their figures.
    """
    now = now or utcnow()
    team = care.active_team(therapist)
    active = User.active == True  # noqa: E712
    matching = (care.clients_in_care(therapist, User.id, User.name, User.email,
                                     User.created_at, with_role=True)
                .where(active))
    clients = _count(care.clients_in_care(therapist, User.id).where(active))
    searched = care.clients_in_care(therapist, User.id).where(active)
    if query.search:
        needle = query.search.lower()
        found = fn.LOWER(User.name).contains(needle) | fn.LOWER(User.email).contains(needle)
        matching, searched = matching.where(found), searched.where(found)
    activity = _activity(team).alias("activity")
    at_moment = _at_feedback_moment()  # one query, whatever the number of clients
    awaiting = _awaiting(team, at_moment).alias("awaiting")
    if query.sort in ("activity", "inactive") or query.only_inactive:
        matching = matching.join_from(User, activity, JOIN.LEFT_OUTER,
                                      on=(activity.c.client_id == User.id))
    if query.sort == "awaiting" or query.only_awaiting:
        matching = matching.join_from(User, awaiting, JOIN.LEFT_OUTER,
                                      on=(awaiting.c.client_id == User.id))
    if query.only_inactive:
        cutoff = dt.datetime.combine(now.date() - dt.timedelta(days=inactive_days), dt.time.min)
        since = fn.COALESCE(activity.c.last_activity, activity.c.last_assigned, User.created_at)
        matching = matching.where((fn.COALESCE(activity.c.open_modules, 0) > 0)
                                  & (since < cutoff))
    if query.only_awaiting:
        matching = matching.where(fn.COALESCE(awaiting.c.waiting, 0) > 0)
    filtered = query.only_inactive or query.only_awaiting
    if filtered:
        # The page's query counts the matches too: the figures are computed once.
        matching = matching.select_extend(fn.COUNT(SQL("*")).over().alias("matches"))
    ordered = matching.order_by(*_ordering(query.sort, query.descending, activity, awaiting))
    total = clients if not query.search else _count(searched)
    page = query.page
    while True:
        records = cast(list[dict[str, Any]], list(
            ordered.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE).dicts()))
        if filtered and records:
            total = int(records[0]["matches"])
        elif filtered:
            total = _count(matching) if page > 1 else 0
        pages = max(1, ceil(total / PAGE_SIZE))
        if records or page <= pages:
            break
        page = pages  # past the end: the last page
    rows = _rows_of(records, inactive_days, now)
    _page_figures(rows, inactive_days, now, at_moment)
    _attach_modules(rows)
    return Caseload(rows, total, clients, page, pages, inactive_days, query)
