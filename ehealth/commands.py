"""Commands that need the app and its database: migrating and publishing modules."""

from __future__ import annotations

import click
from flask import Flask, current_app

from ehealth.content.loader import load_library
from ehealth.database import connected, migrate
from ehealth.module_library import state_of
from ehealth.services.modules import sync_module_versions


def register(app: Flask) -> None:
    """Add the commands to ``app.cli`` (and so to the ``ehealth`` command)."""
    from ehealth.auth.commands import register as register_auth_commands

    app.cli.add_command(migrate_command)
    app.cli.add_command(sync_modules_command)
    # ``demo`` itself is a command of ``ehealth.cli``: it must answer outside development too,
    # before (and without) creating the app; it runs ``demo_command`` once it may.
    register_auth_commands(app)


@click.command("migrate")
def migrate_command() -> None:
    """Bring the database schema up to date."""
    applied = migrate()
    click.echo(f"Applied {len(applied)} migration(s)." if applied else "Schema is up to date.")


DEMO_REFUSAL = (
    "Refusing to create demo accounts outside development: ehealth demo creates accounts "
    "with known passwords and prints them, which must never happen on a real service.\n"
    "For a local try-out, set EHEALTH_ENV=development, for example:\n"
    "  EHEALTH_ENV=development ehealth demo"
)


@click.command("demo")
@click.option("--yes-on-production", is_flag=True,
              help="Allow demo accounts outside development (never on a real service).")
def demo_command(yes_on_production: bool) -> None:
    """Create a demo organisation with staff and two clients, and print their logins."""
    from ehealth.demo import create_demo

    if current_app.config["ENV_NAME"] != "development" and not yes_on_production:
        click.echo(DEMO_REFUSAL, err=True)
        raise SystemExit(1)
    with connected():
        logins = create_demo()
    base = current_app.config.get("BASE_URL", "http://127.0.0.1:5000")
    click.echo(f"Demo organisation ready. Log in at {base}/login with:")
    for login in logins:
        click.echo(f"  {login.role:<9}  {login.email:<24}  {login.password}   ({login.name})")
    click.echo("These passwords are new each time you run ehealth demo.")


@click.command("sync-modules")
def sync_modules_command() -> None:
    """Publish every module folder as a ModuleVersion (unchanged content creates nothing).

    Prints what was published, what was published already and every conflict (content changed
    under a published version number: not published, its last published version stays in
    use); exits 1 when there is a conflict. Running app workers pick up what was published
    within seconds (``ehealth.module_library``).
    """
    config = current_app.config
    library = load_library([config["MODULES_DIR"]], config["MEDIA_DIR"], allow_empty=True)
    for problem in library.problems:
        click.echo(str(problem), err=True)
    if library.problems:
        raise SystemExit(1)
    with connected():
        report = sync_module_versions(library.modules)
    # Creating the app for this command already published at start-up (AUTO_MIGRATE): that
    # is this command's work too, not something it found done.
    report = report.after(state_of(current_app).start_up_sync)
    for name in report.published:
        click.echo(f"Published {name}")
    for name in report.already_published:
        click.echo(f"Already published {name}")
    for conflict in report.conflicts:
        click.echo(str(conflict.problem), err=True)
    conflicts = len(report.conflicts)
    summary = (f"{len(report.published)} published, "
               f"{len(report.already_published)} already published")
    if conflicts:
        noun = "conflict" if conflicts == 1 else "conflicts"
        click.echo(f"{summary}, {conflicts} {noun} not published (the last published version "
                   "stays in use).", err=True)
        raise SystemExit(1)
    click.echo(f"{summary}, no conflicts.")
