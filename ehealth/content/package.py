"""A module as a zip file: the interchange format between organisations, instances and editors.

The zip holds one module folder and the media it uses, laid out as the project itself keeps
them, so unzipping it at the top of a project (next to ``modules/`` and ``media/``) puts every
file where the app reads it, and ``ehealth check-modules`` passes::

    modules/<module-id>/module.json
    modules/<module-id>/lessons/<lesson-id>.json     one per lesson, in the module's order
    media/<path>                                     each media file the content names, at
                                                     the path it is named by ("<module-id>/…")

Exporting writes canonical JSON: 2-space indent, UTF-8 (not ``\\u`` escapes), keys in the
order the author wrote them, a newline at the end, and no ``$schema`` (it is not content). The
zip is the same, byte for byte, for the same content and media.

Importing reads such a zip without trusting it: sizes, member count and compression ratio are
capped before anything is decompressed in full; absolute paths, ``..``, symlinks, encrypted and
duplicate members are refused; the JSON goes through the loader's parser and the module through
the same checker as ``ehealth check-modules``. Every problem is reported, each as a ``Problem``
(file, JSON path, message), and a zip with any problem yields no content and no media at all.
Media bytes come back as they were in the zip: storing them is the caller's job, through the same
path as uploaded media (SVG sanitising included).
"""

from __future__ import annotations

import io
import json
import re
import stat
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ehealth.content.fields import MEDIA_KINDS, SLUG
from ehealth.content.loader import LESSONS_DIR, MODULE_FILE, Module, check_module, parse_json
from ehealth.content.problems import ROOT, Problem, show_value
from ehealth.content.walk import (
    MediaReference,
    lesson_documents,
    lesson_order,
    media_references,
    module_document,
)

MODULES_FOLDER = "modules"
MEDIA_FOLDER = "media"
# What zip tools add that is no part of a module: macOS resource forks and folder settings.
IGNORED_FOLDERS = frozenset({"__MACOSX"})
IGNORED_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
MEDIA_SUFFIXES = frozenset().union(*MEDIA_KINDS.values())

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # a fixed time stamp: the same content gives the same zip
_CHUNK = 64 * 1024
MIB = 1024 * 1024


@dataclass(frozen=True)
class ZipLimits:
    """How much an imported zip may hold (uncompressed sizes, in bytes)."""

    archive_bytes: int = 64 * MIB  # the zip file itself
    members: int = 1_000  # entries, folders included
    json_bytes: int = 2 * MIB  # one module.json or lesson file
    media_bytes: int = 32 * MIB  # one media file
    total_bytes: int = 256 * MIB  # everything together
    # A member that unpacks to more than ``ratio`` times its packed size (past ``ratio_floor``
    # bytes) is a zip bomb, not a module: text compresses some 5-20 times, media hardly at all.
    ratio: int = 100
    ratio_floor: int = 1 * MIB


class ExportError(ValueError):
    """The content cannot be written as a module folder (not a module, or unsafe names)."""


# -- export --------------------------------------------------------------------------------------


def canonical_json(document: Any) -> bytes:
    """A JSON file as the export writes it: 2-space indent, UTF-8, keys as authored, newline."""
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _without_schema_hint(document: Any) -> Any:
    if isinstance(document, dict):
        return {key: value for key, value in document.items() if key != "$schema"}
    return document


def _zip_entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info


