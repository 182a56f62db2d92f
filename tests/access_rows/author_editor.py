"""Rows for the module editor and the preview (``ehealth/author/editor_routes.py``).

For authors and admins (others 403, visitors the log-in page). Zorg Oost's draft does not exist
for Zorg West's admin (404), also not its preview; the writing rules are for every author. The
posted bodies change nothing: a Save of a page without edits (303), an empty choice after a
conflict (303), an undo of nothing (400), JSON that does not parse (422).

``placeholders`` gives Zorg Oost's author a draft: a copy of voorbeeld ("oost-bewerken").
"""

from typing import Any

from ehealth.database import connected
from ehealth.models import ModuleVersion
from ehealth.services import authoring
from tests.access_rows import only
from tests.conftest import World

AUTHORS = ("author", "admin", "other_admin")
DRAFT = "/author/drafts/{editor_draft}"
RULE = "/author/drafts/<int:draft_id>"


def placeholders(world: World) -> dict[str, Any]:
    """A draft of Zorg Oost, copied from the shipped voorbeeld module."""
    with connected():
        library = ModuleVersion.get(ModuleVersion.module_id == "voorbeeld")
        draft = authoring.copy_module(world.person("author"), library, "oost-bewerken")
    return {"editor_draft": draft.get_id()}


def own(status: int) -> dict[str, int]:
    """``status`` for Zorg Oost's author and admin; 404 for Zorg West's admin; 403 for the
    rest; visitors are sent to log in."""
    return {**only(404, AUTHORS, anonymous=302), "author": status, "admin": status}


ROWS = {
    ("GET", RULE): (DRAFT, None, own(200)),
    ("GET", f"{RULE}/lessons/<lesson_id>"): (f"{DRAFT}/lessons/begin", None, own(200)),
    ("POST", f"{RULE}/save"): (f"{DRAFT}/save", {"page": "overview"}, own(303)),
    ("POST", f"{RULE}/resolve"): (f"{DRAFT}/resolve", {"page": "overview", "edits": "[]"},
                                  own(303)),
    ("POST", f"{RULE}/restore"): (f"{DRAFT}/restore", {"removed": "{}"}, own(400)),
    ("GET", f"{RULE}/lessons/<lesson_id>/json"): (f"{DRAFT}/lessons/begin/json", None, own(200)),
    ("POST", f"{RULE}/lessons/<lesson_id>/json"): (
        f"{DRAFT}/lessons/begin/json", {"json": "{", "base": ""}, own(422)),
    ("POST", f"{RULE}/markdown"): (f"{DRAFT}/markdown", {"text": "**sterk**"}, own(200)),
    ("GET", f"{RULE}/preview"): (f"{DRAFT}/preview", None, own(200)),
    ("GET", f"{RULE}/preview/play"): (f"{DRAFT}/preview/play", None, own(200)),
    ("POST", f"{RULE}/preview/play"): (
        f"{DRAFT}/preview/play", {"__step": "welkom", "action": "next"}, own(200)),
    ("GET", "/author/writing-guide"): (
        "/author/writing-guide", None, only(200, AUTHORS, anonymous=302)),
}
