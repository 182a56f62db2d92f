"""Failed log-ins are throttled per account, in storage that every worker process shares."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from ehealth import create_app
from ehealth.database import connected
from ehealth.extensions import db
from ehealth.models import LoginThrottle, utcnow
from ehealth.services import accounts
from ehealth.services.throttle import (
    LOCKOUT,
    MAX_FAILURES,
    WINDOW,
    DatabaseThrottle,
    RedisThrottle,
    Throttle,
    account_key,
    throttle_for,
)
from tests.auth.helpers import auth_config, browser, form_errors, log_in
from tests.conftest import FIXTURE_MEDIA, FIXTURE_MODULES, PASSWORD, ROOT, World

LOCKED = ("Too many attempts to log in to this account. Wait 15 minutes and try again, or "
          "choose a new password with “Forgot your password?”.")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _fail(throttle: Throttle, email: str, times: int, now: dt.datetime | None = None) -> bool:
    locked = False
    for _ in range(times):
        locked = throttle.record_failure(email, now)
    return locked


def test_five_failures_lock_the_account_even_for_the_right_password(world: World) -> None:
    throttle = DatabaseThrottle()
    with connected():
        for attempt in range(1, MAX_FAILURES):
            with pytest.raises(accounts.LoginFailed):
                accounts.authenticate("a@oost.example", f"wrong guess {attempt}", throttle)
        with pytest.raises(accounts.AccountLocked):
            accounts.authenticate("a@oost.example", "wrong guess 5", throttle)
        with pytest.raises(accounts.AccountLocked):
            accounts.authenticate("a@oost.example", PASSWORD, throttle)


def test_the_lock_ends_after_15_minutes(world: World) -> None:
    throttle = DatabaseThrottle()
    start = utcnow()
    with connected():
        assert _fail(throttle, "a@oost.example", MAX_FAILURES, start)
        assert throttle.is_locked("a@oost.example", start + LOCKOUT - dt.timedelta(seconds=1))
        after = start + LOCKOUT + dt.timedelta(seconds=1)
        assert not throttle.is_locked("a@oost.example", after)
        assert accounts.authenticate("a@oost.example", PASSWORD, throttle, now=after)
        # A failure after the lock starts counting afresh.
        assert not throttle.record_failure("a@oost.example", after)
        assert not throttle.is_locked("a@oost.example", after)


def test_failures_further_apart_than_the_window_do_not_add_up(world: World) -> None:
    throttle = DatabaseThrottle()
    start = utcnow()
    with connected():
        _fail(throttle, "a@oost.example", MAX_FAILURES - 1, start)
        later = start + WINDOW + dt.timedelta(seconds=1)
        assert not throttle.record_failure("a@oost.example", later)
        assert LoginThrottle.get().failures == 1


def test_a_successful_log_in_clears_the_count(world: World) -> None:
    throttle = DatabaseThrottle()
    with connected():
        _fail(throttle, "a@oost.example", MAX_FAILURES - 1)
        accounts.authenticate("a@oost.example", PASSWORD, throttle)
        assert not _fail(throttle, "a@oost.example", MAX_FAILURES - 1)


def test_unknown_addresses_are_counted_and_locked_like_real_ones(world: World) -> None:
    throttle = DatabaseThrottle()
    with connected():
        for _ in range(MAX_FAILURES - 1):
            with pytest.raises(accounts.LoginFailed):
                accounts.authenticate("nobody@oost.example", PASSWORD, throttle)
        with pytest.raises(accounts.AccountLocked):
            accounts.authenticate("nobody@oost.example", PASSWORD, throttle)


def test_the_address_is_not_stored_in_the_throttle(world: World) -> None:
    with connected():
        DatabaseThrottle().record_failure("A@Oost.example")
        row = LoginThrottle.get()
    assert "oost" not in row.account
    assert row.account == account_key("a@oost.example")


def test_a_locked_account_does_not_lock_out_another(app: Flask, world: World) -> None:
    attacker = browser(app)
    for attempt in range(MAX_FAILURES):
        response = log_in(attacker, "a@oost.example", f"guess number {attempt}")
    assert response.status_code == 429
    assert form_errors(response.get_data(as_text=True)) == [LOCKED]
    # Client A is locked, client B (same organisation) logs in fine, even from that browser.
    assert log_in(attacker, "a@oost.example", PASSWORD).status_code == 429
    assert log_in(attacker, "b@oost.example", PASSWORD).status_code == 303
    assert log_in(browser(app), "t1@oost.example", PASSWORD).status_code == 303


def test_concurrent_failures_are_all_counted(world: World) -> None:
    throttle = DatabaseThrottle()
    errors: list[BaseException] = []

    def fail_once() -> None:
        try:
            with connected():
                throttle.record_failure("a@oost.example")
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=fail_once) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with connected():
        assert LoginThrottle.get().failures == 4


def test_the_throttle_holds_across_app_instances(database_url: str, tmp_path: Path,
                                                 world: World) -> None:
    """Two app instances (as two workers) on one database share the count."""
    first = create_app(auth_config(database_url, tmp_path / "one"))
    second = create_app(auth_config(database_url, tmp_path / "two"))
    for attempt in range(MAX_FAILURES):
        worker = first if attempt % 2 else second
        log_in(browser(worker), "a@oost.example", f"wrong guess {attempt}")
    assert log_in(browser(first), "a@oost.example", PASSWORD).status_code == 429
    assert log_in(browser(second), "a@oost.example", PASSWORD).status_code == 429
    assert log_in(browser(second), "b@oost.example", PASSWORD).status_code == 303


WORKER = """
import sys
from ehealth import create_app
from ehealth.database import connected
from ehealth.services import accounts
from ehealth.services.throttle import throttle_for
app = create_app({"ENV_NAME": "testing", "SECRET_KEY": "x", "DATABASE_URL": sys.argv[1],
                  "MODULES_DIR": sys.argv[2], "MEDIA_DIR": sys.argv[3],
                  "INSTANCE_DIR": sys.argv[4], "REDIS_URL": ""})
