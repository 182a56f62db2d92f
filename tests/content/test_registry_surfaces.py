"""Every registered step type through every surface, with a generated valid answer.

Each type's ``sample_step()`` builds one module with a step of every type (and a summary of
all answers); its ``sample_answer()`` fills in the answers, with ``<script>`` in every text the
client writes and in every text of the module. Then each surface renders it: the public
preview, the player's form of every step, the stored answer in every context, the summary
step, the finish page, the therapist's record, the conflict page and the autosave's conflict
panel. Nothing may come out empty, and the script must always come out escaped. A new type
is covered as soon as it is registered.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from marshmallow import Schema, fields

from ehealth import create_app
from ehealth.content.fields import ModuleContext
from ehealth.content.steps import ANSWER_CONTEXTS, STEP_TYPES, StepType
from ehealth.content.steps.authoring import KINDS, AuthoringField
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
from ehealth.services.answers import save_answer
from ehealth.services.modules import module_for_version
from tests.conftest import FIXTURE_MEDIA, login, make_config

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
MODULE_ID = "alle-stappen"
ANSWER_HTML = ('{% from "player/_answer.html" import render_answer %}'
               "{{ render_answer(step, value, lang, context) }}")
TYPES = sorted(STEP_TYPES)
ANSWERABLE = sorted(name for name, kind in STEP_TYPES.items() if kind.answerable)


# -- the sample module -----------------------------------------------------------------------

def _with_script(value: Any) -> Any:
    """Every translated text of a definition with the script appended (ids stay as they are)."""
    if isinstance(value, dict):
        if value and set(value) <= {"nl", "en"} and all(isinstance(v, str) for v in value.values()):
            return {lang: f"{text} {SCRIPT}" for lang, text in value.items()}
        return {key: _with_script(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_script(item) for item in value]
    return value


def sample_steps() -> list[dict[str, Any]]:
    """One sample step of every type, the opening first and the summary last."""
    order = ["opening", *[n for n in STEP_TYPES if n not in ("opening", "summary")], "summary"]
    steps: list[dict[str, Any]] = []
    for name in order:
        answered = [s["id"] for s in steps if STEP_TYPES[s["type"]].answerable]
        steps.append(_with_script(STEP_TYPES[name].sample_step(answered)))
    return steps


def write_sample_module(root: Path) -> Path:
    """The sample module as files under ``root/modules``."""
    folder = root / "modules" / MODULE_ID
    (folder / "lessons").mkdir(parents=True)
    texts = {"nl": "Alle stappen", "en": "Every step"}
    (folder / "module.json").write_text(json.dumps({
        "id": MODULE_ID, "version": "1.0.0", "languages": ["nl", "en"], "title": texts,
        "summary": texts, "audience": ["adults"], "estimated_minutes": 10,
        "cover": {"src": "voorbeeld/cover.svg", "alt": texts}, "lessons": ["alles"],
    }), encoding="utf-8")
    (folder / "lessons" / "alles.json").write_text(json.dumps({
        "id": "alles", "title": texts, "steps": sample_steps()}), encoding="utf-8")
    return root / "modules"


def load_sample(name: str) -> dict[str, Any]:
    """The sample step of type ``name``, loaded as the checker keeps it."""
    with ModuleContext({"languages": ["nl", "en"], "media_dir": None}):
        loaded: dict[str, Any] = STEP_TYPES[name].schema().load(
            STEP_TYPES[name].sample_step(["sample-scale"]))
    return loaded


# -- checks on the output --------------------------------------------------------------------

def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def assert_safe(html: str, where: str, expect_script: bool = True) -> None:
    """Not empty, no raw script, and (where the input had one) the script escaped."""
    assert visible_text(html), f"{where}: empty"
    assert SCRIPT not in html, f"{where}: the script came out unescaped"
    assert "<script>alert" not in html, f"{where}: the script came out unescaped"
    if expect_script:
        assert ESCAPED in html, f"{where}: the text is missing (or escaped twice)"


def writes_text(name: str) -> bool:
    """Whether the sample answer of this type holds text the client wrote."""
    answer = STEP_TYPES[name].sample_answer(load_sample(name), SCRIPT)
    return SCRIPT in json.dumps(answer)


# -- the world: an app over the sample module, a client with every answer, a therapist -------

class Sample:
    """The app over the sample module, its people, and the client's answers."""

    def __init__(self, app: Flask, client: User, therapist: User, assignment: Assignment
                 ) -> None:
        self.app, self.client, self.therapist, self.assignment = (
            app, client, therapist, assignment)

    def browser(self, user: User) -> FlaskClient:
        browser = self.app.test_client()
        browser.environ_base["HTTP_REFERER"] = "https://localhost/"
        browser.set_cookie("lang", "en")
        login(browser, user)
        return browser


