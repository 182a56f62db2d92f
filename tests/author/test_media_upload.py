"""Uploading media: the type comes from the content, limits per kind, stored by content hash."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from ehealth.content.fields import MEDIA_KINDS
from ehealth.database import connected
from ehealth.models import MediaFile, User
from ehealth.services import media
from ehealth.services.authoring import NotAllowed
from tests.author import media_samples as samples
from tests.conftest import World

ACCEPTED: list[tuple[str, Callable[[], bytes], str, str, str]] = [
    ("png", lambda: samples.image("PNG"), "png", "image", "image/png"),
    ("jpeg", lambda: samples.image("JPEG"), "jpg", "image", "image/jpeg"),
    ("webp", lambda: samples.image("WEBP"), "webp", "image", "image/webp"),
    ("svg", lambda: samples.SVG, "svg", "image", "image/svg+xml"),
    ("mp3", samples.mp3, "mp3", "audio", "audio/mpeg"),
    ("ogg", samples.ogg, "ogg", "audio", "audio/ogg"),
    ("m4a", samples.m4a, "m4a", "audio", "audio/mp4"),
    ("wav", samples.wav, "wav", "audio", "audio/wav"),
    ("mp4", samples.mp4, "mp4", "video", "video/mp4"),
    ("webm", samples.webm, "webm", "video", "video/webm"),
    ("vtt", samples.vtt, "vtt", "captions", "text/vtt"),
]


@pytest.fixture
def instance(app: Flask) -> Path:
    return Path(app.config["INSTANCE_DIR"])


@pytest.fixture
def author(world: World) -> User:
    return world.person("author")


def _upload(user: User, data: bytes, name: str, instance: Path) -> MediaFile:
    with connected():
        return media.store_upload(user, data, name, instance)


@pytest.mark.parametrize(("label", "make", "extension", "kind", "content_type"), ACCEPTED,
                         ids=[row[0] for row in ACCEPTED])
def test_each_accepted_format_is_recognised_by_its_content(
        author: User, instance: Path, label: str, make: Callable[[], bytes], extension: str,
        kind: str, content_type: str) -> None:
    stored = _upload(author, make(), "bestand.bin", instance)
    assert (stored.extension, stored.kind, stored.content_type) == (extension, kind,
                                                                    content_type)
    assert stored.path == f"uploads/{stored.sha256}.{extension}"
    assert (instance / "uploads" / f"{stored.sha256}.{extension}").is_file()


def test_every_accepted_format_is_one_the_module_format_allows_for_its_kind() -> None:
    for media_type in media.TYPES:
        assert f".{media_type.extension}" in MEDIA_KINDS[media_type.kind], media_type


def test_a_png_name_holding_a_jpeg_is_stored_as_the_jpeg(author: User, instance: Path) -> None:
    stored = _upload(author, samples.image("JPEG"), "foto.png", instance)
    assert (stored.extension, stored.content_type) == ("jpg", "image/jpeg")
    assert stored.original_name == "foto.png"
    assert media.misnamed("foto.png", stored)
    assert not media.misnamed("foto.jpeg", stored)
    assert not media.misnamed("FOTO.JPG", stored)
    assert not media.misnamed("foto", stored)


@pytest.mark.parametrize("content", [
    b"<html><body><script>alert(document.cookie)</script></body></html>",
    b"<script>fetch('/api/clients')</script>",
    b"#!/bin/sh\nrm -rf /\n",
    b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><script/></html>',
], ids=["html", "script", "shell", "xhtml"])
def test_a_png_name_holding_html_or_a_script_is_refused_as_text(
        author: User, instance: Path, content: bytes) -> None:
    with pytest.raises(media.UnsupportedType) as refused:
        _upload(author, content, "plaatje.png", instance)
    assert refused.value.text
    assert "text" in str(refused.value)
    with connected():
        assert MediaFile.select().count() == 0
    assert not (instance / "uploads").exists() or not any((instance / "uploads").iterdir())


@pytest.mark.parametrize(("content", "found"), [
    (samples.image("GIF"), "image/gif"),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"\0" * 50, "application/pdf"),
    (b"PK\x03\x04" + b"\0" * 40, "application/zip"),
], ids=["gif", "pdf", "zip"])
def test_a_recognised_format_that_is_not_accepted_is_refused_by_name(
        author: User, instance: Path, content: bytes, found: str) -> None:
    with pytest.raises(media.UnsupportedType) as refused:
        _upload(author, content, "bestand.png", instance)
    assert refused.value.found == found
    assert found in str(refused.value)


def test_unknown_binary_content_is_refused(author: User, instance: Path) -> None:
    with pytest.raises(media.UnsupportedType) as refused:
        _upload(author, bytes(range(256)) * 4, "geluid.mp3", instance)
    assert not refused.value.text
    assert refused.value.found is None


def test_an_empty_file_is_refused(author: User, instance: Path) -> None:
    with pytest.raises(media.EmptyUpload):
        _upload(author, b"", "leeg.png", instance)


@pytest.mark.parametrize(("kind", "make"), [
    ("image", lambda n: samples.image("PNG") + b"\0" * n),
    ("audio", lambda n: samples.mp3(n)),
    ("video", lambda n: samples.mp4(n)),
    ("captions", lambda n: samples.vtt() + b" " * n),
])
def test_each_kind_has_its_own_size_limit(author: User, instance: Path, kind: str,
                                          make: Callable[[int], bytes]) -> None:
    limit = media.LIMITS[kind]
    base = len(make(0))
    _upload(author, make(limit - base), f"precies.{kind}", instance)
    with pytest.raises(media.TooLarge) as refused:
        _upload(author, make(limit - base + 1), f"te-groot.{kind}", instance)
    assert (refused.value.kind, refused.value.size, refused.value.limit) == (kind, limit + 1,
                                                                             limit)
    with connected():
        assert MediaFile.select().count() == 1


def test_an_svg_over_the_image_limit_is_refused_before_it_is_parsed(
        author: User, instance: Path) -> None:
    huge = b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g/>" * media.LIMITS["image"]
    with pytest.raises(media.TooLarge):
        _upload(author, huge, "groot.svg", instance)


def test_the_limits_are_five_twenty_and_a_hundred_megabytes() -> None:
    assert media.LIMITS == {"image": 5 * 2**20, "audio": 20 * 2**20, "video": 100 * 2**20,
                            "captions": 2**20}
    assert max(media.LIMITS.values()) < media.UPLOAD_REQUEST_LIMIT


def test_the_same_bytes_twice_give_one_file_and_one_row(author: User, world: World,
                                                        instance: Path) -> None:
    data = samples.image("PNG")
    first = _upload(author, data, "zon.png", instance)
    again = _upload(world.person("admin"), data, "zon-kopie.png", instance)
    assert again.id == first.id
    assert again.original_name == "zon.png"
    with connected():
        assert MediaFile.select().count() == 1
    assert [p.name for p in (instance / "uploads").iterdir()] == [f"{first.sha256}.png"]


def test_two_organisations_uploading_the_same_bytes_share_the_file_not_the_row(
        author: User, world: World, instance: Path) -> None:
    data = samples.image("PNG")
    oost = _upload(author, data, "zon.png", instance)
    west = _upload(world.person("other_admin"), data, "west.png", instance)
    assert oost.id != west.id
    assert oost.sha256 == west.sha256
    assert oost.__data__["organisation"] != west.__data__["organisation"]
    assert len(list((instance / "uploads").iterdir())) == 1


def test_the_file_is_named_by_the_sha256_of_what_is_stored(author: User,
                                                            instance: Path) -> None:
    png = samples.image("PNG")
    stored = _upload(author, png, "zon.png", instance)
    assert stored.sha256 == hashlib.sha256(png).hexdigest()
    assert stored.size == len(png)
    unsafe = samples.SVG.replace(b"<title>", b'<script>alert(1)</script><title>')
    svg = _upload(author, unsafe, "zon.svg", instance)
    kept = (instance / "uploads" / f"{svg.sha256}.svg").read_bytes()
    assert b"script" not in kept
    assert svg.sha256 == hashlib.sha256(kept).hexdigest()
    assert svg.size == len(kept)


def test_replacing_an_image_is_a_new_file_and_the_old_one_stays(author: User,
                                                                 instance: Path) -> None:
    old = _upload(author, samples.image("PNG", (8, 6)), "zon.png", instance)
    new = _upload(author, samples.image("PNG", (9, 6)), "zon.png", instance)
    assert old.path != new.path
    assert (instance / "uploads" / f"{old.sha256}.png").is_file()


def test_a_failed_write_leaves_no_file_no_temporary_file_and_no_row(
        author: User, instance: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError, match="No space"):
        _upload(author, samples.image("PNG"), "zon.png", instance)
    assert list((instance / "uploads").iterdir()) == []
    with connected():
        assert MediaFile.select().count() == 0


def test_a_damaged_file_on_disk_is_written_again(author: User, instance: Path) -> None:
    data = samples.image("PNG")
    stored = _upload(author, data, "zon.png", instance)
    path = instance / "uploads" / f"{stored.sha256}.png"
    path.write_bytes(b"kapot")
    _upload(author, data, "zon.png", instance)
    assert path.read_bytes() == data


@pytest.mark.parametrize("role", ["client_a", "own_therapist"])
def test_only_authors_and_admins_upload(world: World, instance: Path, role: str) -> None:
    with pytest.raises(NotAllowed):
        _upload(world.person(role), samples.image("PNG"), "zon.png", instance)


def test_an_inactive_author_cannot_upload(author: User, instance: Path) -> None:
    with connected():
        User.update(active=False).where(User.id == author.id).execute()
        author = User.get_by_id(author.id)
    with pytest.raises(NotAllowed):
        _upload(author, samples.image("PNG"), "zon.png", instance)


def test_the_original_name_is_shown_only_never_a_path(author: User, instance: Path) -> None:
    stored = _upload(author, samples.image("PNG"), "C:\\Users\\anna\\..\\zon\x07.png", instance)
    assert stored.original_name == "zon.png"
    long = _upload(author, samples.image("PNG", (3, 3)), "a" * 500 + ".png", instance)
    assert len(long.original_name) == media.NAME_MAX


def test_uploads_of_lists_the_organisations_own_newest_first_and_by_kind(
        author: User, world: World, instance: Path) -> None:
    first = _upload(author, samples.image("PNG"), "een.png", instance)
    sound = _upload(author, samples.wav(), "twee.wav", instance)
    _upload(world.person("other_admin"), samples.image("JPEG"), "west.jpg", instance)
    with connected():
        organisation = author.__data__["organisation"]
        assert [m.id for m in media.uploads_of(organisation)] == [sound.id, first.id]
        assert [m.id for m in media.uploads_of(organisation, "image")] == [first.id]
        assert media.upload_paths(organisation) == {first.path, sound.path}


def test_an_upload_is_found_only_for_people_of_its_organisation(
        author: User, world: World, instance: Path) -> None:
    stored = _upload(author, samples.image("PNG"), "zon.png", instance)
    name = f"{stored.sha256}.png"
    with connected():
        for role in ("client_a", "own_therapist", "author", "admin"):
            found = media.upload_for_viewer(world.person(role), name, instance)
            assert found is not None, role
            assert found[0].id == stored.id, role
        for role in ("other_admin", "other_org_client"):
            assert media.upload_for_viewer(world.person(role), name, instance) is None, role
        for wrong in (f"{stored.sha256}.jpg", f"{stored.sha256.upper()}.png",
                      f"../{stored.sha256}.png", stored.sha256, ""):
            assert media.upload_for_viewer(author, wrong, instance) is None, wrong
        (instance / "uploads" / name).unlink()
        assert media.upload_for_viewer(author, name, instance) is None


def test_media_bytes_gives_only_the_organisations_uploads(author: User, world: World,
                                                         instance: Path) -> None:
    png = samples.image("PNG")
    own = _upload(author, png, "zon.png", instance)
    west = _upload(world.person("other_admin"), samples.image("JPEG"), "west.jpg", instance)
    with connected():
        found = media.media_bytes(author.__data__["organisation"],
                                  [own.path, west.path, "voorbeeld/cover.svg"], instance)
    assert found == {own.path: png}


def test_check_upload_says_why_in_english_and_stores_nothing(instance: Path,
                                                             world: World) -> None:
    assert media.check_upload("zon.png", samples.image("PNG")) is None
    problem = media.check_upload("zon.png", b"<html></html>")
    assert problem is not None
    assert "HTML" in problem
    assert "line 1" in (media.check_upload("kapot.svg", b"<svg xmlns='x'><g></svg>") or "")
    assert not (instance / "uploads").exists()


def test_upload_store_gives_the_path_a_module_uses(author: User, instance: Path) -> None:
    store = media.upload_store(instance)
    with connected():
        path = store(author, "zon.png", samples.image("PNG"))
        assert path in media.upload_paths(author.__data__["organisation"])


def test_a_broken_svg_is_refused_with_where_it_breaks(author: User, instance: Path) -> None:
    with pytest.raises(media.BrokenSvg) as refused:
        _upload(author, b'<svg xmlns="http://www.w3.org/2000/svg">\n<rect>\n</svg>',
                "kapot.svg", instance)
    assert refused.value.problem.line == 3
    assert "line 3" in str(refused.value)


def test_captions_that_are_not_utf8_are_refused(author: User, instance: Path) -> None:
    with pytest.raises(media.BrokenCaptions):
        _upload(author, b"WEBVTT\n\n00:00.000 --> 00:01.000\nCaf\xe9\n", "ondertitels.vtt",
                instance)
