"""Helpers of the account tests: configuration, a browser, submitting forms like a browser."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import csrf_token, make_config


def auth_config(database_url: str, instance: Path, **overrides: object) -> dict[str, object]:
    """A test configuration: outbox under ``instance``, failures counted in the database."""
    settings: dict[str, object] = {"INSTANCE_DIR": instance, "MAIL_SERVER": "", "REDIS_URL": "",
                                   "BASE_URL": "https://ehealth.example"}
    settings.update(overrides)
    return make_config(database_url, **settings)


def browser(app: Flask) -> FlaskClient:
    """A fresh browser that prefers English pages (the pending Dutch texts are not merged yet)."""
    test_client = app.test_client()
    test_client.environ_base["HTTP_REFERER"] = "https://localhost/"
    test_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return test_client


def post_form(test_client: FlaskClient, path: str, data: dict[str, str],
              page: str | None = None) -> TestResponse:
    """Submit a form the way a browser does: with the CSRF token of the page it is on."""
    token = csrf_token(test_client, page or path)
    return test_client.post(path, data={**data, "csrf_token": token})


def log_in(test_client: FlaskClient, email: str, password: str) -> TestResponse:
    """Log in through the log-in form."""
    return post_form(test_client, "/login", {"email": email, "password": password})


def form_errors(page: str) -> list[str]:
    """The messages of the error summary on ``page``."""
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    if not summary:
        return []
    return [re.sub(r"\s+", " ", m).strip()
            for m in re.findall(r'<li><a href="#[^"]+">(.*?)</a></li>', summary.group(0), re.S)]


def without_csrf(page: str) -> str:
    """``page`` with its (per-session) CSRF tokens blanked out, for comparing pages."""
    return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value=""', page)


def outbox_mails(instance: Path) -> list[Path]:
    """The mails in the outbox, oldest first."""
    folder = instance / "outbox"
    return sorted(folder.glob("*.eml")) if folder.exists() else []
