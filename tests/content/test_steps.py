"""Behaviour of the step types: questionnaire scoring, show_if evaluation, Markdown, JSON Schema."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ehealth.content.fields import MEDIA_KINDS
from ehealth.content.jsonschema import DRAFT, module_json_schema
from ehealth.content.markdown import render_markdown
from ehealth.content.steps import STEP_TYPES
from ehealth.content.steps.questionnaire import score, score_range

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
VOORBEELD = FIXTURES / "modules" / "voorbeeld"


def load_step(raw: dict[str, Any]) -> dict[str, Any]:
    """A step definition as the loader keeps it (defaults filled in)."""
    return STEP_TYPES[raw["type"]].schema().load(raw)


def questionnaire(method: str = "sum", scale: range = range(5)) -> dict[str, Any]:
    """Items a, b (reversed) in subscale x, c in subscale y, d in no subscale."""
    return load_step({
        "id": "vragenlijst",
        "type": "questionnaire",
        "title": "Vragenlijst",
        "scale": [{"value": value, "label": f"punt {value}"} for value in scale],
        "subscales": [{"id": "x", "label": "X"}, {"id": "y", "label": "Y"},
                      {"id": "leeg", "label": "Leeg"}],
        "items": [
            {"id": "a", "text": "A", "subscale": "x"},
            {"id": "b", "text": "B", "subscale": "x", "reverse": True},
            {"id": "c", "text": "C", "subscale": "y"},
            {"id": "d", "text": "D"},
        ],
        "scoring": {"method": method},
    })


# -- questionnaire scoring -------------------------------------------------------------------


def test_questionnaire_sum_scores_total_and_subscales() -> None:
    result = score(questionnaire(), {"a": 1, "b": 1, "c": 2, "d": 0})
    # b is reversed on 0-4: 1 counts as 3.
    assert result == {"total": 6, "subscales": {"x": 4, "y": 2, "leeg": None}}


def test_questionnaire_mean_rounds_to_two_decimals() -> None:
    result = score(questionnaire("mean"), {"a": 1, "b": 0, "c": 2, "d": 0})
    # points: a 1, b 4 (reversed), c 2, d 0
    assert result["total"] == 1.75
    assert result["subscales"] == {"x": 2.5, "y": 2.0, "leeg": None}
    assert score(questionnaire("mean"), {"a": 1, "b": 4, "c": 0, "d": 0})["total"] == 0.25
    assert score(questionnaire("mean"), {"a": 1, "b": 3, "c": 1, "d": 0})["total"] == 0.75
    three = load_step({
        "id": "drie", "type": "questionnaire", "title": "Drie", "scoring": {"method": "mean"},
        "scale": [{"value": 0, "label": "nee"}, {"value": 1, "label": "ja"}],
        "items": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}, {"id": "c", "text": "C"}],
    })
    assert score(three, {"a": 1, "b": 0, "c": 0})["total"] == 0.33
    assert score(three, {"a": 1, "b": 1, "c": 0})["total"] == 0.67


def test_reversed_items_count_from_the_other_end_of_the_scale() -> None:
    step = questionnaire(scale=range(1, 6))  # 1-5
    assert score(step, {"a": 1, "b": 1, "c": 1, "d": 1})["subscales"]["x"] == 1 + 5
    assert score(step, {"a": 5, "b": 5, "c": 1, "d": 1})["subscales"]["x"] == 5 + 1


def test_scores_are_none_until_every_item_they_cover_is_answered() -> None:
    step = questionnaire()
    partial = score(step, {"a": 1, "b": 1})
    assert partial == {"total": None, "subscales": {"x": 4, "y": None, "leeg": None}}
    assert score(step, {}) == {"total": None, "subscales": {"x": None, "y": None, "leeg": None}}


def test_an_answer_not_on_the_scale_does_not_count() -> None:
    step = questionnaire()
    assert score(step, {"a": 7, "b": 1, "c": 2, "d": 0})["total"] is None
    assert score(step, {"a": 7, "b": 1, "c": 2, "d": 0})["subscales"]["y"] == 2
    assert score(step, {"a": "1", "b": 1, "c": 2, "d": 0})["total"] is None


def test_score_range_of_sum_and_mean() -> None:
    assert score_range(questionnaire()) == (0, 16)
    assert score_range(questionnaire("mean")) == (0, 4)
    assert score_range(questionnaire(scale=range(1, 6))) == (4, 20)


answers = st.fixed_dictionaries({item: st.integers(0, 4) for item in "abcd"})


@settings(max_examples=100, deadline=None)
@given(responses=answers, method=st.sampled_from(["sum", "mean"]))
def test_total_score_lies_in_the_score_range(responses: dict[str, int], method: str) -> None:
    step = questionnaire(method)
    low, high = score_range(step)
    total = score(step, responses)["total"]
    assert total is not None
    assert low <= total <= high


@settings(max_examples=100, deadline=None)
@given(responses=answers)
def test_sum_total_is_the_sum_of_the_points(responses: dict[str, int]) -> None:
    result = score(questionnaire(), responses)
    points = {**responses, "b": 4 - responses["b"]}
    assert result["total"] == sum(points.values())
    assert result["subscales"]["x"] == points["a"] + points["b"]
    assert result["subscales"]["y"] == points["c"]


@settings(max_examples=100, deadline=None)
@given(responses=answers)
def test_reversing_every_answer_mirrors_the_sum(responses: dict[str, int]) -> None:
    step = questionnaire()
    mirrored = {item: 4 - value for item, value in responses.items()}
    low, high = score_range(step)
    assert score(step, mirrored)["total"] == low + high - score(step, responses)["total"]


@settings(max_examples=100, deadline=None)
@given(responses=st.dictionaries(st.sampled_from("abcdz"), st.integers(-2, 6)))
def test_a_score_exists_exactly_when_its_items_are_answered_on_the_scale(
    responses: dict[str, int],
) -> None:
    result = score(questionnaire(), responses)
    on_scale = {item for item, value in responses.items() if 0 <= value <= 4}
    assert (result["total"] is None) == (not set("abcd") <= on_scale)
    assert (result["subscales"]["x"] is None) == (not set("ab") <= on_scale)
    assert (result["subscales"]["y"] is None) == ("c" not in on_scale)
    assert result["subscales"]["leeg"] is None


# -- show_if evaluation ----------------------------------------------------------------------

SCALE = load_step({
    "id": "cijfer", "type": "scale", "question": "Hoe gaat het?",
    "min_label": "slecht", "max_label": "goed",
})
SINGLE = load_step({
    "id": "hulp", "type": "choice", "question": "Tip?",
    "options": [{"id": "ja", "label": "Ja"}, {"id": "nee", "label": "Nee"},
                {"id": "later", "label": "Later"}],
})
MULTIPLE = {**SINGLE, "multiple": True}
STRENGTHS = load_step({
    "id": "krachten", "type": "strengths", "prompt": "Kies",
    "categories": [{"id": "ik-ben", "kind": "qualities", "label": "Ik ben",
                    "suggestions": [{"id": "humor", "label": "grappig"},
                                    {"id": "moed", "label": "moedig"}]}],
})


def evaluate(step: dict[str, Any], operator: str, value: Any, answer: Any) -> bool:
    return STEP_TYPES[step["type"]].evaluate(step, operator, value, answer)


@pytest.mark.parametrize(("operator", "value", "answer", "expected"), [
    ("equals", 5, {"value": 5}, True),
    ("equals", 5, {"value": 4}, False),
    ("one_of", [3, 5], {"value": 5}, True),
    ("one_of", [3, 5], {"value": 4}, False),
    ("at_least", 5, {"value": 5}, True),
    ("at_least", 5, {"value": 4}, False),
    ("at_least", 5, {"value": 10}, True),
    ("at_most", 5, {"value": 5}, True),
    ("at_most", 5, {"value": 6}, False),
    ("at_most", 5, {"value": 0}, True),
    ("at_least", 0, None, False),
    ("at_least", 0, {}, False),
    ("at_least", 0, {"value": None}, False),
    ("at_least", 0, {"value": "7"}, False),
    ("equals", 1, {"value": True}, False),
    ("at_most", 10, {"value": [3]}, False),
])
def test_show_if_on_a_scale(operator: str, value: Any, answer: Any, expected: bool) -> None:
    assert evaluate(SCALE, operator, value, answer) is expected


@pytest.mark.parametrize(("operator", "value", "answer", "expected"), [
    ("equals", "ja", {"selected": ["ja"]}, True),
    ("equals", "ja", {"selected": ["nee"]}, False),
    ("equals", "ja", {"selected": []}, False),
    ("one_of", ["ja", "later"], {"selected": ["later"]}, True),
    ("one_of", ["ja", "later"], {"selected": ["nee"]}, False),
    ("equals", "ja", None, False),
    ("equals", "ja", {}, False),
    ("equals", "ja", {"selected": "ja"}, False),
])
def test_show_if_on_a_single_choice(
    operator: str, value: Any, answer: Any, expected: bool
) -> None:
    assert evaluate(SINGLE, operator, value, answer) is expected


@pytest.mark.parametrize(("value", "answer", "expected"), [
    ("ja", {"selected": ["ja", "later"]}, True),
    ("later", {"selected": ["ja", "later"]}, True),
    ("nee", {"selected": ["ja", "later"]}, False),
    ("ja", {"selected": []}, False),
    ("ja", None, False),
    ("ja", {"selected": "ja"}, False),
])
def test_show_if_contains_on_a_multiple_choice(value: str, answer: Any, expected: bool) -> None:
    assert evaluate(MULTIPLE, "contains", value, answer) is expected


@pytest.mark.parametrize(("answer", "expected"), [
    ({"items": [{"suggestion": "moed"}, {"suggestion": "humor", "follow_up": "gisteren"}]}, True),
    ({"items": [{"suggestion": "moed"}]}, False),
    ({"items": [{"text": "humor"}]}, False),  # an own item with the same words is not it
    ({"items": []}, False),
    ({"items": ["humor"]}, False),
    ({"items": {"suggestion": "humor"}}, False),
    (None, False),
])
def test_show_if_contains_on_strengths(answer: Any, expected: bool) -> None:
    assert evaluate(STRENGTHS, "contains", "humor", answer) is expected


@pytest.mark.parametrize(("operator", "value", "responses", "expected"), [
    ("at_least", 6, {"a": 1, "b": 1, "c": 2, "d": 0}, True),  # total 6
    ("at_least", 7, {"a": 1, "b": 1, "c": 2, "d": 0}, False),
    ("at_most", 6, {"a": 1, "b": 1, "c": 2, "d": 0}, True),
    ("at_most", 5, {"a": 1, "b": 1, "c": 2, "d": 0}, False),
    ("at_least", 0, {"a": 1, "b": 1, "c": 2}, False),  # incomplete: no total yet
    ("at_most", 16, {"a": 1, "b": 1, "c": 2}, False),
])
def test_show_if_on_a_questionnaire_total(
    operator: str, value: float, responses: dict[str, int], expected: bool
) -> None:
    answer = {"responses": responses}
    assert evaluate(questionnaire(), operator, value, answer) is expected


@pytest.mark.parametrize("answer", [None, {}, {"responses": None}, {"responses": [1, 2]}])
def test_show_if_on_an_unanswered_questionnaire_is_false(answer: Any) -> None:
    assert evaluate(questionnaire(), "at_least", 0, answer) is False


@pytest.mark.parametrize("kind", ["opening", "text", "experience", "summary"])
def test_steps_without_answers_offer_no_condition(kind: str) -> None:
    step_type = STEP_TYPES[kind]
    assert not step_type.answerable
    assert step_type.operators == frozenset()
    problem = step_type.condition_problem({"id": "x", "type": kind}, "equals", "ja")
    assert problem == f'Step "x" ({kind}) has no answer a condition can test.'
    assert step_type.evaluate({"id": "x", "type": kind}, "equals", "ja", {"value": "ja"}) is False


def test_answerable_steps_are_marked_so() -> None:
    answerable = {name for name, step_type in STEP_TYPES.items() if step_type.answerable}
    assert answerable >= {"strengths", "reflection", "scale", "choice", "questionnaire", "goal"}
    assert not answerable & {"opening", "text", "experience", "summary"}
    for name in answerable:
        assert STEP_TYPES[name].answer_schema is not None, name


@settings(max_examples=100, deadline=None)
@given(value=st.integers(0, 10), answer=st.integers(0, 10))
def test_scale_at_least_and_at_most_split_every_answer(value: int, answer: int) -> None:
    stored = {"value": answer}
    at_least = evaluate(SCALE, "at_least", value, stored)
    at_most = evaluate(SCALE, "at_most", value, stored)
    assert at_least or at_most
    assert (at_least and at_most) == (answer == value) == evaluate(SCALE, "equals", value, stored)


# -- Markdown ---------------------------------------------------------------------------------


def test_markdown_keeps_bold_italic_and_lists() -> None:
    html = render_markdown("**vet** en *schuin*\n\n- een\n- twee\n\n1. eerst\n2. dan")
    assert "<strong>vet</strong>" in html
    assert "<em>schuin</em>" in html
    assert "<ul>\n<li>een</li>\n<li>twee</li>\n</ul>" in html
    assert "<ol>\n<li>eerst</li>\n<li>dan</li>\n</ol>" in html


def test_markdown_keeps_safe_links_and_makes_them_open_safely() -> None:
    assert render_markdown("[meer](https://example.org/a)") == (
        '<p><a href="https://example.org/a" rel="noopener noreferrer">meer</a></p>'
    )
    assert 'href="mailto:hulp@example.org"' in render_markdown("[mail](mailto:hulp@example.org)")


def test_markdown_headings_are_demoted_below_the_step_title() -> None:
    html = render_markdown("# Groot\n\n## Middel\n\n###### Klein")
    assert html == "<h3>Groot</h3>\n<h3>Middel</h3>\n<h4>Klein</h4>"


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>",
    "Tekst <script>alert(1)</script> tekst",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">klik</a>',
    "<iframe src=https://example.org></iframe>",
    "<b>vet</b> <div onclick=alert(1)>x</div>",
    "<style>body{display:none}</style>",
])
def test_markdown_does_not_pass_raw_html(source: str) -> None:
    html = render_markdown(source)
    assert re.search(r"<(?!/?(p|br|strong|em|ul|ol|li|blockquote|a|h3|h4|code)\b)", html) is None
    assert "<script" not in html
    assert "<b>" not in html
    assert "onerror=" not in html or "&lt;" in html  # only as escaped, visible text


@pytest.mark.parametrize("source", [
    "[klik](javascript:alert(1))",
    "[klik](JAVASCRIPT:alert(1))",
    "[klik](<javascript:alert(1)>)",
    "[klik](&#106;avascript:alert(1))",
    "[klik](data:text/html;base64,PHNjcmlwdD4=)",
    "[klik](vbscript:msgbox(1))",
    "[klik][ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
])
def test_markdown_removes_javascript_and_data_links(source: str) -> None:
    html = render_markdown(source)
    assert "href" not in html


@pytest.mark.parametrize("source", [
    "![een foto](https://example.org/foto.png)",
    "![een foto](https://example.org/foto.png \"titel\")",
    "Tekst ![x](javascript:alert(1)) tekst",
])
def test_markdown_removes_images(source: str) -> None:
    html = render_markdown(source)
    assert "<img" not in html
    assert "src=" not in html


@settings(max_examples=200, deadline=None)
@given(source=st.text(
    # Valid Unicode only: lone surrogates are the loader's to reject (see the checker tests).
    alphabet=st.sampled_from(list("<>&\"'=/:()[]!*-_#`\n abcjsriptvhfgmo."))
    | st.characters(codec="utf-8"),
    max_size=80,
))
def test_markdown_output_only_uses_allowed_tags_and_https_links(source: str) -> None:
    html = render_markdown(source)
    for tag, attributes in re.findall(r"<([a-zA-Z0-9]+)([^>]*)>", html):
        assert tag in {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "a", "h3",
                       "h4", "code"}, html
        for name in re.findall(r'\s([a-zA-Z-]+)="', attributes):
            assert (tag, name) in {("a", "href"), ("a", "title"), ("a", "rel")}, html
    for href in re.findall(r'href="([^"]*)"', html):
        assert href.startswith(("https:", "mailto:", "tel:")) or ":" not in href.split("/")[0], \
            html


# -- JSON Schema export -----------------------------------------------------------------------


def _refs(value: Any) -> list[str]:
    if isinstance(value, dict):
        own = [value["$ref"]] if isinstance(value.get("$ref"), str) else []
        return own + [ref for child in value.values() for ref in _refs(child)]
    if isinstance(value, list):
        return [ref for child in value for ref in _refs(child)]
    return []


@pytest.mark.parametrize("kind", ["module", "lesson"])
def test_json_schema_is_serialisable_and_its_references_resolve(kind: str) -> None:
    schema = module_json_schema(kind)
    assert json.loads(json.dumps(schema)) == schema
    assert schema["$schema"] == DRAFT == "https://json-schema.org/draft/2020-12/schema"
    refs = _refs(schema)
    assert refs
    for ref in refs:
        assert ref.startswith("#/$defs/")
        assert ref.removeprefix("#/$defs/") in schema["$defs"], ref


def test_every_step_type_appears_in_the_lesson_schema() -> None:
    schema = module_json_schema("lesson")
    lesson = schema["$defs"][schema["$ref"].removeprefix("#/$defs/")]
    variants = lesson["properties"]["steps"]["items"]["oneOf"]
    types = []
    for variant in variants:
        definition = schema["$defs"][variant["$ref"].removeprefix("#/$defs/")]
        assert definition["type"] == "object"
        assert definition["additionalProperties"] is False
        assert "id" in definition["required"]
        types.append(definition["properties"]["type"]["const"])
    assert sorted(types) == sorted(STEP_TYPES)


def test_step_schemas_list_every_field_of_their_marshmallow_schema() -> None:
    schema = module_json_schema("lesson")
    for name, step_type in STEP_TYPES.items():
        ref = next(
            v["$ref"] for v in schema["$defs"]["Lesson"]["properties"]["steps"]["items"]["oneOf"]
            if schema["$defs"][v["$ref"].removeprefix("#/$defs/")]["properties"]["type"]
            .get("const") == name
        )
        definition = schema["$defs"][ref.removeprefix("#/$defs/")]
        fields = {f.data_key or key for key, f in step_type.schema().fields.items()}
        assert set(definition["properties"]) == fields, name


def _media_pattern(kind: str) -> str:
    """The exported JSON Schema pattern for media paths of one kind (image, audio, …)."""
    others = {s for other, suffixes in MEDIA_KINDS.items() if other != kind for s in suffixes}
    schema = module_json_schema("lesson")
    patterns = {
        prop["pattern"]
        for definition in schema["$defs"].values()
        for prop in definition.get("properties", {}).values()
        if "pattern" in prop
        and all(re.fullmatch(prop["pattern"], f"a/b{s}") for s in MEDIA_KINDS[kind])
        and not any(re.fullmatch(prop["pattern"], f"a/b{s}") for s in others)
    }
    assert len(patterns) == 1, patterns
    return patterns.pop()


@pytest.mark.parametrize("kind", sorted(MEDIA_KINDS))
def test_json_schema_media_pattern_matches_the_checker_on_lower_case_paths(kind: str) -> None:
    pattern = re.compile(_media_pattern(kind))
    for suffix in MEDIA_KINDS[kind]:
        assert pattern.fullmatch(f"voorbeeld/bestand{suffix}")
        assert not pattern.fullmatch(f"../voorbeeld/bestand{suffix}")
        assert not pattern.fullmatch(f"/voorbeeld/bestand{suffix}")
    assert not pattern.fullmatch("voorbeeld/bestand.exe")


@pytest.mark.parametrize("kind", sorted(MEDIA_KINDS))
def test_json_schema_media_pattern_accepts_upper_case_extensions_like_the_checker(
    kind: str,
) -> None:
    suffix = sorted(MEDIA_KINDS[kind])[0]
    assert re.fullmatch(_media_pattern(kind), f"voorbeeld/bestand{suffix.upper()}")


@pytest.fixture
def jsonschema() -> Any:
    return pytest.importorskip("jsonschema")


@pytest.mark.parametrize("kind", ["module", "lesson"])
def test_json_schema_is_valid_draft_2020_12(jsonschema: Any, kind: str) -> None:
    jsonschema.Draft202012Validator.check_schema(module_json_schema(kind))


def test_the_example_module_validates_against_the_exported_schema(jsonschema: Any) -> None:
    module_validator = jsonschema.Draft202012Validator(module_json_schema("module"))
    lesson_validator = jsonschema.Draft202012Validator(module_json_schema("lesson"))
    module_validator.validate(json.loads((VOORBEELD / "module.json").read_text("utf-8")))
    lessons = sorted((VOORBEELD / "lessons").glob("*.json"))
    assert lessons
    for path in lessons:
        lesson_validator.validate(json.loads(path.read_text("utf-8")))


@pytest.mark.parametrize(("change", "path"), [
    (lambda lesson: lesson["steps"][1].update(type="slideshow"), ["steps", 1]),
    (lambda lesson: lesson["steps"][1].update(tittle="Zo"), ["steps", 1]),
    (lambda lesson: lesson["steps"][2].update(min="0"), ["steps", 2]),
    (lambda lesson: lesson.pop("steps"), []),
    (lambda lesson: lesson.update(id="Begin!"), ["id"]),
])
def test_the_exported_schema_rejects_broken_lessons(
    jsonschema: Any, change: Any, path: list[Any]
) -> None:
    lesson = json.loads((VOORBEELD / "lessons" / "begin.json").read_text("utf-8"))
    change(lesson)
    errors = list(jsonschema.Draft202012Validator(module_json_schema("lesson")).iter_errors(lesson))
    assert errors
    assert any(list(error.absolute_path) == path for error in errors), errors
