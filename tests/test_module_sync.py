"""Publishing module folders as immutable ModuleVersions, and serving what was published.

A folder whose content changed under a published version number never stops the app: it keeps
serving the last published version, logs the problem and tells the organisation's admins and
authors; ``ehealth sync-modules`` and ``ehealth check-modules`` exit 1 with the message. Every
app (worker) on the database serves newly published versions without a restart.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.testing import FlaskClient

from ehealth import create_app
from ehealth.cli import cli
from ehealth.database import connected
from ehealth.models import ModuleVersion, Role, User
from ehealth.module_library import conflicts, modules, refresh_if_due, state_of
from ehealth.services.modules import module_for_version
from tests.conftest import FIXTURE_MEDIA, FIXTURE_MODULES, World, login, make_config, make_world

ORIGINAL_TITLE = "Een kleine stap"


@pytest.fixture
def modules_dir(tmp_path: Path) -> Path:
    target = tmp_path / "modules"
    shutil.copytree(FIXTURE_MODULES / "voorbeeld", target / "voorbeeld")
    return target


def _edit(modules_dir: Path, version: str | None = None, title: str | None = None,
          module_id: str = "voorbeeld") -> None:
    path = modules_dir / module_id / "module.json"
    data = json.loads(path.read_text())
    if version:
        data["version"] = version
    if title:
        data["title"]["nl"] = title
        data["title"]["en"] = title
    path.write_text(json.dumps(data, indent=4))


def _add_second_module(modules_dir: Path, title: str = "Een tweede module") -> None:
    shutil.copytree(modules_dir / "voorbeeld", modules_dir / "tweede")
    path = modules_dir / "tweede" / "module.json"
    data = json.loads(path.read_text())
    data["id"] = "tweede"
    data["version"] = "1.0.0"
    data["title"] = {"nl": title, "en": title}
    path.write_text(json.dumps(data, indent=4))


def _versions() -> list[tuple[str, str]]:
    with connected():
        return [(v.module_id, v.version) for v in ModuleVersion.select().order_by(ModuleVersion.id)]


def _app(database_url: str, modules_dir: Path, **overrides: Any) -> Flask:
    settings: dict[str, Any] = {"MODULES_DIR": modules_dir, "MODULE_LIBRARY_CHECK_SECONDS": 0}
    settings.update(overrides)
    return create_app(make_config(database_url, **settings))


def _browser(app: Flask, user: User | None = None) -> FlaskClient:
    test_client = app.test_client()
    test_client.environ_base["HTTP_REFERER"] = "https://localhost/"
    test_client.set_cookie("lang", "en")
    if user is not None:
        login(test_client, user)
    return test_client


def _page(app: Flask, path: str = "/", user: User | None = None) -> str:
    response = _browser(app, user).get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def _title(app: Flask, module_id: str = "voorbeeld") -> str:
    return modules(app)[module_id].title.in_language("nl")


@pytest.fixture
def cli_env(modules_dir: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``ehealth`` commands over the temporary module folder and the test's database."""
    monkeypatch.setenv("EHEALTH_ENV", "development")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("MODULES_DIR", str(modules_dir))
    monkeypatch.setenv("MEDIA_DIR", str(FIXTURE_MEDIA))
    monkeypatch.setenv("AUTO_MIGRATE", "1")


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


# --- publishing at start-up --------------------------------------------------------------------

def test_start_up_publishes_each_module_once(modules_dir: Path, database_url: str) -> None:
    create_app(make_config(database_url, MODULES_DIR=modules_dir))
    create_app(make_config(database_url, MODULES_DIR=modules_dir))
    assert _versions() == [("voorbeeld", "1.0.0")]


def test_reformatting_a_file_is_not_a_change(modules_dir: Path, database_url: str) -> None:
    create_app(make_config(database_url, MODULES_DIR=modules_dir))
    _edit(modules_dir)  # same content, other indentation and key order
    app = create_app(make_config(database_url, MODULES_DIR=modules_dir))
    assert _versions() == [("voorbeeld", "1.0.0")]
    assert conflicts(app) == []


def test_a_raised_version_is_published_beside_the_old_one(
    modules_dir: Path, database_url: str
) -> None:
    create_app(make_config(database_url, MODULES_DIR=modules_dir))
    _edit(modules_dir, version="1.1.0", title="Een andere titel")
    app = create_app(make_config(database_url, MODULES_DIR=modules_dir))
    assert _versions() == [("voorbeeld", "1.0.0"), ("voorbeeld", "1.1.0")]
    assert _title(app) == "Een andere titel"
    with connected():
        old, new = ModuleVersion.select().order_by(ModuleVersion.id)
        assert module_for_version(old).title["nl"] == ORIGINAL_TITLE
        assert module_for_version(new).title["nl"] == "Een andere titel"


