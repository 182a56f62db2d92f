"""Fixtures of the therapist area: the world, mail in a temporary outbox, pages in English.

Pages are asked for in English (the language cookie), so the tests read the English texts
whether or not the Dutch translations of this area are merged yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ehealth import create_app
from ehealth.database import connected
from ehealth.extensions import db
from ehealth.models import (
    Answer,
    Assignment,
    AssignmentStatus,
    AuditEvent,
    CareRelationship,
    CareRole,
    Feedback,
    ModuleVersion,
    Role,
    User,
    utcnow,
)
from ehealth.services.answers import save_answer
from tests.conftest import World, login, make_config


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app over the fixture library, its outbox in a temporary folder."""
    application = create_app(make_config(
        database_url, INSTANCE_DIR=tmp_path / "instance", MAIL_SERVER="", REDIS_URL="",
        BASE_URL="https://ehealth.example"))
    yield application
    if db.obj is not None and not db.is_closed():
        db.close()


def browser(app: Flask, user: User | None = None) -> FlaskClient:
    """A browser showing English pages, signed in as ``user`` when given."""
    test_client = app.test_client()
    test_client.environ_base["HTTP_REFERER"] = "https://localhost/"
    test_client.set_cookie("lang", "en")
    if user is not None:
        login(test_client, user)
    return test_client


@pytest.fixture
def therapist(app: Flask, world: World) -> FlaskClient:
    """Client A's own therapist, signed in."""
    return browser(app, world.therapist)


def person(world: World, role: str) -> User:
    user = world.people[role]
    assert user is not None
    return user


def give_answer(assignment: Assignment, step_id: str, value: dict[str, Any],
                private: bool = False) -> Answer:
    """The client answers ``step_id`` (a first answer, or a new revision)."""
    with connected():
        current = Answer.get_or_none((Answer.assignment == assignment)
                                     & (Answer.step_id == step_id))
        data = {**value, "private": True} if private else value
        return save_answer(Assignment.get_by_id(assignment.id), step_id, data,
                           current.revision if current else 0)


def events(**where: Any) -> list[AuditEvent]:
    """The audit events, oldest first, optionally only those with these field values."""
    with connected():
        query = AuditEvent.select().order_by(AuditEvent.id)
        for name, value in where.items():
            query = query.where(getattr(AuditEvent, name) == value)
        return list(query)


def assert_one_event(before: int, actor: User, action: str, client: User | None,
                     object_type: str, object_id: object, outcome: str = "success"
                     ) -> AuditEvent:
    """Exactly one audit event was written since ``before`` events, with every field set.

    An event about a client is filed in the client's organisation, any other in the actor's.
    """
    new = events()[before:]
    assert len(new) == 1, [(e.action, e.outcome) for e in new]
    event = new[0]
    assert event.at is not None
    assert (utcnow() - event.at).total_seconds() < 60
    assert event.__data__["actor"] == actor.id
    assert event.actor_role == actor.role
    assert event.action == action
    assert event.__data__["client"] == (client.id if client is not None else None)
    assert event.object_type == object_type
    assert event.object_id == str(object_id)
    assert event.address == "127.0.0.1"
    assert event.outcome == outcome
    filed_under = client if client is not None else actor
    assert event.__data__["organisation"] == filed_under.__data__["organisation"]
    return event


@contextmanager
def counting_queries() -> Iterator[list[str]]:
    """Every SQL statement sent to the database inside the block."""
    statements: list[str] = []
    database = db.obj
    original = database.execute_sql

    def counted(sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
        statements.append(sql)
        return original(sql, params, *args, **kwargs)

    database.execute_sql = counted
    try:
        yield statements
    finally:
        del database.execute_sql


def voorbeeld() -> ModuleVersion:
    with connected():
        version: ModuleVersion = ModuleVersion.get(ModuleVersion.module_id == "voorbeeld")
    return version


def in_care(client: User, therapist: User, role: str = CareRole.PRIMARY) -> CareRelationship:
    """Start a care relationship between ``client`` and ``therapist`` (as an admin would)."""
    with connected():
        relationship: CareRelationship = CareRelationship.create(
            organisation=client.__data__["organisation"], client=client, therapist=therapist,
            role=role)
    return relationship


def add_clients(therapist: User, count: int, prefix: str = "bulk", days_quiet: int = 0,
                answers: bool = True) -> list[User]:
    """``count`` clients in the care of ``therapist``, each with an active module, answers
    and feedback.

    Written in a few bulk inserts, so that hundreds take a moment only.
    """
    version = voorbeeld()
    now = utcnow()
    emails = [f"{prefix}{number:04d}@bulk.example" for number in range(count)]
    with connected():
        User.insert_many([{
            "organisation": therapist.__data__["organisation"], "email": email,
            "name": f"{prefix.title()} {number:04d}", "role": Role.CLIENT, "language": "en",
            "created_at": now,
        } for number, email in enumerate(emails)]).execute()
        clients = list(User.select().where(User.email.in_(emails)).order_by(User.email))
        CareRelationship.insert_many([{
            "organisation": therapist.__data__["organisation"], "client": client.id,
            "therapist": therapist.id, "role": CareRole.PRIMARY,
            "started_at": now - dt.timedelta(days=61),
        } for client in clients]).execute()
        Assignment.insert_many([{
            "client": client.id, "therapist": therapist.id, "module_version": version.id,
            "status": AssignmentStatus.ACTIVE, "assigned_at": now - dt.timedelta(days=60),
            "started_at": now - dt.timedelta(days=59), "done_steps": ["welkom", "uitleg"],
            "last_step_id": "cijfer", "last_activity_at": now - dt.timedelta(days=days_quiet),
        } for client in clients]).execute()
        if answers:
            assignments = list(Assignment.select().where(
                Assignment.client.in_([c.id for c in clients])))
            add_answers(assignments, therapist, now)
    return clients


def add_answers(assignments: list[Assignment], therapist: User, now: dt.datetime) -> None:
    """A scale answer (with feedback on every other one), a questionnaire, a private answer."""
    rows = []
    for number, assignment in enumerate(assignments):
        rows += [
            {"assignment": assignment.id, "step_id": "cijfer",
             "value": {"value": number % 11, "follow_ups": {"waarom": f"Reden {number}"}},
             "private": False, "created_at": now, "updated_at": now},
            {"assignment": assignment.id, "step_id": "tevredenheid",
             "value": {"responses": {"steun": number % 5, "kunnen": 2}},
             "private": False, "created_at": now, "updated_at": now},
            {"assignment": assignment.id, "step_id": "terugblik",
             "value": {"answers": {"trots": "Alleen voor mij"}},
             "private": True, "created_at": now, "updated_at": now},
        ]
    Answer.insert_many(rows).execute()
    scale_answers = list(Answer.select().where(
        Answer.assignment.in_([a.id for a in assignments]) & (Answer.step_id == "cijfer")))
    Feedback.insert_many([{
        "answer": answer.id, "therapist": therapist.id, "body": "Mooi!",
        "created_at": now + dt.timedelta(seconds=1),
    } for number, answer in enumerate(scale_answers) if number % 2 == 0]).execute()
