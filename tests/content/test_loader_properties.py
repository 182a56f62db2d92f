"""The loader never crashes: whatever JSON an author writes, it loads or yields Problems.

Arbitrary JSON documents are put in the place of module.json, of a lesson file, of one step and
of one field of a step of the example module; arbitrary bytes are written to its files. The
checker must either load a module (and report nothing) or report at least one Problem, each
with a str file, path and message, and never raise.
"""

from __future__ import annotations

import copy
import json
import os
import random
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from marshmallow import Schema, fields

from ehealth.content.loader import (
    LoadResult,
    check_module,
    content_hash,
    load_module_content,
    load_module_folder,
)
from ehealth.content.problems import Problem
from ehealth.content.schema import LessonSchema, ModuleSchema
from ehealth.content.steps import STEP_TYPES

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
VOORBEELD = FIXTURES / "modules" / "voorbeeld"
MEDIA = FIXTURES / "media"
MODULE_DOC: dict[str, Any] = json.loads((VOORBEELD / "module.json").read_text("utf-8"))
LESSON_DOCS: dict[str, Any] = {
    path.stem: json.loads(path.read_text("utf-8"))
    for path in sorted((VOORBEELD / "lessons").glob("*.json"))
}
STEPS: list[tuple[str, int]] = [
    (lesson, index) for lesson, doc in LESSON_DOCS.items() for index in range(len(doc["steps"]))
]

# EHEALTH_FUZZ_SCALE=20 runs twenty times as many examples, for a longer bug hunt.
SCALE = max(1, int(os.environ.get("EHEALTH_FUZZ_SCALE", "1")))
FAST = settings(
    max_examples=150 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
SLOW = settings(
    max_examples=40 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _field_names(schema: type[Schema], seen: set[type[Schema]] | None = None) -> set[str]:
    """Every key any (nested) schema of the module format knows."""
    seen = set() if seen is None else seen
    if schema in seen:
        return set()
    seen.add(schema)
    names: set[str] = set()
    for name, field in schema._declared_fields.items():
        names.add(field.data_key or name)
        inner = field.inner if isinstance(field, fields.List) else field
        if isinstance(inner, fields.Nested) and isinstance(inner.nested, type):
            names |= _field_names(inner.nested, seen)
    return names


FIELD_NAMES = sorted(
    set().union(*(_field_names(s) for s in (ModuleSchema, LessonSchema)),
                *(_field_names(t.schema) for t in STEP_TYPES.values()))
)
STRINGS = sorted({
    *STEP_TYPES, *(step["id"] for doc in LESSON_DOCS.values() for step in doc["steps"]),
    *LESSON_DOCS, "voorbeeld", "nl", "en", "de", "1.0.0", "adults", "voorbeeld/cover.svg",
    "../cover.svg", "qualities", "sum", "mean", "ja", "humor", "{value}", "{x}", "", " ",
})

# Integers beyond 64 bits and beyond the largest float, but short enough to print (Python
# refuses str() of integers over 4300 digits; see the separate test for those).
integers = st.integers() | st.integers(min_value=-(10**400), max_value=10**400)
leaves = (
    st.none() | st.booleans() | integers | st.floats(allow_nan=False)
    | st.text() | st.sampled_from(STRINGS)
)
json_values = st.recursive(
    leaves,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8) | st.sampled_from(FIELD_NAMES), children, max_size=5),
    max_leaves=12,
)


def outcome(result: LoadResult) -> str:
    """Check a LoadResult is a module or a non-empty list of well-formed Problems; which one."""
    assert isinstance(result, LoadResult)
    assert isinstance(result.problems, list)
    if result.module is not None:
        assert result.problems == []
        return "loads"
    assert result.problems, "no module and no problems"
    for problem in result.problems:
        assert isinstance(problem, Problem)
        assert isinstance(problem.file, str)
        assert isinstance(problem.path, str)
        assert isinstance(problem.message, str)
        assert problem.message
        assert str(problem) == f"{problem.file}: {problem.path}: {problem.message}"
    return "problems"


def assert_loads_or_reports(load: Callable[[], LoadResult]) -> None:
    """Inside a property: the load never raises, and its outcome is well-formed."""
    event(outcome(load()))


def check(module_doc: Any, lesson_docs: dict[str, Any]) -> LoadResult:
    return check_module("voorbeeld", "voorbeeld", module_doc, lesson_docs, MEDIA)


def test_the_example_module_loads() -> None:
    result = check(copy.deepcopy(MODULE_DOC), copy.deepcopy(LESSON_DOCS))
    assert result.problems == []
    assert result.module is not None
    assert result.module.step_count == len(STEPS)


