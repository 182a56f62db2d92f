"""The media library: an organisation's images, sound, video and captions for its modules.

For the organisation's authors and admins (others 403, visitors the log-in page). ``GET
/author/media`` lists the uploads (a preview, kind, format, size, the name it came with, and the
path a module uses); ``POST /author/media`` uploads one file (multipart, field ``file``, CSRF
token as everywhere). What is accepted, the limits per kind and how files are stored are in
``services.media``; a refused file comes back on the page with a message saying why, in the
author's language (422; 413 when it is too large).

The app-wide body limit (``MAX_CONTENT_LENGTH``, 1 MiB) is raised for the upload route only,
to ``media.UPLOAD_REQUEST_LIMIT`` (the largest file, a video, plus room for the form), with
``input_guard.large_body``: it holds before anything reads the body, the CSRF check included. A
request larger than that is answered with the library page and a message (413), not a bare
error page.

For the editor (media fields of a step):

- ``media.uploads_of(organisation, kind)`` lists the uploads of one kind (``image``, ``audio``,
  ``video``, ``captions``), newest first; ``MediaFile.path`` is the value a module stores
  (``uploads/<sha256>.<ext>``).
- ``templates/author/_media.html`` has ``media_select(field_id, name, kind, uploads, value,
  describedby)``: a labelled-by-the-caller ``<select>`` of those uploads that keeps a current
  value which is not an upload (a shipped file of a copied module), with a link to this page;
  and ``preview(media_file)``, the thumbnail or player this page shows.
- The checker accepts an upload path when it is one of the organisation's uploads: pass
  ``uploads=media.upload_paths(organisation)`` to ``authoring.check_content`` (``save_draft``,
  ``submit`` and ``publish`` do it themselves).
- A module import checks and stores media with ``media.check_upload`` and
  ``media.upload_store(instance_dir)``.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from ehealth.author.blueprint import bp
from ehealth.author.common import author_only, instance_dir, me
from ehealth.input_guard import large_body
from ehealth.models import MediaFile, Role
from ehealth.services import media

Page = tuple[str, int]
UPLOAD_ENDPOINT = "author.upload_media"
FILE_FIELD = "file"

KIND_LABELS = {
    "image": _l("Image"),
    "audio": _l("Sound"),
    "video": _l("Video"),
    "captions": _l("Captions"),
}
# What the file picker offers; the content decides in the end, whatever the name or type says.
ACCEPT = ",".join(sorted({t.content_type.split(";")[0] for t in media.TYPES}
                         | {f".{t.extension}" for t in media.TYPES} | {".jpeg"}))




def megabytes(size: int) -> str:
    """A size in MB with one decimal, as the page's language writes it ("4,2" in Dutch)."""
    return str(format_decimal(size / media.MIB, format="#,##0.0"))


@bp.app_template_filter("media_size")
def media_size(size: int) -> str:
    """A file size for people: "840 kB", "4,2 MB"."""
    if size < media.MIB:
        return _("%(size)s kB", size=format_decimal(max(1, round(size / 1024)),
                                                    format="#,##0"))
    return _("%(size)s MB", size=megabytes(size))


def _types() -> str:
    return ", ".join(media_type.name for media_type in media.TYPES)


