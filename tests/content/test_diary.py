"""The diary step: short dated entries over days, an optional mood, only the latest open.

The type on its own (definition, answer, the rules across revisions, the player's form), then
the client writing on three days in the player without JavaScript, and the therapist reading
the entries and the mood line.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from marshmallow import ValidationError

from ehealth import create_app
from ehealth.content import schema as content_schema
from ehealth.content.fields import ModuleContext
from ehealth.content.steps import STEP_TYPES, diary
from ehealth.content.steps.diary import Diary
from ehealth.database import connected
from ehealth.extensions import db
from ehealth.models import (
    Answer,
    Assignment,
    CareRelationship,
    CareRole,
    ModuleVersion,
    Organisation,
    Role,
    User,
)
from tests.conftest import FIXTURE_MEDIA, login, make_config

MONDAY = dt.date(2026, 3, 2)
_REGISTERED = STEP_TYPES["diary"]
assert isinstance(_REGISTERED, Diary)
DIARY: Diary = _REGISTERED


@pytest.fixture
def day(monkeypatch: pytest.MonkeyPatch) -> list[dt.date]:
    """The diary's today, changeable by the test: ``day[0] = …``."""
    current = [MONDAY]
    monkeypatch.setattr(diary, "today", lambda: current[0])
    return current


def definition(**changes: Any) -> dict[str, Any]:
    raw = {
        "id": "lichtpuntjes", "type": "diary",
        "title": {"nl": "Lichtpuntjes", "en": "Bright spots"},
        "prompt": {"nl": "Wat ging er vandaag goed?", "en": "What went well today?"},
        "feedback": True,
        **changes,
    }
    return {key: value for key, value in raw.items() if value is not None}


def load(**changes: Any) -> dict[str, Any]:
    with ModuleContext({"languages": ["nl", "en"], "media_dir": None}):
        step: dict[str, Any] = content_schema.StepField().deserialize(definition(**changes))
    return step


def entry(date: dt.date, text: str = "De zon scheen", mood: Any = 7) -> dict[str, Any]:
    return {"date": date.isoformat(), "text": text, "mood": mood}


def problems(step: dict[str, Any], value: Any) -> Any:
    with pytest.raises(ValidationError) as error:
        DIARY.validate_answer(step, value)
    return error.value.messages


def change_problems(step: dict[str, Any], previous: list[dict[str, Any]],
                    entries: list[dict[str, Any]]) -> Any:
    with pytest.raises(ValidationError) as error:
        DIARY.check_change(step, {"entries": previous}, {"entries": entries})
    return error.value.messages


# -- the definition ---------------------------------------------------------------------------

def test_a_diary_asks_a_mood_by_default_and_keeps_nothing_private() -> None:
    step = load()
    assert step["ask_mood"] is True
    assert step["allow_private"] is False
    assert step["feedback"] is True


def test_a_diary_needs_a_title_and_a_prompt() -> None:
    with pytest.raises(ValidationError) as error, \
            ModuleContext({"languages": ["nl", "en"], "media_dir": None}):
        content_schema.StepField().deserialize(definition(title=None, prompt=None))
    assert set(error.value.messages) == {"title", "prompt"}


def test_no_condition_can_test_a_diary() -> None:
    assert DIARY.condition_problem(load(), "at_least", 5) == (
        'Step "lichtpuntjes" (diary) has no answer a condition can test.')


# -- the answer -------------------------------------------------------------------------------

def test_an_answer_is_stored_with_iso_dates_and_moods_or_null(day: list[dt.date]) -> None:
    stored = DIARY.validate_answer(load(), {"entries": [
        entry(MONDAY - dt.timedelta(days=1), mood=None), entry(MONDAY)]})
    assert stored == {"entries": [
        {"date": "2026-03-01", "text": "De zon scheen", "mood": None},
        {"date": "2026-03-02", "text": "De zon scheen", "mood": 7}], "private": False}


