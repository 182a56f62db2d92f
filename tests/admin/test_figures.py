"""Figures: active clients and modules started and completed per month, on known data."""

from __future__ import annotations

import datetime as dt

from ehealth.database import connected
from ehealth.models import Assignment, Organisation, Role, User
from ehealth.services.figures import figures_for, month_starts
from tests.admin.conftest import SignedIn
from tests.conftest import World

NOW = dt.datetime(2025, 3, 15, 12, 0)  # UTC


def _client(organisation: Organisation, email: str) -> User:
    user: User = User.create(organisation=organisation, email=email, role=Role.CLIENT)
    return user


def _assignment(world: World, client: User, **times: dt.datetime | str | None) -> None:
    Assignment.create(client=client, therapist=world.therapist,
                      module_version=world.assignment_a.module_version, **times)


def test_the_months_are_the_last_twelve_of_the_dutch_calendar() -> None:
    starts = month_starts(NOW)
    assert len(starts) == 12
    assert starts[0] == dt.date(2024, 4, 1)
    assert starts[-1] == dt.date(2025, 3, 1)
    # 31 December 23:30 UTC is already 1 January in the Netherlands.
    assert month_starts(dt.datetime(2024, 12, 31, 23, 30), 1) == [dt.date(2025, 1, 1)]


def test_figures_count_active_clients_and_modules_per_month(world: World) -> None:
    home = world.therapist.organisation
    with connected():
        other = Organisation.get(Organisation.slug == "zorg-west")
        _a, b = world.client_a, world.people["client_b"]
        c = _client(home, "c@oost.example")
        assert b is not None
        # Client A: active 3 days ago; started in January, completed in March.
        Assignment.update(last_activity_at=NOW - dt.timedelta(days=3),
                          started_at=dt.datetime(2025, 1, 10, 9),
                          completed_at=dt.datetime(2025, 3, 2, 9),
                          status="completed").where(
            Assignment.id == world.assignment_a.id).execute()
        # Client B: last active 31 days ago (not active); started 28 Feb 23:30 UTC, which is
        # 1 March in the Netherlands.
        Assignment.update(last_activity_at=NOW - dt.timedelta(days=31),
                          started_at=dt.datetime(2025, 2, 28, 23, 30)).where(
            Assignment.id == world.assignment_b.id).execute()
        # Client C: two modules, active yesterday on one; one started 13 months ago.
        _assignment(world, c, last_activity_at=NOW - dt.timedelta(days=1),
                    started_at=dt.datetime(2025, 3, 14, 8))
        _assignment(world, c, started_at=dt.datetime(2024, 2, 1, 8),
                    completed_at=dt.datetime(2024, 2, 20, 8), status="completed")
        # Another organisation's client: never counted here.
        stranger = _client(other, "x@west.example")
        _assignment(world, stranger, last_activity_at=NOW, started_at=NOW, completed_at=NOW)

        figures = figures_for(home, now=NOW)
    assert figures.active_clients == 2  # A and C
    assert figures.clients == 3
    by_month = {m.month: (m.started, m.completed) for m in figures.months}
    assert by_month[dt.date(2025, 1, 1)] == (1, 0)
    assert by_month[dt.date(2025, 2, 1)] == (0, 0)
    assert by_month[dt.date(2025, 3, 1)] == (2, 1)
    assert (figures.started, figures.completed) == (3, 1)
    assert figures.highest == 2
    with connected():
        west = figures_for(Organisation.get(Organisation.slug == "zorg-west"), now=NOW)
    # Zorg West: the stranger, and the world's client there (not active).
    assert (west.active_clients, west.clients, west.started, west.completed) == (1, 2, 1, 1)


def test_an_organisation_without_activity_has_zeros(world: World) -> None:
    with connected():
        figures = figures_for(world.therapist.organisation, now=NOW)
    assert figures.active_clients == 0
    assert [(m.started, m.completed) for m in figures.months] == [(0, 0)] * 12


def test_the_figures_page_states_the_definition_and_shows_a_table(
    signed_in: SignedIn, world: World
) -> None:
    with connected():
        Assignment.update(last_activity_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                          started_at=dt.datetime.now(dt.UTC).replace(tzinfo=None)).where(
            Assignment.id == world.assignment_a.id).execute()
    response = signed_in("admin").get("/admin/figures")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "An active client is a client who opened or worked on one of their modules in the " \
           "last 30 days" in page
    assert "<strong>1</strong> active client " in page
    assert "<caption>Modules started and completed per month</caption>" in page
    assert page.count('<th scope="row">') == 13  # 12 months and the total
    assert 'role="img"' in page
    assert "<title" in page
    assert ' style="' not in page
