"""An organisation's uploaded media: images, sound, video and captions, stored by content.

What a file is comes from its bytes, never from its name: binary formats are recognised by
their signatures (the ``filetype`` library), SVG by parsing it as XML (defusedxml, through
``services.svg``), WebVTT captions by their first line. A ``.png`` that holds a JPEG is stored
as the JPEG it is; a ``.png`` that holds HTML or a script is refused. Accepted:

=========  ================================  ==========
kind       formats                           at most
=========  ================================  ==========
image      PNG, JPEG, WebP, SVG              5 MiB
audio      MP3, Ogg, M4A (AAC), WAV          20 MiB
video      MP4, WebM                         100 MiB
captions   WebVTT (for a video's captions)   1 MiB
=========  ================================  ==========

An SVG is rewritten by the allow-list sanitiser before it is stored; what is stored (and so
hashed) is that clean version. Every file is stored once, as
``INSTANCE_DIR/uploads/<sha256>.<ext>``, written to a temporary file and renamed into place, and
recorded once per organisation (``MediaFile``): uploading the same bytes again, by anyone of the
organisation, gives the same file and the same row. A module names the file
``uploads/<sha256>.<ext>``, so replacing an image is a new file, and a published version keeps
showing the one it was published with. Nothing here deletes an upload.

The app-wide request limit (``MAX_CONTENT_LENGTH``, 1 MiB) stays as it is; only the upload route
lets a request be ``UPLOAD_REQUEST_LIMIT`` long (``author.media_routes``).

Services never touch the request: callers pass the user, the bytes and the instance folder.
Refusals are ``UploadRefused`` subclasses whose ``str()`` is an English message (for the
module import's problem list); the upload page words each in the visitor's language.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import filetype
from peewee import IntegrityError

from ehealth.database import write_transaction
from ehealth.models import MediaFile, Organisation, User
from ehealth.services.authoring import NotAllowed, may_author
from ehealth.services.svg import SvgRefused, looks_like_svg, sanitise_svg

MIB = 1024 * 1024
LIMITS: dict[str, int] = {
    "image": 5 * MIB,
    "audio": 20 * MIB,
    "video": 100 * MIB,
    "captions": 1 * MIB,
}
KINDS = tuple(LIMITS)
# The largest file plus room for the rest of a multipart form (field names, the CSRF token).
UPLOAD_REQUEST_LIMIT = max(LIMITS.values()) + 1 * MIB
UPLOADS_FOLDER = "uploads"
NAME_MAX = 200

_UPLOAD_NAME = re.compile(r"^([0-9a-f]{64})\.([a-z0-9]{2,5})$")
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class MediaType:
    """A format the app accepts: how it is stored and served."""

    extension: str  # without the dot; also in the module format's MEDIA_KINDS for ``kind``
    kind: str
    content_type: str
    name: str  # for people: "JPEG", "WebM"


SVG = MediaType("svg", "image", "image/svg+xml", "SVG")
WEBVTT = MediaType("vtt", "captions", "text/vtt", "WebVTT")  # served with charset=utf-8
# By the extension ``filetype`` gives the format it recognises.
SNIFFED: dict[str, MediaType] = {
    "png": MediaType("png", "image", "image/png", "PNG"),
    "jpg": MediaType("jpg", "image", "image/jpeg", "JPEG"),
    "webp": MediaType("webp", "image", "image/webp", "WebP"),
    "mp3": MediaType("mp3", "audio", "audio/mpeg", "MP3"),
    "ogg": MediaType("ogg", "audio", "audio/ogg", "Ogg"),
    "m4a": MediaType("m4a", "audio", "audio/mp4", "M4A"),
    "wav": MediaType("wav", "audio", "audio/wav", "WAV"),
    "mp4": MediaType("mp4", "video", "video/mp4", "MP4"),
    "webm": MediaType("webm", "video", "video/webm", "WebM"),
}
TYPES: tuple[MediaType, ...] = (*SNIFFED.values(), SVG, WEBVTT)
# Names that mean the same format as the stored extension.
_SAME_FORMAT = {"jpeg": "jpg", "jpe": "jpg", "oga": "ogg", "opus": "ogg", "svgz": "svg"}


# --- refusals ------------------------------------------------------------------------------------

class UploadRefused(Exception):
    """The file is not stored; ``str()`` says why, in English."""


class EmptyUpload(UploadRefused):
    """No file, or a file of 0 bytes."""

    def __str__(self) -> str:
        return "The file is empty: choose a file that holds an image, sound or video."


class UnsupportedType(UploadRefused):
    """The content is not a format the app accepts (whatever the name says).

    ``found``: the format recognised (a MIME type such as ``image/gif``), or None; ``text``:
    the content is text (HTML, a script, …) rather than a media file.
    """

    def __init__(self, found: str | None = None, text: bool = False) -> None:
        super().__init__(found, text)
        self.found = found
        self.text = text

    def __str__(self) -> str:
        accepted = ", ".join(media_type.name for media_type in TYPES)
        if self.text:
            what = "text (such as HTML or a script), not an image, sound or video"
        elif self.found:
            what = f"a {self.found} file, which is not accepted"
        else:
            what = "no image, sound or video this app recognises"
        return f"The file holds {what}, whatever its name says. Accepted: {accepted}."


class TooLarge(UploadRefused):
    """Larger than the limit of its kind (``LIMITS``)."""

    def __init__(self, kind: str, size: int, limit: int) -> None:
        super().__init__(kind, size, limit)
        self.kind = kind
        self.size = size
        self.limit = limit

    def __str__(self) -> str:
        return (f"The file is {megabytes(self.size)} MB; a file of this kind ({self.kind}) "
                f"may be at most {megabytes(self.limit)} MB.")


class BrokenSvg(UploadRefused):
    """An SVG that cannot be read, or one with declarations (``problem`` says which)."""

    def __init__(self, problem: SvgRefused) -> None:
        super().__init__(problem.reason)
        self.problem = problem

    def __str__(self) -> str:
        problem = self.problem
        if problem.reason == "declarations":
            return ("The SVG declares entities or a document type with declarations "
                    "(<!DOCTYPE … [ … ]>), which could pull in other files: save it as plain "
                    "SVG and upload it again.")
        if problem.reason in ("too_deep", "too_large"):
            return ("The SVG is too complex (more than its nesting or element limit): "
                    "simplify it and upload it again.")
        if problem.reason == "encoding":
            return "The SVG is not UTF-8 text: save it as UTF-8 and upload it again."
        where = f" on line {problem.line}, column {problem.column}" if problem.line else ""
        return (f"The SVG cannot be read{where} ({problem.detail or 'not well-formed XML'}): "
                "it is damaged or not finished. Save it again and upload it again.")


class BrokenCaptions(UploadRefused):
    """A WebVTT file that is not UTF-8 text."""

    def __str__(self) -> str:
        return "The captions file is not UTF-8 text: save it as UTF-8 and upload it again."


# --- what a file is ------------------------------------------------------------------------------

def megabytes(size: int) -> str:
    """A size in MiB with one decimal, as the messages show it ("5.0")."""
    return f"{size / MIB:.1f}"


def _is_text(data: bytes) -> bool:
    head = data[:4096]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start >= len(head) - 3  # only a character cut off at the end
    return True


def sniff(data: bytes) -> MediaType:
    """The format of ``data``, from its content; UploadRefused when it is not accepted.

    An SVG is recognised here but not yet checked in full (``prepare`` parses it).
    """
    if not data:
        raise EmptyUpload()
    guess = filetype.guess(data)
    if guess is not None:
        media_type = SNIFFED.get(guess.extension)
        if media_type is None:
            raise UnsupportedType(found=guess.mime)
        return media_type
    if data.removeprefix(_UTF8_BOM).startswith(b"WEBVTT") and data.removeprefix(
            _UTF8_BOM)[6:7] in (b"", b"\n", b"\r", b" ", b"\t"):
        return WEBVTT
    if looks_like_svg(data):
        return SVG
    raise UnsupportedType(text=_is_text(data))


def prepare(data: bytes) -> tuple[MediaType, bytes]:
    """The format of ``data`` and the bytes to store (an SVG sanitised), or UploadRefused."""
    media_type = sniff(data)
    limit = LIMITS[media_type.kind]
    if len(data) > limit:
        raise TooLarge(media_type.kind, len(data), limit)
    if media_type is SVG:
        try:
            data = sanitise_svg(data)
        except SvgRefused as problem:
            if problem.reason == "not_svg":
                raise UnsupportedType(text=True) from None
            raise BrokenSvg(problem) from None
    elif media_type is WEBVTT:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise BrokenCaptions() from None
    return media_type, data


def check_upload(filename: str, data: bytes) -> str | None:
    """Why ``data`` would be refused as an upload (English), or None: for a module import,
    which checks every media file of a zip before it stores any."""
    try:
        prepare(data)
    except UploadRefused as refusal:
        return str(refusal)
    return None


def misnamed(filename: str, media_file: MediaFile) -> bool:
    """Whether the name the file came with says another format than its content is (a name
    without an extension says nothing)."""
    suffix = PurePosixPath(clean_name(filename)).suffix.lower().lstrip(".")
    return bool(suffix) and _SAME_FORMAT.get(suffix, suffix) != media_file.extension


def clean_name(filename: str) -> str:
    """The file's own name as the author's computer gave it: no folders, no control
    characters, at most ``NAME_MAX`` characters (it is only shown, never used as a path)."""
    name = re.split(r"[/\\]", filename or "")[-1]
    name = "".join(char for char in name if ord(char) >= 32 and ord(char) != 127).strip()
    return name[:NAME_MAX]


# --- storing -------------------------------------------------------------------------------------

def uploads_dir(instance_dir: Path) -> Path:
    """The folder the uploads' bytes live in."""
    return Path(instance_dir) / UPLOADS_FOLDER


