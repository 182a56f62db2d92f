"""The ``ehealth`` command: one entry point for running and managing the product.

Commands that only read module files (``check-modules``, ``module-schema``) work without a
database or a valid module library (``check-modules`` compares with the published versions when
a database is configured); the others create the app first.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse, urlunparse

import click
from flask.cli import FlaskGroup, NoAppException, ScriptInfo
from peewee import DatabaseError

from ehealth.config import ConfigError, content_paths, from_environment
from ehealth.content.jsonschema import module_json_schema
from ehealth.content.loader import Module, load_library
from ehealth.content.problems import ROOT, Problem
from ehealth.content.writing import WritingWarning, writing_warnings
from ehealth.database import DatabaseURLError, connected, open_database
from ehealth.extensions import db
from ehealth.models import ModuleVersion
from ehealth.services.modules import compare_with_published


def _create_app() -> object:
    from ehealth import ModulesInvalid, create_app

    try:
        return create_app()
    except ModulesInvalid as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        click.echo(error.summary, err=True)
        sys.exit(1)
    except ConfigError as error:
        # Shown by click as "Error: …" without a traceback; --help still lists the commands.
        raise NoAppException(f"Configuration error: {error}") from None


cli = FlaskGroup(
    name="ehealth",
    create_app=_create_app,  # type: ignore[arg-type]
    add_version_option=False,
    help="ehealth: recovery-oriented online modules.",
)


def _development() -> bool | None:
    """Whether the environment says development (None: the configuration itself is broken,
    which creating the app then reports)."""
    try:
        # Only the environment's name is read here; the real secret is checked by create_app.
        config = from_environment(overrides={"SECRET_KEY": "not-used-only-reading-ENV_NAME"})
    except ConfigError:
        return None
    return bool(config["ENV_NAME"] == "development")


@cli.command("demo", with_appcontext=False)
@click.option("--yes-on-production", is_flag=True,
              help="Allow demo accounts outside development (never on a real service).")
@click.pass_context
def demo(ctx: click.Context, yes_on_production: bool) -> None:
    """Create or refresh the demo organisation and print its logins (development only).

    Checked before the app is created, so outside development it says why it refuses (and
    touches no database) instead of failing on the missing SECRET_KEY.
    """
    from ehealth.commands import DEMO_REFUSAL, demo_command

    if _development() is False and not yes_on_production:
        click.echo(DEMO_REFUSAL, err=True)
        ctx.exit(1)
    app = ctx.ensure_object(ScriptInfo).load_app()
    with app.app_context():
        ctx.invoke(demo_command, yes_on_production=yes_on_production)


@cli.command("check-modules", with_appcontext=False)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--media", "media_dir", type=click.Path(path_type=Path),
              help="Media folder (default: MEDIA_DIR).")
@click.option("--database/--no-database", "compare", default=True,
              help="Also compare with the versions published in the configured database "
                   "(DATABASE_URL, or the default SQLite file when it exists). Default: on.")
@click.option("--writing", is_flag=True,
              help="Also print writing warnings (docs/writing-modules.md) for the modules "
                   "without problems. Warnings alone still exit 0.")
@click.option("--strict", is_flag=True,
              help="Writing warnings count as errors: exit 1 when there are any (implies "
                   "--writing).")
def check_modules(paths: tuple[Path, ...], media_dir: Path | None, compare: bool,
                  writing: bool, strict: bool) -> None:
    """Check module folders and print every problem as file: json.path: message.

    PATH is one module folder or a folder of module folders (default: MODULES_DIR). With a
    configured database, content changed under a version number already published there is a
    problem too: raise the version. With --writing, the writing rules' warnings follow the
    problems, as file: json.path: warning (rule): message.
    """
    modules_dir, default_media = content_paths()
    targets = list(paths) or [modules_dir]
    media = media_dir or default_media
    library = load_library(targets, media)
    conflicts = _published_conflicts(library.modules) if compare else []
    problems = library.problems + conflicts
    for problem in problems:
        click.echo(str(problem))
    warnings: list[WritingWarning] = []
    warned = 0  # modules with at least one warning
    if writing or strict:
        for module in library.modules:
            found = writing_warnings(module.content, label=module.source)
            warnings.extend(found)
            warned += bool(found)
        for warning in warnings:
            click.echo(f"{warning.file}: {warning.path}: warning ({warning.rule}): "
                       f"{warning.message}".encode("utf-8", "backslashreplace").decode("utf-8"))
    noted = _warnings_note(len(warnings), warned) if writing or strict else ""
    steps = sum(module.step_count for module in library.modules)
    lessons = sum(len(module.lessons) for module in library.modules)
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        click.echo(
            f"{len(problems)} {noun} in {library.failed_folders + len(conflicts)} of "
            f"{library.folders} module folder(s); "
            f"{len(library.modules) - len(conflicts)} module(s) OK{noted}."
        )
        sys.exit(1)
    click.echo(
        f"{len(library.modules)} module(s) OK: {lessons} lessons, {steps} steps, "
        f"no problems{noted}."
    )
    if strict and warnings:
        sys.exit(1)


def _warnings_note(count: int, modules: int) -> str:
    """The end of the summary line when writing warnings were asked for."""
    if not count:
        return ", no writing warnings"
    noun = "writing warning" if count == 1 else "writing warnings"
    return f", {count} {noun} in {modules} module(s)"


def _configured_database() -> str | None:
    """DATABASE_URL when set; else the default SQLite file. A SQLite file that does not exist
    has nothing published, and is not made by looking."""
    url = os.environ.get("DATABASE_URL")
    if url:
        parsed = urlparse(url)
        if parsed.scheme == "sqlite" and parsed.path not in ("", "/", "/:memory:"):
            return url if Path(unquote(parsed.path[1:])).is_file() else None
        return url
    try:
        # Only the database's place is read here; create_app checks the real secret.
        config = from_environment(overrides={"SECRET_KEY": "not-used-only-reading-paths"})
    except ConfigError:
        return None
    default = Path(config["INSTANCE_DIR"]) / "ehealth.sqlite3"
    return f"sqlite:///{default}" if default.is_file() else None


def _published_conflicts(modules: list[Module]) -> list[Problem]:
    """Modules whose content differs from what the configured database has published.

    A database that cannot be read is a problem too: a check that could not be made must not
    pass as one that found nothing.
    """
    url = _configured_database()
    if url is None or not modules:
        return []
    previous = db.obj  # in-process callers (tests) keep their database
    try:
        db.initialize(open_database(url))
        with connected():
            if not ModuleVersion.table_exists():  # never migrated: nothing published
                return []
            return [conflict.problem
                    for conflict in compare_with_published(modules).conflicts]
    except (DatabaseError, DatabaseURLError) as error:
        return [Problem(_safe_url(url), ROOT, "Could not compare with the published versions in "
                        f"this database: {error}".strip())]
    finally:
        if not db.is_closed():
            db.close()
        db.initialize(previous)


def _safe_url(url: str) -> str:
    """The database URL without its password, to print."""
    parsed = urlparse(url)
    if parsed.password:
        parsed = parsed._replace(netloc=parsed.netloc.replace(f":{parsed.password}@", ":***@"))
    return urlunparse(parsed)


@cli.command("module-schema", with_appcontext=False)
@click.argument("kind", type=click.Choice(["module", "lesson"]), default="module")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write module.schema.json and lesson.schema.json into this folder.")
def module_schema(kind: str, out_dir: Path | None) -> None:
    """Print the JSON Schema of module.json (or of a lesson file) for editor completion."""
    if out_dir is None:
        click.echo(json.dumps(module_json_schema(kind), indent=2, ensure_ascii=False))
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in ("module", "lesson"):
        target = out_dir / f"{name}.schema.json"
        target.write_text(
            json.dumps(module_json_schema(name), indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
        click.echo(f"Wrote {target}")


def main() -> None:
    """Console-script entry point."""
    cli.main()
