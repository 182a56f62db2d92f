"""Organisations never see each other's people, clients, answers or modules.

The admin of Zorg West gets 404 on every route about a person of Zorg Oost, and their lists,
figures and access log show nothing of Zorg Oost. Their attempts on a client of Zorg Oost are
in Zorg Oost's log (who tried, from which organisation and address), never in Zorg West's.
"""

from __future__ import annotations

import pytest
from flask import Flask

from ehealth.database import connected
from ehealth.models import Assignment, AuditEvent, OrganisationModule, User
from ehealth.services import audit
from tests.access_rows.admin import PERSON_IDS
from tests.admin.conftest import SignedIn
from tests.auth.helpers import post_form
from tests.conftest import World

ZORG_OOST = ("a@oost.example", "b@oost.example", "t1@oost.example", "t2@oost.example",
             "author@oost.example", "admin@oost.example")


def stranger_user(world: World) -> User:
    """Zorg West's admin."""
    user = world.people["other_admin"]
    assert user is not None
    return user


def test_the_access_matrix_ids_are_the_worlds(world: World) -> None:
    for role, number in PERSON_IDS.items():
        person = world.people[role]
        assert person is not None, role
        assert person.id == number, role


def _person_routes(app: Flask) -> list[tuple[str, str]]:
    routes = [(method, rule.rule) for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith("admin.") and "<int:user_id>" in rule.rule
              for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}]
    assert len(routes) >= 4
    return routes


@pytest.mark.parametrize("role", ["client_a", "own_therapist", "author", "admin"])
def test_another_organisations_admin_gets_404_on_every_person_route(
    app: Flask, signed_in: SignedIn, world: World, role: str
) -> None:
    target = world.people[role]
    assert target is not None
    stranger = signed_in("other_admin")
    for method, rule in _person_routes(app):
        path = rule.replace("<int:user_id>", str(target.id)).replace(
            "<int:relationship_id>", "3")  # client A's co-therapist relationship
        if method == "GET":
            response = stranger.get(path)
        else:
            response = post_form(stranger, path, {"therapist": str(world.therapist.id)},
                                 page="/admin/")
        assert response.status_code == 404, (method, path)
    with connected():
        assert User.get_by_id(target.id).active
        assert Assignment.get_by_id(world.assignment_a.id).therapist_id == world.therapist.id
        about = list(AuditEvent.select().where(AuditEvent.client == target))
        west = stranger_user(world).__data__["organisation"]
        assert AuditEvent.select().where(AuditEvent.organisation == west).count() == 0
    if target.role == "client":
        # Every attempt is logged as refused, in the client's own organisation.
        assert len(about) == len(_person_routes(app))
        assert {(e.outcome, e.__data__["organisation"], e.__data__["actor"]) for e in about} == {
            ("denied", target.__data__["organisation"], stranger_user(world).id)}
    else:
        assert about == []


def test_another_organisations_admin_sees_nothing_of_this_organisation(
    signed_in: SignedIn, world: World
) -> None:
    with connected():
        audit.record(world.therapist, audit.ANSWERS_VIEWED, client=world.client_a)
    stranger = signed_in("other_admin")
    for path in ("/admin/", "/admin/library", "/admin/figures", "/admin/audit-log",
                 "/admin/audit-log.csv", f"/admin/audit-log?client={world.client_a.id}",
                 f"/admin/audit-log?staff={world.therapist.id}"):
        response = stranger.get(path)
        page = response.get_data(as_text=True)
        for email in ZORG_OOST:
            assert email not in page, (path, email)
        assert "Zorg Oost" not in page, path
    figures = stranger.get("/admin/figures").get_data(as_text=True)
    assert "<strong>0</strong> active clients" in figures
    assert "of 1 clients with an account" in figures  # Zorg West's own client


def test_a_move_to_a_therapist_of_another_organisation_is_refused(
    signed_in: SignedIn, world: World
) -> None:
    stranger = world.people["other_admin"]
    assert stranger is not None
    response = post_form(signed_in("admin"), f"/admin/people/{world.client_a.id}/move",
                         {"therapist": str(stranger.id)},
                         page=f"/admin/people/{world.client_a.id}")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "admin@west.example" not in page


def test_switching_a_module_off_touches_only_the_own_organisation(
    signed_in: SignedIn, world: World
) -> None:
    post_form(signed_in("admin"), "/admin/library/voorbeeld", {"available": "no"},
              page="/admin/library")
    with connected():
        [choice] = OrganisationModule.select()
        assert choice.organisation_id == world.therapist.organisation_id
    assert "Switched off" not in signed_in("other_admin").get("/admin/library").get_data(
        as_text=True)
