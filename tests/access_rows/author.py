"""Rows for the author area's module pages (list, new, copy, review, publish, history, zips)
and the admin's four-eyes setting.

The author area is for authors and admins (others 403, visitors the log-in page). Zorg West's
admin is an author of their own organisation: the list and the forms open (200 / 422), but
Zorg Oost's drafts and versions do not exist for them (404). Four eyes shows in the review
rows: Zorg Oost's author sent the draft for review and made its last change, so they may not
publish or send it back (403), while the admin may (the posted forms have a mistake: 422, so
nothing is published).

``placeholders`` gives Zorg Oost a published module of its own ("oost-eigen" 1.0.0, copied
from voorbeeld) and a second copy in review ("oost-concept").
"""

from typing import Any

from ehealth.database import connected
from ehealth.models import ModuleVersion
from ehealth.services import authoring
from tests.access_rows import ADMINS, only
from tests.conftest import FIXTURE_MEDIA, World

AUTHORS = ("author", "admin", "other_admin")
DRAFT = "/author/drafts/{review_draft}"


def placeholders(world: World) -> dict[str, Any]:
    """Zorg Oost's own published module and a draft of another module, sent for review."""
    author, admin = world.person("author"), world.person("admin")
    with connected():
        library = ModuleVersion.get(ModuleVersion.module_id == "voorbeeld")
        own = authoring.copy_module(author, library, "oost-eigen")
        authoring.submit(author, own.get_id(), "Onze eigen versie", FIXTURE_MEDIA)
        version = authoring.publish(admin, own.get_id(), "1.0.0", media_dir=FIXTURE_MEDIA)
        draft = authoring.copy_module(author, library, "oost-concept")
        authoring.submit(author, draft.get_id(), "Klaar om te lezen", FIXTURE_MEDIA)
    return {"own_module": version.module_id, "own_version": version.get_id(),
            "review_draft": draft.get_id()}


def authors(status: int) -> dict[str, int]:
    """``status`` for both organisations' authors and admins, 403 for others, visitors log in."""
    return only(status, AUTHORS, anonymous=302)


def own(status: int) -> dict[str, int]:
    """``status`` for Zorg Oost's author and admin; 404 for Zorg West's admin."""
    return {**authors(404), "author": status, "admin": status}


def reviewer(status: int) -> dict[str, int]:
    """``status`` for Zorg Oost's admin; 403 for its author (the last editor); 404 elsewhere."""
    return {**own(status), "author": 403}


ROWS = {
    ("GET", "/author/"): ("/author/", None, authors(200)),
    ("GET", "/author/new"): ("/author/new", None, authors(200)),
    ("POST", "/author/new"): (
        "/author/new", {"module_id": "Geen Id!", "title": "", "languages": "nl"}, authors(422)),
    ("GET", "/author/copy/<module_id>"): ("/author/copy/voorbeeld", None, authors(200)),
    ("POST", "/author/copy/<module_id>"): (
        "/author/copy/voorbeeld", {"module_id": "Geen Id!"}, authors(422)),
    ("POST", "/author/modules/<module_id>/edit"): (
        "/author/modules/{own_module}/edit", {}, own(303)),
    ("GET", "/author/modules/<module_id>/history"): (
        "/author/modules/{own_module}/history", None, own(200)),
    ("GET", "/author/modules/<module_id>/compare"): (
        "/author/modules/{own_module}/compare?old=1.0.0&new=1.0.0", None, own(200)),
    ("POST", "/author/versions/<int:version_id>/revert"): (
        "/author/versions/{own_version}/revert", {}, own(303)),
    ("GET", "/author/versions/<int:version_id>/export"): (
        "/author/versions/{own_version}/export", None, own(200)),
    ("GET", "/author/drafts/<int:draft_id>/review"): (f"{DRAFT}/review", None, own(200)),
    ("POST", "/author/drafts/<int:draft_id>/submit"): (
        f"{DRAFT}/submit", {"note": ""}, own(303)),
    ("POST", "/author/drafts/<int:draft_id>/comments"): (
        f"{DRAFT}/comments", {"body": "Ik lees mee."}, own(303)),
    ("POST", "/author/drafts/<int:draft_id>/publish"): (
        f"{DRAFT}/publish", {"version": "0.0.1", "revision": "1"}, reviewer(422)),
    ("POST", "/author/drafts/<int:draft_id>/send-back"): (
        f"{DRAFT}/send-back", {"reason": ""}, reviewer(422)),
    ("GET", "/author/drafts/<int:draft_id>/export"): (f"{DRAFT}/export", None, own(200)),
    ("GET", "/author/import"): ("/author/import", None, authors(200)),
    ("POST", "/author/import"): ("/author/import", {"target": "new"}, authors(422)),
    # The admin's setting for the review of the organisation's own modules.
    ("POST", "/admin/module-review"): (
        "/admin/module-review", {"four_eyes": "on"}, only(303, ADMINS, anonymous=302)),
    # The organisation's own words to avoid: a form with a mistake (422), nothing is stored;
    # removing a word that is not on the list is 404.
    ("POST", "/admin/writing-words"): (
        "/admin/writing-words", {"language": "nl", "word": "", "alternative": ""},
        only(422, ADMINS, anonymous=302)),
    ("POST", "/admin/writing-words/<int:index>/remove"): (
        "/admin/writing-words/0/remove", {}, only(404, ADMINS, anonymous=302)),
}
