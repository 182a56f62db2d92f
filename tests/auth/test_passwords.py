"""Passwords: Argon2id hashes, 12 to 128 characters, old hashes upgraded at log-in."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, Type

from ehealth.database import connected
from ehealth.models import User
from ehealth.services import accounts
from ehealth.services.throttle import DatabaseThrottle
from tests.conftest import PASSWORD, World


@pytest.fixture
def quick_password_hashing() -> None:
    """Here passwords are hashed with the production parameters."""


def test_production_parameters_are_argon2id_rfc_9106_low_memory() -> None:
    hasher = accounts._hasher
    assert hasher.type is Type.ID
    assert hasher.memory_cost >= 64 * 1024
    assert hasher.time_cost >= 3


def test_passwords_are_hashed_with_argon2id() -> None:
    stored = accounts.hash_password("a long and private sentence")
    assert stored.startswith("$argon2id$v=19$")
    assert "a long and private sentence" not in stored
    assert accounts.verify_password(stored, "a long and private sentence")
    assert not accounts.verify_password(stored, "a long and private sentencE")
    assert not accounts.needs_rehash(stored)


def test_a_missing_or_broken_hash_never_matches() -> None:
    assert not accounts.verify_password(None, "")
    assert not accounts.verify_password("not-a-hash", "not-a-hash")


@pytest.mark.parametrize(("length", "accepted"), [(11, False), (12, True), (128, True),
                                                  (129, False)])
def test_passwords_must_have_12_to_128_characters(length: int, accepted: bool) -> None:
    problems = accounts.validate_password("x" * length)
    assert (problems == []) is accepted


def test_characters_count_not_bytes() -> None:
    assert accounts.validate_password("ë" * 128) == []
    assert accounts.validate_password("🙂" * 12) == []
    assert accounts.validate_password("           a") == []  # spaces are characters too


def test_a_hash_with_old_parameters_is_upgraded_at_log_in(world: World) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    with connected():
        User.update(password_hash=weak).where(User.id == world.client_a.id).execute()
        assert accounts.needs_rehash(weak)
        accounts.authenticate("a@oost.example", PASSWORD, DatabaseThrottle())
        stored = User.get_by_id(world.client_a.id).password_hash
    assert stored != weak
    assert stored.startswith("$argon2id$")
    assert not accounts.needs_rehash(stored)
    assert accounts.verify_password(stored, PASSWORD)
