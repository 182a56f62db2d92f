"""Rate limits against password spraying: per client address, and across all accounts.

Counted in storage every worker shares (the database without ``REDIS_URL``, else Redis). Over a
limit the page itself answers 429 with a message saying how long to wait; a locked account
and a limited address can still recover through the password-reset mail.
"""

from __future__ import annotations

import datetime as dt
import email
import os
import re
import secrets
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient

from ehealth import create_app
from ehealth.database import connected
from ehealth.extensions import db
from ehealth.models import RateLimitCounter, User
from ehealth.services import background, two_factor
from ehealth.services.rate_limit_storage import DatabaseStorage
from ehealth.services.throttle import MAX_FAILURES, RedisThrottle
from tests.auth.helpers import auth_config, browser, form_errors, log_in, post_form
from tests.conftest import FIXTURE_MEDIA, FIXTURE_MODULES, PASSWORD, ROOT, make_world

NETWORK = "Too many attempts from this network."
PLATFORM = "There are too many attempts to log in right now."
NEW_PASSWORD = "a new password after the lock"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
RESET_LINK = re.compile(r"https://ehealth\.example/password/reset/([A-Za-z0-9_-]+)")

MakeApp = Callable[..., Flask]


@pytest.fixture
def make_app(database_url: str, tmp_path: Path) -> Iterator[MakeApp]:
    """Apps on the test's database, with the limits (or other settings) given."""
    made: list[Flask] = []

    def make(**settings: object) -> Flask:
        app = create_app(auth_config(database_url, tmp_path / f"instance{len(made)}",
                                     **settings))
        made.append(app)
        return app

    yield make
    if db.obj is not None and not db.is_closed():
        db.close()


def _from(app: Flask, address: str) -> FlaskClient:
    """A browser at client address ``address``."""
    test_client = browser(app)
    test_client.environ_base["REMOTE_ADDR"] = address
    return test_client


def _messages(page: str) -> list[str]:
    return form_errors(page)


def _reset_link(instance: Path) -> str:
    assert background.wait_until_idle()
    mails = sorted((instance / "outbox").glob("*.eml"))
    assert mails, "no reset mail"
    body = email.message_from_bytes(mails[-1].read_bytes()).get_payload(decode=True).decode()
    match = RESET_LINK.search(body)
    assert match
    return f"/password/reset/{match.group(1)}"


def test_failed_log_ins_from_one_address_are_limited(make_app: MakeApp) -> None:
    app = make_app(RATE_LIMIT_LOGIN_PER_ADDRESS="3 per 15 minutes")
    make_world()
    attacker = _from(app, "198.51.100.7")
    # Three accounts, one guess each: the per-account lock never notices.
    for email_address in ("a@oost.example", "b@oost.example", "t1@oost.example"):
        assert log_in(attacker, email_address, "Summer2026!!").status_code == 200
    refused = log_in(attacker, "author@oost.example", PASSWORD)  # even the right password
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429
    [message] = _messages(page)
    assert message.startswith(NETWORK)
    assert "Wait 15 minutes" in message
    assert "Forgot your password?" in message
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert 'name="password"' in page  # the log-in page itself, not an error page
    assert "Traceback" not in page
    assert attacker.get("/account").status_code == 302
    # Another address is not affected.
    assert log_in(_from(app, "203.0.113.9"), "author@oost.example", PASSWORD).status_code == 303


def test_successful_log_ins_do_not_count_against_the_address(make_app: MakeApp) -> None:
    """A whole office behind one address logs in in the morning."""
    app = make_app(RATE_LIMIT_LOGIN_PER_ADDRESS="2 per 15 minutes")
    make_world()
    for _ in range(5):
        assert log_in(_from(app, "192.0.2.1"), "a@oost.example", PASSWORD).status_code == 303


def test_the_platform_cap_counts_failures_across_accounts_and_addresses(
    make_app: MakeApp,
) -> None:
    app = make_app(RATE_LIMIT_LOGIN_PLATFORM="3 per 10 minutes")
    make_world()
    for number, email_address in enumerate(("a@oost.example", "b@oost.example",
                                             "t1@oost.example")):
        assert log_in(_from(app, f"198.51.100.{number}"), email_address,
                      "Welcome2026!!").status_code == 200
    refused = log_in(_from(app, "203.0.113.50"), "author@oost.example", PASSWORD)
    assert refused.status_code == 429
    [message] = _messages(refused.get_data(as_text=True))
    assert message.startswith(PLATFORM)
    assert "Wait 10 minutes" in message