@pytest.mark.parametrize(("value", "expected"), [
    ({"entries": [entry(MONDAY, text="  ")]},
     {"entries": {0: {"text": ["Write a few words in this entry."]}}}),
    ({"entries": [entry(MONDAY, text="x" * 1001)]},
     {"entries": {0: {"text": ["Longer than maximum length 1000."]}}}),
    ({"entries": [entry(MONDAY, mood=11)]},
     {"entries": {0: {"mood": ["Must be greater than or equal to 0 and less than or equal to "
                               "10."]}}}),
    ({"entries": [entry(MONDAY, mood="7")]}, {"entries": {0: {"mood": ["Not a valid integer."]}}}),
    ({"entries": [{**entry(MONDAY), "date": "maandag"}]},
     {"entries": {0: {"date": ["Not a valid date."]}}}),
    ({"entries": [entry(MONDAY + dt.timedelta(days=1))]},
     {"entries": {0: {"date": ["An entry cannot be dated later than today."]}}}),
    ({"entries": [entry(MONDAY), entry(MONDAY)]},
     {"entries": {1: {"date": ["One entry a day, oldest first: this date must come after the "
                               "one before."]}}}),
    ({"entries": [entry(MONDAY)], "private": True},
     {"private": ["This step does not offer keeping the answer private."]}),
])
def test_a_wrong_answer_is_refused_naming_the_field(day: list[dt.date], value: Any,
                                                    expected: Any) -> None:
    assert problems(load(), value) == expected


def test_a_mood_is_refused_when_the_diary_does_not_ask_for_one(day: list[dt.date]) -> None:
    assert problems(load(ask_mood=False), {"entries": [entry(MONDAY)]}) == {
        "entries": {0: {"mood": ["This diary does not ask for a mood."]}}}


def test_a_new_entry_is_dated_today(day: list[dt.date]) -> None:
    step = load()
    DIARY.check_change(step, None, {"entries": [entry(MONDAY)]})
    assert change_problems(step, [], [entry(MONDAY - dt.timedelta(days=3))]) == {
        "entries": {0: {"date": ["A new entry is dated today."]}}}


def test_only_the_latest_entry_can_change_and_none_can_be_removed(day: list[dt.date]) -> None:
    step = load()
    day[0] = MONDAY + dt.timedelta(days=2)  # Wednesday
    sunday, monday = entry(MONDAY - dt.timedelta(days=1)), entry(MONDAY)
    wednesday = entry(day[0], "Gewandeld")
    # Monday's entry is the latest: it can change, and Wednesday's can be added with it.
    DIARY.check_change(step, {"entries": [sunday, monday]},
                       {"entries": [sunday, {**monday, "text": "Anders"}, wednesday]})
    assert change_problems(step, [sunday, monday], [{**sunday, "mood": 1}, monday]) == {
        "entries": {0: {"text": ["Only your latest entry can still be changed."]}}}
    assert change_problems(step, [sunday, monday], [sunday]) == {
        "entries": ["Entries cannot be removed: you can change your latest entry."]}
    assert change_problems(step, [sunday, monday], [sunday, {**monday, "date": "2026-03-03"}]
                           ) == {"entries": {1: {"date": ["An entry keeps the day it was "
                                                          "written."]}}}


def test_on_the_day_a_new_entry_is_added_the_one_before_stays_open(day: list[dt.date]) -> None:
    """A form that showed Monday's entry and a new one keeps saving while the client types."""
    step = load()
    day[0] = MONDAY + dt.timedelta(days=2)
    monday, wednesday = entry(MONDAY), entry(day[0], "Gewandeld")
    DIARY.check_change(step, {"entries": [monday, wednesday]},
                       {"entries": [{**monday, "text": "Toch anders"}, wednesday]})
    day[0] = MONDAY + dt.timedelta(days=3)  # the next day it is closed
    assert change_problems(step, [monday, wednesday],
                           [{**monday, "text": "Weer anders"}, wednesday]) == {
        "entries": {0: {"text": ["Only your latest entry can still be changed."]}}}


def test_the_moods_are_the_diarys_scores_oldest_first(day: list[dt.date]) -> None:
    value = {"entries": [entry(MONDAY - dt.timedelta(days=2), mood=4),
                         entry(MONDAY - dt.timedelta(days=1), mood=None),
                         entry(MONDAY, mood=8)]}
    scores = DIARY.scores(load(), value)
    assert [(s.value, s.on, s.low, s.high, s.key) for s in scores] == [
        (4, MONDAY - dt.timedelta(days=2), 0, 10, ""), (8, MONDAY, 0, 10, "")]
    assert DIARY.scores(load(), {"entries": "kapot"}) == []