@FAST
@given(doc=json_values)
def test_any_json_as_module_json_loads_or_yields_problems(doc: Any) -> None:
    assert_loads_or_reports(lambda: check(doc, copy.deepcopy(LESSON_DOCS)))


@FAST
@given(doc=json_values | st.dictionaries(st.sampled_from(FIELD_NAMES), json_values))
def test_any_json_object_with_module_keys_as_module_json_loads_or_yields_problems(
    doc: Any,
) -> None:
    base = copy.deepcopy(MODULE_DOC)
    if isinstance(doc, dict):
        base.update(doc)
    assert_loads_or_reports(lambda: check(base, copy.deepcopy(LESSON_DOCS)))


@FAST
@given(lesson=st.sampled_from(sorted(LESSON_DOCS)), doc=json_values)
def test_any_json_as_a_lesson_file_loads_or_yields_problems(lesson: str, doc: Any) -> None:
    lessons = copy.deepcopy(LESSON_DOCS)
    lessons[lesson] = doc
    assert_loads_or_reports(lambda: check(copy.deepcopy(MODULE_DOC), lessons))


@FAST
@given(
    place=st.sampled_from(STEPS),
    replace=st.booleans(),
    doc=json_values | st.fixed_dictionaries(
        {"id": st.sampled_from(STRINGS), "type": st.sampled_from(sorted(STEP_TYPES))},
        optional={name: json_values for name in FIELD_NAMES if name not in ("id", "type")},
    ),
)
def test_any_json_as_a_step_loads_or_yields_problems(
    place: tuple[str, int], replace: bool, doc: Any
) -> None:
    lesson, index = place
    lessons = copy.deepcopy(LESSON_DOCS)
    if replace:
        lessons[lesson]["steps"][index] = doc
    else:
        lessons[lesson]["steps"].insert(index, doc)
    assert_loads_or_reports(lambda: check(copy.deepcopy(MODULE_DOC), lessons))


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key/index path inside a JSON value."""
    found: list[tuple[Any, ...]] = []
    items = (
        value.items() if isinstance(value, dict)
        else enumerate(value) if isinstance(value, list) else ()
    )
    for key, child in items:
        found.append((*prefix, key))
        found.extend(_paths(child, (*prefix, key)))
    return found


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


# Values found anywhere in the example lessons: plausible in the wrong place.
SUBVALUES = [
    value
    for doc in LESSON_DOCS.values()
    for path in _paths(doc)
    for value in [_get(doc, path)]
]


@FAST
@given(data=st.data(), doc=json_values | st.sampled_from(SUBVALUES).map(copy.deepcopy))
def test_any_json_as_a_field_of_a_step_loads_or_yields_problems(
    data: st.DataObject, doc: Any
) -> None:
    lesson, index = data.draw(st.sampled_from(STEPS), label="step")
    lessons = copy.deepcopy(LESSON_DOCS)
    step = lessons[lesson]["steps"][index]
    existing = _paths(step)
    path = data.draw(
        st.sampled_from(existing) | st.sampled_from(FIELD_NAMES).map(lambda name: (name,)),
        label="path",
    )
    _get(step, path[:-1])[path[-1]] = doc
    assert_loads_or_reports(lambda: check(copy.deepcopy(MODULE_DOC), lessons))


@SLOW
@example(text="\ud800")
@given(text=st.text(st.characters(codec=None, categories=None), min_size=1, max_size=10))
def test_any_unicode_string_as_a_translation_loads_or_yields_problems(text: str) -> None:
    module_doc = copy.deepcopy(MODULE_DOC)
    module_doc["title"]["en"] = text
    assert_loads_or_reports(lambda: check(module_doc, copy.deepcopy(LESSON_DOCS)))


# -- through the files -------------------------------------------------------------------------


def _corrupt(raw: bytes, position: int, junk: bytes) -> bytes:
    position = position % (len(raw) + 1)
    return raw[:position] + junk + raw[position + len(junk):]


file_contents = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda doc: json.dumps(doc).encode("utf-8")),
    st.builds(
        _corrupt,
        st.sampled_from([
            (VOORBEELD / name).read_bytes()
            for name in ("module.json", "lessons/begin.json", "lessons/verder.json")
        ]),
        st.integers(min_value=0),
        st.binary(min_size=1, max_size=4) | st.sampled_from([b"\xff", b"\xc3", b",", b"}", b'"']),
    ),
)


@SLOW
@given(
    name=st.sampled_from(
        ["module.json", "lessons/begin.json", "lessons/verder.json", "lessons/extra.json"]
    ),
    raw=file_contents,
)
def test_any_bytes_in_a_module_file_load_or_yield_problems(name: str, raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "voorbeeld"
        shutil.copytree(VOORBEELD, folder)
        (folder / name).write_bytes(raw)
        assert_loads_or_reports(lambda: load_module_folder(folder, MEDIA))


# -- stored content ----------------------------------------------------------------------------


def test_stored_content_of_a_loaded_module_loads_again_with_the_same_hash() -> None:
    folder_result = load_module_folder(VOORBEELD, MEDIA)
    assert folder_result.module is not None
    stored = json.loads(json.dumps(folder_result.module.content))
    assert "$schema" not in stored["module"]
    assert all("$schema" not in lesson for lesson in stored["lessons"].values())
    again = load_module_content(stored, MEDIA)
    assert again.problems == []
    assert again.module is not None
    assert again.module.content_hash == folder_result.module.content_hash
    assert [lesson.id for lesson in again.module.lessons] == ["begin", "verder"]


@pytest.mark.parametrize("content", [
    None, [], {}, {"module": MODULE_DOC}, {"module": [], "lessons": {}},
    {"module": MODULE_DOC, "lessons": []},
])
def test_stored_content_that_is_not_a_module_is_a_problem(content: Any) -> None:
    result = load_module_content(content)
    assert result.module is None
    assert [(p.path, p.message) for p in result.problems] == [
        ("$", "Stored content is not a module.")
    ]


def _shuffled(value: Any, rng: random.Random) -> Any:
    """The same JSON value with every object's keys in another order."""
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        return {key: _shuffled(value[key], rng) for key in keys}
    if isinstance(value, list):
        return [_shuffled(item, rng) for item in value]
    return value


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(min_value=0))
def test_content_hash_ignores_key_order_and_formatting(seed: int) -> None:
    content = {"module": MODULE_DOC, "lessons": LESSON_DOCS}
    shuffled = _shuffled(content, random.Random(seed))
    reordered = json.loads(json.dumps(shuffled, indent=seed % 5 or None))
    assert list(reordered) == list(shuffled)
    assert content_hash(reordered) == content_hash(content)


