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
