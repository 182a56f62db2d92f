"""The five modules the product ships: valid, bilingual, complete, and shown in both languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from ehealth import create_app
from ehealth.cli import cli
from ehealth.content.loader import Module, load_library
from ehealth.content.steps import STEP_TYPES
from tests.conftest import ROOT, make_config

MODULES = ROOT / "modules"
MEDIA = ROOT / "media"


@pytest.fixture(scope="module")
def library() -> list[Module]:
    result = load_library([MODULES], MEDIA)
    assert result.problems == []
    return result.modules


@pytest.fixture
def shipped_app(database_url: str) -> Flask:
    return create_app(make_config(database_url, MODULES_DIR=MODULES, MEDIA_DIR=MEDIA))


def test_check_modules_passes_on_the_shipped_modules() -> None:
    result = CliRunner().invoke(cli, ["check-modules", str(MODULES), "--media", str(MEDIA)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("5 module(s) OK")
    assert "no problems" in result.output


def test_five_bilingual_modules_are_shipped(library: list[Module]) -> None:
    assert sorted(m.id for m in library) == [
        "aansluiten-bij-je-kracht", "ik-ben-ik-kan", "krachtbronnen", "mijn-mensen",
        "wat-gaat-er-goed",
    ]
    for module in library:
        assert module.languages == ["nl", "en"], module.id


def test_together_they_use_every_step_type(library: list[Module]) -> None:
    used = {step["type"] for m in library for lesson in m.lessons for step in lesson.steps}
    assert used == set(STEP_TYPES)


def test_every_module_opens_on_a_positive_opening(library: list[Module]) -> None:
    for module in library:
        assert module.lessons[0].steps[0]["type"] == "opening", module.id


def test_illustrations_are_light_svgs_without_styles_or_scripts() -> None:
    svgs = sorted(MEDIA.glob("*/*.svg"))
    assert len(svgs) >= 5
    for svg in svgs:
        text = svg.read_text(encoding="utf-8")
        assert "<svg" in text, svg
        for forbidden in ("<script", " style=", "<style", "href=\"http", "<foreignObject"):
            assert forbidden not in text, (svg, forbidden)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_module_previews_in_both_languages(
    shipped_app: Flask, library: list[Module], language: str
) -> None:
    client: FlaskClient = shipped_app.test_client()
    home = client.get("/", headers={"Accept-Language": language}).get_data(as_text=True)
    for module in library:
        assert module.title[language] in home
        response = client.get(f"/modules/{module.id}", headers={"Accept-Language": language})
        assert response.status_code == 200, module.id
        page = response.get_data(as_text=True)
        assert f'<html lang="{language}">' in page
        for lesson in module.lessons:
            for step in lesson.steps:
                assert f'id="step-{step["id"]}"' in page, (module.id, step["id"])
        other = "en" if language == "nl" else "nl"
        assert module.summary[other] not in page, (module.id, "other language leaked")


def test_every_preview_image_has_a_text_alternative(shipped_app: Flask,
                                                    library: list[Module]) -> None:
    client = shipped_app.test_client()
    for module in library:
        page = client.get(f"/modules/{module.id}").get_data(as_text=True)
        for tag in re.findall(r"<img\b[^>]*>", page):
            if "logo.svg" in tag:
                assert 'alt=""' in tag  # decorative: the brand name is next to it
                continue
            alt = re.search(r'alt="([^"]*)"', tag)
            assert alt, (module.id, tag)
            assert alt.group(1).strip(), (module.id, tag)


def test_media_of_the_shipped_modules_exist(library: list[Module]) -> None:
    for module in library:
        assert (MEDIA / module.cover["src"]).is_file()
        assert Path(module.cover["src"]).parts[0] == module.id
