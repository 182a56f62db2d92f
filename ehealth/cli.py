"""The ``ehealth`` command: one entry point for running and managing the product.

Commands that only read module files (``check-modules``, ``module-schema``) work without a
database or a valid module library; the others create the app first.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import FlaskGroup, NoAppException

from ehealth.config import ConfigError, content_paths
from ehealth.content.jsonschema import module_json_schema
from ehealth.content.loader import load_library


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


@cli.command("check-modules", with_appcontext=False)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--media", "media_dir", type=click.Path(path_type=Path),
              help="Media folder (default: MEDIA_DIR).")
def check_modules(paths: tuple[Path, ...], media_dir: Path | None) -> None:
    """Check module folders and print every problem as file: json.path: message.

    PATH is one module folder or a folder of module folders (default: MODULES_DIR).
    """
    modules_dir, default_media = content_paths()
    targets = list(paths) or [modules_dir]
    media = media_dir or default_media
    library = load_library(targets, media)
    for problem in library.problems:
        click.echo(str(problem))
    steps = sum(module.step_count for module in library.modules)
    lessons = sum(len(module.lessons) for module in library.modules)
    if library.problems:
        noun = "problem" if len(library.problems) == 1 else "problems"
        click.echo(
            f"{len(library.problems)} {noun} in {library.failed_folders} of "
            f"{library.folders} module folder(s); {len(library.modules)} module(s) OK."
        )
        sys.exit(1)
    click.echo(
        f"{len(library.modules)} module(s) OK: {lessons} lessons, {steps} steps, no problems."
    )


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
