"""The module library: an admin switches modules off (and on) for their organisation only;
the therapist area asks ``services.library.available_modules`` which modules it may offer."""

from __future__ import annotations

import dataclasses

from flask import Flask

from ehealth.content.loader import Module
from ehealth.database import connected
from ehealth.models import ModuleVersion, OrganisationModule
from ehealth.module_library import modules
from ehealth.services import library
from tests.admin.conftest import SignedIn
from tests.auth.helpers import post_form
from tests.conftest import World


def _library(app: Flask) -> dict[str, Module]:
    """The fixture library plus a second module, "tweede", as if it were loaded too."""
    loaded = modules(app)
    second = dataclasses.replace(loaded["voorbeeld"], id="tweede")
    loaded["tweede"] = second
    return loaded


def _ids(found: list[Module]) -> list[str]:
    return [m.id for m in found]


def test_every_module_is_available_until_the_admin_switches_it_off(
    app: Flask, signed_in: SignedIn, world: World
) -> None:
    all_modules = _library(app)
    home = world.therapist.organisation
    with connected():
        assert _ids(library.available_modules(home, all_modules)) == ["voorbeeld", "tweede"]
    admin = signed_in("admin")
    page = admin.get("/admin/library").get_data(as_text=True)
    assert "One small step" in page
    assert "Version 1.0.0" in page
    assert page.count("Available to therapists") == 2

    response = post_form(admin, "/admin/library/tweede", {"available": "no"},
                         page="/admin/library")
    assert response.status_code == 303
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "switched off" in page
    with connected():
        assert _ids(library.available_modules(home, all_modules)) == ["voorbeeld"]
        assert _ids(library.available_modules(home, list(all_modules.values()))) == [
            "voorbeeld"]
        assert not library.is_available(home, "tweede", all_modules)
        choice = OrganisationModule.get(OrganisationModule.module_id == "tweede")
        assert choice.updated_by_id == world.people["admin"].id  # type: ignore[union-attr]

    post_form(admin, "/admin/library/tweede", {"available": "yes"}, page="/admin/library")
    with connected():
        assert _ids(library.available_modules(home, all_modules)) == ["voorbeeld", "tweede"]
        assert OrganisationModule.select().count() == 1  # the same row, switched back


def test_switching_a_module_off_is_for_the_admins_own_organisation_only(
    app: Flask, signed_in: SignedIn, world: World
) -> None:
    all_modules = _library(app)
    post_form(signed_in("other_admin"), "/admin/library/voorbeeld", {"available": "no"},
              page="/admin/library")
    other = world.people["other_admin"]
    assert other is not None
    with connected():
        assert _ids(library.available_modules(other.organisation, all_modules)) == ["tweede"]
        assert _ids(library.available_modules(world.therapist.organisation, all_modules)) == [
            "voorbeeld", "tweede"]
    page = signed_in("admin").get("/admin/library").get_data(as_text=True)
    assert "Switched off" not in page


def test_a_module_that_is_not_in_the_library_is_not_found(
    signed_in: SignedIn, world: World
) -> None:
    response = post_form(signed_in("admin"), "/admin/library/no-such-module",
                         {"available": "no"}, page="/admin/library")
    assert response.status_code == 404
    with connected():
        assert OrganisationModule.select().count() == 0


def test_a_module_published_by_another_organisation_is_never_offered_here(
    app: Flask, signed_in: SignedIn, world: World
) -> None:
    all_modules = _library(app)
    other = world.people["other_admin"]
    assert other is not None
    with connected():
        ModuleVersion.create(module_id="tweede", version="9.0.0", content_hash="x" * 64,
                             content={}, organisation=other.organisation)
        assert _ids(library.available_modules(world.therapist.organisation, all_modules)) == [
            "voorbeeld"]
        assert _ids(library.available_modules(other.organisation, all_modules)) == [
            "voorbeeld", "tweede"]
    admin = signed_in("admin")
    assert admin.get("/admin/library").get_data(as_text=True).count("Version 1.0.0") == 1
    response = post_form(admin, "/admin/library/tweede", {"available": "yes"},
                         page="/admin/library")
    assert response.status_code == 404