def _write_once(path: Path, data: bytes, sha256: str) -> None:
    """Put ``data`` at ``path`` atomically (a temporary file renamed into place); a file
    already there with this content stays as it is."""
    if path.is_file():
        digest = hashlib.sha256()
        with path.open("rb") as existing:
            for chunk in iter(lambda: existing.read(1024 * 1024), b""):
                digest.update(chunk)
        if digest.hexdigest() == sha256:
            return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def store_upload(uploader: User, data: bytes, filename: str, instance_dir: Path) -> MediaFile:
    """Store an upload of ``uploader``'s organisation and return its ``MediaFile``.

    Authors and admins only (NotAllowed). The same content uploaded again gives the row (and
    file) already there. UploadRefused when the content is not accepted; then nothing is
    stored.
    """
    if not may_author(uploader):
        raise NotAllowed("Only the organisation's authors and admins upload media.")
    media_type, stored = prepare(data)
    sha256 = hashlib.sha256(stored).hexdigest()
    _write_once(uploads_dir(instance_dir) / f"{sha256}.{media_type.extension}", stored, sha256)
    organisation = uploader.__data__["organisation"]
    try:
        with write_transaction():
            existing = MediaFile.get_or_none((MediaFile.organisation == organisation)
                                             & (MediaFile.sha256 == sha256))
            if existing is not None:
                return existing
            created: MediaFile = MediaFile.create(
                organisation=organisation, sha256=sha256, extension=media_type.extension,
                kind=media_type.kind, content_type=media_type.content_type, size=len(stored),
                original_name=clean_name(filename), uploaded_by=uploader)
    except IntegrityError:  # the same file, uploaded by someone else at the same moment
        found: MediaFile = MediaFile.get((MediaFile.organisation == organisation)
                                         & (MediaFile.sha256 == sha256))
        return found
    return created


