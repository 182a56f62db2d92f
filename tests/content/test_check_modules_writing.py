"""``ehealth check-modules --writing`` and ``--strict``: writing warnings on the command line.

Warnings follow the problems, one line each (``file: path: warning (rule): message``); the
summary line counts them; they never change the exit code unless ``--strict`` is given.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from ehealth.cli import cli
from tests.conftest import ROOT
from tests.content.conftest import ModuleCopy

OPENING = {
    "id": "weer-welkom", "type": "opening",
    "title": {"nl": "Fijn dat je er weer bent", "en": "Good to see you again"},
    "body": {"nl": "Je zet de volgende kleine stap.", "en": "You take the next small step."},
}


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, ["check-modules", *map(str, args), "--no-database"],
                              catch_exceptions=False)


def test_writing_warnings_are_printed_and_exit_0(module: ModuleCopy) -> None:
    result = run(module.folder, "--media", module.media, "--writing")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{module.folder}/lessons/verder.json: steps[0]: warning (opening-first): This lesson "
        "opens with a strengths step, not an opening. Start with an opening step on a positive "
        "note: change is possible, and what the client will gain from this lesson.",
        "1 module(s) OK: 2 lessons, 10 steps, no problems, 1 writing warning in 1 module(s).",
    ]


def test_strict_makes_writing_warnings_errors(module: ModuleCopy) -> None:
    result = run(module.folder, "--media", module.media, "--strict")
    assert result.exit_code == 1
    assert "warning (opening-first)" in result.output
    assert result.output.endswith("1 writing warning in 1 module(s).\n")


def test_a_module_without_warnings_passes_strict(module: ModuleCopy) -> None:
    with module.edit("lessons/verder.json") as lesson:
        lesson["steps"].insert(0, OPENING)
    for flag in ("--writing", "--strict"):
        result = run(module.folder, "--media", module.media, flag)
        assert result.exit_code == 0, result.output
        assert result.output == (
            "1 module(s) OK: 2 lessons, 11 steps, no problems, no writing warnings.\n")


def test_without_writing_no_warnings_are_printed(module: ModuleCopy) -> None:
    result = run(module.folder, "--media", module.media)
    assert result.exit_code == 0
    assert result.output == "1 module(s) OK: 2 lessons, 10 steps, no problems.\n"


def test_warnings_follow_the_problems_and_problems_still_exit_1(
        tmp_path: Path, module: ModuleCopy) -> None:
    broken = ModuleCopy(tmp_path / "modules" / "kapot", module.media)
    broken.folder.mkdir()
    (broken.folder / "module.json").write_text("{", encoding="utf-8")
    result = run(tmp_path / "modules", "--media", module.media, "--writing")
    assert result.exit_code == 1
    problem, warning, summary = result.output.splitlines()
    assert problem.startswith(f"{broken.folder}/module.json: $: Invalid JSON")
    assert warning.startswith(f"{module.folder}/lessons/verder.json: steps[0]: warning (")
    assert summary == ("1 problem in 1 of 2 module folder(s); 1 module(s) OK, "
                       "1 writing warning in 1 module(s).")


def test_the_shipped_modules_pass_with_their_judged_warnings() -> None:
    result = run(ROOT / "modules", "--media", ROOT / "media", "--writing")
    assert result.exit_code == 0, result.output
    *warnings, summary = result.output.splitlines()
    assert len(warnings) == 7
    assert all(": warning (" in line for line in warnings)
    assert summary.endswith("no problems, 7 writing warnings in 4 module(s).")
