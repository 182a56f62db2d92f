"""Accounts: password hashing (Argon2id), and — with the log-in screens — invitations,
log-in with throttling, password changes and resets.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# Argon2id with argon2-cffi's RFC 9106 low-memory profile defaults.
_hasher = PasswordHasher()

PASSWORD_MIN = 12
PASSWORD_MAX = 128


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; False for a missing or malformed hash."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with older parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)
