"""Reading the access-log filter from a query string: the same for the page and the export.

A value that does not fit (a person who is not of the admin's organisation, an unknown action,
a date that is not a date, or one outside 1900-2100) is dropped with a message for the page; it
never widens the search beyond the admin's own organisation, which ``services.audit.events``
enforces anyway. Ids are bounded before they reach a query (SQLite cannot compare a column
with an integer beyond 64 bits); dates stay within 1900-2100, because near year 1 or 9999 the
search's day arithmetic overflows and no event lies outside that range anyway.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _

from ehealth.input_guard import parse_id, positive_number
from ehealth.models import Organisation, Role, User
from ehealth.services.audit import ACTIONS, AuditFilter

FIELDS = ("client", "staff", "action", "since", "until")
FIRST_YEAR, LAST_YEAR = 1900, 2100
LAST_PAGE = 999_999


@dataclass
class ParsedFilter:
    """The filter, the values as typed (to show them again), problems and the page number."""

    search: AuditFilter
    values: dict[str, str] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)
    page: int = 1

    def query_args(self, page: int | None = None) -> dict[str, str | int]:
        """The query string of this filter (only the values that were used), for links."""
        args: dict[str, str | int] = {k: v for k, v in self.values.items()
                                      if v and k not in {e[0] for e in self.errors}}
        if page is not None and page > 1:
            args["page"] = page
        return args


def _person(organisation: Organisation, raw: str, roles: tuple[str, ...]) -> User | None:
    user_id = parse_id(raw)
    if user_id is None:
        return None
    user: User | None = User.get_or_none((User.id == user_id)
                                         & (User.organisation == organisation)
                                         & User.role.in_(roles))
    return user


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def parse_filter(args: Mapping[str, str], organisation: Organisation) -> ParsedFilter:
    """The access-log filter of ``args`` (a query string) within ``organisation``."""
    values = {name: (args.get(name) or "").strip()[:40] for name in FIELDS}
    errors: list[tuple[str, str]] = []
    client = staff = None
    if values["client"]:
        client = _person(organisation, values["client"], (Role.CLIENT,))
        if client is None:
            errors.append(("client", _("Choose a client from the list.")))
    if values["staff"]:
        staff = _person(organisation, values["staff"], Role.STAFF)
        if staff is None:
            errors.append(("staff", _("Choose a staff member from the list.")))
    action = values["action"] or None
    if action is not None and action not in ACTIONS:
        errors.append(("action", _("Choose an action from the list.")))
        action = None
    dates: dict[str, dt.date | None] = {}
    for name in ("since", "until"):
        day = _date(values[name]) if values[name] else None
        if values[name] and day is None:
            errors.append((name, _("Enter a date like 2025-03-31.")))
        elif day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            errors.append((name, _("Choose a date between %(first)d and %(last)d.",
                                   first=FIRST_YEAR, last=LAST_YEAR)))
            day = None
        dates[name] = day
    since, until = dates["since"], dates["until"]
    if since is not None and until is not None and since > until:
        errors.append(("until", _("The end date comes before the start date.")))
        until = None
    page = positive_number((args.get("page") or "1").strip(), LAST_PAGE) or 1
    return ParsedFilter(AuditFilter(actor=staff, client=client, action=action, since=since,
                                    until=until), values, errors, page)
