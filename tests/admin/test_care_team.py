"""A client's care team, as the admin keeps it: moving a client, co-therapists, the history.

Who may see a client is stored (``CareRelationship``) and decided by one rule
(``services.care.client_for``); these tests walk the findings that led to it: a moved client's
former therapist kept the whole record, could read what the client wrote for the new
therapist once a module was withdrawn, and could take the client back by assigning a module.
"""

from __future__ import annotations

import random
import re

from flask import Flask
from flask.testing import FlaskClient

from ehealth.database import connected
from ehealth.models import (
    Assignment,
    AuditEvent,
    CareRelationship,
    CareRole,
    Feedback,
    ModuleVersion,
    Role,
    User,
)
from ehealth.services import audit, care
from tests.admin.conftest import SignedIn
from tests.auth.helpers import browser, form_errors, post_form
from tests.conftest import World, login
from tests.therapist.conftest import give_answer


def _team(client: User) -> list[tuple[str, str]]:
    with connected():
        return [(r.therapist.email, r.role) for r in care.team_of(client)]


def _move(admin: FlaskClient, client: User, therapist: User, reason: str = "") -> FlaskClient:
    page = f"/admin/people/{client.id}"
    response = post_form(admin, f"{page}/move", {"therapist": str(therapist.id),
                                                 "reason": reason}, page=page)
    assert response.status_code == 303, form_errors(response.get_data(as_text=True))
    return admin


def _as(app: Flask, user: User) -> FlaskClient:
    test_client = browser(app)
    login(test_client, user)
    return test_client


def test_moving_a_client_ends_the_old_primary_and_keeps_it_in_the_history(
    app: Flask, signed_in: SignedIn, world: World
) -> None:
    old, new = world.therapist, world.person("other_therapist")
    admin = signed_in("admin")
    assert _as(app, old).get(f"/therapist/clients/{world.client_a.id}").status_code == 200
    _move(admin, world.client_a, new, reason="Fatima changed teams")
    assert _team(world.client_a) == [(new.email, CareRole.PRIMARY),
                                     ("co@oost.example", CareRole.CO_THERAPIST)]
    page = admin.get(f"/admin/people/{world.client_a.id}").get_data(as_text=True)
    assert "new primary therapist" in page
    history = page[page.index('id="history-title"'):page.index('id="modules-title"')]
    assert history.count("<tr>") == 1 + 4  # heading row; former, old, co, new
    assert "Fatima changed teams" in history
    assert "by admin" in history
    with connected():
        ended = CareRelationship.get((CareRelationship.therapist == old)
                                     & (CareRelationship.client == world.client_a))
        assert ended.ended_at is not None
        assert ended.__data__["ended_by"] == world.person("admin").id
        [event] = AuditEvent.select().where(AuditEvent.action == audit.CLIENT_MOVED)
        assert (event.object_type, event.object_id) == ("user", str(new.id))
        # The assignment keeps who gave it; only the care team changed.
        assert Assignment.get_by_id(world.assignment_a.id).__data__["therapist"] == old.id


def test_a_moved_clients_former_therapist_sees_nothing_and_cannot_take_them_back(
    app: Flask, signed_in: SignedIn, world: World
) -> None:
    old, new = world.therapist, world.person("other_therapist")
    give_answer(world.assignment_a, "cijfer", {"value": 6})
    _move(signed_in("admin"), world.client_a, new)
    former = _as(app, old)
    record = f"/therapist/clients/{world.client_a.id}"
    assert former.get(record).status_code == 404
    assert "a@oost.example" not in former.get("/therapist/").get_data(as_text=True)
    # The new therapist withdraws the module: the former therapist still reads nothing.
    current = _as(app, new)
    assert post_form(current, f"/therapist/assignments/{world.assignment_a.id}/withdraw", {},
                     page=record).status_code == 303
    assert former.get(record).status_code == 404
    for path, data in ((f"{record}/assignments", {"module_id": "voorbeeld"}),
                       (f"/therapist/assignments/{world.assignment_a.id}/resume", {}),
                       (f"/therapist/assignments/{world.assignment_a.id}/steps/cijfer/feedback",
                        {"body": "Ik ben er nog"})):
        assert post_form(former, path, data, page="/therapist/").status_code == 404, path
    with connected():
        assert Assignment.select().where(Assignment.client == world.client_a).count() == 1
        assert Feedback.select().count() == 0
    # Assigning was refused, so the client stayed with the new therapist.
    assert current.get(record).status_code == 200
    assert _team(world.client_a)[0] == (new.email, CareRole.PRIMARY)


