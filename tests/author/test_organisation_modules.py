"""An organisation's own module: its own therapists assign it once it is published and on;
another organisation never sees it (library, assign form, API, public pages, author area)."""

from __future__ import annotations

import copy

from flask import Flask

from ehealth.database import connected
from ehealth.models import Assignment, ModuleVersion
from ehealth.services import authoring
from tests.author.modules_support import (
    browser,
    change,
    copy_of_voorbeeld,
    draft,
    page,
    post,
    submitted,
)
from tests.conftest import FIXTURE_MEDIA, World

TITLE_NL, TITLE_EN = "Onze eigen kleine stap", "Our own small step"


def _own_module(world: World) -> ModuleVersion:
    """Zorg Oost's author writes "oost-eigen" (a retitled copy); its admin publishes it."""
    author = world.person("author")
    copied = copy_of_voorbeeld(author)
    module = copy.deepcopy(draft(copied.get_id()).content["module"])
    module["title"] = {"nl": TITLE_NL, "en": TITLE_EN}
    change(author, copied.get_id(), {"module": module})
    submitted(author, copied.get_id())
    with connected():
        return authoring.publish(world.person("admin"), copied.get_id(), "1.0.0",
                                 media_dir=FIXTURE_MEDIA)


def _assign_page(app: Flask, world: World, therapist: str, client: str) -> str:
    return page(browser(app, world.person(therapist)),
                f"/therapist/clients/{world.person(client).id}")


def test_zorg_oost_therapists_assign_their_module_once_it_is_published_and_switched_on(
        app: Flask, world: World) -> None:
    author = world.person("author")
    copied = copy_of_voorbeeld(author)
    assert 'value="oost-eigen"' not in _assign_page(app, world, "own_therapist", "client_a")

    module = copy.deepcopy(draft(copied.get_id()).content["module"])
    module["title"] = {"nl": TITLE_NL, "en": TITLE_EN}
    change(author, copied.get_id(), {"module": module})
    submitted(author, copied.get_id())
    reviewer = browser(app, world.person("admin"))
    response = post(reviewer, f"/author/drafts/{copied.get_id()}/publish",
                    {"version": "1.0.0", "revision": str(draft(copied.get_id()).revision)})
    assert response.status_code == 303

    # In the organisation's library (the admin's page), and so in the assign form, by title.
    library = page(reviewer, "/admin/library")
    assert TITLE_EN in library
    assert "own module" in library
    assign = _assign_page(app, world, "own_therapist", "client_a")
    assert f'<option value="oost-eigen">{TITLE_EN}</option>' in assign
    dutch = page(browser(app, world.person("own_therapist"), "nl"),
                 f"/therapist/clients/{world.client_a.id}")
    assert f'<option value="oost-eigen">{TITLE_NL}</option>' in dutch

    # Switched off by the admin: gone from the form; on again: back.
    assert post(reviewer, "/admin/library/oost-eigen", {"available": "no"}).status_code == 303
    assert 'value="oost-eigen"' not in _assign_page(app, world, "own_therapist", "client_a")
    assert post(reviewer, "/admin/library/oost-eigen", {"available": "yes"}).status_code == 303
    assert 'value="oost-eigen"' in _assign_page(app, world, "own_therapist", "client_a")

    therapist = browser(app, world.person("own_therapist"))
    response = post(therapist, f"/therapist/clients/{world.client_a.id}/assignments",
                    {"module_id": "oost-eigen"})
    assert response.status_code == 303
    with connected():
        assignment = (Assignment.select().join(ModuleVersion)
                      .where(ModuleVersion.module_id == "oost-eigen").get())
        assert assignment.module_version.__data__["organisation"] == world.person(
            "admin").__data__["organisation"]
    client = browser(app, world.client_a)
    assert TITLE_EN in page(client, "/my-modules")
    listed = str(client.get("/api/v1/assignments").get_json())  # in the client's language
    assert TITLE_NL in listed


def test_another_organisation_never_sees_the_module(app: Flask, world: World) -> None:
    version = _own_module(world)
    west_client = world.person("other_org_client")

    # The assign form, and posting the id anyway.
    assert 'value="oost-eigen"' not in _assign_page(app, world, "other_org_therapist",
                                                    "other_org_client")
    therapist = browser(app, world.person("other_org_therapist"))
    post(therapist, f"/therapist/clients/{west_client.id}/assignments",
         {"module_id": "oost-eigen"})
    with connected():
        assert not Assignment.select().where(Assignment.client == west_client,
                                             Assignment.module_version == version).exists()

    # The admin's library, switching it, the author area.
    west_admin = browser(app, world.person("other_admin"))
    assert TITLE_EN not in page(west_admin, "/admin/library")
    assert post(west_admin, "/admin/library/oost-eigen", {"available": "yes"}).status_code == 404
    author_area = page(west_admin, "/author/")
    assert TITLE_EN not in author_area
    assert "oost-eigen" not in author_area
    page(west_admin, "/author/copy/oost-eigen", 404)
    page(west_admin, f"/author/versions/{version.get_id()}/export", 404)
    page(west_admin, "/author/modules/oost-eigen/history", 404)

    # The public library and preview: not for visitors, nor for Zorg West; for Zorg Oost.
    for visitor in (browser(app), therapist, browser(app, west_client)):
        assert TITLE_EN not in page(visitor, "/")
        page(visitor, "/modules/oost-eigen", 404)
    oost = browser(app, world.person("own_therapist"))
    assert TITLE_EN in page(oost, "/")
    assert TITLE_EN in page(oost, "/modules/oost-eigen")

    # The API: Zorg West's client has no such assignment, and Zorg Oost's are not theirs.
    oost_client = browser(app, world.client_a)
    post(browser(app, world.person("own_therapist")),
         f"/therapist/clients/{world.client_a.id}/assignments", {"module_id": "oost-eigen"})
    with connected():
        oost_assignment = (Assignment.select().where(Assignment.module_version == version)
                           .get())
    assert TITLE_NL in str(oost_client.get("/api/v1/assignments").get_json())
    api = browser(app, west_client)
    listed = str(api.get("/api/v1/assignments").get_json())
    assert TITLE_NL not in listed
    assert "oost-eigen" not in listed
    assert api.get(f"/api/v1/assignments/{oost_assignment.id}").status_code == 404
