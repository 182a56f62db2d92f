"""Routes of the public area. Thin: look up, check, render."""

from __future__ import annotations

from pathlib import Path

from flask import (
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    send_from_directory,
)
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.wrappers import Response

from ehealth.access import safe_next
from ehealth.content.steps import STEP_TYPES
from ehealth.database import connected
from ehealth.extensions import db
from ehealth.i18n import LANGUAGE_COOKIE
from ehealth.models import Organisation
from ehealth.module_library import conflict_notices, modules
from ehealth.public.blueprint import bp
from ehealth.services import media as media_service
from ehealth.services.library import visible_modules

ONE_YEAR = 365 * 24 * 3600


def _ui_language() -> str:
    return str(get_locale() or current_app.config["DEFAULT_LANGUAGE"])


def _organisation() -> Organisation | None:
    """The signed-in person's organisation (its own modules are shown to it only)."""
    return current_user.organisation if current_user.is_authenticated else None


@bp.get("/")
def home() -> str:
    """The module library: every published module, in the visitor's language (an
    organisation's own modules only for its own people).

    Authors start here: they (and admins) also see any module folder of their organisation's
    library that could not be published.
    """
    language = _ui_language()
    library = sorted(
        visible_modules(_organisation(), modules(current_app)),
        key=lambda m: m.title.in_language(m.language_for(language)).casefold(),
    )
    notices = (conflict_notices(current_app, current_user, language)
               if current_user.is_authenticated else [])
    return render_template("public/home.html", modules=library, module_conflicts=notices)


@bp.get("/modules/<module_id>")
def preview(module_id: str) -> str:
    """A read-only preview of every step of a module, in order (an organisation's own module:
    for its own people only, else 404)."""
    module = modules(current_app).get(module_id)
    if module is None or not visible_modules(_organisation(), [module]):
        abort(404)
    return render_template(
        "public/preview.html",
        module=module,
        lang=module.language_for(_ui_language()),
        step_types=STEP_TYPES,
    )


@bp.post("/language")
def set_language() -> Response:
    """Remember the visitor's language choice and go back to the page they were on."""
    language = request.form.get("language", "")
    if language not in current_app.config["LANGUAGES"]:
        abort(400)
    response = redirect(safe_next(request.form.get("next")) or "/", code=303)
    response.set_cookie(
        LANGUAGE_COOKIE, language, max_age=ONE_YEAR, httponly=True, samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


@bp.get("/media/<path:filename>")
def media(filename: str) -> Response:
    """Module media (illustrations, audio, video) from the media folder."""
    return send_from_directory(current_app.config["MEDIA_DIR"], filename, max_age=3600)


# An upload opened on its own is a document of its own: no script, no plug-in, nothing loaded
# from anywhere (a sanitised SVG's inline styles aside), never framed.
UPLOAD_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


@bp.get("/media/uploads/<name>")
def upload(name: str) -> Response:
    """An organisation's uploaded media file, ``<sha256>.<ext>``: only for signed-in people of
    that organisation; for anyone else it does not exist (404).

    Served with the content type it was stored with, sandboxed and ``nosniff``; cached for a
    year, privately (the name is the content's hash, so the bytes never change).
    """
    found = media_service.upload_for_viewer(current_user._get_current_object(), name,
                                            Path(current_app.config["INSTANCE_DIR"]))
    if found is None:
        abort(404)
    media_file, path = found
    response = send_file(path, mimetype=media_file.content_type, conditional=True,
                         etag=media_file.sha256, max_age=None)
    response.headers["Content-Security-Policy"] = UPLOAD_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = f"private, max-age={ONE_YEAR}, immutable"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["Vary"] = "Cookie"
    return response


@bp.get("/healthz")
def health() -> tuple[dict[str, str], int]:
    """For load balancers: the app answers and the database is reachable."""
    try:
        with connected():
            db.execute_sql("SELECT 1")
    except Exception:  # any failure means "not healthy"
        current_app.logger.exception("Health check failed")
        return {"status": "unavailable"}, 503
    return {"status": "ok"}, 200