def test_a_former_therapists_feedback_stays_in_the_record_with_their_name(
    app: Flask, signed_in: SignedIn, world: World
) -> None:
    give_answer(world.assignment_a, "cijfer", {"value": 6})
    record = f"/therapist/clients/{world.client_a.id}"
    old = _as(app, world.therapist)
    assert post_form(old, f"/therapist/assignments/{world.assignment_a.id}/steps/cijfer/feedback",
                     {"body": "Mooi dat je dit deelt."}, page=record).status_code == 303
    _move(signed_in("admin"), world.client_a, world.person("other_therapist"))
    page = _as(app, world.person("other_therapist")).get(record).get_data(as_text=True)
    assert "Mooi dat je dit deelt." in page
    assert "t1" in page


def test_a_co_therapist_sees_the_record_until_their_part_ends(
    app: Flask, signed_in: SignedIn, world: World
) -> None:
    admin = signed_in("admin")
    other = world.person("other_therapist")
    record = f"/therapist/clients/{world.client_a.id}"
    colleague = _as(app, other)
    assert colleague.get(record).status_code == 404
    page = f"/admin/people/{world.client_a.id}"
    response = post_form(admin, f"{page}/co-therapists",
                         {"co-therapist": str(other.id), "co-reason": "Gezinsgesprekken"},
                         page=page)
    assert response.status_code == 303
    assert colleague.get(record).status_code == 200
    assert "you are co-therapist" in colleague.get("/therapist/").get_data(as_text=True)
    with connected():
        relationship = CareRelationship.get((CareRelationship.therapist == other)
                                            & (CareRelationship.client == world.client_a)
                                            & CareRelationship.ended_at.is_null())
    assert relationship.role == CareRole.CO_THERAPIST
    response = post_form(admin, f"{page}/co-therapists/{relationship.id}/end",
                         {f"end-{relationship.id}-reason": "Gesprekken afgerond"}, page=page)
    assert response.status_code == 303
    assert colleague.get(record).status_code == 404
    with connected():
        ended = CareRelationship.get_by_id(relationship.id)
        actions = [e.action for e in AuditEvent.select().where(
            AuditEvent.action.startswith("care.")).order_by(AuditEvent.id)]
    assert ended.ended_at is not None
    assert ended.reason == "Gesprekken afgerond"
    assert actions == [audit.CO_THERAPIST_ADDED, audit.CO_THERAPIST_REMOVED]
    # Ending it again, or the primary relationship, is not found.
    for relationship_id in (relationship.id, 2):
        assert post_form(admin, f"{page}/co-therapists/{relationship_id}/end", {},
                         page=page).status_code == 404


def test_a_co_therapist_who_becomes_primary_has_one_relationship(
    signed_in: SignedIn, world: World
) -> None:
    co = world.person("co_therapist")
    _move(signed_in("admin"), world.client_a, co)
    assert _team(world.client_a) == [(co.email, CareRole.PRIMARY)]
    with connected():
        assert CareRelationship.select().where(
            (CareRelationship.client == world.client_a)
            & CareRelationship.ended_at.is_null()).count() == 1


def test_care_team_changes_that_do_not_fit_are_refused_with_a_message(
    signed_in: SignedIn, world: World
) -> None:
    admin = signed_in("admin")
    page = f"/admin/people/{world.client_a.id}"
    before = _team(world.client_a)
    west = world.person("other_org_therapist")
    for value in (west.id, world.person("author").id, world.therapist.id, "", "abc",
                  "99999999999999999999999"):
        response = post_form(admin, f"{page}/move", {"therapist": str(value)}, page=page)
        assert response.status_code == 422, value
        assert form_errors(response.get_data(as_text=True)), value
    for value in (west.id, world.therapist.id, world.person("co_therapist").id):
        response = post_form(admin, f"{page}/co-therapists", {"co-therapist": str(value)},
                             page=page)
        assert response.status_code == 422, value
    response = post_form(admin, f"{page}/move", {"therapist": str(
        world.person("other_therapist").id), "reason": "x" * 201}, page=page)
    assert response.status_code == 422
    assert "at most 200 characters" in response.get_data(as_text=True)
    assert _team(world.client_a) == before
    with connected():
        assert AuditEvent.select().where(AuditEvent.action == audit.CLIENT_MOVED).count() == 0


