"""Publishing module folders as immutable ModuleVersions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from ehealth import ModulesInvalid, create_app
from ehealth.cli import cli
from ehealth.database import connected
from ehealth.models import ModuleVersion
from ehealth.services.modules import module_for_version
from tests.conftest import FIXTURE_MEDIA, FIXTURE_MODULES, make_config


@pytest.fixture
def modules_dir(tmp_path: Path) -> Path:
    target = tmp_path / "modules"
    shutil.copytree(FIXTURE_MODULES / "voorbeeld", target / "voorbeeld")
    return target


def _edit(modules_dir: Path, version: str | None = None, title: str | None = None) -> None:
    path = modules_dir / "voorbeeld" / "module.json"
    data = json.loads(path.read_text())
    if version:
        data["version"] = version
    if title:
        data["title"]["nl"] = title
    path.write_text(json.dumps(data, indent=4))


def _versions() -> list[tuple[str, str]]:
    with connected():
        return [(v.module_id, v.version) for v in ModuleVersion.select().order_by(ModuleVersion.id)]


def test_start_up_publishes_each_module_once(modules_dir: Path, database_url: str) -> None:
    create_app(make_config(database_url, MODULES_DIR=modules_dir))
    create_app(make_config(database_url, MODULES_DIR=modules_dir))
    assert _versions() == [("voorbeeld", "1.0.0")]


def test_reformatting_a_file_is_not_a_change(modules_dir: Path, database_url: str) -> None:
    create_app(make_config(database_url, MODULES_DIR=modules_dir))
    _edit(modules_dir)  # same content, other indentation and key order
    create_app(make_config(database_url, MODULES_DIR=modules_dir))
    assert _versions() == [("voorbeeld", "1.0.0")]


def test_changed_content_under_the_same_version_is_refused(
    modules_dir: Path, database_url: str
) -> None:
    create_app(make_config(database_url, MODULES_DIR=modules_dir))
    _edit(modules_dir, title="Een andere titel")
    with pytest.raises(ModulesInvalid) as caught:
        create_app(make_config(database_url, MODULES_DIR=modules_dir))
    (problem,) = caught.value.problems
    assert problem.file == f"{modules_dir / 'voorbeeld'}/module.json"
    assert problem.path == "version"
    assert "Raise the version" in problem.message
    assert '"1.0.1"' in problem.message
    assert _versions() == [("voorbeeld", "1.0.0")]


def test_a_raised_version_is_published_beside_the_old_one(
    modules_dir: Path, database_url: str
) -> None:
    create_app(make_config(database_url, MODULES_DIR=modules_dir))
    _edit(modules_dir, version="1.1.0", title="Een andere titel")
    create_app(make_config(database_url, MODULES_DIR=modules_dir))
    assert _versions() == [("voorbeeld", "1.0.0"), ("voorbeeld", "1.1.0")]
    with connected():
        old, new = ModuleVersion.select().order_by(ModuleVersion.id)
        assert module_for_version(old).title["nl"] == "Een kleine stap"
        assert module_for_version(new).title["nl"] == "Een andere titel"


def test_a_version_lower_than_the_published_one_is_refused(
    modules_dir: Path, database_url: str
) -> None:
    _edit(modules_dir, version="2.0.0")
    create_app(make_config(database_url, MODULES_DIR=modules_dir))
    _edit(modules_dir, version="1.5.0", title="Terug in de tijd")
    with pytest.raises(ModulesInvalid) as caught:
        create_app(make_config(database_url, MODULES_DIR=modules_dir))
    assert "lower than the published 2.0.0" in caught.value.problems[0].message


def test_sync_modules_command_reports_what_it_did(
    modules_dir: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EHEALTH_ENV", "development")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("MODULES_DIR", str(modules_dir))
    monkeypatch.setenv("MEDIA_DIR", str(FIXTURE_MEDIA))
    monkeypatch.setenv("AUTO_MIGRATE", "1")
    result = CliRunner().invoke(cli, ["sync-modules"])
    assert result.exit_code == 0, result.output
    assert "0 published, 1 unchanged." in result.output
    assert _versions() == [("voorbeeld", "1.0.0")]


def test_stored_content_is_the_authors_content(app: Flask) -> None:
    with connected():
        version = ModuleVersion.get(ModuleVersion.module_id == "voorbeeld")
    assert "$schema" not in version.content["module"]
    assert list(version.content["lessons"]) == ["begin", "verder"]
    assert version.content["module"]["title"] == {"nl": "Een kleine stap", "en": "One small step"}