@pytest.fixture
def sample(database_url: str, tmp_path: Path) -> Iterator[Sample]:
    app = create_app(make_config(database_url, MODULES_DIR=write_sample_module(tmp_path),
                                 MEDIA_DIR=FIXTURE_MEDIA, INSTANCE_DIR=tmp_path / "instance"))
    with connected():
        organisation = Organisation.create(name="Zorg", slug="zorg")
        client = User.create(organisation=organisation, email="c@zorg.example",
                             name="Cliënt", role=Role.CLIENT, language="en")
        therapist = User.create(organisation=organisation, email="t@zorg.example",
                                name="Behandelaar", role=Role.THERAPIST, language="en")
        CareRelationship.create(organisation=organisation, client=client, therapist=therapist,
                                role=CareRole.PRIMARY)
        version = ModuleVersion.get(ModuleVersion.module_id == MODULE_ID)
        assignment = Assignment.create(client=client, therapist=therapist,
                                       module_version=version)
        module = module_for_version(version)
        for step in module.steps_by_id.values():
            answer = STEP_TYPES[step["type"]].sample_answer(step, SCRIPT)
            if answer is not None:
                save_answer(assignment, step["id"], answer, 0)
    yield Sample(app, client, therapist, assignment)
    if db.obj is not None and not db.is_closed():
        db.close()


@pytest.fixture(scope="module")
def plain_app() -> Flask:
    """The app without a database: enough to find and render templates."""
    return create_app(make_config("sqlite://", AUTO_MIGRATE=False))


# -- the types themselves --------------------------------------------------------------------

@pytest.mark.parametrize("name", TYPES)
def test_every_type_has_a_name_for_people_and_templates_that_exist(
    plain_app: Flask, name: str
) -> None:
    step_type = STEP_TYPES[name]
    assert step_type.name == name
    assert str(step_type.label).strip()
    app = plain_app
    loader = app.jinja_env.loader
    assert loader is not None
    templates = [step_type.template, step_type.player_template]
    if step_type.answerable:
        assert step_type.answer_template is not None
        templates.append(step_type.answer_template)
    else:
        assert step_type.answer_template is None
    for template in templates:
        loader.get_source(app.jinja_env, template)  # raises when it does not exist


@pytest.mark.parametrize("name", TYPES)
def test_the_sample_step_is_valid_and_only_answerable_steps_can_be_feedback_moments(
    name: str
) -> None:
    step_type = STEP_TYPES[name]
    step = load_sample(name)
    assert step["type"] == name
    assert ("feedback" in step_type.schema().fields) == step_type.answerable
    assert (step_type.answer_schema is not None) == step_type.answerable


@pytest.mark.parametrize("name", ANSWERABLE)
def test_the_sample_answer_is_valid_and_survives_the_players_form(name: str) -> None:
    step_type = STEP_TYPES[name]
    step = load_sample(name)
    answer = step_type.sample_answer(step, SCRIPT)
    stored = step_type.validate_answer(step, answer)
    step_type.check_change(step, None, {k: v for k, v in stored.items() if k != "private"})
    assert step_type.is_answered(stored)
    # What the player's form shows is what it sends back.
    form = step_type.to_form(step, stored)
    assert step_type.validate_answer(step, step_type.from_form(step, form)) == stored