def test_content_hash_changes_with_the_content() -> None:
    changed = copy.deepcopy(LESSON_DOCS)
    changed["begin"]["steps"][1]["body"]["en"] += "!"
    assert content_hash({"module": MODULE_DOC, "lessons": changed}) != content_hash(
        {"module": MODULE_DOC, "lessons": LESSON_DOCS}
    )


# -- regressions ------------------------------------------------------------------------------


def test_a_huge_integer_in_a_condition_is_reported_not_raised() -> None:
    # Python refuses str() of integers over 4300 digits; json.loads refuses to parse them, but
    # parsed documents can reach check_module() from elsewhere (stored content).
    lessons = copy.deepcopy(LESSON_DOCS)
    lessons["begin"]["steps"][4]["show_if"] = {"step": "cijfer", "equals": 10**5000}
    result = check(copy.deepcopy(MODULE_DOC), lessons)
    assert [(p.path, "outside the scale" in p.message) for p in result.problems] == [
        ("steps[4].show_if.equals", True)
    ]


HUGE = 10**5000


def _set_step(lesson: str, index: int, key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(lessons: dict[str, Any]) -> None:
        lessons[lesson]["steps"][index][key] = value

    return change


def _duplicate_huge_scale_value(lessons: dict[str, Any]) -> None:
    for point in lessons["verder"]["steps"][1]["scale"][1:3]:
        point["value"] = HUGE


@pytest.mark.parametrize("change", [
    _set_step("begin", 1, "type", HUGE),
    _set_step("begin", 4, "show_if", {"step": "hulp", "equals": HUGE}),
    _set_step("begin", 4, "show_if", {"step": "cijfer", "one_of": [HUGE]}),
    _set_step("verder", 2, "show_if", {"step": "tevredenheid", "at_least": HUGE}),
    _set_step("verder", 2, "show_if", {"step": "krachten", "contains": HUGE}),
    _set_step("begin", 2, "max", HUGE),
    _duplicate_huge_scale_value,
], ids=["step-type", "choice-equals", "scale-one-of", "questionnaire-at-least",
        "strengths-contains", "scale-max", "duplicate-scale-value"])
def test_huge_integers_are_reported_not_raised(change: Callable[[dict[str, Any]], None]) -> None:
    lessons = copy.deepcopy(LESSON_DOCS)
    change(lessons)
    result = check(copy.deepcopy(MODULE_DOC), lessons)
    assert outcome(result) == "problems"
    assert all(len(str(problem)) < 1000 for problem in result.problems)


def test_a_number_as_a_text_is_reported_not_raised() -> None:
    module_doc = copy.deepcopy(MODULE_DOC)
    module_doc["title"] = 42
    result = check(module_doc, copy.deepcopy(LESSON_DOCS))
    assert [p.path for p in result.problems] == ["title"]