# -- the player's form ------------------------------------------------------------------------

def test_the_form_carries_every_entry_and_adds_todays(day: list[dt.date]) -> None:
    step = load(allow_private=True)
    stored = {"entries": [entry(MONDAY - dt.timedelta(days=1), "Zondag", 5)], "private": True}
    form = DIARY.to_form(step, stored)
    assert form == {"entry.0.date": ["2026-03-01"], "entry.0.text": ["Zondag"],
                    "entry.0.mood": ["5"], "private": ["1"]}
    form.update({"new.text": ["Maandag"], "new.mood": [""]})
    assert DIARY.from_form(step, form) == {"entries": [
        {"date": "2026-03-01", "text": "Zondag", "mood": 5},
        {"date": "2026-03-02", "text": "Maandag", "mood": None}], "private": True}
    # An empty slot for today adds nothing.
    assert len(DIARY.from_form(step, {**form, "new.text": [" "]})["entries"]) == 1


def test_the_form_view_opens_todays_entry_and_the_latest_earlier_one(day: list[dt.date]) -> None:
    step = load()
    entries = [entry(MONDAY - dt.timedelta(days=n), f"Dag {n}", n) for n in (3, 2, 1)]
    view = DIARY.form_view(step, DIARY.to_form(step, {"entries": entries}))
    assert view.current.number is None  # nothing written today yet: a new entry
    assert view.latest is not None
    assert view.latest.text == "Dag 1"
    assert [e.text for e in view.earlier] == ["Dag 2", "Dag 3"]  # newest first
    view = DIARY.form_view(step, DIARY.to_form(step, {"entries": [*entries, entry(MONDAY)]}))
    assert view.current.number == 3  # today's entry is the latest: that one is open
    assert view.latest is None
    assert [e.text for e in view.earlier] == ["Dag 1", "Dag 2", "Dag 3"]


# -- in the product ---------------------------------------------------------------------------

def write_module(root: Path) -> Path:
    folder = root / "modules" / "dagboek"
    (folder / "lessons").mkdir(parents=True)
    texts = {"nl": "Dagboek", "en": "Diary"}
    (folder / "module.json").write_text(json.dumps({
        "id": "dagboek", "version": "1.0.0", "languages": ["nl", "en"], "title": texts,
        "summary": texts, "audience": ["adults"], "estimated_minutes": 5,
        "cover": {"src": "voorbeeld/cover.svg", "alt": texts}, "lessons": ["elke-dag"],
    }), encoding="utf-8")
    (folder / "lessons" / "elke-dag.json").write_text(json.dumps({
        "id": "elke-dag", "title": texts, "steps": [
            {"id": "welkom", "type": "opening", "title": texts, "body": texts},
            definition()]}), encoding="utf-8")
    return root / "modules"


class World:
    def __init__(self, app: Flask, client: User, therapist: User, assignment: Assignment
                 ) -> None:
        self.app, self.client, self.therapist, self.assignment = (
            app, client, therapist, assignment)
        self.url = f"/assignments/{assignment.id}/steps/lichtpuntjes"

    def browser(self, user: User) -> FlaskClient:
        browser = self.app.test_client()
        browser.environ_base["HTTP_REFERER"] = "https://localhost/"
        browser.set_cookie("lang", "en")
        login(browser, user)
        return browser


@pytest.fixture
def world(database_url: str, tmp_path: Path, day: list[dt.date]) -> Iterator[World]:
    app = create_app(make_config(database_url, MODULES_DIR=write_module(tmp_path),
                                 MEDIA_DIR=FIXTURE_MEDIA, INSTANCE_DIR=tmp_path / "instance"))
    with connected():
        organisation = Organisation.create(name="Zorg", slug="zorg")
        client = User.create(organisation=organisation, email="c@zorg.example", name="Cliënt",
                             role=Role.CLIENT, language="en")
        therapist = User.create(organisation=organisation, email="t@zorg.example",
                                name="Behandelaar", role=Role.THERAPIST, language="en")
        CareRelationship.create(organisation=organisation, client=client, therapist=therapist,
                                role=CareRole.PRIMARY)
        assignment = Assignment.create(
            client=client, therapist=therapist,
            module_version=ModuleVersion.get(ModuleVersion.module_id == "dagboek"))
    yield World(app, client, therapist, assignment)
    if db.obj is not None and not db.is_closed():
        db.close()


