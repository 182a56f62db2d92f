"""An organisation's figures: how many clients are active, modules started and completed per
month. Counts only, never about a single person, so reading them is not logged.

Every figure is one fixed query that counts in the database. Months are the months of the
Dutch calendar (Europe/Amsterdam): their boundaries are computed here and passed to the query as
plain UTC timestamps, so the same SQL runs on SQLite and PostgreSQL without date functions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from peewee import Case, fn

from ehealth.models import Assignment, Organisation, Role, User, utcnow

# A client counts as active when they opened or worked on one of their modules this recently.
ACTIVE_DAYS = 30
MONTHS = 12
LOCAL = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True)
class MonthFigures:
    """Modules started and completed in one calendar month."""

    month: dt.date  # the first day of the month
    started: int
    completed: int


@dataclass(frozen=True)
class Figures:
    """The organisation's figures at ``now``."""

    now: dt.datetime
    active_clients: int
    clients: int
    months: list[MonthFigures]
    active_days: int = ACTIVE_DAYS

    @property
    def active_since(self) -> dt.datetime:
        """The start of the window in which a client counts as active (UTC)."""
        return self.now - dt.timedelta(days=self.active_days)

    @property
    def started(self) -> int:
        """Modules started in the months shown."""
        return sum(m.started for m in self.months)

    @property
    def completed(self) -> int:
        """Modules completed in the months shown."""
        return sum(m.completed for m in self.months)

    @property
    def highest(self) -> int:
        """The largest monthly count (at least 1), to scale a chart."""
        return max([1, *(m.started for m in self.months), *(m.completed for m in self.months)])


def month_starts(now: dt.datetime, count: int = MONTHS) -> list[dt.date]:
    """The first days of the ``count`` months up to and including the month of ``now`` (a UTC
    time), in the Dutch calendar, oldest first."""
    local = now.replace(tzinfo=dt.UTC).astimezone(LOCAL)
    year, month = local.year, local.month
    starts = []
    for _ in range(count):
        starts.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _utc(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in the Netherlands, as stored: naive UTC."""
    return (dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL).astimezone(dt.UTC)
            .replace(tzinfo=None))


def _in(field: object, start: dt.datetime, end: dt.datetime) -> object:
    return fn.SUM(Case(None, [(((field >= start) & (field < end)), 1)], 0))  # type: ignore[operator]


def figures_for(organisation: Organisation, now: dt.datetime | None = None) -> Figures:
    """Active clients (activity on a module in the last 30 days) and modules started and
    completed per month over the last 12 months (this month included)."""
    now = now or utcnow()
    clients = User.select(User.id).where((User.organisation == organisation)
                                         & (User.role == Role.CLIENT))
    active = (Assignment.select(fn.COUNT(fn.DISTINCT(Assignment.client)))
              .where(Assignment.client.in_(clients)
                     & (Assignment.last_activity_at >= now - dt.timedelta(days=ACTIVE_DAYS))
                     & (Assignment.last_activity_at <= now))
              .scalar())
    starts = month_starts(now)
    bounds = [_utc(day) for day in starts] + [_utc(_next_month(starts[-1]))]
    columns = []
    for index in range(len(starts)):
        columns.append(_in(Assignment.started_at, bounds[index], bounds[index + 1]))
        columns.append(_in(Assignment.completed_at, bounds[index], bounds[index + 1]))
    row = (Assignment.select(*columns)
           .where(Assignment.client.in_(clients)
                  & ((Assignment.started_at >= bounds[0]) | (Assignment.completed_at >= bounds[0])))
           .tuples().first()) or ()
    counts = [int(value or 0) for value in row] or [0] * len(columns)
    months = [MonthFigures(day, counts[2 * i], counts[2 * i + 1]) for i, day in enumerate(starts)]
    return Figures(now=now, active_clients=int(active or 0),
                   clients=clients.count(), months=months)
