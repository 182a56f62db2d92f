"""The application factory. It reads as a table of contents of what the app is made of."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, render_template, request
from markupsafe import Markup
from peewee import DatabaseError
from werkzeug.exceptions import HTTPException

from ehealth import i18n, module_library, presentation
from ehealth.config import from_environment
from ehealth.content.fields import MarkdownText, Text
from ehealth.content.loader import Module, load_library
from ehealth.content.problems import Problem
from ehealth.database import connected, migrate, open_database
from ehealth.extensions import babel, csrf, db, login_manager
from ehealth.input_guard import register_input_guard
from ehealth.services.modules import (
    ModuleConflict,
    SyncReport,
    compare_with_published,
    sync_module_versions,
)

log = logging.getLogger(__name__)


class ModulesInvalid(Exception):
    """The module library cannot be loaded; the app refuses to start."""

    def __init__(self, problems: list[Problem], summary: str) -> None:
        super().__init__(summary)
        self.problems = problems
        self.summary = summary


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: configuration, database, module library, blueprints, commands."""
    app = Flask(__name__)
    app.config.from_mapping(from_environment(overrides=dict(config or {})))
    configure_logging(app)
    register_extensions(app)
    register_database(app)
    register_library(app)
    register_input_guard(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security_headers(app)
    register_template_helpers(app)
    register_commands(app)
    if app.config["ENV_NAME"] == "production" and not app.config.get("MAIL_SERVER"):
        log.warning("MAIL_SERVER is not set: e-mails (with sign-in links) are written to %s "
                    "instead of being sent.", Path(app.config["INSTANCE_DIR"]) / "outbox")
    return app


def configure_logging(app: Flask) -> None:
    """Plain log lines on stderr; no request bodies, so no answers, are ever logged."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: "
                            "%(message)s")
    # peewee logs SQL with its parameters (answer text) at DEBUG: never let that through.
    logging.getLogger("peewee").setLevel(logging.INFO)


def register_extensions(app: Flask) -> None:
    """Attach the extension objects created in ``ehealth.extensions``."""
    import ehealth.auth  # noqa: F401  (registers the user loader)
    from ehealth.rate_limits import init_rate_limits

    csrf.init_app(app)
    login_manager.init_app(app)
    init_rate_limits(app)
    i18n.compile_translations()
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(i18n.TRANSLATIONS_DIR))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", app.config["DEFAULT_LANGUAGE"])
    # Times are stored in UTC and shown as the Dutch clock reads them.
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Amsterdam")
    babel.init_app(app, locale_selector=i18n.select_locale)


def register_database(app: Flask) -> None:
    """Open the database, migrate it when allowed, keep one connection per worker thread."""
    Path(app.config["INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)
    db.initialize(open_database(app.config["DATABASE_URL"]))
    if app.config["AUTO_MIGRATE"]:
        applied = migrate()
        if applied:
            log.info("Applied migrations: %s", ", ".join(applied))

    @app.before_request
    def _connect() -> None:
        if db.is_closed():
            db.connect()


def register_library(app: Flask) -> None:
    """Check the module folder (refusing to start on a broken file), publish new versions, and
    serve the latest published version of every module (``ehealth.module_library``).

    A folder whose content changed under a published version number does not stop the app:
    the module keeps its last published version, the problem is logged and shown to the
    organisation's admins and authors.
    """
    modules_dir = Path(app.config["MODULES_DIR"])
    library = load_library([modules_dir], Path(app.config["MEDIA_DIR"]), allow_empty=True)
    if library.problems:
        raise ModulesInvalid(
            library.problems,
            f"Refusing to start: {len(library.problems)} problem(s) in {modules_dir}. "
            f"Fix them (ehealth check-modules shows the same list).",
        )
    report: SyncReport | None = None
    if app.config["AUTO_MIGRATE"]:
        with connected():
            report = sync_module_versions(library.modules)
        conflicts = report.conflicts
        for name in report.published:
            log.info("Published module version %s", name)
    else:
        conflicts = _unpublished_conflicts(library.modules)
    for conflict in conflicts:
        log.error("Module %s not published, its last published version is served: %s",
                  conflict.module_id, conflict.problem)
    module_library.install(app, conflicts, start_up_sync=report)


def _unpublished_conflicts(modules: list[Module]) -> list[ModuleConflict]:
    """Without AUTO_MIGRATE nothing is published at start-up, but conflicts are still shown.

    The app does not need the database to start then: when it cannot be read (no schema yet,
    or not reachable), there is nothing to compare with.
    """
    try:
        with connected():
            return compare_with_published(modules).conflicts
    except DatabaseError as error:
        log.warning("Module folder not compared with the database: %s", error)
        return []


def register_blueprints(app: Flask) -> None:
    """One blueprint per area of the product."""
    from ehealth.admin import bp as admin_bp
    from ehealth.api import bp as api_bp
    from ehealth.auth import bp as auth_bp
    from ehealth.author import bp as author_bp
    from ehealth.client import bp as client_bp
    from ehealth.public import bp as public_bp
    from ehealth.therapist import bp as therapist_bp

    for blueprint in (public_bp, auth_bp, client_bp, therapist_bp, author_bp, admin_bp, api_bp):
        app.register_blueprint(blueprint)


def register_errorhandlers(app: Flask) -> None:
    """Friendly error pages; unexpected errors get a reference id and no stack trace."""

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> tuple[str, int]:
        return render_template("error.html", error=error, reference=None), error.code or 500

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[str, int]:
        reference = secrets.token_hex(6)
        log.exception("Unhandled error (reference %s) on %s %s", reference, request.method,
                      request.path)
        return render_template("error.html", error=None, reference=reference), 500


CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "img-src 'self' data:",
    "media-src 'self'",
    "style-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))


def register_security_headers(app: Flask) -> None:
    """Secure defaults on every response, set here rather than left to deployment."""
    development = app.config["ENV_NAME"] == "development"

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        # A page may allow its own site to frame it (the author's preview); none by default.
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if not development:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if getattr(g, "personal_data", False):
            response.headers["Cache-Control"] = "no-store"
        return response


def register_template_helpers(app: Flask) -> None:
    """``|t`` shows a module text in a language; Markdown texts arrive sanitised."""

    @app.template_filter("t")
    def _translate(text: Text | None, language: str) -> str | Markup:
        if text is None:
            return ""
        if isinstance(text, MarkdownText):
            return Markup(text.html(language))  # noqa: S704 - rendered then sanitised by nh3
        return text.in_language(language)

    app.jinja_env.globals["ui_languages"] = i18n.LANGUAGE_NAMES
    presentation.register(app)


def register_commands(app: Flask) -> None:
    """Commands that need the app (and so the database) live on ``app.cli``."""
    from ehealth.commands import register

    register(app)
