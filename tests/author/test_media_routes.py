"""The media library page: upload a file, see it listed, and a clear message when it is refused."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart

from ehealth.database import connected
from ehealth.i18n import LANGUAGE_COOKIE
from ehealth.models import MediaFile, User
from ehealth.services import media
from tests.author import media_samples as samples
from tests.conftest import World, csrf_token, login


def _browser(app: Flask, user: User, language: str = "en") -> FlaskClient:
    test_client = app.test_client()
    test_client.environ_base["HTTP_REFERER"] = "https://localhost/"
    test_client.set_cookie(LANGUAGE_COOKIE, language)
    login(test_client, user)
    return test_client


@pytest.fixture
def author(app: Flask, world: World) -> FlaskClient:
    return _browser(app, world.person("author"))


def _upload(test_client: FlaskClient, data: bytes, name: str, **extra: Any) -> TestResponse:
    """Post the upload form. The body is encoded in memory: the test client would spool a
    large one to a temporary file that it never closes."""
    boundary, body = encode_multipart({
        "csrf_token": csrf_token(test_client, "/author/media"),
        "file": FileStorage(io.BytesIO(data), name), **extra})
    return test_client.post("/author/media", data=body,
                            content_type=f"multipart/form-data; boundary={boundary}")


def _stored() -> list[MediaFile]:
    with connected():
        return list(MediaFile.select())


def test_an_uploaded_image_is_listed_with_the_path_to_use(app: Flask, author: FlaskClient) -> None:
    response = _upload(author, samples.image("PNG"), "zon.png")
    assert response.status_code == 303
    [stored] = _stored()
    assert response.headers["Location"].endswith(f"/author/media#media-{stored.sha256}")
    page = author.get("/author/media").get_data(as_text=True)
    assert f"Uploaded: zon.png (image, PNG). Use it in a module by its path, {stored.path}" in page
    item = page[page.index(f'id="media-{stored.sha256}"'):]
    assert f"<code class=\"media-library__path\">{stored.path}</code>" in item
    assert f'<img class="media-preview media-preview--image" src="/media/uploads/{stored.sha256}' \
           '.png" alt=""' in item
    assert "Image (PNG)" in item
    assert "zon.png" in item
    assert (Path(app.config["INSTANCE_DIR"]) / stored.path).is_file()


def test_sound_and_video_are_listed_with_players(author: FlaskClient) -> None:
    _upload(author, samples.mp3(), "groet.mp3")
    _upload(author, samples.webm(), "film.webm")
    page = author.get("/author/media").get_data(as_text=True)
    assert re.search(r'<audio [^>]*controls preload="none"[^>]*aria-label="Listen: groet.mp3"',
                     page)
    assert re.search(r'<video [^>]*controls[^>]*aria-label="Watch: film.webm"', page)
    assert "Sound (MP3)" in page
    assert "Video (WebM)" in page


def test_a_file_whose_name_lies_is_stored_as_what_it_is_and_the_author_is_told(
        author: FlaskClient) -> None:
    _upload(author, samples.image("JPEG"), "foto.png")
    [stored] = _stored()
    assert stored.extension == "jpg"
    page = author.get("/author/media").get_data(as_text=True)
    assert "says another type than its content: it is stored as the JPEG file it is" in page


def _refused(response: TestResponse, status: int) -> str:
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert 'class="error-summary"' in page
    assert 'href="#file"' in page
    assert 'aria-describedby="file-hint file-error"' in page
    assert 'aria-invalid="true"' in page
    assert _stored() == []
    return page


def test_html_named_png_is_refused_with_a_clear_message(author: FlaskClient) -> None:
    page = _refused(_upload(author, b"<html><script>alert(1)</script></html>", "zon.png"), 422)
    assert "This file holds text (such as a web page or a script), not an image, sound or " \
           "video, whatever its name says. You can upload: PNG, JPEG, WebP, MP3" in page


def test_an_unknown_type_is_refused_naming_it(author: FlaskClient) -> None:
    page = _refused(_upload(author, samples.image("GIF"), "dans.gif"), 422)
    assert "This file is of a type that cannot be used here (image/gif)" in page


def test_a_too_large_image_is_refused_with_its_size_and_the_limit(author: FlaskClient) -> None:
    data = samples.image("PNG") + b"\0" * media.LIMITS["image"]
    page = _refused(_upload(author, data, "groot.png"), 413)
    assert "This image is 5.0 MB; an image can be at most 5.0 MB." in page


def test_a_broken_svg_is_refused_with_where_it_breaks(author: FlaskClient) -> None:
    page = _refused(_upload(author, b'<svg xmlns="http://www.w3.org/2000/svg">\n<g>\n</svg>',
                            "kapot.svg"), 422)
    assert "This SVG cannot be read: it is damaged or unfinished at line 3, column 3." in page


def test_an_svg_with_entities_is_refused(author: FlaskClient) -> None:
    billion = (b'<!DOCTYPE svg [<!ENTITY a "lol">]><svg xmlns="http://www.w3.org/2000/svg">'
               b"<text>&a;</text></svg>")
    page = _refused(_upload(author, billion, "lol.svg"), 422)
    assert "This SVG declares entities" in page


def test_no_file_chosen_is_refused(author: FlaskClient) -> None:
    response = author.post("/author/media", data={
        "csrf_token": csrf_token(author, "/author/media"), "file": (io.BytesIO(b""), "")},
        content_type="multipart/form-data")
    assert "Choose a file to upload." in _refused(response, 422)


def test_an_empty_file_is_refused(author: FlaskClient) -> None:
    assert "This file is empty." in _refused(_upload(author, b"", "leeg.png"), 422)


def test_messages_are_in_dutch_for_a_dutch_page(app: Flask, world: World) -> None:
    dutch = _browser(app, world.person("author"), "nl")
    page = dutch.get("/author/media").get_data(as_text=True)
    assert "Mediabibliotheek" in page
    refused = _upload(dutch, samples.image("PNG") + b"\0" * media.LIMITS["image"], "groot.png")
    assert "5,0 MB" in refused.get_data(as_text=True)
    html = _upload(dutch, b"<html></html>", "zon.png").get_data(as_text=True)
    assert "tekst" in html


def test_a_request_over_the_upload_limit_gets_the_library_with_a_message(
        app: Flask, author: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    view = app.view_functions["author.upload_media"]
    monkeypatch.setattr(view, "max_body_bytes", 2048)
    response = _upload(author, samples.image("PNG") + b"\0" * 4096, "zon.png")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "This file is too large to upload: a video can be at most 100.0 MB" in page
    assert 'href="#file"' in page


def test_the_upload_route_takes_a_body_larger_than_the_app_wide_limit(
        app: Flask, author: FlaskClient) -> None:
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    data = samples.mp3(2 * 1024 * 1024)
    assert _upload(author, data, "lang.mp3").status_code == 303
    assert _stored()[0].size == len(data)


def test_other_pages_keep_the_app_wide_limit(author: FlaskClient) -> None:
    response = author.post("/language", data={"language": "nl", "next": "/",
                                               "padding": "x" * (1024 * 1024 + 10)})
    assert response.status_code == 413


def test_an_upload_without_a_csrf_token_is_refused(author: FlaskClient) -> None:
    response = author.post("/author/media", data={"file": (io.BytesIO(samples.SVG), "zon.svg")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert _stored() == []


def test_the_upload_form_is_labelled_and_explains_the_limits(author: FlaskClient) -> None:
    page = author.get("/author/media").get_data(as_text=True)
    assert '<label for="file">File</label>' in page
    assert re.search(r'<input class="media-upload__input" type="file" id="file" name="file" '
                     r'required accept="[^"]*image/png[^"]*"', page)
    assert "at most 5.0 MB" in page
    assert "at most 100.0 MB" in page
    assert 'enctype="multipart/form-data"' in page
    assert "No files yet." in page


def test_each_organisation_sees_only_its_own_library(app: Flask, world: World,
                                                     author: FlaskClient) -> None:
    _upload(author, samples.image("PNG"), "oost-zon.png")
    west = _browser(app, world.person("other_admin"))
    page = west.get("/author/media").get_data(as_text=True)
    assert "oost-zon.png" not in page
    assert "No files yet." in page


def test_the_editor_macro_offers_the_uploads_of_one_kind_and_keeps_a_current_value(
        app: Flask, world: World, author: FlaskClient) -> None:
    _upload(author, samples.image("PNG"), "zon.png")
    _upload(author, samples.mp3(), "groet.mp3")
    with connected():
        uploads = media.uploads_of(world.person("author").__data__["organisation"])
    [image] = [m for m in uploads if m.kind == "image"]
    with app.test_request_context("/author/media", headers={"Cookie": f"{LANGUAGE_COOKIE}=en"}):
        macros: Any = app.jinja_env.get_template("author/_media.html").module
        media_select = macros.media_select
        html = str(media_select("f-cover", "cover.src", "image", uploads,
                                       "voorbeeld/cover.svg", "f-cover-hint"))
        chosen = str(media_select("f-cover", "cover.src", "image", uploads, image.path))
    assert '<select class="admin-input media-select" id="f-cover" name="cover.src" required ' \
           'aria-describedby="f-cover-hint">' in html
    assert '<option value="voorbeeld/cover.svg" selected>Current file: voorbeeld/cover.svg' \
           "</option>" in html
    assert f'<option value="{image.path}">zon.png (PNG, 1 kB, ' in html
    assert "groet.mp3" not in html
    assert f'<option value="{image.path}" selected>' in chosen
    assert "Current file" not in chosen
    assert 'href="/author/media" target="_blank" rel="noopener"' in html
