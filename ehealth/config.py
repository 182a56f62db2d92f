"""Configuration from the environment, with safe defaults for development.

Outside development ``SECRET_KEY`` must be set; the app refuses to start without it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The environment does not describe a usable configuration."""


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _port(value: str | None, default: int) -> int:
    if value is None or value.strip() == "":
        return default
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 < port < 65536:
        raise ConfigError(f"MAIL_PORT must be a port number (1-65535), not {value!r}.")
    return port


def content_paths(environ: dict[str, str] | None = None) -> tuple[Path, Path]:
    """The module and media folders (``MODULES_DIR``, ``MEDIA_DIR``), absolute."""
    env = os.environ if environ is None else environ
    return (
        Path(env.get("MODULES_DIR") or PROJECT_ROOT / "modules").resolve(),
        Path(env.get("MEDIA_DIR") or PROJECT_ROOT / "media").resolve(),
    )


def from_environment(
    environ: dict[str, str] | None = None, overrides: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Build the Flask configuration from environment variables, then ``overrides``."""
    env = dict(os.environ if environ is None else environ)
    overrides = overrides or {}
    instance = Path(env.get("EHEALTH_INSTANCE_DIR", PROJECT_ROOT / "instance"))
    development = env.get("EHEALTH_ENV", "production").lower() in {"development", "dev"}
    modules_dir, media_dir = content_paths(env)
    if "ENV_NAME" in overrides:
        development = overrides["ENV_NAME"] == "development"
    secret = overrides.get("SECRET_KEY") or env.get("SECRET_KEY", "")
    if not secret:
        if not development:
            raise ConfigError(
                "SECRET_KEY is not set. Set it to a long random value "
                '(python -c "import secrets; print(secrets.token_hex(32))"), '
                "or set EHEALTH_ENV=development for local use."
            )
        secret = "development-only-not-secret"  # noqa: S105 - refused outside development
    config: dict[str, Any] = {
        "ENV_NAME": "development" if development else "production",
        "SECRET_KEY": secret,
        "INSTANCE_DIR": instance,
        "DATABASE_URL": env.get("DATABASE_URL") or f"sqlite:///{instance / 'ehealth.sqlite3'}",
        "MODULES_DIR": modules_dir,
        "MEDIA_DIR": media_dir,
        "AUTO_MIGRATE": _flag(env.get("AUTO_MIGRATE"), True),
        "DEFAULT_LANGUAGE": "nl",
        "LANGUAGES": ["nl", "en"],
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": not development,
        "PREFERRED_URL_SCHEME": "http" if development else "https",
        # Links in e-mails and printed by commands start with this (never the request's Host).
        "BASE_URL": (env.get("BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
        # Outgoing mail. Without MAIL_SERVER mail is written to INSTANCE_DIR/outbox/ instead.
        "MAIL_SERVER": env.get("MAIL_SERVER", ""),
        "MAIL_PORT": _port(env.get("MAIL_PORT"), 587),
        "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _flag(env.get("MAIL_USE_TLS"), True),
        "MAIL_FROM": env.get("MAIL_FROM") or "ehealth <noreply@localhost>",
        # Failed log-ins are counted in Redis when set, else in the database.
        "THERAPIST_INACTIVE_DAYS": int(env.get("THERAPIST_INACTIVE_DAYS") or 14),
        # How often (at most) a worker asks the database for newly published module versions.
        "MODULE_LIBRARY_CHECK_SECONDS": float(env.get("MODULE_LIBRARY_CHECK_SECONDS") or 5),
        "REDIS_URL": env.get("REDIS_URL", ""),
        # No page or API call takes more than this (answers are text): a larger body is 413.
        "MAX_CONTENT_LENGTH": 1024 * 1024,
    }
    # Rate limits (``ehealth.rate_limits``: RATE_LIMIT_LOGIN_PER_ADDRESS, …), e.g. "20 per 15
    # minutes; 100 per day"; unset ones keep their defaults.
    config.update({name: value for name, value in env.items()
                   if name.startswith("RATE_LIMIT_") and value})
    config.update(overrides)
    for key in ("INSTANCE_DIR", "MODULES_DIR", "MEDIA_DIR"):
        config[key] = Path(config[key]).resolve()
    config["SECRET_KEY"] = secret
    return config
