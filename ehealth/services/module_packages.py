"""An organisation's module as a zip file, out and in (the format is ``content.package``).

Export: a draft (as it is, problems and all) or a published version, with every media file it
names: the organisation's uploads (``uploads/<sha256>.<ext>``, stored in the uploads folder)
and the shipped media it kept from a library module (in the media folder).

Import: a zip becomes a new draft of the organisation, or the new content of one of its
drafts. The zip is checked in full first (``content.package.import_zip``: every problem, each
with its file and JSON path), then each media file it brings is checked as an upload is; only
when nothing is wrong is anything stored: the media as uploads of the organisation, and the
content, its media paths pointing at those uploads. So an import with any problem leaves
nothing behind. Importing is audited (``module.imported``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ehealth.content.fields import MediaPath
from ehealth.content.package import ExportError, export_zip, import_zip
from ehealth.content.problems import Problem
from ehealth.content.schema import LessonSchema, ModuleSchema
from ehealth.content.walk import Position, lesson_documents, media_references, schema_values
from ehealth.models import ModuleDraft, Organisation, User
from ehealth.services import audit, authoring, media

IMPORTED = "module.imported"

__all__ = ["ExportError", "ImportRefused", "export_draft", "export_version", "import_module"]


class ImportRefused(authoring.AuthoringError):
    """The zip was not imported: every problem found, and nothing stored."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s): nothing was imported.")
        self.problems = problems


# --- media -----------------------------------------------------------------------------------

def _inside(folder: Path, relative: str) -> Path | None:
    """``folder / relative`` when that is a file inside ``folder`` (never outside it)."""
    try:
        root = folder.resolve()
        target = (folder / relative).resolve()
    except (OSError, ValueError):
        return None
    return target if target.is_relative_to(root) and target.is_file() else None


def _is_upload(src: str) -> bool:
    parts = PurePosixPath(src).parts
    return len(parts) == 2 and parts[0] == media.UPLOADS_FOLDER


def media_of(organisation: Organisation, content: Any, media_dir: Path | None,
             instance_dir: Path) -> dict[str, bytes]:
    """The bytes of every media file ``content`` names that can be found.

    An upload (``uploads/…``) counts only when it is the organisation's own; any other path
    is read from the shipped media folder. A file that cannot be found is left out (a draft
    may name one that is not there yet; the checker says so).
    """
    sources = {reference.src for reference in media_references(content) if reference.valid}
    found = media.media_bytes(organisation, frozenset(src for src in sources if _is_upload(src)),
                              instance_dir)
    for src in sorted(sources):
        if not _is_upload(src) and media_dir is not None:
            path = _inside(media_dir, src)
            if path is not None:
                found[src] = path.read_bytes()
    return found


# --- export ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExportedZip:
    """A module zip and the file name to offer it under."""

    filename: str
    data: bytes


def export_draft(user: User, draft_id: int, media_dir: Path | None,
                 instance_dir: Path) -> ExportedZip:
    """The draft ``draft_id`` of the user's organisation as a zip (ExportError: ids unusable)."""
    draft = authoring.draft_of(user, draft_id)
    data = export_zip(draft.content, media_of(draft.organisation, draft.content, media_dir,
                                              instance_dir))
    return ExportedZip(f"{draft.module_id}-draft-{draft.revision}.zip", data)


def export_version(user: User, version_id: int, media_dir: Path | None,
                   instance_dir: Path) -> ExportedZip:
    """A published version (the organisation's own, or the shipped library's) as a zip."""
    version = authoring.own_version(user, version_id)  # the user's organisation's, or shipped
    files = media_of(user.organisation, version.content, media_dir, instance_dir)
    return ExportedZip(f"{version.module_id}-{version.version}.zip",
                       export_zip(version.content, files))


# --- import ----------------------------------------------------------------------------------

# Checks one media file as an upload would be, and stores it: the collaborators the media
# service gives (``check(name, data) -> problem or None``, ``store(author, name, data) -> src``).
MediaCheck = Callable[[str, bytes], str | None]
MediaStore = Callable[[User, str, bytes], str]


def _media_positions(content: Mapping[str, Any]) -> Iterator[tuple[str | None, Position]]:
    """(lesson id or None for module.json, position) of every media path in ``content``."""
    module = content.get("module")
    for path, field, value in schema_values(ModuleSchema(), module):
        if isinstance(field, MediaPath) and isinstance(value, str):
            yield None, path
    for lesson_id, lesson in lesson_documents(content).items():
        for path, field, value in schema_values(LessonSchema(), lesson):
            if isinstance(field, MediaPath) and isinstance(value, str):
                yield lesson_id, path


def _repointed(content: dict[str, Any], moved: Mapping[str, str]) -> dict[str, Any]:
    """``content`` with every media path in ``moved`` replaced by where the file is now."""
    result = copy.deepcopy(content)
    for lesson_id, path in list(_media_positions(result)):
        holder: Any = result["module"] if lesson_id is None else result["lessons"][lesson_id]
        for key in path[:-1]:
            holder = holder[key]
        if holder[path[-1]] in moved:
            holder[path[-1]] = moved[holder[path[-1]]]
    return result


def _same_as_shipped(media_dir: Path | None, src: str, data: bytes) -> bool:
    if media_dir is None or _is_upload(src):
        return False
    path = _inside(media_dir, src)
    return path is not None and path.read_bytes() == data


def import_module(author: User, data: bytes, *, check_media: MediaCheck, store_media: MediaStore,
                  media_dir: Path | None, module_id: str | None = None,
                  draft_id: int | None = None, base_revision: int | None = None,
                  label: str = "module.zip") -> ModuleDraft:
    """Import a module zip as a new draft (``module_id``: another id than the zip's), or as the
    new content of the draft ``draft_id`` (seen at ``base_revision``).

    Raises ImportRefused with every problem, or an AuthoringError of the target (an id in
    use, no such draft, DraftConflict: the draft changed since ``base_revision``); nothing is
    stored then.
    """
    if draft_id is not None:
        authoring.draft_of(author, draft_id)  # no such draft: refused before reading the zip
    result = import_zip(data, media_dir, label=label)
    if not result.ok or result.content is None:
        raise ImportRefused(result.problems)
    kept: dict[str, bytes] = {}
    problems: list[Problem] = []
    for src, data_of_file in result.media.items():
        if _same_as_shipped(media_dir, src, data_of_file):
            continue  # the library's own file, already in the media folder
        problem = check_media(PurePosixPath(src).name, data_of_file)
        if problem is not None:
            problems.append(Problem(f"media/{src}", "$", problem))
        kept[src] = data_of_file
    if problems:
        raise ImportRefused(problems)

    # Everything that could still refuse the import is asked before anything is stored.
    content = copy.deepcopy(result.content)
    if draft_id is not None:
        draft = authoring.draft_of(author, draft_id)
        if base_revision is not None and base_revision != draft.revision:
            raise authoring.DraftConflict([], draft)
        content["module"]["id"] = draft.module_id
    else:
        target = (module_id or "").strip() or str(content["module"]["id"])
        authoring.check_new_module_id(target)
        content["module"]["id"] = target
    moved = {src: store_media(author, PurePosixPath(src).name, data_of_file)
             for src, data_of_file in kept.items()}
    content = _repointed(content, moved)
    if draft_id is not None:
        saved = authoring.replace_content(
            author, draft_id, draft.revision if base_revision is None else base_revision,
            content, media_dir)
        audit.record(author, IMPORTED, object_type="module", object_id=saved.draft.module_id)
        return saved.draft
    return authoring.draft_from_content(author, str(content["module"]["id"]), content,
                                        action=IMPORTED)
