"""A lesson file that cannot be read is reported once, without unrelated errors elsewhere.

The summary in ``verder.json`` refers to steps of ``begin.json``; while ``begin.json`` is not
valid JSON, those references cannot be checked, and must not be reported as unknown steps.
"""

from __future__ import annotations

from tests.content.conftest import Found, ModuleCopy

BEGIN = "lessons/begin.json"
VERDER = "lessons/verder.json"
MODULE = "module.json"


def _break_syntax(module: ModuleCopy, name: str) -> None:
    """Drop one quote in the middle of a lesson file: a plain typing mistake."""
    text = module.file(name).read_text(encoding="utf-8")
    where = text.index('"type"', len(text) // 2)
    module.write_text(name, text[:where] + text[where + 1:])


def test_a_syntax_error_in_one_lesson_is_the_only_problem_reported(module: ModuleCopy) -> None:
    _break_syntax(module, BEGIN)
    problems = module.problems()
    assert len(problems) == 1, problems
    found = problems[0]
    assert (found.file, found.path) == (BEGIN, "$")
    assert found.message.startswith("Invalid JSON at line ")
    assert ", column " in found.message


def test_check_modules_prints_only_the_syntax_error_with_line_and_column(
        module: ModuleCopy) -> None:
    _break_syntax(module, BEGIN)
    result = module.run_cli()
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 2, result.output  # the problem, and the summary
    assert lines[0].startswith(f"{module.folder}/{BEGIN}: $: Invalid JSON at line ")
    assert "Unknown step" not in result.output
    assert lines[1].startswith("1 problem in 1 of 1 module folder(s)")


def test_a_real_mistake_in_another_lesson_is_still_reported(module: ModuleCopy) -> None:
    _break_syntax(module, BEGIN)
    with module.edit(VERDER) as lesson:
        lesson["steps"][0]["type"] = "slideshow"
    problems = module.problems()
    assert [(p.file, p.path) for p in problems] == [(BEGIN, "$"), (VERDER, "steps[0].type")]
    assert problems[1].message.startswith("Unknown step type 'slideshow'.")


def test_a_missing_lesson_file_is_reported_without_unknown_steps_elsewhere(
        module: ModuleCopy) -> None:
    module.file(BEGIN).unlink()
    assert module.problems() == [
        Found(MODULE, "lessons[0]", "Lesson file lessons/begin.json is missing."),
    ]


def test_once_every_lesson_can_be_read_an_unknown_step_is_reported(module: ModuleCopy) -> None:
    with module.edit(VERDER) as lesson:
        lesson["steps"][4]["steps"][0] = "bestaat-niet"
    assert (VERDER, "steps[4].steps[0]",
            'Unknown step "bestaat-niet": no step in this module has that id.') \
        in module.problems()
