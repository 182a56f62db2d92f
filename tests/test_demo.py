"""``ehealth demo``: logins that work, clients part-way through real modules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from ehealth.cli import cli
from ehealth.database import connected
from ehealth.models import Answer, Assignment, AssignmentStatus, CareRelationship, User
from ehealth.services.accounts import verify_password
from tests.conftest import ROOT

LINE = re.compile(r"^\s+(client|therapist|author|admin)\s+(\S+@demo\.example)\s+(\S+)", re.M)


@pytest.fixture
def demo_env(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv("EHEALTH_ENV", "development")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("MODULES_DIR", str(ROOT / "modules"))
    monkeypatch.setenv("MEDIA_DIR", str(ROOT / "media"))


def test_demo_prints_one_working_login_per_account(demo_env: None) -> None:
    result = CliRunner().invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    logins = LINE.findall(result.output)
    assert sorted(role for role, _, _ in logins) == [
        "admin", "author", "client", "client", "therapist", "therapist"]
    with connected():
        for _, email, password in logins:
            assert verify_password(User.get(User.email == email).password_hash, password)


def test_demo_clients_are_part_way_through_modules(demo_env: None) -> None:
    CliRunner().invoke(cli, ["demo"])
    with connected():
        anna = User.get(User.email == "anna@demo.example")
        assignments = {a.module_version.module_id: a for a in
                       Assignment.select().where(Assignment.client == anna)}
        started = assignments["krachtbronnen"]
        assert started.status == AssignmentStatus.ACTIVE
        assert started.last_step_id == "mijn-kennis-en-vaardigheden"
        assert Answer.select().where(Answer.assignment == started).count() == 2
        assert assignments["wat-gaat-er-goed"].status == AssignmentStatus.ASSIGNED
        sem = User.get(User.email == "sem@demo.example")
        statuses = sorted(a.status for a in Assignment.select().where(Assignment.client == sem))
        assert statuses == [AssignmentStatus.ACTIVE, AssignmentStatus.COMPLETED]


def test_running_demo_again_adds_nothing_and_renews_passwords(demo_env: None) -> None:
    first = CliRunner().invoke(cli, ["demo"]).output
    with connected():
        count = Assignment.select().count()
    second = CliRunner().invoke(cli, ["demo"]).output
    with connected():
        assert Assignment.select().count() == count
        assert User.select().count() == 6
        assert CareRelationship.select().count() == 3  # Fatima for both, Daan for Sem
    assert LINE.findall(first) != LINE.findall(second)


def test_demo_refuses_to_run_outside_development(demo_env: None,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EHEALTH_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    result = CliRunner().invoke(cli, ["demo"])
    assert result.exit_code == 1
    assert "Refusing" in result.output


def test_demo_outside_development_says_why_and_what_to_set_even_without_a_secret_key(
        demo_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A newcomer without EHEALTH_ENV: not "No such command 'demo'", but the reason and the fix,
    before any app (or database) is made."""
    database = tmp_path / "never-made.sqlite3"
    monkeypatch.delenv("EHEALTH_ENV")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    result = CliRunner().invoke(cli, ["demo"])
    assert result.exit_code == 1
    assert "No such command" not in result.output
    assert "outside development" in result.output
    assert "passwords" in result.output
    assert "EHEALTH_ENV=development" in result.output
    assert not database.exists()
