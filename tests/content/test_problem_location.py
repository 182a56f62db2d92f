"""From a checker's problem to the editor's field: lesson, step and the path inside the step."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ehealth.content.loader import ProblemLocation, load_module_content, problem_location
from ehealth.content.package import export_zip, import_zip
from ehealth.content.problems import ROOT, Problem, join_path, split_path
from tests.content.module_content import changed, sample_content, step


def test_a_problem_in_a_step_names_its_lesson_step_and_field() -> None:
    content = sample_content()
    problem = Problem("proef/lessons/begin.json", "steps[5].options[1].label.en", "Missing…")
    assert problem_location(problem, content) == ProblemLocation(
        "begin", 5, "sample-choice", "options[1].label.en")


def test_without_content_the_step_is_known_by_its_place_only() -> None:
    problem = Problem("proef/lessons/begin.json", "steps[5].question", "Missing…")
    assert problem_location(problem) == ("begin", 5, None, "question")


def test_a_problem_with_the_whole_step_has_an_empty_field_path() -> None:
    problem = Problem("proef/lessons/verder.json", "steps[0]", "Not a valid step…")
    assert problem_location(problem, sample_content()) == (
        "verder", 0, "sample-questionnaire", "")


def test_a_problem_with_a_lessons_own_field_has_no_step() -> None:
    for path, field in (("title.en", "title.en"), ("steps", "steps"), (ROOT, "")):
        problem = Problem("proef/lessons/begin.json", path, "…")
        assert problem_location(problem, sample_content()) == ("begin", None, None, field)


def test_a_problem_in_module_json_belongs_to_the_module_details() -> None:
    assert problem_location(Problem("modules/proef/module.json", "cover.alt.nl", "…")) == (
        None, None, None, "cover.alt.nl")
    assert problem_location(Problem("proef", ROOT, "Stored content is not a module.")) == (
        None, None, None, "")


def test_a_step_index_the_content_does_not_have_gives_no_step_id() -> None:
    problem = Problem("proef/lessons/begin.json", "steps[99].title", "…")
    assert problem_location(problem, sample_content()) == ("begin", 99, None, "title")
    assert problem_location(problem, {"lessons": "broken"}) == ("begin", 99, None, "title")


def test_a_path_that_is_not_a_json_path_is_kept_as_it_is() -> None:
    problem = Problem("proef/lessons/begin.json", "steps[x", "…")
    assert problem_location(problem) == ("begin", None, None, "steps[x")


def test_every_problem_the_checker_finds_in_a_draft_points_at_a_real_step() -> None:
    draft = sample_content()
    del step(draft, "sample-choice")["question"]
    step(draft, "sample-goal")["prompt"] = {"nl": "Alleen Nederlands"}
    step(draft, "sample-summary")["steps"].append("nergens")
    problems = load_module_content(draft).problems
    assert len(problems) == 3
    places = [problem_location(problem, draft) for problem in problems]
    assert [(p.lesson_id, p.step_id, p.field_path) for p in places] == [
        ("begin", "sample-choice", "question"),
        ("verder", "sample-goal", "prompt.en"),
        ("verder", "sample-summary", "steps[7]"),
    ]


def test_problems_of_an_imported_zip_point_into_the_module_too() -> None:
    draft = changed(sample_content())
    del step(draft, "sample-scale")["min_label"]
    result = import_zip(export_zip(draft, {}), None)
    located = [problem_location(problem, draft) for problem in result.problems]
    assert ("begin", 4, "sample-scale", "min_label") in located


# -- JSON paths ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "parts"), [
    (ROOT, []), ("title", ["title"]), ("steps[2].title.en", ["steps", 2, "title", "en"]),
    ('steps[0]["odd key"].x', ["steps", 0, "odd key", "x"]), ("[3]", [3]),
    ("$schema", ["$schema"]), ("min-label", ["min-label"]),
])
def test_split_path_reads_what_join_path_writes(path: str, parts: list[str | int]) -> None:
    assert split_path(path) == parts


@pytest.mark.parametrize("path", [".a", "a..b", "a[", "ab[x]", "a b", "a[0]b"])
def test_split_path_refuses_what_is_not_a_path(path: str) -> None:
    with pytest.raises(ValueError, match="Not a JSON path"):
        split_path(path)


@given(st.lists(st.text() | st.integers(min_value=0, max_value=10**6), max_size=6)
       .filter(lambda parts: parts[:1] != [ROOT]))  # a first key "$" reads as the root
def test_join_then_split_gives_the_same_keys(parts: list[str | int]) -> None:
    path = ROOT
    for part in parts:
        path = join_path(path, part)
    assert split_path(path) == parts
