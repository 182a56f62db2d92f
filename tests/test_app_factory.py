"""The app starts only on a valid configuration and a valid module library."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from ehealth import ModulesInvalid, create_app
from ehealth.cli import cli
from ehealth.config import ConfigError, from_environment
from ehealth.content.steps import STEP_TYPES
from tests.conftest import FIXTURE_MEDIA, FIXTURE_MODULES, make_config


def test_secret_key_is_required_outside_development() -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        from_environment({"EHEALTH_ENV": "production"})


def test_development_runs_without_secret_key() -> None:
    config = from_environment({"EHEALTH_ENV": "development"})
    assert config["SECRET_KEY"]
    assert config["SESSION_COOKIE_SECURE"] is False


def test_production_cookies_are_secure() -> None:
    config = from_environment({"SECRET_KEY": "x" * 32})
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_default_database_is_sqlite_under_instance() -> None:
    config = from_environment({"EHEALTH_ENV": "development", "EHEALTH_INSTANCE_DIR": "/tmp/x"})
    assert config["DATABASE_URL"] == "sqlite:////tmp/x/ehealth.sqlite3"


def _broken_library(tmp_path: Path) -> Path:
    modules = tmp_path / "modules"
    shutil.copytree(FIXTURE_MODULES / "voorbeeld", modules / "voorbeeld")
    lesson = modules / "voorbeeld" / "lessons" / "begin.json"
    lesson.write_text(lesson.read_text().replace('"type": "opening"', '"type": "openingg"'))
    return modules


def test_app_refuses_to_start_on_an_invalid_module(tmp_path: Path, database_url: str) -> None:
    modules = _broken_library(tmp_path)
    with pytest.raises(ModulesInvalid) as caught:
        create_app(make_config(database_url, MODULES_DIR=modules))
    messages = [str(p) for p in caught.value.problems]
    assert messages == [
        f"{modules / 'voorbeeld'}/lessons/begin.json: steps[0].type: Unknown step type "
        f"'openingg'. Known types: {', '.join(STEP_TYPES)}."
    ]


def test_cli_prints_the_checker_messages_instead_of_a_traceback(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    modules = _broken_library(tmp_path)
    monkeypatch.setenv("MODULES_DIR", str(modules))
    monkeypatch.setenv("MEDIA_DIR", str(FIXTURE_MEDIA))
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("EHEALTH_ENV", "development")
    result = CliRunner().invoke(cli, ["sync-modules"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "lessons/begin.json: steps[0].type: Unknown step type 'openingg'" in result.output
    assert "Refusing to start: 1 problem(s)" in result.output
    check = CliRunner().invoke(cli, ["check-modules", str(modules)])
    assert check.exit_code == 1
    assert "lessons/begin.json: steps[0].type: Unknown step type 'openingg'" in check.output


def test_error_pages_carry_a_reference_and_no_stack_trace(app, client) -> None:
    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    response = client.get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internals" not in body
    assert "Traceback" not in body
    assert "<code>" in body
