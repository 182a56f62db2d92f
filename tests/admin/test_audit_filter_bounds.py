"""The access-log filter with values no admin types but a crafted link can hold: far-away
dates, ids beyond the database's integer range, digits that are not ASCII. Each is explained on
the page (as any value that does not fit) and refused by the export; none is a 500.

Finding of issue 7, section 5: 9999-12-31 and 0001-01-01 overflowed the day arithmetic of
``services.audit``; on SQLite an id above 2^63 overflowed the query.
"""

from __future__ import annotations

import pytest

from ehealth.database import connected
from ehealth.models import AuditEvent
from ehealth.services import audit
from tests.admin.conftest import SignedIn
from tests.conftest import World

OUT_OF_RANGE = "Choose a date between 1900 and 2100."


@pytest.mark.parametrize("query", [
    "since=0001-01-01", "until=9999-12-31", "since=0001-01-01&until=9999-12-31",
    "since=1899-12-31", "until=2101-01-01",
])
def test_a_date_outside_1900_to_2100_is_explained_on_the_page(
    signed_in: SignedIn, world: World, query: str
) -> None:
    response = signed_in("admin").get(f"/admin/audit-log?{query}")
    assert response.status_code == 200
    assert OUT_OF_RANGE in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["until=9999-12-31", "since=0001-01-01"])
def test_an_export_with_a_date_outside_1900_to_2100_is_refused(
    signed_in: SignedIn, world: World, query: str
) -> None:
    assert signed_in("admin").get(f"/admin/audit-log.csv?{query}").status_code == 400


def test_the_first_and_last_day_of_the_range_still_filter(
    signed_in: SignedIn, world: World
) -> None:
    with connected():
        audit.record(world.therapist, audit.CLIENT_VIEWED, client=world.client_a)
    response = signed_in("admin").get("/admin/audit-log.csv?since=1900-01-01&until=2100-12-31")
    assert response.status_code == 200
    assert audit.CLIENT_VIEWED in response.get_data(as_text=True)


@pytest.mark.parametrize("raw", [str(2**63), str(2**64), "9" * 39, "²", "٣", "-1", "0"])
def test_a_person_id_that_cannot_exist_is_explained_not_looked_up(
    signed_in: SignedIn, world: World, raw: str
) -> None:
    page = signed_in("admin").get(f"/admin/audit-log?client={raw}&staff={raw}").get_data(
        as_text=True)
    assert "Choose a client from the list." in page
    assert "Choose a staff member from the list." in page
    assert signed_in("admin").get(f"/admin/audit-log.csv?client={raw}").status_code == 400


@pytest.mark.parametrize("raw", ["²", "9" * 5000, str(2**63), "0", "-3", "abc"])
def test_a_page_number_that_is_no_page_shows_the_first_page(
    signed_in: SignedIn, world: World, raw: str
) -> None:
    response = signed_in("admin").get(f"/admin/audit-log?page={raw}")
    assert response.status_code == 200
    with connected():  # reading the log was logged, as on any page
        assert AuditEvent.select().where(AuditEvent.action == audit.AUDIT_LOG_VIEWED).exists()