def _schema_fields(schema: type[Schema]) -> dict[str, fields.Field]:
    return {(field.data_key or name): field for name, field in schema().fields.items()}


def _nested(field: fields.Field) -> type[Schema] | None:
    inner = field.inner if isinstance(field, fields.List) else field
    if isinstance(inner, fields.Nested) and isinstance(inner.nested, type):
        return inner.nested if inner.nested.__name__ != "ShowIfSchema" else None
    return None


def _assert_matches(schema: type[Schema], form: list[AuthoringField], where: str,
                    top: bool = False) -> None:
    expected = _schema_fields(schema)
    if top:
        expected.pop("type")
    assert [f.name for f in form] == list(expected), where
    for item in form:
        field = expected[item.name]
        assert item.kind in KINDS, f"{where}.{item.name}"
        assert item.required == field.required, f"{where}.{item.name}"
        assert str(item.help).strip(), f"{where}.{item.name}: no help text"
        nested = _nested(field)
        if nested is not None:
            _assert_matches(nested, list(item.fields), f"{where}.{item.name}")
        else:
            assert not item.fields, f"{where}.{item.name}"


@pytest.mark.parametrize("name", TYPES)
def test_the_authoring_form_has_one_field_per_field_of_the_definition(name: str) -> None:
    step_type = STEP_TYPES[name]
    _assert_matches(step_type.schema, step_type.authoring_fields(), name, top=True)


@pytest.mark.parametrize("name", TYPES)
def test_every_help_text_of_a_type_belongs_to_one_of_its_fields(name: str) -> None:
    step_type: StepType = STEP_TYPES[name]

    def paths(form: list[AuthoringField], prefix: str = "") -> set[str]:
        found = set()
        for item in form:
            found.add(f"{prefix}{item.name}")
            if item.kind == "list" or item.kind == "object":
                found |= paths(list(item.fields), f"{prefix}{item.name}.")
        return found

    stale = set(step_type.help_texts) - paths(step_type.authoring_fields())
    assert not stale, f"help texts for fields {name} does not have: {sorted(stale)}"


# -- the surfaces ----------------------------------------------------------------------------

@pytest.mark.parametrize("context", ANSWER_CONTEXTS)
@pytest.mark.parametrize("name", ANSWERABLE)
def test_a_stored_answer_renders_escaped_in_every_context(
    plain_app: Flask, name: str, context: str
) -> None:
    app = plain_app
    step = load_sample(name)
    value = STEP_TYPES[name].validate_answer(step, STEP_TYPES[name].sample_answer(step, SCRIPT))
    with app.test_request_context():
        html = render_template_string(ANSWER_HTML, step=step, value=value, lang="en",
                                      context=context)
        empty = render_template_string(ANSWER_HTML, step=step, value=None, lang="nl",
                                       context=context)
    assert_safe(html, f"{name} in {context}", expect_script=writes_text(name))
    assert visible_text(empty), f"{name} in {context}: nothing for a missing answer"


def test_the_preview_shows_every_type_escaped(sample: Sample) -> None:
    page = sample.app.test_client().get(f"/modules/{MODULE_ID}").get_data(as_text=True)
    assert_safe(page, "preview")
    for name in TYPES:
        assert f'id="step-sample-{name}"' in page or f"sample-{name}" in page, name


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_player_shows_every_step_with_its_answer_escaped(sample: Sample,
                                                             language: str) -> None:
    browser = sample.browser(sample.client)
    browser.set_cookie("lang", language)
    for name in TYPES:
        response = browser.get(f"/assignments/{sample.assignment.id}/steps/sample-{name}")
        assert response.status_code == 200, name
        page = response.get_data(as_text=True)
        form = re.search(r'<form[^>]*class="[^"]*player__form.*?</form>', page, re.S)
        assert form is not None, name
        assert_safe(form.group(0), f"player, {name}")  # the module's texts are in every step
        if STEP_TYPES[name].answerable and writes_text(name):
            assert f"{ESCAPED}</textarea>" in form.group(0) or f'value="{ESCAPED}"' in \
                form.group(0), f"player, {name}: the stored answer is not in the form"


