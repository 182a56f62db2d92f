"""Commands that need the app and its database: migrating and publishing modules."""

from __future__ import annotations

import click
from flask import Flask, current_app

from ehealth.content.loader import load_library
from ehealth.database import connected, migrate
from ehealth.services.modules import ModuleVersionConflict, sync_module_versions


def register(app: Flask) -> None:
    """Add the commands to ``app.cli`` (and so to the ``ehealth`` command)."""
    from ehealth.auth.commands import register as register_auth_commands

    app.cli.add_command(migrate_command)
    app.cli.add_command(sync_modules_command)
    app.cli.add_command(demo_command)
    register_auth_commands(app)


@click.command("migrate")
def migrate_command() -> None:
    """Bring the database schema up to date."""
    applied = migrate()
    click.echo(f"Applied {len(applied)} migration(s)." if applied else "Schema is up to date.")


@click.command("demo")
@click.option("--yes-on-production", is_flag=True,
              help="Allow demo accounts outside development (never on a real service).")
def demo_command(yes_on_production: bool) -> None:
    """Create a demo organisation with staff and two clients, and print their logins."""
    from ehealth.demo import create_demo

    if current_app.config["ENV_NAME"] != "development" and not yes_on_production:
        click.echo("Refusing to create demo accounts outside development "
                   "(set EHEALTH_ENV=development).", err=True)
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
    """Publish every module folder as a ModuleVersion (unchanged content creates nothing)."""
    config = current_app.config
    library = load_library([config["MODULES_DIR"]], config["MEDIA_DIR"], allow_empty=True)
    for problem in library.problems:
        click.echo(str(problem), err=True)
    if library.problems:
        raise SystemExit(1)
    try:
        with connected():
            report = sync_module_versions(library.modules)
    except ModuleVersionConflict as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        raise SystemExit(1) from None
    for name in report.created:
        click.echo(f"Published {name}")
    click.echo(f"{len(report.created)} published, {len(report.unchanged)} unchanged.")