def refusal_message(refusal: media.UploadRefused) -> str:
    """Why a file was not stored, in the page's language."""
    if isinstance(refusal, media.EmptyUpload):
        return _("This file is empty. Choose a file that holds an image, sound or video.")
    if isinstance(refusal, media.TooLarge):
        size, limit = megabytes(refusal.size), megabytes(refusal.limit)
        if refusal.kind == "image":
            return _("This image is %(size)s MB; an image can be at most %(limit)s MB. Make it "
                     "smaller (fewer pixels, or JPEG or WebP instead of PNG) and try again.",
                     size=size, limit=limit)
        if refusal.kind == "audio":
            return _("This sound file is %(size)s MB; sound can be at most %(limit)s MB. "
                     "Shorten it or save it at a lower bit rate, and try again.",
                     size=size, limit=limit)
        if refusal.kind == "video":
            return _("This video is %(size)s MB; a video can be at most %(limit)s MB. Shorten "
                     "it or save it at a lower resolution, and try again.",
                     size=size, limit=limit)
        return _("This captions file is %(size)s MB; captions can be at most %(limit)s MB.",
                 size=size, limit=limit)
    if isinstance(refusal, media.UnsupportedType):
        if refusal.text:
            return _("This file holds text (such as a web page or a script), not an image, "
                     "sound or video, whatever its name says. You can upload: %(types)s.",
                     types=_types())
        if refusal.found:
            return _("This file is of a type that cannot be used here (%(type)s), whatever its "
                     "name says. You can upload: %(types)s.", type=refusal.found,
                     types=_types())
        return _("This file is not an image, sound or video that can be used here, whatever "
                 "its name says. You can upload: %(types)s.", types=_types())
    if isinstance(refusal, media.BrokenSvg):
        problem = refusal.problem
        if problem.reason == "declarations":
            return _("This SVG declares entities or a document type with declarations, which "
                     "could bring in other files. Save it as plain SVG (in Inkscape: “Plain "
                     "SVG”) and try again.")
        if problem.reason in ("too_deep", "too_large"):
            return _("This SVG is too complex to check (too deeply nested, or too many parts). "
                     "Simplify it and try again.")
        if problem.reason == "encoding":
            return _("This SVG is not saved as UTF-8 text. Save it as UTF-8 and try again.")
        if problem.line:
            return _("This SVG cannot be read: it is damaged or unfinished at line %(line)d, "
                     "column %(column)d. Save it again from your drawing program and try "
                     "again.", line=problem.line, column=problem.column or 1)
        return _("This SVG cannot be read: it is damaged or unfinished. Save it again from "
                 "your drawing program and try again.")
    if isinstance(refusal, media.BrokenCaptions):
        return _("This captions file is not saved as UTF-8 text. Save it as UTF-8 and try "
                 "again.")
    return str(refusal)


def _library(error: str | None = None, status: int = 200) -> Page:
    user = me()
    return render_template(
        "author/media.html", uploads=media.uploads_of(user.__data__["organisation"]),
        errors=[(FILE_FIELD, error)] if error else [], error=error, accept=ACCEPT,
        limits={kind: megabytes(limit) for kind, limit in media.LIMITS.items()},
        kind_labels=KIND_LABELS, types=media.TYPES,
    ), status


@bp.get("/media")
@author_only
def media_library() -> Page:
    """The organisation's uploads and the form to upload one."""
    return _library()


@bp.post("/media")
@large_body(media.UPLOAD_REQUEST_LIMIT)
@author_only
def upload_media() -> Page | Response:
    """Store one uploaded file as the organisation's; back to the library, at the file."""
    upload = request.files.get(FILE_FIELD)
    if upload is None or not upload.filename:
        return _library(_("Choose a file to upload."), 422)
    data = upload.read(media.UPLOAD_REQUEST_LIMIT + 1)
    try:
        stored = media.store_upload(me(), data, upload.filename, instance_dir())
    except media.UploadRefused as refusal:
        return _library(refusal_message(refusal),
                        413 if isinstance(refusal, media.TooLarge) else 422)
    kind = str(KIND_LABELS[stored.kind]).lower()
    flash(_("Uploaded: %(name)s (%(kind)s, %(format)s). Use it in a module by its path, "
            "%(path)s.", name=stored.original_name or stored.path, kind=kind,
            format=format_name(stored), path=stored.path), "success")
    if media.misnamed(upload.filename, stored):
        flash(_("The name of this file says another type than its content: it is stored as "
                "the %(format)s file it is.", format=format_name(stored)), "info")
    return redirect(url_for("author.media_library", _anchor=f"media-{stored.sha256}"),
                    code=303)


def format_name(media_file: MediaFile) -> str:
    """The format of an upload for people: "JPEG", "WebM"."""
    return next((t.name for t in media.TYPES if t.extension == media_file.extension),
                media_file.extension.upper())


@bp.app_template_global("media_format")
def media_format(media_file: MediaFile) -> str:
    """``format_name`` for templates."""
    return format_name(media_file)


@bp.app_template_global("media_kind_label")
def media_kind_label(kind: str) -> str:
    """"Image", "Sound", "Video" or "Captions", in the page's language."""
    return str(KIND_LABELS.get(kind, kind))


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> Page:
    """A body over the route's limit: on the upload route the library says so; elsewhere in
    the author area the app's error page, as anywhere."""
    if request.endpoint != UPLOAD_ENDPOINT or not getattr(current_user, "is_authenticated",
                                                          False):
        return render_template("error.html", error=error, reference=None), 413
    if me().role not in (Role.AUTHOR, Role.ADMIN):
        return render_template("error.html", error=error, reference=None), 413
    limits = {kind: megabytes(limit) for kind, limit in media.LIMITS.items()}
    return _library(_("This file is too large to upload: a video can be at most %(video)s "
                      "MB, sound %(audio)s MB and an image %(image)s MB.", **limits), 413)
