"""The client's "who looked at my data": events about them, by whom, what, when; nobody else's."""

from __future__ import annotations

import re

from ehealth.database import connected
from ehealth.models import AuditOutcome, User
from ehealth.services import audit
from tests.admin.conftest import SignedIn
from tests.conftest import World


def _rows(page: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    return re.findall(r"<tr>.*?</tr>", body.group(1), re.S) if body else []


def test_a_client_sees_who_looked_at_their_data_with_name_role_action_and_outcome(
    signed_in: SignedIn, world: World
) -> None:
    other = world.people["other_therapist"]
    assert other is not None
    with connected():
        User.update(name="Fatima de Vries").where(User.id == world.therapist.id).execute()
        therapist = User.get_by_id(world.therapist.id)
        audit.record(therapist, audit.ANSWERS_VIEWED, client=world.client_a)
        audit.record(other, audit.CLIENT_VIEWED, client=world.client_a,
                     outcome=AuditOutcome.DENIED)
        audit.record(therapist, audit.GOALS_VIEWED, client=world.people["client_b"])
    response = signed_in("client_a").get("/my-data/access-log")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    rows = _rows(page)
    assert len(rows) == 2
    assert "t2, therapist" in rows[0]
    assert "Looked at your details" in rows[0]
    assert "Refused" in rows[0]
    assert "Fatima de Vries, therapist" in rows[1]
    assert "Looked at your answers" in rows[1]
    assert "Done" in rows[1]
    assert "Looked at your goals" not in page  # client B's event
    assert 'role="region"' in page
    assert 'scope="col"' in page


def test_a_client_without_events_is_told_so(signed_in: SignedIn, world: World) -> None:
    page = signed_in("client_b").get("/my-data/access-log").get_data(as_text=True)
    assert "Nobody has looked at your data yet." in page


def test_an_admin_looking_at_the_log_about_a_client_shows_on_the_clients_page(
    signed_in: SignedIn, world: World
) -> None:
    signed_in("admin").get(f"/admin/audit-log?client={world.client_a.id}")
    rows = _rows(signed_in("client_a").get("/my-data/access-log").get_data(as_text=True))
    assert len(rows) == 1
    assert "admin, admin" in rows[0]
    assert "Looked at the access log about you" in rows[0]
    assert _rows(signed_in("client_b").get("/my-data/access-log").get_data(as_text=True)) == []


def test_only_clients_have_this_page(signed_in: SignedIn, world: World) -> None:
    for role in ("own_therapist", "author", "admin"):
        assert signed_in(role).get("/my-data/access-log").status_code == 403
