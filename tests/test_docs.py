"""The documentation stays true: its complete example checks clean, the schemas are current."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ehealth.content.jsonschema import module_json_schema
from ehealth.content.loader import load_module_folder
from tests.conftest import FIXTURE_MEDIA, ROOT

DOC = ROOT / "docs" / "module-format.md"
EXAMPLE_BLOCK = re.compile(r"<!-- file: (modules/[^ ]+) -->\s*```json\n(.*?)```", re.S)


def test_the_complete_example_in_the_format_docs_checks_clean(tmp_path: Path) -> None:
    blocks = EXAMPLE_BLOCK.findall(DOC.read_text(encoding="utf-8"))
    assert any(name.endswith("module.json") for name, _ in blocks)
    folders = set()
    for name, body in blocks:
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
        folders.add(tmp_path / Path(name).parts[0] / Path(name).parts[1])
    for folder in folders:
        result = load_module_folder(folder, FIXTURE_MEDIA)
        assert result.problems == [], [str(p) for p in result.problems]
        assert result.module is not None


def test_committed_json_schemas_match_the_code() -> None:
    for kind in ("module", "lesson"):
        committed = json.loads((ROOT / "docs" / "schema" / f"{kind}.schema.json").read_text())
        assert committed == module_json_schema(kind), (
            f"docs/schema/{kind}.schema.json is stale: run ehealth module-schema --out docs/schema"
        )


STEPS_SECTION = re.compile(r"^## Steps\n(.*?)^## Conditions", re.S | re.M)
JSON_BLOCK = re.compile(r"```json\n(.*?)```", re.S)


def _lesson_module(tmp_path: Path, steps: list[dict[str, object]]) -> Path:
    folder = tmp_path / "modules" / "voorbeelden"
    (folder / "lessons").mkdir(parents=True)
    texts = {"nl": "Voorbeelden", "en": "Examples"}
    (folder / "module.json").write_text(json.dumps({
        "id": "voorbeelden", "version": "1.0.0", "languages": ["nl", "en"], "title": texts,
        "summary": texts, "audience": ["adults"], "estimated_minutes": 5,
        "cover": {"src": "voorbeeld/cover.svg", "alt": texts}, "lessons": ["alles"],
    }), encoding="utf-8")
    (folder / "lessons" / "alles.json").write_text(
        json.dumps({"id": "alles", "title": texts, "steps": steps}), encoding="utf-8")
    return folder


def test_the_step_examples_of_the_format_docs_form_one_valid_lesson(tmp_path: Path) -> None:
    section = STEPS_SECTION.search(DOC.read_text(encoding="utf-8"))
    assert section is not None
    steps = [json.loads(block) for block in JSON_BLOCK.findall(section.group(1))]
    assert {step["type"] for step in steps} >= {"diary", "summary", "scale"}
    result = load_module_folder(_lesson_module(tmp_path, steps), FIXTURE_MEDIA)
    assert result.problems == [], [str(p) for p in result.problems]


def test_the_diary_example_of_the_step_types_guide_is_a_valid_step(tmp_path: Path) -> None:
    guide = (ROOT / "docs" / "step-types.md").read_text(encoding="utf-8")
    example = re.search(r"<!-- step-type example: diary -->\s*```json\n(.*?)```", guide, re.S)
    assert example is not None
    step = json.loads(example.group(1))
    result = load_module_folder(_lesson_module(tmp_path, [step]), FIXTURE_MEDIA)
    assert result.problems == [], [str(p) for p in result.problems]
    assert result.module is not None
    assert result.module.steps_by_id["lichtpuntjes"]["feedback"] is True
