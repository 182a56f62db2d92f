"""Scores, dates and times on the client record, in the page's locale: "1,5", "9 december 2026"."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ehealth import create_app
from ehealth.database import connected
from ehealth.extensions import db
from ehealth.models import Answer
from tests.conftest import FIXTURE_MODULES, World, login, make_config
from tests.therapist.conftest import give_answer


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The fixture library with the questionnaire scored as a mean (two decimals)."""
    folder = tmp_path / "modules" / "voorbeeld"
    shutil.copytree(FIXTURE_MODULES / "voorbeeld", folder)
    lesson = folder / "lessons" / "verder.json"
    data = json.loads(lesson.read_text(encoding="utf-8"))
    for step in data["steps"]:
        if step["id"] == "tevredenheid":
            step["scoring"] = {"method": "mean"}
    lesson.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    application = create_app(make_config(database_url, MODULES_DIR=tmp_path / "modules",
                                         INSTANCE_DIR=tmp_path / "instance"))
    yield application
    if db.obj is not None and not db.is_closed():
        db.close()


def _record_in(app: Flask, world: World, language: str) -> str:
    test_client: FlaskClient = app.test_client()
    test_client.set_cookie("lang", language)
    login(test_client, world.therapist)
    response = test_client.get(f"/therapist/clients/{world.client_a.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def scored(world: World) -> World:
    """A mean of 1.5 (2 and 1 on a 0-4 scale), saved on 9 December 2026."""
    give_answer(world.assignment_a, "tevredenheid", {"responses": {"steun": 2, "kunnen": 1}})
    with connected():
        Answer.update(updated_at=dt.datetime(2026, 12, 9, 10)).execute()
    return world


def _questionnaire_chart(page: str) -> str:
    chart = re.search(r'id="chart-voorbeeld-tevredenheid">.*?</figure>', page, re.S)
    assert chart is not None
    return chart.group(0)


def test_a_mean_score_has_a_decimal_comma_on_a_dutch_page(app: Flask, scored: World) -> None:
    figure = _questionnaire_chart(_record_in(app, scored, "nl"))
    assert "1,5 van 4" in figure
    assert '<text class="th-chart__value"' in figure
    assert re.search(r'<text class="th-chart__value"[^>]*>1,5</text>', figure)
    assert "1.5" not in re.sub(r'(points|x|y|cx|cy|x1|x2|y1|y2)="[^"]*"', "", figure)
    assert "9 dec 2026" in figure


def test_the_same_score_has_a_decimal_point_on_an_english_page(app: Flask,
                                                              scored: World) -> None:
    figure = _questionnaire_chart(_record_in(app, scored, "en"))
    assert "1.5 of 4" in figure
    assert re.search(r'<text class="th-chart__value"[^>]*>1.5</text>', figure)


def test_the_date_of_a_first_small_step_is_written_out_in_the_page_language(
        app: Flask, world: World) -> None:
    give_answer(world.assignment_a, "doel",
                {"goal": "Vaker naar buiten", "steps": [{"suggestion": "bellen"}],
                 "first_step": 0, "date": "2026-12-09"})
    assert "9 december 2026" in _record_in(app, world, "nl")
    english = _record_in(app, world, "en")
    assert "December 9, 2026" in english
    assert "2026-12-09" not in english.replace('datetime="2026-12-09', "")