def fields_of(page: str) -> dict[str, Any]:
    """The player form's fields as a browser without JavaScript sends them (no radios)."""
    found: dict[str, Any] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page):
        found[name] = value
    for name, value in re.findall(r'<textarea [^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>',
                                  page):
        found[name] = value
    for name, value in re.findall(r'<input type="radio" name="([^"]+)" value="([^"]*)" checked',
                                  page):
        found[name] = value
    return found


def write(world: World, browser: FlaskClient, **changes: str) -> Any:
    page = browser.get(world.url).get_data(as_text=True)
    form = {**fields_of(page), **changes, "action": "save"}
    return browser.post(world.url, data=form)


def stored(world: World) -> dict[str, Any]:
    with connected():
        value: dict[str, Any] = Answer.get(Answer.step_id == "lichtpuntjes").value
    return value


def test_the_client_writes_on_three_days_and_changes_only_the_latest(
    world: World, day: list[dt.date]
) -> None:
    browser = world.browser(world.client)
    page = browser.get(world.url).get_data(as_text=True)
    assert "Today, Mar 2, 2026" in page
    assert "Your earlier entries" not in page
    assert write(world, browser, **{"new.text": "Met de hond <b>gewandeld</b>",
                                    "new.mood": "6"}).status_code == 302
    # Later the same day: the entry of today is open, with what was written.
    page = browser.get(world.url).get_data(as_text=True)
    assert 'name="entry.0.text"' in page
    assert "Met de hond &lt;b&gt;gewandeld&lt;/b&gt;</textarea>" in page
    assert 'name="new.text"' not in page
    assert write(world, browser, **{"entry.0.text": "Met de hond gewandeld"}).status_code == 302
    day[0] = MONDAY + dt.timedelta(days=1)
    assert write(world, browser, **{"new.text": "Oma gebeld", "new.mood": "8"}).status_code == 302
    day[0] = MONDAY + dt.timedelta(days=3)
    page = browser.get(world.url).get_data(as_text=True)
    # Newest first; the latest (Tuesday's) can still change, Monday's is as written.
    assert page.index("Oma gebeld") < page.index("Met de hond gewandeld")
    assert "Change this entry" in page
    assert '<input type="hidden" name="entry.0.text" value="Met de hond gewandeld">' in page
    assert write(world, browser, **{"entry.1.text": "Oma en opa gebeld",
                                    "new.text": "Gefietst"}).status_code == 302
    assert [(e["date"], e["text"], e["mood"]) for e in stored(world)["entries"]] == [
        ("2026-03-02", "Met de hond gewandeld", 6), ("2026-03-03", "Oma en opa gebeld", 8),
        ("2026-03-05", "Gefietst", None)]
    # An earlier entry changed by hand is refused, with a clear message.
    refused = write(world, browser, **{"entry.0.text": "Iets anders"})
    assert refused.status_code == 422
    assert "Only your latest entry can still be changed." in refused.get_data(as_text=True)


def test_the_therapist_reads_the_shared_entries_and_the_mood_line(
    world: World, day: list[dt.date]
) -> None:
    browser = world.browser(world.client)
    for offset, (text, mood) in enumerate([("Goed geslapen", "4"), ("Gewandeld", ""),
                                           ("Gelachen", "7")]):
        day[0] = MONDAY + dt.timedelta(days=offset)
        assert write(world, browser, **{"new.text": text, "new.mood": mood}).status_code == 302
    page = world.browser(world.therapist).get(
        f"/therapist/clients/{world.client.id}").get_data(as_text=True)
    assert "3 entries · mood from the first entry to the last: 4 → 7" in page
    assert page.index("Gelachen") < page.index("Goed geslapen")
    assert "Awaiting your feedback" in page  # the diary is a feedback moment
    chart = re.search(r'<figure class="th-chart" id="chart-dagboek-lichtpuntjes">.*?</figure>',
                      page, re.S)
    assert chart is not None
    assert chart.group(0).count('<circle class="th-chart__dot"') == 2
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td>([^<]+)</td>', chart.group(0))
    assert rows == [("Mar 2, 2026", "4 of 10"), ("Mar 4, 2026", "7 of 10")]
