"""Refused attempts across organisations are logged where the record is, and nowhere else.

The finding: staff of organisation B who asked for ``/therapist/clients/<id>`` for ids 1…15
were refused, but each refusal was written into B's access log naming the client, so B's log
page and CSV listed the names and e-mail addresses of organisation A's clients, and A's own log
showed none of the attempts.
"""

from __future__ import annotations

import re

from flask import Flask

from ehealth.database import connected
from ehealth.models import AuditEvent, AuditOutcome, User
from ehealth.services import audit
from tests.admin.conftest import SignedIn
from tests.auth.helpers import browser
from tests.conftest import World, login

ZORG_OOST_CLIENTS = ("a@oost.example", "b@oost.example")


def _oost_client_names(world: World) -> list[str]:
    return [world.person("client_a").name, world.person("client_b").name]


def test_probing_another_organisations_client_ids_leaves_nothing_in_the_own_log(
    app: Flask, signed_in: SignedIn, world: World
) -> None:
    west_therapist = browser(app)
    login(west_therapist, world.person("other_org_therapist"))
    west_admin = signed_in("other_admin")
    own_client = world.person("other_org_client").id
    for prober in (west_therapist, west_admin):
        for client_id in range(1, 16):
            response = prober.get(f"/therapist/clients/{client_id}")
            if prober is west_therapist and client_id == own_client:
                assert response.status_code == 200
            else:
                assert response.status_code in (403, 404), client_id
    with connected():
        west = world.person("other_admin").__data__["organisation"]
        oost = world.client_a.__data__["organisation"]
        in_west = list(AuditEvent.select().where(AuditEvent.organisation == west))
        refused = list(AuditEvent.select().where(
            (AuditEvent.organisation == oost) & (AuditEvent.outcome == AuditOutcome.DENIED)))
    # Zorg West's log holds nothing about Zorg Oost's clients.
    oost_ids = {world.client_a.id, world.person("client_b").id}
    assert not [e for e in in_west if e.__data__["client"] in oost_ids]
    for path in ("/admin/audit-log", "/admin/audit-log.csv", "/admin/audit-log?page=2"):
        page = west_admin.get(path).get_data(as_text=True)
        for email in ZORG_OOST_CLIENTS:
            assert email not in page, (path, email)
    # Zorg Oost's log has each attempt on its two clients: who, from where, which organisation.
    assert {e.__data__["client"] for e in refused} == oost_ids
    assert len(refused) == 4  # two clients, two probers
    oost_admin = signed_in("admin")
    page = oost_admin.get("/admin/audit-log").get_data(as_text=True)
    assert page.count("(of Zorg West)") == 4
    assert "t@west.example" in page or "t, therapist" in page
    csv = oost_admin.get("/admin/audit-log.csv").get_data(as_text=True)
    assert csv.splitlines()[0].endswith(",actor_organisation")
    assert sum(1 for line in csv.splitlines() if line.endswith(",Zorg West")) == 4
    assert all("127.0.0.1" in line for line in csv.splitlines()
               if line.endswith(",Zorg West"))


def test_a_former_therapists_attempt_is_logged_as_refused(
    app: Flask, world: World
) -> None:
    former = browser(app)
    login(former, world.person("former_therapist"))
    assert former.get(f"/therapist/clients/{world.client_a.id}").status_code == 404
    with connected():
        [event] = AuditEvent.select().where(AuditEvent.client == world.client_a)
    assert event.outcome == AuditOutcome.DENIED
    assert event.__data__["actor"] == world.person("former_therapist").id


def test_a_client_page_of_who_looked_cannot_be_flooded_and_keeps_every_event(
    signed_in: SignedIn, world: World
) -> None:
    stranger = world.person("other_org_therapist")
    with connected():
        for _ in range(300):
            audit.record(stranger, audit.CLIENT_VIEWED, client=world.client_a,
                         outcome=AuditOutcome.DENIED)
        therapist = User.get_by_id(world.therapist.id)
        for _ in range(60):
            audit.record(therapist, audit.ANSWERS_VIEWED, client=world.client_a)
        total = AuditEvent.select().where(AuditEvent.client == world.client_a).count()
    assert total == 360  # every event is kept
    client = signed_in("client_a")
    first = client.get("/my-data/access-log").get_data(as_text=True)
    rows = re.findall(r"<tr>.*?</tr>", first[first.index("<tbody>"):], re.S)
    assert len(rows) == 50
    assert "Page 1 of 2" in first
    second = client.get("/my-data/access-log?page=2").get_data(as_text=True)
    rows_2 = re.findall(r"<tr>.*?</tr>", second[second.index("<tbody>"):], re.S)
    assert len(rows_2) == 11  # 60 looks one by one, and the 300 refusals as one line
    grouped = [row for row in rows + rows_2 if "300 times" in row]
    assert len(grouped) == 1
    assert "Someone of another care organisation" in grouped[0]
    assert "t@west.example" not in first + second
    assert client.get("/my-data/access-log?page=99999999999999999999").status_code == 200