def export_zip(content: Mapping[str, Any], media: Mapping[str, bytes]) -> bytes:
    """The module in ``content`` (stored content: ``{"module": …, "lessons": {…}}``) as a zip.

    ``media`` maps media paths (relative to the media folder, as the content names them) to
    their bytes; each media file the content names and ``media`` holds is written, nothing
    else. Content with problems (a draft) is written as it is, but the module id and the
    lesson ids become folder and file names, so they must be valid ids: else ExportError.
    """
    if not isinstance(content.get("module"), dict) or not isinstance(content.get("lessons"),
                                                                     dict):
        raise ExportError('Not module content: expected {"module": {…}, "lessons": {…}}.')
    module = module_document(content)
    module_id = module.get("id")
    if not isinstance(module_id, str) or not SLUG.fullmatch(module_id) or len(module_id) > 64:
        raise ExportError(f"The module id {show_value(module_id)!r} is not a valid id, so it "
                          "cannot name the module folder.")
    documents = lesson_documents(content)
    folder = f"{MODULES_FOLDER}/{module_id}"
    files: list[tuple[str, bytes]] = [(f"{folder}/{MODULE_FILE}",
                                       canonical_json(_without_schema_hint(module)))]
    for lesson_id in lesson_order(content):
        if lesson_id not in documents:
            continue  # listed but missing: a problem the checker reports, no file to write
        if not SLUG.fullmatch(lesson_id) or len(lesson_id) > 64:
            raise ExportError(f"The lesson id {show_value(lesson_id)!r} is not a valid id, so "
                              "it cannot name a lesson file.")
        files.append((f"{folder}/{LESSONS_DIR}/{lesson_id}.json",
                      canonical_json(_without_schema_hint(documents[lesson_id]))))
    written: set[str] = set()
    for reference in media_references(content):
        if reference.src in media and reference.valid and reference.src not in written:
            written.add(reference.src)
            files.append((f"{MEDIA_FOLDER}/{reference.src}", bytes(media[reference.src])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files:
            archive.writestr(_zip_entry(name), data)
    return buffer.getvalue()


# -- import --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    """A checked module from a zip with its media, or every problem and nothing else."""

    content: dict[str, Any] | None
    media: dict[str, bytes]  # media path (relative to the media folder) -> bytes
    problems: list[Problem]
    module: Module | None = None

    @property
    def ok(self) -> bool:
        """Whether the zip imported without a problem."""
        return not self.problems


@dataclass
class _Reading:
    """What has been read from the zip so far."""

    label: str
    limits: ZipLimits
    problems: list[Problem] = field(default_factory=list)
    module_folders: list[str] = field(default_factory=list)
    module_file: zipfile.ZipInfo | None = None
    lessons: dict[str, zipfile.ZipInfo] = field(default_factory=dict)
    media: dict[str, zipfile.ZipInfo] = field(default_factory=dict)
    read_bytes: int = 0

    def problem(self, file: str, message: str, path: str = ROOT) -> None:
        self.problems.append(Problem(file, path, message))


def _shown(name: str) -> str:
    """A member's name for a message: quoted and escaped, whatever bytes it holds."""
    return json.dumps(name[:200])


def _unsafe_name(name: str) -> str | None:
    """Why a member name cannot be unpacked safely, or None."""
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        return "its name holds control characters"
    if "\\" in name:
        return 'its name holds "\\": zip paths use "/"'
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "it has an absolute path"
    parts = name.removesuffix("/").split("/")
    if ".." in parts:
        return 'its path goes up a folder with ".."'
    if any(part in ("", ".") for part in parts):
        return 'its path has an empty or "." part'
    return None


def _check_members(reading: _Reading, archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The members safe to look at; a problem for each one that is not."""
    limits = reading.limits
    members = archive.infolist()
    if len(members) > limits.members:
        reading.problem(reading.label, f"The zip has {len(members)} entries; at most "
                                       f"{limits.members} are allowed.")
        return []
    safe: list[zipfile.ZipInfo] = []
    seen: dict[str, str] = {}
    declared = 0
    for info in members:
        name = info.filename
        reason = _unsafe_name(name)
        if reason is None and stat.S_ISLNK(info.external_attr >> 16):
            reason = "it is a symbolic link"
        if reason is None and info.flag_bits & 0x1:
            reason = "it is encrypted"
        if reason is not None:
            reading.problem(reading.label, f"Refused entry {_shown(name)}: {reason}.")
            continue
        key = name.removesuffix("/").casefold()
        if key in seen:
            same = seen[key] == name
            reading.problem(reading.label, f"Entry {_shown(name)} is in the zip twice"
                            + ("." if same else f' (as {_shown(seen[key])}: names that differ '
                                                "only in capitals collide on many computers)."))
            continue
        seen[key] = name
        if not info.is_dir():
            declared += info.file_size
            if (info.file_size > limits.ratio_floor
                    and info.file_size > limits.ratio * max(info.compress_size, 1)):
                reading.problem(name, f"Refused: it unpacks to {info.file_size:,} bytes from "
                                      f"{info.compress_size:,}, more than {limits.ratio} times "
                                      "its size (a zip bomb?).")
                continue
        safe.append(info)
    if declared > limits.total_bytes:
        reading.problem(reading.label, f"The zip unpacks to {declared:,} bytes; at most "
                                       f"{limits.total_bytes:,} are allowed.")
        return []
    return safe


def _place(reading: _Reading, info: zipfile.ZipInfo) -> None:
    """Sort one member into module file, lesson or media, or report it as out of place."""
    parts = info.filename.removesuffix("/").split("/")
    if parts[0] in IGNORED_FOLDERS or parts[-1] in IGNORED_FILES:
        return
    name = info.filename
    if parts[0] == MODULES_FOLDER and len(parts) > 1:
        if parts[1] not in reading.module_folders:
            reading.module_folders.append(parts[1])
        inside = parts[2:]
        if info.is_dir():
            if inside not in ([], [LESSONS_DIR]):
                reading.problem(name, "Unexpected folder: a module folder holds module.json and "
                                      f"{LESSONS_DIR}/ only.")
            return
        if inside == [MODULE_FILE]:
            reading.module_file = info
        elif len(inside) == 2 and inside[0] == LESSONS_DIR and inside[1].endswith(".json"):
            reading.lessons[inside[1].removesuffix(".json")] = info
        elif inside and inside[0] == LESSONS_DIR:
            reading.problem(name, f"Only .json lesson files belong in {LESSONS_DIR}/ (no other "
                                  "files, no sub-folders).")
        else:
            reading.problem(name, f"Unexpected file: a module folder holds {MODULE_FILE} and "
                                  f"{LESSONS_DIR}/*.json only; media go in {MEDIA_FOLDER}/ at "
                                  "the top of the zip.")
        return
    if parts[0] == MEDIA_FOLDER:
        if info.is_dir() or len(parts) == 1:
            return
        suffix = PurePosixPath(name).suffix.lower()
        if suffix not in MEDIA_SUFFIXES:
            reading.problem(name, "Not a media file this format allows (allowed: "
                                  f"{', '.join(sorted(MEDIA_SUFFIXES))}).")
            return
        reading.media["/".join(parts[1:])] = info
        return
    if info.is_dir() and parts[0] == MODULES_FOLDER:
        return
    reading.problem(name, f"Unexpected {'folder' if info.is_dir() else 'file'}: a module zip "
                          f"holds {MODULES_FOLDER}/<module-id>/… and {MEDIA_FOLDER}/… only.")


def _read(reading: _Reading, archive: zipfile.ZipFile, info: zipfile.ZipInfo,
          limit: int) -> bytes | None:
    """A member's bytes, read no further than ``limit`` (and the zip's total); None on a
    problem, which is reported."""
    if info.file_size > limit:
        reading.problem(info.filename, f"Too large: {info.file_size:,} bytes; at most "
                                       f"{limit:,} are allowed for this file.")
        return None
    chunks: list[bytes] = []
    size = 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(_CHUNK):
                size += len(chunk)
                reading.read_bytes += len(chunk)
                if size > limit or reading.read_bytes > reading.limits.total_bytes:
                    reading.problem(info.filename, "Unpacks to more than it says: refused "
                                                   "(a damaged zip, or a zip bomb).")
                    return None
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
        reading.problem(info.filename, f"Cannot be read from the zip (damaged or cut short): "
                                       f"{error}.")
        return None
    except NotImplementedError:
        reading.problem(info.filename, "Packed with a compression method this app cannot "
                                       "unpack; use ordinary (deflate) zip compression.")
        return None
    return b"".join(chunks)


# The first bytes of each allowed kind of media file: the content decides, not the name.
def _sniffed_as(suffix: str, data: bytes) -> bool:
    head = data[:512]
    if suffix == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if suffix in (".jpg", ".jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if suffix == ".gif":
        return head.startswith((b"GIF87a", b"GIF89a"))
    if suffix == ".webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if suffix == ".wav":
        return head[:4] == b"RIFF" and head[8:12] == b"WAVE"
    if suffix in (".ogg", ".oga"):
        return head.startswith(b"OggS")
    if suffix == ".mp3":
        return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF
                                           and head[1] & 0xE0 == 0xE0)
    if suffix in (".mp4", ".m4a"):
        return head[4:8] == b"ftyp"
    if suffix == ".webm":
        return head.startswith(b"\x1a\x45\xdf\xa3")
    if suffix == ".vtt":
        return data.removeprefix(b"\xef\xbb\xbf").startswith(b"WEBVTT")
    if suffix == ".svg":
        try:
            text = data[:8192].decode("utf-8-sig")
        except UnicodeDecodeError:
            return False
        return text.lstrip().startswith("<") and re.search(r"<svg[\s>/]", text) is not None
    return False


def _found_in(media_dir: Path, src: str) -> bool:
    """Whether ``src`` is a file inside ``media_dir`` (as the checker looks it up)."""
    try:
        root = media_dir.resolve()
        target = (media_dir / src).resolve()
        return target.is_relative_to(root) and target.is_file()
    except (OSError, ValueError):
        return False


def _check_media(reading: _Reading, folder: str, references: list[MediaReference],
                 media: dict[str, bytes], media_dir: Path | None) -> None:
    """Every media file named is in the zip (or the media folder); every one in the zip is
    named, and is what its name says."""
    named = set()
    for reference in references:
        if not reference.valid:
            continue  # the checker has reported the path itself
        named.add(reference.src)
        if reference.src in reading.media:
            continue
        if media_dir is not None and _found_in(media_dir, reference.src):
            continue
        file = (f"{folder}/{MODULE_FILE}" if reference.lesson_id is None
                else f"{folder}/{LESSONS_DIR}/{reference.lesson_id}.json")
        where = f" or in {media_dir}" if media_dir is not None else ""
        reading.problem(file, f'Media file "{reference.src}" is not in the zip '
                              f"({MEDIA_FOLDER}/{reference.src}){where}.", reference.path)
    for src in reading.media:
        name = f"{MEDIA_FOLDER}/{src}"
        if src not in named:
            reading.problem(name, "Not used by the module: remove it from the zip, or use it.")
        elif src in media and not _sniffed_as(PurePosixPath(src).suffix.lower(), media[src]):
            reading.problem(name, f"The content is not a {PurePosixPath(src).suffix.lower()} "
                                  "file: the name does not match what is inside.")


def import_zip(data: bytes, media_dir_for_check: Path | None = None, *,
               limits: ZipLimits | None = None, label: str = "module.zip") -> ImportResult:
    """Read a module zip (the layout ``export_zip`` writes) and check it as the checker does.

    A media file the content names must be in the zip, or in ``media_dir_for_check`` when
    given (media already stored). ``label`` names the zip in problems about the zip itself.
    Returns the content and the zip's media, or every problem found and nothing else.
    """
    limits = limits or ZipLimits()
    reading = _Reading(label, limits)

    module_doc: Any = None

    def failed() -> ImportResult:
        return ImportResult(None, {}, _ordered(reading, lesson_order({"module": module_doc})))

    if len(data) > limits.archive_bytes:
        reading.problem(label, f"The zip is {len(data):,} bytes; at most "
                               f"{limits.archive_bytes:,} are allowed.")
        return failed()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
        reading.problem(label, f"Not a zip file, or a damaged one ({error}).")
        return failed()
    except NotImplementedError as error:
        reading.problem(label, f"This zip cannot be read here ({error}).")
        return failed()
    with archive:
        for info in _check_members(reading, archive):
            _place(reading, info)
        folders = reading.module_folders
        if not folders:
            reading.problem(label, f"No module folder: expected {MODULES_FOLDER}/<module-id>/"
                                   f"{MODULE_FILE}.")
            return failed()
        if len(folders) > 1:
            reading.problem(label, f"{len(folders)} module folders ({', '.join(folders)}): a "
                                   "module zip holds exactly one.")
            return failed()
        module_id = folders[0]
        folder = f"{MODULES_FOLDER}/{module_id}"
        if reading.module_file is None:
            reading.problem(f"{folder}/{MODULE_FILE}",
                            "Missing module.json: every module folder needs one.")
        if reading.module_file is not None:
            raw = _read(reading, archive, reading.module_file, limits.json_bytes)
            if raw is not None:
                module_doc, parse_problems = parse_json(reading.module_file.filename, raw)
                reading.problems.extend(parse_problems)
        lesson_docs: dict[str, Any] = {}
        unreadable: set[str] = set()
        for lesson_id, info in sorted(reading.lessons.items()):
            raw = _read(reading, archive, info, limits.json_bytes)
            document, parse_problems = (None, []) if raw is None else parse_json(info.filename,
                                                                                 raw)
            reading.problems.extend(parse_problems)
            lesson_docs[lesson_id] = document
            if document is None:
                unreadable.add(lesson_id)
        media: dict[str, bytes] = {}
        for src, info in reading.media.items():
            raw = _read(reading, archive, info, limits.media_bytes)
            if raw is not None:
                media[src] = raw
    module: Module | None = None
    if module_doc is not None:
        result = check_module(folder, module_id, module_doc, lesson_docs, None,
                              frozenset(unreadable))
        reading.problems.extend(result.problems)
        module = result.module
        content = {"module": module_doc,
                   "lessons": {key: value for key, value in lesson_docs.items()
                               if isinstance(value, dict)}}
        _check_media(reading, folder, media_references(content), media, media_dir_for_check)
    if reading.problems or module is None:
        return failed()
    used = {reference.src for reference in media_references(module.content)}
    return ImportResult(module.content, {src: media[src] for src in media if src in used}, [],
                        module)


def _ordered(reading: _Reading, listed: list[str]) -> list[Problem]:
    """Problems of the zip first, then module.json, the lessons in module order, the media;
    each once."""
    def rank(problem: Problem) -> tuple[int, int, str]:
        if problem.file == reading.label:
            return 0, 0, ""
        if problem.file.endswith(f"/{MODULE_FILE}"):
            return 1, 0, ""
        lesson = re.search(rf"/{LESSONS_DIR}/([^/]*)\.json$", problem.file)
        if lesson is not None:
            position = listed.index(lesson[1]) if lesson[1] in listed else len(listed)
            return 2, position, problem.file
        return 3, 0, problem.file

    unique = list(dict.fromkeys(reading.problems))
    return sorted(unique, key=rank)
