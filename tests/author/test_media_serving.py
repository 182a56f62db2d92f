"""Serving uploads (``GET /media/uploads/<sha256>.<ext>``): to the organisation's own people
only, sandboxed, never sniffed, cached for good because the name is the content's hash."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from ehealth.database import connected
from ehealth.models import MediaFile, User
from ehealth.services import media
from tests.author import media_samples as samples
from tests.conftest import World, login


def _store(app: Flask, user: User, data: bytes, name: str) -> MediaFile:
    with connected():
        return media.store_upload(user, data, name, Path(app.config["INSTANCE_DIR"]))


def _as(app: Flask, user: User | None) -> FlaskClient:
    test_client = app.test_client()
    if user is not None:
        login(test_client, user)
    return test_client


def _get(test_client: FlaskClient, path: str, **kwargs: Any) -> TestResponse:
    """GET ``path``, read the body and close the response (a file is sent from disk)."""
    response = test_client.get(path, **kwargs)
    response.get_data()
    response.close()
    return response


def _url(stored: MediaFile) -> str:
    return f"/media/uploads/{stored.sha256}.{stored.extension}"


@pytest.fixture
def sun(app: Flask, world: World) -> MediaFile:
    return _store(app, world.person("author"), samples.SVG, "zon.svg")


def test_an_upload_is_served_sandboxed_with_its_stored_type(app: Flask, world: World,
                                                            sun: MediaFile) -> None:
    response = _get(_as(app, world.person("client_a")), _url(sun))
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    policy = response.headers["Content-Security-Policy"]
    assert policy.split(";")[0] == "sandbox"
    assert "default-src 'none'" in policy
    assert "script-src" not in policy
    assert response.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    stored = (Path(app.config["INSTANCE_DIR"]) / sun.path).read_bytes()
    assert response.get_data() == stored


@pytest.mark.parametrize(("make", "content_type"), [
    (lambda: samples.image("JPEG"), "image/jpeg"), (samples.mp3, "audio/mpeg"),
    (samples.mp4, "video/mp4"), (samples.vtt, "text/vtt; charset=utf-8"),
])
def test_each_kind_is_served_with_the_content_type_it_was_stored_with(
        app: Flask, world: World, make: object, content_type: str) -> None:
    assert callable(make)
    stored = _store(app, world.person("author"), make(), "bestand.png")
    response = _get(_as(app, world.person("own_therapist")), _url(stored))
    assert response.headers["Content-Type"] == content_type


@pytest.mark.parametrize("role", ["other_admin", "other_org_therapist", "other_org_client"])
def test_another_organisations_upload_does_not_exist(app: Flask, world: World, sun: MediaFile,
                                                     role: str) -> None:
    response = _get(_as(app, world.person(role)), _url(sun))
    assert response.status_code == 404
    assert b"<svg" not in response.get_data()


def test_a_visitor_gets_404_not_a_login_page(app: Flask, sun: MediaFile) -> None:
    assert _get(_as(app, None), _url(sun)).status_code == 404


def test_a_file_uploaded_by_both_organisations_is_served_to_both(app: Flask, world: World,
                                                                 sun: MediaFile) -> None:
    _store(app, world.person("other_admin"), samples.SVG, "west.svg")
    assert _get(_as(app, world.person("other_org_client")), _url(sun)).status_code == 200


@pytest.mark.parametrize("name", [
    "{sha}.png", "{SHA}.svg", "{sha}.svg.svg", "{sha}", "..%2f{sha}.svg", "%2e%2e/{sha}.svg",
    ".upload-x.part", "{sha}.svg%00.png",
])
def test_only_the_exact_name_of_an_own_upload_is_served(app: Flask, world: World,
                                                         sun: MediaFile, name: str) -> None:
    path = "/media/uploads/" + name.format(sha=sun.sha256, SHA=sun.sha256.upper())
    assert _get(_as(app, world.person("author")), path).status_code in (400, 404)


def test_a_cached_copy_is_confirmed_by_its_etag(app: Flask, world: World,
                                                sun: MediaFile) -> None:
    browser = _as(app, world.person("author"))
    first = _get(browser, _url(sun))
    again = _get(browser, _url(sun), headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert sun.sha256 in first.headers["ETag"]


def test_video_can_be_played_from_any_point(app: Flask, world: World) -> None:
    stored = _store(app, world.person("author"), samples.mp4(5000), "film.mp4")
    response = _get(_as(app, world.person("client_a")), _url(stored),
                                                      headers={"Range": "bytes=100-199"})
    assert response.status_code == 206
    assert len(response.get_data()) == 100


def test_an_upload_whose_file_is_gone_is_404(app: Flask, world: World, sun: MediaFile) -> None:
    (Path(app.config["INSTANCE_DIR"]) / sun.path).unlink()
    assert _get(_as(app, world.person("author")), _url(sun)).status_code == 404


def test_an_inactive_person_of_the_organisation_gets_404(app: Flask, world: World,
                                                         sun: MediaFile) -> None:
    browser = _as(app, world.person("client_a"))
    with connected():
        User.update(active=False).where(User.id == world.person("client_a").id).execute()
    assert _get(browser, _url(sun)).status_code in (302, 404)


def test_shipped_media_are_still_served_from_the_media_folder(app: Flask) -> None:
    response = _get(_as(app, None), "/media/voorbeeld/cover.svg")
    assert response.status_code == 200
