"""Rows for the media library (author area) and for serving uploaded media.

The library is for authors and admins (others 403, visitors the log-in page); Zorg West's admin
is an author of their own organisation, so the page opens for them with their own (empty)
library. The upload row posts a form without a file: refused with a message (422), so the
matrix stores nothing.

An upload is served only to signed-in people of the organisation that uploaded it: everyone of
Zorg Oost (its clients, therapists, author and admin: they do and write its modules) gets 200;
visitors and everyone of Zorg West, its admin included, get 404: another organisation's media
do not exist for them. ``placeholders`` uploads one PNG as Zorg Oost's author.
"""

import io
from pathlib import Path
from typing import Any

from flask import current_app
from PIL import Image

from ehealth.database import connected
from ehealth.services import media
from tests.access_rows import ROLES, only
from tests.conftest import World

AUTHORS = ("author", "admin", "other_admin")
ZORG_WEST = ("other_admin", "other_org_therapist", "other_org_client")


def placeholders(world: World) -> dict[str, Any]:
    """A PNG in Zorg Oost's media library."""
    picture = io.BytesIO()
    Image.new("RGB", (4, 3), (47, 111, 94)).save(picture, "PNG")
    with connected():
        stored = media.store_upload(world.person("author"), picture.getvalue(), "zon.png",
                                    Path(current_app.config["INSTANCE_DIR"]))
    return {"upload_a": f"{stored.sha256}.{stored.extension}"}


def authors(status: int) -> dict[str, int]:
    """``status`` for both organisations' authors and admins, 403 for others, visitors log in."""
    return only(status, AUTHORS, anonymous=302)


ROWS = {
    ("GET", "/author/media"): ("/author/media", None, authors(200)),
    ("POST", "/author/media"): ("/author/media", {}, authors(422)),
    ("GET", "/media/uploads/<name>"): (
        "/media/uploads/{upload_a}", None,
        {role: 404 if role in (*ZORG_WEST, "anonymous") else 200 for role in ROLES}),
}