with app.app_context(), connected():
    for attempt in range(int(sys.argv[5])):
        try:
            accounts.authenticate("a@oost.example", f"wrong {attempt}", throttle_for(app.config))
        except accounts.AccountError as error:
            print(type(error).__name__)
"""


def test_the_throttle_holds_across_processes(database_url: str, tmp_path: Path,
                                             world: World) -> None:
    db.close()
    result = subprocess.run(
        [sys.executable, "-c", WORKER, database_url, str(FIXTURE_MODULES), str(FIXTURE_MEDIA),
         str(tmp_path / "worker"), str(MAX_FAILURES - 1)],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["LoginFailed"] * (MAX_FAILURES - 1)
    with connected(), pytest.raises(accounts.AccountLocked):
        accounts.authenticate("a@oost.example", "one more wrong", DatabaseThrottle())


def test_without_redis_url_the_database_counts() -> None:
    assert isinstance(throttle_for({"REDIS_URL": ""}), DatabaseThrottle)
    assert isinstance(throttle_for({"REDIS_URL": REDIS_URL}), RedisThrottle)


@pytest.fixture
def redis_client() -> Iterator[object]:
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    yield client
    client.close()


@pytest.fixture
def redis_prefix(redis_client: object) -> Iterator[str]:
    """A key prefix of this test only; its keys are removed afterwards."""
    prefix = f"ehealth-test:{secrets.token_hex(6)}:"
    yield prefix
    keys = list(redis_client.scan_iter(f"{prefix}*"))  # type: ignore[attr-defined]
    if keys:
        redis_client.delete(*keys)  # type: ignore[attr-defined]


def test_redis_throttle_locks_one_account_only(redis_client: object, redis_prefix: str) -> None:
    throttle = RedisThrottle(redis_client, prefix=redis_prefix)
    assert not _fail(throttle, "a@oost.example", MAX_FAILURES - 1)
    assert throttle.record_failure("a@oost.example")
    assert throttle.is_locked("A@oost.example ")
    assert not throttle.is_locked("b@oost.example")
    ttl = redis_client.ttl(f"{redis_prefix}{account_key('a@oost.example')}:locked")  # type: ignore[attr-defined]
    assert 0 < ttl <= LOCKOUT.total_seconds()
    throttle.reset("a@oost.example")
    assert not throttle.is_locked("a@oost.example")


def test_redis_throttle_is_shared_between_workers(redis_client: object, redis_prefix: str
                                                  ) -> None:
    first = RedisThrottle(redis_client, prefix=redis_prefix)
    second = RedisThrottle(redis_client, prefix=redis_prefix)
    for attempt in range(MAX_FAILURES):
        (first if attempt % 2 else second).record_failure("a@oost.example")
    assert first.is_locked("a@oost.example")
    assert second.is_locked("a@oost.example")
    assert redis_client.ttl(  # type: ignore[attr-defined]
        f"{redis_prefix}{account_key('a@oost.example')}:failures") == -2


def test_log_in_through_the_app_with_redis(database_url: str, tmp_path: Path, world: World,
                                           redis_client: object, redis_prefix: str) -> None:
    # The rate limiter counts in Redis too: under this test's prefix, removed afterwards.
    app = create_app(auth_config(database_url, tmp_path / "instance", REDIS_URL=REDIS_URL,
                                 RATE_LIMIT_KEY_PREFIX=redis_prefix))
    app.extensions["ehealth.throttle"] = RedisThrottle(redis_client, prefix=redis_prefix)
    for attempt in range(MAX_FAILURES):
        log_in(browser(app), "a@oost.example", f"wrong guess {attempt}")
    assert log_in(browser(app), "a@oost.example", PASSWORD).status_code == 429
    assert log_in(browser(app), "b@oost.example", PASSWORD).status_code == 303
    with connected():
        assert LoginThrottle.select().count() == 0  # nothing counted in the database