def test_the_summary_and_the_finish_page_show_every_answer_escaped(sample: Sample) -> None:
    browser = sample.browser(sample.client)
    summary = browser.get(f"/assignments/{sample.assignment.id}/steps/sample-summary")
    finished = browser.get(f"/assignments/{sample.assignment.id}/done")
    for where, response in (("summary", summary), ("finish page", finished)):
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert_safe(page, where)
        sections = re.findall(r'<section class="summary-answer">(.*?)</section>', page, re.S)
        assert len(sections) == len(ANSWERABLE), where
        for section in sections:
            assert_safe(section, where, expect_script=False)
            assert "Not answered yet" not in section, where


def test_the_therapists_record_shows_every_answer_escaped(sample: Sample) -> None:
    page = sample.browser(sample.therapist).get(
        f"/therapist/clients/{sample.client.id}").get_data(as_text=True)
    assert_safe(page, "record")
    for name in ANSWERABLE:
        step = re.search(rf'id="step-\d+-sample-{name}".*?<div class="th-answer">(.*?)'
                         r'<p class="th-muted th-answer__when">', page, re.S)
        assert step is not None, f"record: no answer shown for {name}"
        assert_safe(step.group(1), f"record, {name}", expect_script=writes_text(name))


def test_scored_types_reach_the_scores_over_time(sample: Sample) -> None:
    page = sample.browser(sample.therapist).get(
        f"/therapist/clients/{sample.client.id}").get_data(as_text=True)
    with connected():
        answers = {a.step_id: a.value for a in Answer.select()}
    module = module_for_version(sample.assignment.module_version)
    for step_id, value in answers.items():
        step = module.steps_by_id[step_id]
        for score in STEP_TYPES[step["type"]].scores(step, value):
            key = f"{MODULE_ID}-{step_id}" + (f"-{score.key}" if score.key else "")
            assert f'id="chart-{key}"' in page, key


def test_the_conflict_page_and_panel_show_both_versions_escaped(sample: Sample) -> None:
    browser = sample.browser(sample.client)
    module = module_for_version(sample.assignment.module_version)
    page = browser.get(f"/assignments/{sample.assignment.id}/steps/sample-reflection")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert csrf is not None
    token = browser.get("/api/v1/csrf-token").get_json()["csrf_token"]
    for name in ANSWERABLE:
        step = module.steps_by_id[f"sample-{name}"]
        step_type = STEP_TYPES[name]
        form = step_type.to_form(step, step_type.sample_answer(step, f"mijn {SCRIPT}"))
        # Based on revision 0, while revision 1 is stored: a conflict.
        if not writes_text(name):
            continue  # the same choices as stored: no conflict (their rendering is tested above)
        response = browser.post(
            f"/assignments/{sample.assignment.id}/steps/sample-{name}",
            data={**form, "csrf_token": csrf.group(1), "revision": "0", "action": "save"})
        assert response.status_code == 409, name
        assert_safe(response.get_data(as_text=True), f"conflict page, {name}")
        panel = browser.put(f"/api/v1/assignments/{sample.assignment.id}/steps/sample-{name}"
                            "/form", json={"fields": form, "revision": 0},
                            headers={"X-CSRFToken": token})
        assert panel.status_code == 409, (name, panel.get_json())
        assert_safe(panel.get_json()["current"]["html"], f"conflict panel, {name}")
