"""The checker and uploads: an organisation's modules may name its own uploads; an image needs
its text alternative and sound and video a transcript wherever they are used."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from ehealth.content.loader import check_module
from ehealth.content.problems import Problem
from ehealth.database import connected
from ehealth.models import ModuleVersion, User
from ehealth.services import authoring, media
from ehealth.services.authoring import DraftHasProblems
from tests.author import media_samples as samples
from tests.conftest import FIXTURE_MEDIA, World

SHA = "ab" * 32


@pytest.fixture
def content(world: World) -> dict[str, Any]:
    with connected():
        stored: dict[str, Any] = ModuleVersion.get(ModuleVersion.module_id == "voorbeeld").content
    return copy.deepcopy(stored)


def _opening(content: dict[str, Any]) -> dict[str, Any]:
    step: dict[str, Any] = content["lessons"]["begin"]["steps"][0]
    assert step["type"] == "opening"
    return step


def _text_step(content: dict[str, Any]) -> dict[str, Any]:
    step: dict[str, Any] = content["lessons"]["begin"]["steps"][1]
    assert step["type"] == "text"
    return step


def _check(content: dict[str, Any], media_dir: Path | None = FIXTURE_MEDIA,
           uploads: frozenset[str] | None = None) -> list[Problem]:
    return check_module("voorbeeld", None, content["module"], content["lessons"], media_dir,
                        uploads=uploads).problems


def _messages(problems: list[Problem]) -> list[str]:
    return [f"{p.path}: {p.message}" for p in problems]


def test_an_upload_of_the_organisation_is_accepted(content: dict[str, Any]) -> None:
    _opening(content)["illustration"]["src"] = f"uploads/{SHA}.png"
    assert _check(content, uploads=frozenset({f"uploads/{SHA}.png"})) == []


def test_an_upload_the_organisation_does_not_have_is_a_problem(content: dict[str, Any]) -> None:
    _opening(content)["illustration"]["src"] = f"uploads/{SHA}.png"
    problems = _check(content, uploads=frozenset({f"uploads/{'cd' * 32}.png"}))
    assert _messages(problems) == [
        f"steps[0].illustration.src: Uploaded file \"uploads/{SHA}.png\" is not in this "
        "organisation's media library: upload it, or choose another file."]


@pytest.mark.parametrize("src", [
    "uploads/zon.png", f"uploads/{SHA.upper()}.png", f"uploads/{SHA[:-1]}.png",
    f"uploads/sub/{SHA}.png", f"uploads/{SHA}.png.png",
])
def test_a_path_in_uploads_that_is_not_an_upload_name_is_a_problem(
        content: dict[str, Any], src: str) -> None:
    _opening(content)["illustration"]["src"] = src
    problems = _check(content, uploads=frozenset({src}))
    assert len(problems) == 1
    assert "uploads/<sha256>.<ext>" in problems[0].message


def test_an_upload_of_the_wrong_kind_is_a_problem(content: dict[str, Any]) -> None:
    _opening(content)["illustration"]["src"] = f"uploads/{SHA}.mp3"
    problems = _check(content, uploads=frozenset({f"uploads/{SHA}.mp3"}))
    assert len(problems) == 1
    assert "is not a image file" in problems[0].message


def test_without_the_organisations_uploads_an_upload_is_looked_up_in_the_media_folder(
        content: dict[str, Any], tmp_path: Path) -> None:
    """A module folder unpacked from a zip keeps its uploads in media/uploads/."""
    folder = tmp_path / "media"
    (folder / "uploads").mkdir(parents=True)
    (folder / "voorbeeld").mkdir()
    (folder / "voorbeeld" / "cover.svg").write_bytes((FIXTURE_MEDIA / "voorbeeld" /
                                                      "cover.svg").read_bytes())
    _opening(content)["illustration"]["src"] = f"uploads/{SHA}.png"
    assert "not found" in _check(content, folder)[0].message
    (folder / "uploads" / f"{SHA}.png").write_bytes(samples.image("PNG"))
    assert _check(content, folder) == []


def test_the_shipped_media_folder_is_still_accepted(content: dict[str, Any]) -> None:
    assert _check(content, uploads=frozenset()) == []
    _opening(content)["illustration"]["src"] = "voorbeeld/missing.svg"
    assert "not found" in _check(content, uploads=frozenset())[0].message


@pytest.mark.parametrize("alt", [None, "", "   ", {"nl": "", "en": "A sun"}, {"nl": "Een zon"}])
def test_an_image_without_its_text_alternative_is_a_problem(content: dict[str, Any],
                                                            alt: Any) -> None:
    illustration = _opening(content)["illustration"]
    if alt is None:
        del illustration["alt"]
    else:
        illustration["alt"] = alt
    problems = _check(content)
    assert problems, alt
    assert all(p.path.startswith("steps[0].illustration.alt") for p in problems)
    assert all(p.file.endswith("lessons/begin.json") for p in problems)


@pytest.mark.parametrize(("kind", "src"), [("audio", f"uploads/{SHA}.mp3"),
                                           ("video", f"uploads/{SHA}.mp4")])
def test_sound_and_video_without_a_transcript_are_a_problem(content: dict[str, Any], kind: str,
                                                            src: str) -> None:
    step = _text_step(content)
    step[kind] = {"src": src}
    uploads = frozenset({src})
    problems = _check(content, uploads=uploads)
    assert _messages(problems) == [f"steps[1].{kind}.transcript: "
                                   f"{'Audio' if kind == 'audio' else 'Video'} needs a "
                                   "transcript."]
    step[kind]["transcript"] = {"nl": "", "en": ""}
    assert _check(content, uploads=uploads)
    step[kind]["transcript"] = {"nl": "Welkom.", "en": "Welcome."}
    assert _check(content, uploads=uploads) == []


def test_the_module_cover_needs_its_text_alternative_too(content: dict[str, Any]) -> None:
    del content["module"]["cover"]["alt"]
    problems = _check(content)
    assert _messages(problems) == ["cover.alt: An image needs a text alternative (alt)."]


# --- the authoring services check drafts against the organisation's uploads ------------------

@pytest.fixture
def author(world: World) -> User:
    return world.person("author")


def _draft_with(author: User, src: str) -> Any:
    with connected():
        library = ModuleVersion.get(ModuleVersion.module_id == "voorbeeld")
        draft = authoring.copy_module(author, library, "met-plaatje")
        step = copy.deepcopy(_opening(draft.content))
        step["illustration"]["src"] = src
        return authoring.save_draft(author, draft.get_id(), draft.revision,
                                    {f"step:{step['id']}": step}, FIXTURE_MEDIA)


def test_a_draft_may_use_its_organisations_upload_and_be_published(
        app: Flask, author: User, world: World) -> None:
    with connected():
        upload = media.store_upload(author, samples.image("PNG"), "zon.png",
                                    Path(app.config["INSTANCE_DIR"]))
    saved = _draft_with(author, upload.path)
    assert saved.problems == []
    with connected():
        authoring.submit(author, saved.draft.get_id(), "Met onze eigen zon", FIXTURE_MEDIA)
        version = authoring.publish(world.person("admin"), saved.draft.get_id(), "1.0.0",
                                    media_dir=FIXTURE_MEDIA)
    assert version.content["lessons"]["begin"]["steps"][0]["illustration"]["src"] == upload.path


def test_a_draft_cannot_use_another_organisations_upload(app: Flask, author: User,
                                                          world: World) -> None:
    with connected():
        west = media.store_upload(world.person("other_admin"), samples.image("PNG"), "zon.png",
                                  Path(app.config["INSTANCE_DIR"]))
    saved = _draft_with(author, west.path)
    assert [p.path for p in saved.problems] == ["steps[0].illustration.src"]
    with connected(), pytest.raises(DraftHasProblems):
        authoring.submit(author, saved.draft.get_id(), "Met de zon van West", FIXTURE_MEDIA)
