"""The editor's forms: every step type's definition as form fields and back, driven by the
registry's authoring fields only (a new step type needs no editor code)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from flask import Flask
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from ehealth.author import editor_forms as ef
from ehealth.content.fields import (
    ImageSchema,
    MarkdownField,
    StrictBoolean,
    StrictInteger,
    TextField,
)
from ehealth.content.problems import Problem
from ehealth.content.steps import STEP_TYPES
from ehealth.content.steps.base import StepSchema, StepType, sample_texts
from ehealth.services.draft_editing import fingerprint
from tests.author.editor_support import copy_of_voorbeeld, form_of, post, prefix_of, stored
from tests.conftest import World, login

LANGUAGES = ["nl", "en"]


@pytest.fixture
def request_context(app: Flask) -> Iterator[None]:
    with app.test_request_context():
        yield


def _round_trip(step_type: str, value: dict[str, Any]) -> dict[str, Any]:
    fields_ = ef.step_fields(step_type)
    form = ef.to_form(fields_, value, "s0", LANGUAGES)
    back = ef.from_form(fields_, form, "s0", value)
    back["type"] = step_type
    return back


@pytest.mark.parametrize("step_type", sorted(STEP_TYPES))
def test_every_registered_step_type_round_trips_through_its_form(
        request_context: None, step_type: str) -> None:
    sample = STEP_TYPES[step_type].sample_step(["sample-reflection"])
    assert _round_trip(step_type, sample) == sample
    # And the form of what came back is the same form: nothing drifts on a second save.
    assert _round_trip(step_type, _round_trip(step_type, sample)) == sample


@pytest.mark.parametrize("step_type", sorted(STEP_TYPES))
def test_every_field_of_every_type_renders_with_a_label_and_help(
        request_context: None, step_type: str) -> None:
    sample = STEP_TYPES[step_type].sample_step(["sample-reflection"])
    fields_ = ef.step_fields(step_type)
    form = ef.to_form(fields_, sample, "s0", LANGUAGES)
    nodes = ef.build_nodes(fields_, form, "s0", ef.NodeContext(LANGUAGES))
    assert [n.name for n in nodes] == [f"s0.{f.name}" for f in fields_]
    for node in ef._walk(nodes):
        assert node.label, node.name
        assert node.help, node.name
        assert node.id == ef.html_id(node.name)


def test_empty_fields_and_defaults_are_left_out(request_context: None) -> None:
    fields_ = ef.step_fields("strengths")
    form = {"s0.id": ["sterk"], "s0.prompt.nl": ["Kies"], "s0.prompt.en": ["  "],
            "s0.allow_own": ["1"], "s0.min_items": [""], "s0.title.nl": [""]}
    assert ef.from_form(fields_, form, "s0") == {"id": "sterk", "prompt": {"nl": "Kies"}}
    # allow_own is on by default: switching it off is what gets written.
    form.pop("s0.allow_own")
    assert ef.from_form(fields_, form, "s0")["allow_own"] is False


def test_what_cannot_be_read_as_a_number_stays_as_typed_for_the_checker(
        request_context: None) -> None:
    value = ef.from_form(ef.step_fields("scale"), {"s0.min": ["nul"], "s0.max": ["7"]}, "s0")
    assert value == {"min": "nul", "max": 7}


def test_windows_line_ends_from_a_textarea_change_nothing(request_context: None) -> None:
    fields_ = ef.step_fields("text")
    stored_value = {"id": "uitleg", "type": "text", "body": {"nl": "Een\ntwee"}}
    form = ef.to_form(fields_, stored_value, "s0", LANGUAGES)
    form["s0.body.nl"] = ["Een\r\ntwee"]
    back = ef.from_form(fields_, form, "s0")
    back["type"] = "text"
    assert back == stored_value


def test_list_buttons_add_move_and_remove_items(request_context: None) -> None:
    fields_ = ef.step_fields("choice")
    value = copy.deepcopy(STEP_TYPES["choice"].sample_step())
    assert ef.apply_list_op(fields_, value, "add", ["options"]) == "options.2"
    assert value["options"][2] == {"id": "option-3"}
    assert ef.apply_list_op(fields_, value, "up", ["options", "2"]) == "options.1"
    assert [o["id"] for o in value["options"]] == ["ja", "option-3", "nee"]
    assert ef.apply_list_op(fields_, value, "remove", ["options", "0"]) == "options._add"
    assert [o["id"] for o in value["options"]] == ["option-3", "nee"]
    assert ef.apply_list_op(fields_, value, "up", ["nothing", "0"]) is None


def test_nested_lists_work_the_same(request_context: None) -> None:
    fields_ = ef.step_fields("strengths")
    value = copy.deepcopy(STEP_TYPES["strengths"].sample_step())
    ef.apply_list_op(fields_, value, "add", ["categories", "0", "suggestions"])
    assert [s["id"] for s in value["categories"][0]["suggestions"]] == ["grappig",
                                                                        "suggestion-2"]


def test_a_condition_offers_only_earlier_steps_and_what_they_can_be_tested_on(
        app: Flask, world: World) -> None:
    draft = copy_of_voorbeeld(world.person("author"))
    with app.test_request_context():
        conditions = ef.Conditions(draft.content, LANGUAGES, "nl")
        earlier = [t.id for t in conditions.earlier_targets("tip")]
        # welkom, uitleg (no answer) and tip itself are not offered; later steps neither.
        assert earlier == ["cijfer", "hulp"]
        scale = conditions.target("cijfer")
        assert scale is not None
        assert scale.operators == ["equals", "one_of", "at_least", "at_most"]
        assert scale.ranges["at_least"] == (0, 10)
        choice = conditions.target("hulp")
        assert choice is not None
        assert choice.operators == ["equals", "one_of"]  # a single choice: no "contains"
        assert [v for v, _label in choice.values["equals"]] == ["ja", "nee"]
        questionnaire = conditions.target("tevredenheid")
        assert questionnaire is not None
        assert questionnaire.operators == ["at_least", "at_most"]
        low, high = questionnaire.ranges["at_least"]
        assert low == 0
        assert high > 0
        # The stored condition reads back with its value typed by what its step offers.
        fields_ = ef.step_fields("experience")
        tip = next(s for s in draft.content["lessons"]["begin"]["steps"] if s["id"] == "tip")
        form = ef.to_form(fields_, tip, "s4", LANGUAGES)
        assert ef.from_form(fields_, form, "s4", tip, conditions)["show_if"] == {
            "step": "hulp", "equals": "ja"}
        form["s4.show_if.step"], form["s4.show_if.op"] = ["cijfer"], ["at_least"]
        form["s4.show_if.value"] = ["6"]
        assert ef.from_form(fields_, form, "s4", tip, conditions)["show_if"] == {
            "step": "cijfer", "at_least": 6}
        editor = ef._condition_editor(form, "s4.show_if", ef.NodeContext(
            LANGUAGES, conditions, "tip")).targets
        assert [o.value for o in editor] == ["", "cijfer", "hulp"]


def test_a_problem_path_leads_to_its_field(request_context: None) -> None:
    content = {"module": {"id": "m", "lessons": ["begin"]},
               "lessons": {"begin": {"id": "begin", "steps": [
                   {"id": "a", "type": "reflection", "questions": [{"id": "q"}]}]}}}
    index = ef.FieldIndex()
    views = ef.step_views(content, "begin", LANGUAGES, None)
    index.add("lesson:begin", views[0].nodes)
    index.add("overview", ef.module_view(content, LANGUAGES).nodes)
    found = ef.locate(Problem("m/lessons/begin.json", "steps[0].questions[0].question",
                              "Missing data for required field."), content, index)
    assert (found.page, found.element, found.anchor) == (
        "lesson:begin", "ed-s0-questions-0-question", "ed-s0-questions-0-question-nl")
    entry = ef.locate(Problem("m/lessons/begin.json", "steps[0].questions[0].question.en",
                              'Missing translation for "en".'), content, index)
    assert entry.anchor == "ed-s0-questions-0-question-en"
    module = ef.locate(Problem("m/module.json", "cover.alt.nl", "Text must not be empty."),
                       content, index)
    assert (module.page, module.element) == ("overview", "ed-m-cover-alt-nl")


# --- a step type nobody wrote editor code for ---------------------------------------------------

class PointSchema(Schema):
    label = TextField(required=True)
    weight = StrictInteger(load_default=1)


class ThrowawaySchema(StepSchema):
    """A made-up type with one field of each kind the editor knows."""

    heading = TextField(required=True)
    story = MarkdownField()
    level = fields.String(load_default="low", validate=validate.OneOf(("low", "high")))
    shown = StrictBoolean(load_default=True)
    points = fields.List(fields.Nested(PointSchema), load_default=list)
    picture = fields.Nested(ImageSchema)


class Throwaway(StepType):
    name = "throwaway"
    schema = ThrowawaySchema
    description = "A step type made up for a test."
    label = _l("Throwaway")
    help_texts: ClassVar[dict[str, Any]] = {
        "heading": "The heading.", "story": "A story.", "level": "How high.",
        "shown": "Shown or not.", "points": "Some points.", "points.label": "The point.",
        "points.weight": "How much it weighs.", "picture": "A picture."}

    def sample_step(self, answered: Any = ()) -> dict[str, Any]:
        return {"id": "sample-throwaway", "type": self.name,
                "heading": sample_texts("Kop"),
                "points": [{"label": sample_texts("Punt")}]}


@pytest.fixture
def throwaway(monkeypatch: pytest.MonkeyPatch) -> Throwaway:
    kind = Throwaway()
    monkeypatch.setitem(STEP_TYPES, kind.name, kind)
    return kind


def test_a_new_step_type_gets_a_form_that_renders_and_saves(
        app: Flask, world: World, throwaway: Throwaway) -> None:
    author = world.person("author")
    draft = copy_of_voorbeeld(author)
    client = app.test_client()
    client.environ_base["HTTP_REFERER"] = "https://localhost/"
    login(client, author)
    page = f"/author/drafts/{draft.id}/lessons/begin"
    form = form_of(client.get(page).get_data(as_text=True))
    assert 'value="throwaway"' in client.get(page).get_data(as_text=True)
    added = post(client, f"/author/drafts/{draft.id}/save",
                 {**form, "new_step_type": ["throwaway"]}, op="step-add")
    assert added.status_code == 303
    new = stored(draft.id).content["lessons"]["begin"]["steps"][-1]
    assert new["type"] == "throwaway"
    assert new["id"] == "throwaway"
    html = client.get(page).get_data(as_text=True)
    prefix = prefix_of(form_of(html), "step:throwaway")
    for name in ("heading-nl", "heading-en", "story-nl", "level", "shown", "points-0-label-nl",
                 "points-0-weight", "picture-src", "picture-alt-en"):
        assert f'id="ed-{prefix}-{name}"' in html, name
    form = form_of(html)
    form[f"{prefix}.heading.nl"] = ["Nieuwe kop"]
    form[f"{prefix}.level"] = ["high"]
    form.pop(f"{prefix}.shown", None)
    form[f"{prefix}.points.0.weight"] = ["3"]
    saved = post(client, f"/author/drafts/{draft.id}/save", form, as_json=True)
    assert saved.status_code == 200, saved.get_data(as_text=True)
    step = stored(draft.id).content["lessons"]["begin"]["steps"][-1]
    assert step["heading"] == {"nl": "Nieuwe kop", "en": "Kop (example)"}
    assert step["level"] == "high"
    assert step["shown"] is False
    assert step["points"] == [{"label": {"nl": "Punt (voorbeeld)", "en": "Punt (example)"},
                               "weight": 3}]
    assert saved.get_json()["parts"][prefix]["shown"] == fingerprint(step)
