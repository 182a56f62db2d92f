"""Rate limits against password spraying and mail flooding (Flask-Limiter; ASVS 2.2.1).

The per-account lock (``services.throttle``: 5 failures lock one account for 15 minutes) stops
guessing one account's password. It does not stop *spraying*: a few likely passwords tried on
many accounts, a handful each, from one address or from many. These limits do (app config
key = default: what counts, and why this number):

``RATE_LIMIT_LOGIN_PER_ADDRESS`` = ``"20 per 15 minutes; 100 per day"``
    Failed log-ins from one client address. Successful log-ins do not count, so a care
    organisation whose whole office shares one public address logs in as usual in the
    morning; 20 failures is four people locking their own accounts first. A sprayer at one
    address gets 100 guesses a day instead of thousands.
``RATE_LIMIT_SECOND_FACTOR_PER_ADDRESS`` = ``"20 per 15 minutes"``
    Wrong codes from one address, on the code page and the set-up page together. Reaching
    them takes the right password already; this bounds guessing codes across the accounts of
    one network (each account also locks after 5 wrong codes).
``RATE_LIMIT_FORGOT_PER_ADDRESS`` = ``"10 per hour"``
    Every "forgot password" request from one address: each may send a mail, so no flooding
    of many inboxes from one address (each account gets at most 3 reset mails an hour, too).
``RATE_LIMIT_LOGIN_PLATFORM`` = ``"300 per 10 minutes"``
    Failed log-ins across every account and address together: the cap on a spray from many
    addresses. While it is hit it refuses *every* password log-in, so it is a lever for
    denial of service. Hence it lies far above normal use (300 failures in 10 minutes is some
    3,000 log-ins at a 10 % failure rate, more than a platform of tens of thousands of
    accounts sees in its busiest 10 minutes) and its window is short: a refusal lasts 10
    minutes at most. People already signed in are not affected, and the reset mail keeps
    working. Raise it for a larger platform; lower it where normal failures are far fewer.
``RATE_LIMIT_INVITATIONS`` = ``"30 per hour"``
    Invitations from one signed-in staff member (every attempt, refused ones too). A
    therapist or admin inviting a group stays far below it; a stolen staff session cannot
    send mail in bulk or probe which addresses have an account in the organisation.

Counts live where every worker process sees them: in Redis when ``REDIS_URL`` is set, else in
the database (``services.rate_limit_storage``). Windows are fixed (Flask-Limiter's
fixed-window strategy). A limit's value is read from the app's config at each request, so
tests set small ones. A refused request never reaches the password check (no oracle), and the
log-in pages answer 429 with their own page and a message that says how long to wait
(``auth.routes``).

Behind a reverse proxy, ``request.remote_addr`` must be the client's address (werkzeug's
ProxyFix, configured for the proxies in front); otherwise every client counts as the proxy.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from flask import Flask, current_app, g, request
from flask.wrappers import Response
from flask_babel import ngettext
from flask_limiter import RateLimitExceeded
from flask_login import current_user
from limits import parse_many

import ehealth.services.rate_limit_storage as storage
from ehealth.config import ConfigError
from ehealth.extensions import limiter

DEFAULTS: dict[str, str] = {
    "RATE_LIMIT_LOGIN_PER_ADDRESS": "20 per 15 minutes; 100 per day",
    "RATE_LIMIT_SECOND_FACTOR_PER_ADDRESS": "20 per 15 minutes",
    "RATE_LIMIT_FORGOT_PER_ADDRESS": "10 per hour",
    "RATE_LIMIT_LOGIN_PLATFORM": "300 per 10 minutes",
    "RATE_LIMIT_INVITATIONS": "30 per hour",
    # Keys of this installation in a shared Redis (or database).
    "RATE_LIMIT_KEY_PREFIX": "ehealth",
}
PLATFORM_SCOPE = "login-platform"
_FAILED = "ehealth_failed_attempt"


def init_rate_limits(app: Flask) -> None:
    """Defaults for the limits, the shared storage (Redis or the database), then Flask-Limiter.

    Flask-Limiter keeps some settings of the first app it serves (one ``Limiter`` serves every
    app of the process), so per-app things go through the config read at each request, and the
    storage options are set for every app.
    """
    for name, value in DEFAULTS.items():
        app.config.setdefault(name, value)
        if name != "RATE_LIMIT_KEY_PREFIX":
            try:
                parse_many(str(app.config[name]))
            except ValueError:
                raise ConfigError(f"{name}={app.config[name]!r} is not a rate limit: write it "
                                  f'like "{value}".') from None
    redis_url = app.config.get("REDIS_URL")
    app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url or storage.URI)
    options: dict[str, object] = {"key_prefix": app.config["RATE_LIMIT_KEY_PREFIX"]}
    if redis_url:
        options["socket_timeout"] = 5
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", options)
    app.config.setdefault("RATELIMIT_STRATEGY", "fixed-window")
    limiter.init_app(app)


def _setting(name: str) -> Callable[[], str]:
    """The limit named ``name`` in the config of the app at hand."""
    return lambda: str(current_app.config[name])


def client_address() -> str:
    """The client's address, as the limits count it."""
    return request.remote_addr or "unknown"