def upload_store(instance_dir: Path) -> Callable[[User, str, bytes], str]:
    """``store(author, filename, data) -> module path``: how a module import stores media."""

    def store(author: User, filename: str, data: bytes) -> str:
        return store_upload(author, data, filename, instance_dir).path

    return store


# --- finding -------------------------------------------------------------------------------------

def uploads_of(organisation: Organisation | int, kind: str | None = None) -> list[MediaFile]:
    """The organisation's uploads (of ``kind``, when given), newest first: the media library
    and the editor's picker."""
    query = MediaFile.select().where(MediaFile.organisation == organisation)
    if kind is not None:
        query = query.where(MediaFile.kind == kind)
    return list(query.order_by(MediaFile.uploaded_at.desc(), MediaFile.id.desc()))


def upload_paths(organisation: Organisation | int) -> frozenset[str]:
    """The module paths (``uploads/<sha256>.<ext>``) the organisation's modules may use: what
    the checker accepts for them (``CheckContext["uploads"]``)."""
    return MediaFile.paths_of(organisation)


def owned_upload(organisation: Organisation | int, name: str,
                 instance_dir: Path) -> tuple[MediaFile, Path] | None:
    """The organisation's upload ``<sha256>.<ext>`` and its file, or None (not theirs, not a
    name of an upload, or the file is missing)."""
    match = _UPLOAD_NAME.fullmatch(name or "")
    if match is None:
        return None
    media_file = MediaFile.get_or_none((MediaFile.organisation == organisation)
                                       & (MediaFile.sha256 == match[1])
                                       & (MediaFile.extension == match[2]))
    if media_file is None:
        return None
    path = uploads_dir(instance_dir) / f"{match[1]}.{match[2]}"
    return (media_file, path) if path.is_file() else None


def upload_for_viewer(viewer: User, name: str,
                      instance_dir: Path) -> tuple[MediaFile, Path] | None:
    """The upload ``<sha256>.<ext>`` when ``viewer`` may see it: a signed-in, active person of
    the organisation that uploaded it (its clients, therapists, authors, admins). Else None,
    so another organisation's media stay invisible (the route answers 404)."""
    if not getattr(viewer, "is_authenticated", False) or not viewer.active:
        return None
    return owned_upload(viewer.__data__["organisation"], name, instance_dir)


def media_bytes(organisation: Organisation | int, paths: list[str] | frozenset[str],
                instance_dir: Path) -> dict[str, bytes]:
    """The bytes of each ``uploads/…`` path in ``paths`` that is the organisation's (others,
    and shipped media, are left out): for exporting a module with its uploads."""
    found: dict[str, bytes] = {}
    for path in paths:
        parts = PurePosixPath(path).parts
        if len(parts) != 2 or parts[0] != UPLOADS_FOLDER:
            continue
        owned = owned_upload(organisation, parts[1], instance_dir)
        if owned is not None:
            found[path] = owned[1].read_bytes()
    return found