def test_the_people_page_shows_each_clients_care_team(signed_in: SignedIn,
                                                      world: World) -> None:
    page = signed_in("admin").get("/admin/").get_data(as_text=True)
    row = re.search(r"a@oost\.example</td>\s*<td[^>]*>(.*?)</td>", page, re.S)
    assert row is not None
    assert row.group(1) == "t1, co (co-therapist)"
    row_b = re.search(r"b@oost\.example</td>\s*<td[^>]*>(.*?)</td>", page, re.S)
    assert row_b is not None
    assert row_b.group(1) == "t2"


# --- the people page and the caseloads agree ---------------------------------------------------

def _caseload_names(test_client: FlaskClient) -> set[str]:
    names: set[str] = set()
    page_number = 1
    while True:
        page = test_client.get(f"/therapist/?page={page_number}").get_data(as_text=True)
        names |= set(re.findall(
            r'<th scope="row" class="th-caseload__name"><a href="[^"]+">([^<]+)</a>', page))
        if 'rel="next"' not in page:
            return names
        page_number += 1


def _people_page_teams(page: str) -> tuple[dict[str, set[str]], dict[str, int]]:
    clients_part = page[page.index('id="clients-title"'):]
    teams: dict[str, set[str]] = {}
    for name, cell in re.findall(r'<a href="/admin/people/\d+">([^<]+)</a></th>\s*'
                                 r'<td[^>]*>[^<]*</td>\s*<td[^>]*>(.*?)</td>',
                                 clients_part, re.S):
        members = re.sub(r"<[^>]+>|\(co-therapist\)|\(deactivated\)|nobody yet", "", cell)
        teams[name] = {member.strip() for member in members.split(",") if member.strip()}
    staff_part = page[page.index('id="staff-title"'):page.index('id="clients-title"')]
    counts = {}
    for row in re.findall(r"<tr>(.*?)</tr>", staff_part, re.S):
        name = re.search(r'<a href="/admin/people/\d+">([^<]+)</a>', row)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        if name and cells and cells[-1].strip().isdigit():
            counts[name.group(1)] = int(cells[-1])
    return teams, counts


def test_the_people_page_and_every_caseload_agree_on_every_client(
    app: Flask, signed_in: SignedIn, world: World
) -> None:
    """A seeded organisation: 6 therapists, 40 clients, moves and co-therapists at random."""
    chance = random.Random(7513)
    admin_user = world.person("admin")
    with connected():
        organisation = admin_user.organisation
        therapists = [User.create(organisation=organisation, email=f"th{n}@oost.example",
                                  name=f"Therapeut {n}", role=Role.THERAPIST)
                      for n in range(6)]
        version = ModuleVersion.get(ModuleVersion.module_id == "voorbeeld")
        for n in range(40):
            client = User.create(organisation=organisation, email=f"cl{n}@oost.example",
                                 name=f"Cliënt {n:02d}", role=Role.CLIENT)
            first = chance.choice(therapists)
            care.start_primary(client, first)
            Assignment.create(client=client, therapist=first, module_version=version)
            for _ in range(chance.randint(0, 3)):
                step = chance.random()
                team = care.team_of(client)
                if step < 0.4:
                    target = chance.choice([t for t in therapists
                                            if t.id != team[0].therapist.id])
                    care.move_client(admin_user, client, target.id)
                elif step < 0.8:
                    members = {r.therapist.id for r in team}
                    candidates = [t for t in therapists if t.id not in members]
                    if candidates:
                        care.add_co_therapist(admin_user, client, chance.choice(candidates).id)
                else:
                    co = [r for r in team if r.role == CareRole.CO_THERAPIST]
                    if co:
                        care.end_co_therapist(admin_user, client, co[0].id)
        # A deactivated client is on nobody's caseload.
        User.update(active=False).where(User.email == "cl5@oost.example").execute()
    teams, counts = _people_page_teams(signed_in("admin").get("/admin/").get_data(as_text=True))
    everyone = [*therapists, world.therapist, world.person("other_therapist"),
                world.person("co_therapist"), world.person("former_therapist")]
    on_caseload: dict[str, set[str]] = {}
    for therapist in everyone:
        names = _caseload_names(_as(app, therapist))
        assert counts[therapist.name] == len(names), therapist.name
        for name in names:
            on_caseload.setdefault(name, set()).add(therapist.name)
    with connected():
        clients = list(User.select().where((User.organisation == organisation)
                                           & (User.role == Role.CLIENT)))
    assert len(clients) == 42
    for client in clients:
        name = client.name
        if not client.active:
            assert name not in on_caseload
            continue
        assert teams[name] == on_caseload.get(name, set()), name
        assert len(teams[name]) >= 1, name
