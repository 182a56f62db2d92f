"""Fixtures for the module-format tests: a private copy of the example module to break.

Every test gets its own copy of ``tests/fixtures/modules/voorbeeld`` (and of the media folder)
under ``tmp_path``, helpers to read, change and write its JSON files, and helpers that run the
checker (directly, or through ``ehealth check-modules``) and report what it found.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from click.testing import CliRunner, Result

from ehealth.cli import cli
from ehealth.content.loader import LoadResult, load_module_folder
from ehealth.content.problems import Problem

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
VOORBEELD = FIXTURES / "modules" / "voorbeeld"
MEDIA = FIXTURES / "media"


class Found(NamedTuple):
    """A problem with its file relative to the module folder (``lessons/begin.json``)."""

    file: str
    path: str
    message: str


@dataclass
class ModuleCopy:
    """A writable copy of the example module, with helpers to break it."""

    folder: Path
    media: Path

    # -- files -------------------------------------------------------------------------------

    def file(self, name: str) -> Path:
        """A file of the module by its relative name, e.g. ``lessons/begin.json``."""
        return self.folder / name

    def read(self, name: str) -> Any:
        """The parsed JSON of one file of the module."""
        return json.loads(self.file(name).read_text(encoding="utf-8"))

    def write(self, name: str, data: Any) -> None:
        """Write ``data`` as JSON to one file of the module (creating folders as needed)."""
        path = self.file(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")

    def write_text(self, name: str, text: str) -> None:
        """Write raw text (for JSON syntax mistakes) to one file of the module."""
        path = self.file(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def write_bytes(self, name: str, raw: bytes) -> None:
        """Write raw bytes to one file of the module."""
        path = self.file(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)

    @contextmanager
    def edit(self, name: str) -> Iterator[Any]:
        """Change a file in place: ``with module.edit("module.json") as data: ...``."""
        data = self.read(name)
        yield data
        self.write(name, data)

    def modify(self, name: str, change: Callable[[Any], Any]) -> None:
        """Apply ``change`` to the parsed file; a non-None return value replaces the document."""
        data = self.read(name)
        result = change(data)
        self.write(name, data if result is None else result)

    def locate(self, step_id: str) -> tuple[str, int]:
        """The lesson file (relative name) and index of the step with ``step_id``."""
        for path in sorted((self.folder / "lessons").glob("*.json")):
            steps = json.loads(path.read_text(encoding="utf-8")).get("steps", [])
            for index, step in enumerate(steps):
                if isinstance(step, dict) and step.get("id") == step_id:
                    return f"lessons/{path.name}", index
        raise KeyError(step_id)

    @contextmanager
    def edit_step(self, step_id: str) -> Iterator[dict[str, Any]]:
        """Change one step in place, wherever it is."""
        name, index = self.locate(step_id)
        with self.edit(name) as lesson:
            yield lesson["steps"][index]

    # -- checking ----------------------------------------------------------------------------

    def load(self) -> LoadResult:
        """Run the checker on this module folder, as the loader does."""
        return load_module_folder(self.folder, self.media)

    def relative(self, problem: Problem) -> Found:
        """The problem with its file relative to the module folder, when it is inside it."""
        prefix = f"{self.folder}/"
        file = problem.file.removeprefix(prefix) if problem.file.startswith(prefix) else \
            problem.file
        return Found(file, problem.path, problem.message)

    def problems(self) -> list[Found]:
        """Every problem the checker finds, with relative file names."""
        return [self.relative(problem) for problem in self.load().problems]

    def run_cli(self, *paths: Path) -> Result:
        """``ehealth check-modules PATH... --media MEDIA`` (default PATH: this module)."""
        return run_check_modules(*(paths or (self.folder,)), media=self.media)


def run_check_modules(*paths: Path, media: Path) -> Result:
    """Invoke ``ehealth check-modules PATH... --media MEDIA`` in-process; click's result."""
    args = ["check-modules", *(str(path) for path in paths), "--media", str(media)]
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def copy_module(parent: Path, name: str = "voorbeeld", media: Path = MEDIA) -> ModuleCopy:
    """Copy the example module to ``parent/<name>``; its id follows the folder name."""
    copy = ModuleCopy(parent / name, media)
    shutil.copytree(VOORBEELD, copy.folder)
    if name != "voorbeeld":
        with copy.edit("module.json") as data:
            data["id"] = name
    return copy


@pytest.fixture
def media(tmp_path: Path) -> Path:
    """A private copy of the fixture media folder."""
    target = tmp_path / "media"
    shutil.copytree(MEDIA, target)
    return target


@pytest.fixture
def module(tmp_path: Path, media: Path) -> ModuleCopy:
    """A private, writable copy of the example module ``voorbeeld`` (in ``tmp_path/modules``)."""
    return copy_module(tmp_path / "modules", "voorbeeld", media)


@pytest.fixture
def make_module(media: Path) -> Callable[..., ModuleCopy]:
    """Make more copies: ``make_module(parent, name)`` (the module id follows ``name``)."""
    return lambda parent, name="voorbeeld": copy_module(parent, name, media)


@pytest.fixture
def check_modules() -> Callable[..., Result]:
    """``check_modules(*paths, media=...)``: run ``ehealth check-modules`` and return its result."""
    return run_check_modules


@pytest.fixture
def fixture_dirs() -> tuple[Path, Path]:
    """The unchanged example module folder and the fixture media folder (read only)."""
    return VOORBEELD, MEDIA
