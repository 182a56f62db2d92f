"""Modules as zip files through the pages: export a draft or a version with its media, import
it again (as a new module or into a draft), and a zip with problems stores nothing."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from werkzeug.test import TestResponse

from ehealth.content.package import import_zip
from ehealth.database import connected
from ehealth.models import AuditEvent, MediaFile, ModuleDraft
from ehealth.services import media
from tests.author.modules_support import (
    browser,
    change,
    copy_of_voorbeeld,
    draft,
    page,
    post,
    published,
    step_of,
)
from tests.conftest import FIXTURE_MEDIA, World


def _png() -> bytes:
    picture = io.BytesIO()
    Image.new("RGB", (6, 4), (242, 165, 65)).save(picture, "PNG")
    return picture.getvalue()


def _with_upload(app: Flask, world: World) -> tuple[ModuleDraft, str]:
    """A copy of voorbeeld whose opening shows an image uploaded by Zorg Oost."""
    author = world.person("author")
    copied = copy_of_voorbeeld(author)
    with connected():
        upload = media.store_upload(author, _png(), "zon.png",
                                    Path(app.config["INSTANCE_DIR"]))
    step = step_of(copied.content, "welkom")
    step["illustration"] = {"src": upload.path, "alt": {"nl": "Een zon", "en": "A sun"}}
    return change(author, copied.get_id(), {"step:welkom": step}), upload.path


def _import(test_client: FlaskClient, data: bytes, **fields: str) -> TestResponse:
    return post(test_client, "/author/import",
                {"archive": (io.BytesIO(data), "module.zip"), **fields},
                content_type="multipart/form-data")


def _counts() -> tuple[int, int, int]:
    with connected():
        return (ModuleDraft.select().count(), MediaFile.select().count(),
                AuditEvent.select().where(AuditEvent.action == "module.imported").count())


def test_a_draft_goes_out_as_a_zip_with_its_media_and_comes_back_the_same(
        app: Flask, world: World) -> None:
    copied, upload = _with_upload(app, world)
    author = browser(app, world.person("author"))
    response = author.get(f"/author/drafts/{copied.get_id()}/export")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    assert "oost-eigen-draft-2.zip" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    exported = response.data
    names = zipfile.ZipFile(io.BytesIO(exported)).namelist()
    assert "modules/oost-eigen/module.json" in names
    assert "modules/oost-eigen/lessons/begin.json" in names
    assert f"media/{upload}" in names
    assert "media/voorbeeld/cover.svg" in names  # the library's media it kept
    assert import_zip(exported, FIXTURE_MEDIA).ok  # what check-modules accepts

    # Into the same draft: nothing changes, and it exports to the same bytes.
    before = draft(copied.get_id())
    response = _import(author, exported, target=str(copied.get_id()))
    assert response.status_code == 303
    after = draft(copied.get_id())
    assert json.dumps(after.content, sort_keys=True) == json.dumps(before.content,
                                                                   sort_keys=True)
    again = author.get(f"/author/drafts/{copied.get_id()}/export").data
    assert again == exported
    with connected():
        assert AuditEvent.select().where(AuditEvent.action == "module.imported").count() == 1


def test_another_organisation_imports_the_zip_as_its_own_module_with_its_own_media(
        app: Flask, world: World) -> None:
    copied, upload = _with_upload(app, world)
    exported = browser(app, world.person("author")).get(
        f"/author/drafts/{copied.get_id()}/export").data
    west = browser(app, world.person("other_admin"))
    taken = _import(west, exported, target="new")
    assert taken.status_code == 422
    assert "already used by another module or draft" in taken.get_data(
        as_text=True)
    response = _import(west, exported, target="new", module_id="west-stap")
    assert response.status_code == 303
    with connected():
        imported = ModuleDraft.get(ModuleDraft.module_id == "west-stap")
        west_id = world.person("other_admin").__data__["organisation"]
        assert imported.__data__["organisation"] == west_id
        assert upload in MediaFile.paths_of(west_id)  # stored for Zorg West too
        assert AuditEvent.get(AuditEvent.action == "module.imported").__data__[
            "organisation"] == west_id
    original = dict(copied.content, module={**copied.content["module"], "id": "west-stap"})
    assert json.dumps(imported.content, sort_keys=True) == json.dumps(original, sort_keys=True)


def test_a_published_version_is_exported_and_another_organisation_cannot_have_it(
        app: Flask, world: World) -> None:
    version = published(world.person("author"), world.person("admin"))
    response = browser(app, world.person("admin")).get(
        f"/author/versions/{version.get_id()}/export")
    assert response.status_code == 200
    assert "oost-eigen-1.0.0.zip" in response.headers["Content-Disposition"]
    result = import_zip(response.data, FIXTURE_MEDIA)
    assert result.ok
    assert result.content == version.content
    west = browser(app, world.person("other_admin"))
    assert west.get(f"/author/versions/{version.get_id()}/export").status_code == 404


def test_a_file_that_is_not_a_zip_is_refused_clearly_and_nothing_is_stored(
        app: Flask, world: World) -> None:
    before = _counts()
    response = _import(browser(app, world.person("author")), b"PK\x03\x04 broken",
                       target="new")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The zip was not imported: it has 1 problem, listed below. Nothing was stored." \
        in html
    assert "Not a zip file, or a damaged one" in html
    assert _counts() == before


def test_a_zip_with_several_problems_lists_every_one_and_stores_nothing(
        app: Flask, world: World) -> None:
    copied, _upload = _with_upload(app, world)
    exported = browser(app, world.person("author")).get(
        f"/author/drafts/{copied.get_id()}/export").data
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(exported)) as source, zipfile.ZipFile(broken, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith("lessons/verder.json"):
                data = b'{"id": "verder", "title": '  # cut off
            elif info.filename.startswith("media/uploads/"):
                data = b"<html><script>alert(1)</script></html>"  # not the PNG it says
            out.writestr(info, data)
    before = _counts()
    author = browser(app, world.person("author"))
    response = _import(author, broken.getvalue(), target=str(copied.get_id()))
    html = re.sub(r"\s+", " ", response.get_data(as_text=True))
    assert response.status_code == 422
    assert "modules/oost-eigen/lessons/verder.json" in html
    assert "The content is not a .png file" in html
    assert _counts() == before
    assert draft(copied.get_id()).revision == copied.revision  # the draft is as it was


def test_the_import_form_asks_for_a_file_and_a_draft_of_the_organisation(
        app: Flask, world: World) -> None:
    copied = copy_of_voorbeeld(world.person("author"))
    author = browser(app, world.person("author"))
    form = page(author, f"/author/import?draft={copied.get_id()}")
    assert f'value="{copied.get_id()}" checked' in form
    response = post(author, "/author/import", {"target": "new"})
    assert response.status_code == 422
    assert "Choose the zip file to import." in response.get_data(as_text=True)
    # Zorg West cannot import into Zorg Oost's draft.
    exported = author.get(f"/author/drafts/{copied.get_id()}/export").data
    west = _import(browser(app, world.person("other_admin")), exported,
                   target=str(copied.get_id()))
    assert west.status_code == 422
    assert "Choose a draft of your organisation" in west.get_data(
        as_text=True)