def _the_platform() -> str:
    return "all"


def _staff_member() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else client_address()


def note_failed_attempt() -> None:
    """This request was a failed attempt (wrong password or code): the limits that count only
    failures count it."""
    setattr(g, _FAILED, True)


def _failed(response: Response) -> bool:
    return bool(getattr(g, _FAILED, False))


# Failed log-ins per client address, and across the platform.
login_per_address = limiter.limit(
    _setting("RATE_LIMIT_LOGIN_PER_ADDRESS"), key_func=client_address, methods=["POST"],
    deduct_when=_failed)
login_platform = limiter.shared_limit(
    _setting("RATE_LIMIT_LOGIN_PLATFORM"), scope=PLATFORM_SCOPE, key_func=_the_platform,
    methods=["POST"], deduct_when=_failed)
# Wrong second-factor codes per address, on the code page and the set-up page together.
second_factor_per_address = limiter.shared_limit(
    _setting("RATE_LIMIT_SECOND_FACTOR_PER_ADDRESS"), scope="second-factor",
    key_func=client_address, methods=["POST"], deduct_when=_failed)
# Every "forgot password" request per address.
forgot_per_address = limiter.limit(
    _setting("RATE_LIMIT_FORGOT_PER_ADDRESS"), key_func=client_address, methods=["POST"])
# Invitations per staff member (therapists and admins share one count).
_invitations = limiter.shared_limit(
    _setting("RATE_LIMIT_INVITATIONS"), scope="invitations", key_func=_staff_member)


def is_platform_limit(error: RateLimitExceeded) -> bool:
    """Whether ``error`` is the platform-wide cap (not one address's limit)."""
    return error.limit.scope == PLATFORM_SCOPE


def seconds_to_wait(error: RateLimitExceeded | None = None) -> int:
    """How long until the limit this request ran into lets requests through again."""
    breached = limiter.current_limit
    if breached is not None and breached.breached:
        return max(1, math.ceil(breached.window.reset_time - time.time()))
    if error is not None:
        return int(error.limit.limit.get_expiry())
    return 60


def minutes_to_wait(error: RateLimitExceeded | None = None) -> int:
    """``seconds_to_wait`` in whole minutes, rounded up."""
    return max(1, math.ceil(seconds_to_wait(error) / 60))


def invitation_refused() -> str | None:
    """Count one invitation of the signed-in staff member.

    Returns None when it may go ahead, else the message for the invite form (over the limit;
    nothing is sent).
    """
    try:
        with _invitations:
            pass
    except RateLimitExceeded:
        minutes = minutes_to_wait()
        return ngettext(
            "You sent many invitations in a short time. Wait %(num)d minute and try again.",
            "You sent many invitations in a short time. Wait %(num)d minutes and try again.",
            minutes)
    return None