def test_stored_content_is_the_authors_content(app: Flask) -> None:
    with connected():
        version = ModuleVersion.get(ModuleVersion.module_id == "voorbeeld")
    assert "$schema" not in version.content["module"]
    assert list(version.content["lessons"]) == ["begin", "verder"]
    assert version.content["module"]["title"] == {"nl": "Een kleine stap", "en": "One small step"}


# --- a folder changed under a published version ------------------------------------------------

def test_changed_content_under_a_published_version_starts_and_serves_the_published_one(
    modules_dir: Path, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    create_app(make_config(database_url, MODULES_DIR=modules_dir))
    _edit(modules_dir, title="Een andere titel")
    with caplog.at_level(logging.ERROR, logger="ehealth.app"):
        app = create_app(make_config(database_url, MODULES_DIR=modules_dir))
    assert _versions() == [("voorbeeld", "1.0.0")]
    assert _title(app) == ORIGINAL_TITLE
    page = _page(app)
    assert "One small step" in page
    assert "Een andere titel" not in page
    (conflict,) = conflicts(app)
    problem = conflict.problem
    assert problem.file == f"{modules_dir / 'voorbeeld'}/module.json"
    assert problem.path == "version"
    assert "Raise the version" in problem.message
    assert '"1.0.1"' in problem.message
    (logged,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "voorbeeld" in logged.getMessage()
    assert "Raise the version" in logged.getMessage()


def test_other_modules_are_published_beside_a_conflicting_one(
    modules_dir: Path, database_url: str
) -> None:
    create_app(make_config(database_url, MODULES_DIR=modules_dir))
    _edit(modules_dir, title="Een andere titel")
    _add_second_module(modules_dir)
    app = create_app(make_config(database_url, MODULES_DIR=modules_dir))
    assert _versions() == [("voorbeeld", "1.0.0"), ("tweede", "1.0.0")]
    assert sorted(modules(app)) == ["tweede", "voorbeeld"]
    assert [c.module_id for c in conflicts(app)] == ["voorbeeld"]


def test_a_version_lower_than_the_published_one_keeps_the_published_one(
    modules_dir: Path, database_url: str
) -> None:
    _edit(modules_dir, version="2.0.0")
    create_app(make_config(database_url, MODULES_DIR=modules_dir))
    _edit(modules_dir, version="1.5.0", title="Terug in de tijd")
    app = create_app(make_config(database_url, MODULES_DIR=modules_dir))
    assert _versions() == [("voorbeeld", "2.0.0")]
    assert modules(app)["voorbeeld"].version == "2.0.0"
    (conflict,) = conflicts(app)
    assert "lower than the published 2.0.0" in conflict.problem.message


@pytest.fixture
def conflicted(modules_dir: Path, database_url: str) -> tuple[Flask, World]:
    """An app started on a folder whose voorbeeld changed under the published 1.0.0."""
    create_app(make_config(database_url, MODULES_DIR=modules_dir))
    world = make_world()
    with connected():
        User.update(language="en").execute()
    _edit(modules_dir, title="Een andere titel")
    return _app(database_url, modules_dir), world


def test_the_admins_module_library_says_which_module_which_file_and_what_to_do(
    conflicted: tuple[Flask, World], modules_dir: Path
) -> None:
    app, world = conflicted
    page = _page(app, "/admin/library", world.person("admin"))
    assert "A module change could not be published" in page
    assert "One small step" in page
    assert f"{modules_dir / 'voorbeeld'}/module.json" in page
    assert "version 1.0.0 was already published" in page
    assert "raise “version” in this file (for example to 1.0.1)" in page
    assert "run ehealth sync-modules or restart the app" in page


def test_the_author_sees_the_problem_on_the_page_they_start_on(
    conflicted: tuple[Flask, World], modules_dir: Path
) -> None:
    app, world = conflicted
    with app.test_request_context():
        from ehealth.presentation import home_endpoint

        start = app.url_map.bind("localhost").build(home_endpoint(Role.AUTHOR))
    page = _page(app, start, world.person("author"))
    assert "A module change could not be published" in page
    assert f"{modules_dir / 'voorbeeld'}/module.json" in page
    assert "for example to 1.0.1" in page


@pytest.mark.parametrize("role", ["anonymous", "client_a", "own_therapist"])
def test_clients_therapists_and_visitors_are_not_shown_the_problem(
    conflicted: tuple[Flask, World], role: str
) -> None:
    app, world = conflicted
    page = _page(app, "/", world.people[role])
    assert "could not be published" not in page
    assert "module.json" not in page


def test_without_auto_migrate_the_conflict_is_shown_too(
    modules_dir: Path, database_url: str
) -> None:
    create_app(make_config(database_url, MODULES_DIR=modules_dir))
    _edit(modules_dir, title="Een andere titel")
    app = _app(database_url, modules_dir, AUTO_MIGRATE=False)
    assert [c.module_id for c in conflicts(app)] == ["voorbeeld"]
    assert _title(app) == ORIGINAL_TITLE


# --- ehealth sync-modules ----------------------------------------------------------------------

def test_sync_modules_reports_what_it_published(
    modules_dir: Path, database_url: str, cli_env: None
) -> None:
    result = _run("sync-modules")
    assert result.exit_code == 0, result.output
    assert "Published voorbeeld 1.0.0" in result.output
    assert "1 published, 0 already published, no conflicts." in result.output
    assert _versions() == [("voorbeeld", "1.0.0")]


def test_sync_modules_reports_what_was_already_published(
    modules_dir: Path, database_url: str, cli_env: None
) -> None:
    create_app(make_config(database_url, MODULES_DIR=modules_dir))
    _add_second_module(modules_dir)
    result = _run("sync-modules")
    assert result.exit_code == 0, result.output
    assert "Published tweede 1.0.0" in result.output
    assert "Already published voorbeeld 1.0.0" in result.output
    assert "Published voorbeeld" not in result.output
    assert "1 published, 1 already published, no conflicts." in result.output


def test_sync_modules_exits_1_on_a_conflict_and_publishes_the_rest(
    modules_dir: Path, database_url: str, cli_env: None
) -> None:
    create_app(make_config(database_url, MODULES_DIR=modules_dir))
    _edit(modules_dir, title="Een andere titel")
    _add_second_module(modules_dir)
    result = _run("sync-modules")
    assert result.exit_code == 1, result.output
    assert (f'{modules_dir / "voorbeeld"}/module.json: version: The content of "voorbeeld" '
            "changed") in result.output
    assert "Raise the version" in result.output
    assert "Published tweede 1.0.0" in result.output
    assert "1 published, 0 already published, 1 conflict not published" in result.output
    assert _versions() == [("voorbeeld", "1.0.0"), ("tweede", "1.0.0")]


def test_sync_modules_without_auto_migrate_publishes_itself(
    modules_dir: Path, database_url: str, cli_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_app(make_config(database_url, MODULES_DIR=modules_dir))  # the schema
    _add_second_module(modules_dir)
    monkeypatch.setenv("AUTO_MIGRATE", "0")
    result = _run("sync-modules")
    assert result.exit_code == 0, result.output
    assert "1 published, 1 already published, no conflicts." in result.output


# --- ehealth check-modules with a database -----------------------------------------------------

def test_check_modules_reports_content_changed_under_a_published_version(
    modules_dir: Path, database_url: str, cli_env: None
) -> None:
    create_app(make_config(database_url, MODULES_DIR=modules_dir))
    _edit(modules_dir, title="Een andere titel")
    result = _run("check-modules")
    assert result.exit_code == 1, result.output
    assert (f'{modules_dir / "voorbeeld"}/module.json: version: The content of "voorbeeld" '
            "changed") in result.output
    assert "1 problem in 1 of 1 module folder(s); 0 module(s) OK." in result.output


def test_check_modules_passes_content_that_is_published_or_new(
    modules_dir: Path, database_url: str, cli_env: None
) -> None:
    create_app(make_config(database_url, MODULES_DIR=modules_dir))
    _add_second_module(modules_dir)
    result = _run("check-modules")
    assert result.exit_code == 0, result.output
    assert "2 module(s) OK" in result.output


def test_check_modules_can_leave_the_database_out(
    modules_dir: Path, database_url: str, cli_env: None
) -> None:
    create_app(make_config(database_url, MODULES_DIR=modules_dir))
    _edit(modules_dir, title="Een andere titel")
    result = _run("check-modules", "--no-database")
    assert result.exit_code == 0, result.output


def test_check_modules_does_not_pass_when_the_database_cannot_be_read(
    modules_dir: Path, cli_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody:secret@127.0.0.1:1/none")
    result = _run("check-modules")
    assert result.exit_code == 1, result.output
    assert "Could not compare with the published versions" in result.output
    assert "secret" not in result.output


def test_check_modules_without_a_database_checks_only_the_files(
    modules_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("EHEALTH_INSTANCE_DIR", str(tmp_path / "instance"))
    result = _run("check-modules", str(modules_dir), "--media", str(FIXTURE_MEDIA))
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "instance").exists()  # no database file made to look in


# --- a running app sees what is published ------------------------------------------------------

def test_a_running_app_serves_a_version_published_by_another_app(
    modules_dir: Path, database_url: str
) -> None:
    running = _app(database_url, modules_dir)
    assert "One small step" in _page(running)
    _edit(modules_dir, version="1.1.0", title="Een nieuwe titel")
    _add_second_module(modules_dir, title="Nog een module")
    _app(database_url, modules_dir)  # another worker or instance starts and publishes
    page = _page(running)
    assert "Een nieuwe titel" in page
    assert "Nog een module" in page
    assert modules(running)["voorbeeld"].version == "1.1.0"
    assert _page(running, "/modules/tweede")


def test_a_running_app_serves_what_sync_modules_published(
    modules_dir: Path, database_url: str, cli_env: None
) -> None:
    running = _app(database_url, modules_dir)
    _edit(modules_dir, version="1.1.0", title="Een nieuwe titel")
    result = _run("sync-modules")
    assert result.exit_code == 0, result.output
    assert "Een nieuwe titel" in _page(running)


def test_the_running_app_serves_the_database_not_its_own_files(
    modules_dir: Path, database_url: str, tmp_path: Path
) -> None:
    running = _app(database_url, modules_dir)
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(modules_dir, elsewhere)
    _edit(elsewhere, version="1.1.0", title="Van een andere machine")
    _app(database_url, elsewhere)
    assert "Van een andere machine" in _page(running)  # its own folder still says 1.0.0


def test_a_published_higher_version_clears_the_notice_in_a_running_app(
    conflicted: tuple[Flask, World], modules_dir: Path, database_url: str
) -> None:
    app, world = conflicted
    _edit(modules_dir, version="1.0.1")
    _app(database_url, modules_dir)
    page = _page(app, "/admin/library", world.person("admin"))
    assert "could not be published" not in page
    assert "Version 1.0.1" in page
    assert conflicts(app) == []


def test_the_database_is_asked_at_most_every_few_seconds(
    modules_dir: Path, database_url: str
) -> None:
    running = _app(database_url, modules_dir, MODULE_LIBRARY_CHECK_SECONDS=5)
    state = state_of(running)
    loaded_at = state.checked_at
    _edit(modules_dir, version="1.1.0", title="Een nieuwe titel")
    _app(database_url, modules_dir)
    with connected():
        assert not refresh_if_due(running, now=loaded_at + 1)
        assert _title(running) == ORIGINAL_TITLE
        assert refresh_if_due(running, now=loaded_at + 6)
    assert _title(running) == "Een nieuwe titel"
    with connected():
        assert not refresh_if_due(running, now=loaded_at + 20)  # nothing new: no reload


# --- the notice in Dutch -----------------------------------------------------------------------

def test_every_text_of_the_notice_waits_in_dutch_with_its_placeholders() -> None:
    from babel.messages.extract import extract_from_file

    from ehealth.i18n import TRANSLATIONS_DIR
    from tests.conftest import ROOT

    template = ROOT / "ehealth" / "templates" / "_module_conflicts.html"
    msgids = {message for _line, message, _comments, _context
              in extract_from_file("jinja2", str(template))}
    dutch = json.loads((TRANSLATIONS_DIR / "pending" / "library.json").read_text("utf-8"))
    assert set(dutch) == msgids
    placeholder = re.compile(r"%\(\w+\)[sd]")
    for msgid, text in dutch.items():
        assert sorted(placeholder.findall(text)) == sorted(placeholder.findall(msgid)), msgid
        assert not re.search(r"\b(u|uw)\b", text), text


def test_without_auto_migrate_the_app_starts_before_the_schema_and_loads_it_later(
    modules_dir: Path, database_url: str
) -> None:
    waiting = _app(database_url, modules_dir, AUTO_MIGRATE=False)  # nothing migrated yet
    assert modules(waiting) == {}
    _app(database_url, modules_dir)  # `ehealth migrate` and `ehealth sync-modules`
    assert "One small step" in _page(waiting)


def test_without_auto_migrate_an_unreachable_database_does_not_stop_the_start(
    modules_dir: Path,
) -> None:
    app = _app("postgresql://nobody@127.0.0.1:1/none", modules_dir, AUTO_MIGRATE=False)
    assert modules(app) == {}
    assert conflicts(app) == []


def test_check_modules_makes_no_sqlite_file_to_look_in(
    modules_dir: Path, tmp_path: Path, cli_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "not-there" / "ehealth.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{missing}")
    result = _run("check-modules")
    assert result.exit_code == 0, result.output
    assert not missing.parent.exists()
