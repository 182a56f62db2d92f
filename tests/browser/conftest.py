"""Fixtures of the browser tests: the real app on a loopback port, Chromium, one tab per test.

``live_server`` serves ``ehealth.create_app`` (the shipped modules, a fresh database) with
werkzeug on 127.0.0.1 and a free port, in a thread, once per test module. ``browser`` is Debian's
Chromium driven by Playwright, once per session. ``page`` is a tab in a fresh context (cookies,
language, window size) per test; ``view`` chooses the language and size (Dutch at 1280 × 800
unless a test parametrizes it indirectly, see ``support.ALL_VIEWS``).

Every page a test loads is audited with axe-core (see ``support.Auditor``). Without
/usr/bin/chromium, Playwright or node_modules/axe-core the whole suite is skipped with the
reason; ``.ci/run`` installs all three, so CI never skips it.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wsgi import ClosingIterator

from ehealth import create_app
from ehealth.extensions import db
from tests.browser import support
from tests.browser.support import (
    AXE_SOURCE,
    CHROMIUM,
    CHROMIUM_ARGS,
    NL_DESKTOP,
    ROOT,
    Account,
    LiveServer,
    NewClient,
    View,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the browser suite, with the reason, on a machine that cannot run it.

    With ``EHEALTH_BROWSER_TESTS=required`` (as ``.ci/run`` sets) a missing tool is an error.
    """
    if not any(HERE in item.path.parents for item in items):
        return
    problems = support.browser_problems()
    if not problems:
        return
    if os.environ.get("EHEALTH_BROWSER_TESTS") == "required":
        raise pytest.UsageError("the browser tests cannot run: " + "; ".join(problems))
    skip = pytest.mark.skip(reason="browser tests need: " + "; ".join(problems))
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test, so fixtures can tell whether the test passed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Every axe finding of the run, grouped, also the moderate and minor ones that pass."""
    if not support.AUDITED_PAGES:
        return
    pages = len(support.AUDITED_PAGES)
    terminalreporter.section("axe-core audit")
    terminalreporter.write_line(
        f"{pages} page loads audited with axe-core, {support.distinct_audits()} of them distinct "
        f"(failing on: {', '.join(support.FAILING_IMPACTS)}); findings of any impact:")
    for line in support.summary_of_findings() or ["none"]:
        terminalreporter.write_line(line)


# --- the app on a loopback port ----------------------------------------------------------------

class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        """No access log lines in the test output."""


def _with_test_files(app: Flask) -> Any:
    """The app, plus axe-core at a same-origin path; the database is let go after each request."""
    axe_source = AXE_SOURCE.read_bytes()

    def close_database() -> None:
        if not db.is_closed():
            db.close()

    def serve(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == support.AXE_URL:
            start_response("200 OK", [("Content-Type", "text/javascript; charset=utf-8"),
                                      ("Content-Length", str(len(axe_source))),
                                      ("Cache-Control", "max-age=3600")])
            return [axe_source]
        return ClosingIterator(app(environ, start_response), [close_database])

    return serve


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory,
                postgres_database: str | None) -> Iterator[LiveServer]:
    """The real app (shipped modules, fresh database) on a free port, for one test module.

    On SQLite each module gets its own database file; with ``DATABASE_URL=postgresql://…`` the
    run's throw-away PostgreSQL database is used and emptied afterwards, as the other tests do.
    """
    instance = tmp_path_factory.mktemp("live")
    database_url = postgres_database or f"sqlite:///{instance / 'live.sqlite3'}"
    app = create_app({
        "ENV_NAME": "development",  # plain http: cookies without Secure, no HSTS
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": database_url,
        "INSTANCE_DIR": instance,
        "MODULES_DIR": ROOT / "modules",
        "MEDIA_DIR": ROOT / "media",
        "SESSION_COOKIE_SECURE": False,
        "MAIL_SERVER": "",
        "REDIS_URL": "",
    })
    server: BaseWSGIServer = make_server("127.0.0.1", 0, _with_test_files(app), threaded=True,
                                         request_handler=_QuietHandler)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, url)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        if not db.is_closed():
            db.close()
        if postgres_database is not None:
            from tests.conftest import _reset_postgres

            _reset_postgres(postgres_database)


# --- the browser -------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, headless (never a browser downloaded by ``playwright install``)."""
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                          args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def view(request: pytest.FixtureRequest) -> View:
    """Language and window size; parametrize with ``indirect=True`` for others."""
    return getattr(request, "param", NL_DESKTOP)


@pytest.fixture
def context(browser: Browser, live_server: LiveServer, view: View) -> Iterator[BrowserContext]:
    """A fresh browser profile: no cookies, the view's language and window size."""
    browser_context = browser.new_context(
        base_url=live_server.url, locale=view.locale,
        viewport={"width": view.width, "height": view.height},
        service_workers="block",
    )
    browser_context.set_default_timeout(10_000)
    yield browser_context
    browser_context.close()


@pytest.fixture
def page(context: BrowserContext, view: View, request: pytest.FixtureRequest) -> Iterator[Page]:
    """One tab; every page it loads must be audited with axe-core (``support.visit`` …)."""
    tab = context.new_page()
    auditor = support.Auditor(tab, view)
    support.register(auditor)
    yield tab
    support.unregister(auditor)
    report = getattr(request.node, "report_call", None)
    if report is not None and report.passed:
        missed = auditor.unaudited()
        assert not missed, f"page(s) loaded without an axe audit: {missed}"


@pytest.fixture
def axe(page: Page) -> support.Auditor:
    """The axe auditor of ``page``: ``axe.audit()`` audits the page as it is now."""
    return support.auditor_of(page)


@pytest.fixture(scope="module")
def demo(live_server: LiveServer) -> dict[str, Account]:
    """``ehealth demo`` in the live server's database: the printed logins, by first name."""
    from ehealth.demo import create_demo

    with live_server.database():
        logins = create_demo()
    return {login.email.split("@")[0]: Account(login.email, login.password) for login in logins}


@pytest.fixture
def new_client(live_server: LiveServer, demo: dict[str, Account]) -> NewClient:
    """Make a client of the demo organisation with one module assigned by the demo therapist
    (extra keyword arguments are fields of the assignment, such as ``due_date``)."""
    from ehealth.models import Assignment, ModuleVersion, Role, User
    from ehealth.services.accounts import hash_password

    def make(module_id: str, language: str = "nl", **assignment: object) -> Account:
        account = Account(f"client-{secrets.token_hex(4)}@browser.example",
                          f"browser-{secrets.token_urlsafe(12)}")
        with live_server.database():
            therapist = User.get(User.email == demo["fatima"].email)
            client = User.create(organisation=therapist.organisation, email=account.email,
                                 name="Browser Test", role=Role.CLIENT, language=language,
                                 password_hash=hash_password(account.password))
            version = (ModuleVersion.select().where(ModuleVersion.module_id == module_id)
                       .order_by(ModuleVersion.published_at.desc()).get())
            account.assignment_id = Assignment.create(
                client=client, therapist=therapist, module_version=version, **assignment).id
        return account

    return make