def test_wrong_codes_from_one_address_are_limited(make_app: MakeApp) -> None:
    app = make_app(RATE_LIMIT_SECOND_FACTOR_PER_ADDRESS="2 per 15 minutes")
    make_world()
    with connected():
        user = User.get(User.email == "t1@oost.example")
        secret = pyotp.random_base32()
        two_factor.enable(user, secret, pyotp.TOTP(secret).now())
    staff = _from(app, "198.51.100.20")
    log_in(staff, "t1@oost.example", PASSWORD)
    for _ in range(2):
        assert post_form(staff, "/login/code", {"code": "000000"}).status_code == 200
    refused = post_form(staff, "/login/code", {"code": "000000"})
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert _messages(page)[0].startswith(NETWORK)
    assert 'autocomplete="one-time-code"' in page  # the code page itself


def test_wrong_set_up_codes_count_with_the_code_page(make_app: MakeApp) -> None:
    app = make_app(RATE_LIMIT_SECOND_FACTOR_PER_ADDRESS="2 per 15 minutes")
    make_world()
    staff = _from(app, "198.51.100.21")
    assert log_in(staff, "t1@oost.example", PASSWORD).headers["Location"] == "/login/code/setup"
    key = re.search(r'<code class="auth-secret">([A-Z2-7]+)</code>',
                    staff.get("/login/code/setup").get_data(as_text=True))
    assert key
    for _ in range(2):
        assert post_form(staff, "/login/code/setup", {"code": "000000"}).status_code == 200
    refused = post_form(staff, "/login/code/setup", {"code": pyotp.TOTP(key.group(1)).now()})
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert _messages(page)[0].startswith(NETWORK)
    assert key.group(1) in page  # the set-up page itself, with the same key
    with connected():
        assert User.get(User.email == "t1@oost.example").totp_secret is None


def test_forgot_password_requests_from_one_address_are_limited(make_app: MakeApp,
                                                               tmp_path: Path) -> None:
    app = make_app(RATE_LIMIT_FORGOT_PER_ADDRESS="2 per hour")
    make_world()
    visitor = _from(app, "198.51.100.30")
    for address in ("a@oost.example", "nobody@oost.example"):
        assert post_form(visitor, "/password/forgot", {"email": address}).status_code == 303
    refused = post_form(visitor, "/password/forgot", {"email": "b@oost.example"})
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert _messages(page)[0].startswith(NETWORK)
    assert 'action="/password/forgot"' in page
    assert background.wait_until_idle()
    assert len(list((tmp_path / "instance0" / "outbox").glob("*.eml"))) == 1


def test_a_locked_account_recovers_through_the_reset_mail(make_app: MakeApp,
                                                          tmp_path: Path) -> None:
    app = make_app()
    make_world()
    person = _from(app, "192.0.2.40")
    for attempt in range(MAX_FAILURES):
        response = log_in(person, "a@oost.example", f"not it {attempt}")
    assert response.status_code == 429
    assert log_in(person, "a@oost.example", PASSWORD).status_code == 429  # locked
    assert post_form(person, "/password/forgot", {"email": "a@oost.example"}).status_code == 303
    link = _reset_link(tmp_path / "instance0")
    assert post_form(person, link, {"password": NEW_PASSWORD,
                                    "repeat": NEW_PASSWORD}).status_code == 303
    assert log_in(person, "a@oost.example", NEW_PASSWORD).status_code == 303


def test_when_the_address_limit_is_hit_the_reset_still_works(make_app: MakeApp,
                                                            tmp_path: Path) -> None:
    app = make_app(RATE_LIMIT_LOGIN_PER_ADDRESS="3 per 15 minutes")
    make_world()
    person = _from(app, "192.0.2.41")
    for attempt in range(3):
        log_in(person, "a@oost.example", f"not it {attempt}")
    assert log_in(person, "a@oost.example", PASSWORD).status_code == 429
    assert post_form(person, "/password/forgot", {"email": "a@oost.example"}).status_code == 303
    link = _reset_link(tmp_path / "instance0")
    assert person.get(link).status_code == 200
    assert post_form(person, link, {"password": NEW_PASSWORD,
                                    "repeat": NEW_PASSWORD}).status_code == 303
    # The address stays limited for its window; from anywhere else the new password works.
    assert log_in(_from(app, "192.0.2.42"), "a@oost.example", NEW_PASSWORD).status_code == 303


def test_without_redis_the_counts_are_in_the_database_under_a_hash(make_app: MakeApp) -> None:
    app = make_app()
    make_world()
    log_in(_from(app, "198.51.100.77"), "a@oost.example", "a wrong password")
    with connected():
        rows = list(RateLimitCounter.select())
    # The address's two windows (15 minutes, a day) and the platform's.
    assert [row.hits for row in rows] == [1, 1, 1]
    assert all(re.fullmatch(r"[0-9a-f]{64}", row.key_hash) for row in rows)
    assert not any("198.51.100.77" in row.key_hash for row in rows)


def test_the_database_storage_is_shared_by_two_instances(app: Flask) -> None:
    first, second = DatabaseStorage(key_prefix="p"), DatabaseStorage(key_prefix="p")
    with connected():
        assert first.incr("LIMITER/198.51.100.1/auth.login/3/15/minute", 900) == 1
        assert second.incr("LIMITER/198.51.100.1/auth.login/3/15/minute", 900) == 2
        assert first.get("LIMITER/198.51.100.1/auth.login/3/15/minute") == 2
        assert DatabaseStorage(key_prefix="other").get(
            "LIMITER/198.51.100.1/auth.login/3/15/minute") == 0
        second.clear("LIMITER/198.51.100.1/auth.login/3/15/minute")
        assert first.get("LIMITER/198.51.100.1/auth.login/3/15/minute") == 0


def test_a_counter_starts_afresh_when_its_window_has_run_out(app: Flask) -> None:
    now = dt.datetime(2026, 11, 21, 9, 0, 0)
    storage = DatabaseStorage(clock=lambda: now)
    with connected():
        for _ in range(3):
            storage.incr("key", 60)
        assert storage.get("key") == 3
        expiry = storage.get_expiry("key")
        assert expiry == (now + dt.timedelta(seconds=60)).replace(tzinfo=dt.UTC).timestamp()
        now += dt.timedelta(seconds=60)
        assert storage.get("key") == 0
        assert storage.incr("key", 60) == 1
        assert storage.get_expiry("key") == expiry + 60
        assert storage.check()
        assert storage.reset() == 1


def test_concurrent_hits_are_all_counted(app: Flask) -> None:
    storage = DatabaseStorage()
    errors: list[BaseException] = []

    def hit() -> None:
        try:
            with connected():
                storage.incr("concurrent", 60)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=hit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with connected():
        assert storage.get("concurrent") == 6


WORKER = """
import sys
from ehealth import create_app
app = create_app({"ENV_NAME": "testing", "SECRET_KEY": "x", "DATABASE_URL": sys.argv[1],
                  "MODULES_DIR": sys.argv[2], "MEDIA_DIR": sys.argv[3],
                  "INSTANCE_DIR": sys.argv[4], "REDIS_URL": "", "SESSION_COOKIE_SECURE": False,
                  "RATE_LIMIT_LOGIN_PER_ADDRESS": "3 per 15 minutes"})
import re
for attempt in range(int(sys.argv[5])):
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = "198.51.100.99"
    browser.environ_base["HTTP_REFERER"] = "https://localhost/"
    page = browser.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = browser.post("/login", data={"email": "a@oost.example",
                                            "password": f"wrong {attempt}", "csrf_token": token})
    print(response.status_code)
"""


def test_the_limits_hold_across_worker_processes(database_url: str, tmp_path: Path,
                                                 make_app: MakeApp) -> None:
    """Another process (another worker) on the same database counts into the same limit."""
    app = make_app(RATE_LIMIT_LOGIN_PER_ADDRESS="3 per 15 minutes")
    make_world()
    db.close()
    result = subprocess.run(
        [sys.executable, "-c", WORKER, database_url, str(FIXTURE_MODULES), str(FIXTURE_MEDIA),
         str(tmp_path / "worker"), "3"],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "200", "200"]
    assert log_in(_from(app, "198.51.100.99"), "b@oost.example", PASSWORD).status_code == 429
    assert log_in(_from(app, "198.51.100.98"), "b@oost.example", PASSWORD).status_code == 303


@pytest.fixture
def redis_prefix() -> Iterator[tuple[object, str]]:
    """A Redis client and a key prefix of this test only; its keys are removed afterwards."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    prefix = f"ehealth-test-{secrets.token_hex(6)}"
    yield client, prefix
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


def test_with_redis_url_the_counts_are_in_redis(make_app: MakeApp,
                                                redis_prefix: tuple[object, str]) -> None:
    client, prefix = redis_prefix
    app = make_app(REDIS_URL=REDIS_URL, RATE_LIMIT_KEY_PREFIX=prefix,
                   RATE_LIMIT_LOGIN_PER_ADDRESS="2 per 15 minutes")
    # The per-account lock counts in Redis too: under this test's prefix.
    app.extensions["ehealth.throttle"] = RedisThrottle(client, prefix=f"{prefix}:login:")
    make_world()
    attacker = _from(app, "198.51.100.111")
    for attempt in range(2):
        assert log_in(attacker, "a@oost.example", f"wrong {attempt}").status_code == 200
    assert log_in(attacker, "b@oost.example", PASSWORD).status_code == 429
    keys = list(client.scan_iter(f"{prefix}*"))  # type: ignore[attr-defined]
    assert keys
    with connected():
        assert RateLimitCounter.select().count() == 0  # nothing counted in the database
