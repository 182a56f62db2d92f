"""Schema migrations: from an empty database to the models, and safe to re-run over data."""

from __future__ import annotations

import pytest
from flask import Flask

from ehealth.database import connected, migrate
from ehealth.extensions import db
from ehealth.models import MODELS, Organisation, utcnow
from tests.conftest import USE_POSTGRES


def test_migrating_an_empty_database_creates_every_model_table(app: Flask) -> None:
    with connected():
        tables = set(db.get_tables())
        for model in MODELS:
            table = model._meta.table_name
            assert table in tables, table
            columns = {column.name for column in db.get_columns(table)}
            assert columns == set(model._meta.columns), table


def test_migrations_create_every_unique_constraint_of_the_models(app: Flask) -> None:
    """A unique rule added to a model without a migration fails here."""
    with connected():
        for model in MODELS:
            table = model._meta.table_name
            present = {tuple(index.columns) for index in db.get_indexes(table) if index.unique}
            expected = {(f.column_name,) for f in model._meta.sorted_fields
                        if f.unique and not f.primary_key}
            expected |= {tuple(model._meta.fields[name].column_name for name in fields)
                         for fields, unique in model._meta.indexes if unique}
            assert expected <= present, (table, expected - present)


def test_rerunning_migrations_keeps_existing_data(app: Flask) -> None:
    with connected():
        Organisation.create(name="Zorg West", slug="zorg-west")
        assert migrate() == []
        assert Organisation.get(Organisation.slug == "zorg-west").name == "Zorg West"


def test_a_database_holding_data_evolves_to_the_latest_schema(database_url: str) -> None:
    """Start from the first migration with real rows, then migrate: nothing is lost."""
    from ehealth.database import migration_router, open_database
    from ehealth.models import Assignment, ModuleVersion, User

    db.initialize(open_database(database_url))
    with connected():
        router = migration_router()
        router.run("001_initial")
        db.execute_sql("INSERT INTO organisation (name, slug, created_at) "
                       "VALUES ('Zorg', 'zorg', '2026-01-01 10:00:00')")
        db.execute_sql('INSERT INTO "user" (organisation_id, email, name, role, language, '
                       "active, created_at) VALUES (1, 'c@example.org', '', 'client', 'nl', "
                       "TRUE, '2026-01-01 10:00:00')")
        db.execute_sql("INSERT INTO module_version (module_id, version, content_hash, content, "
                       "published_at) VALUES ('m', '1.0.0', 'h', '{}', '2026-01-01 10:00:00')")
        db.execute_sql("INSERT INTO assignment (client_id, module_version_id, status, "
                       "assigned_at) VALUES (1, 1, 'active', '2026-01-02 10:00:00')")
        applied = migrate()
        assert applied
        assert applied[0].startswith("002_")
        assignment = Assignment.get()
        assert assignment.done_steps == []
        assert assignment.client.email == "c@example.org"
        assert User.get().password_changed_at is None
        assert ModuleVersion.get().version == "1.0.0"


def _insert(table: str, **values: object) -> int:
    columns = ", ".join(f'"{name}"' for name in values)
    marks = ", ".join([db.obj.param] * len(values))
    cursor = db.execute_sql(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})',
                            tuple(values.values()))
    if db.obj.param == "?":
        return int(cursor.lastrowid)
    return int(db.execute_sql(f"SELECT MAX(id) FROM \"{table}\"").fetchone()[0])


def test_care_relationships_are_derived_once_from_assignments_and_invitations(
    database_url: str,
) -> None:
    """Migration 005 gives every client the care team the old rule gave them access to."""
    from ehealth.database import migration_router, open_database
    from ehealth.models import AuditEvent, CareRelationship, CareRole

    db.initialize(open_database(database_url))
    with connected():
        migration_router().run("004_staff_second_factor")
        at = "2026-01-01 10:00:00"
        oost = _insert("organisation", name="Oost", slug="oost", created_at=at)
        west = _insert("organisation", name="West", slug="west", created_at=at)

        def person(email: str, role: str, organisation: int = oost) -> int:
            return _insert("user", organisation_id=organisation, email=email, name=email,
                           role=role, language="nl", active=True, created_at=at)

        t1, t2 = person("t1@x", "therapist"), person("t2@x", "therapist")
        admin = person("admin@x", "admin")
        t3 = person("t3@x", "therapist", west)
        clients = {name: person(f"{name}@x", "client") for name in
                   ("c1", "c2", "c3", "c4", "c5", "c6")}
        version = _insert("module_version", module_id="m", version="1.0.0", content_hash="h",
                          content="{}", published_at=at)

        def assignment(client: str, therapist: int, status: str, day: int) -> None:
            _insert("assignment", client_id=clients[client], therapist_id=therapist,
                    module_version_id=version, status=status, done_steps="[]",
                    assigned_at=f"2026-01-{day:02d} 10:00:00")

        assignment("c1", t1, "active", 3)
        assignment("c1", t2, "completed", 2)
        assignment("c2", t1, "paused", 2)
        assignment("c2", t2, "assigned", 5)
        assignment("c3", t1, "completed", 4)
        assignment("c5", t3, "active", 4)  # a therapist of another organisation
        for client, therapist in (("c3", t2), ("c4", t2)):
            _insert("invitation", organisation_id=oost, email=f"{client}@x", role="client",
                    language="nl", therapist_id=therapist, invited_by_id=admin,
                    token_hash=f"{client}" * 16, created_at=at, expires_at=at, used_at=at,
                    user_id=clients[client])
        # An attempt by West's therapist on Oost's client, filed under West before the fix.
        _insert("audit_event", at=at, actor_id=t3, actor_role="therapist", action="client.viewed",
                client_id=clients["c1"], outcome="denied", organisation_id=west)
        migrate()

        def team(client: str) -> set[tuple[int, str]]:
            return {(r.__data__["therapist"], r.role) for r in CareRelationship.select().where(
                (CareRelationship.client == clients[client])
                & CareRelationship.ended_at.is_null())}

        assert team("c1") == {(t1, CareRole.PRIMARY)}  # T2's module is finished
        assert team("c2") == {(t2, CareRole.PRIMARY), (t1, CareRole.CO_THERAPIST)}
        assert team("c3") == {(t1, CareRole.PRIMARY), (t2, CareRole.CO_THERAPIST)}
        assert team("c4") == {(t2, CareRole.PRIMARY)}
        assert team("c5") == set()
        assert team("c6") == set()
        invited = CareRelationship.get(CareRelationship.client == clients["c4"])
        assert invited.__data__["started_by"] == admin
        assert all(r.__data__["organisation"] == oost for r in CareRelationship.select())
        [event] = AuditEvent.select()
        assert event.__data__["organisation"] == oost
        assert migrate() == []  # derived once
        assert CareRelationship.select().count() == 6


def test_a_client_has_at_most_one_active_primary_therapist(app: Flask) -> None:
    from peewee import IntegrityError

    from ehealth.models import CareRelationship, CareRole, Role, User

    with connected():
        organisation = Organisation.create(name="Oost", slug="oost")
        client = User.create(organisation=organisation, email="c@x", role=Role.CLIENT)
        t1 = User.create(organisation=organisation, email="t1@x", role=Role.THERAPIST)
        t2 = User.create(organisation=organisation, email="t2@x", role=Role.THERAPIST)
        CareRelationship.create(organisation=organisation, client=client, therapist=t1,
                                role=CareRole.PRIMARY)
        with pytest.raises(IntegrityError), db.atomic():
            CareRelationship.create(organisation=organisation, client=client, therapist=t2,
                                    role=CareRole.PRIMARY)
        with pytest.raises(IntegrityError), db.atomic():  # one active relationship per pair
            CareRelationship.create(organisation=organisation, client=client, therapist=t1,
                                    role=CareRole.CO_THERAPIST)
        CareRelationship.update(ended_at=utcnow()).execute()
        CareRelationship.create(organisation=organisation, client=client, therapist=t2,
                                role=CareRole.PRIMARY)  # after the first ended: fine


@pytest.mark.skipif(not USE_POSTGRES, reason="PostgreSQL keeps the planner statistics checked")
def test_tables_that_changed_much_get_fresh_statistics_at_start_up(app: Flask) -> None:
    """After a bulk import PostgreSQL planned the caseload for empty tables (seconds a page)."""
    from ehealth.database import analyze_if_stale
    from ehealth.models import Role, User

    with connected():
        organisation = Organisation.create(name="Oost", slug="oost")
        User.insert_many([{"organisation": organisation.id, "email": f"c{n}@x", "role": Role.CLIENT,
                           "name": "", "language": "nl", "created_at": utcnow()}
                          for n in range(3000)]).execute()
        db.execute_sql("SELECT pg_stat_force_next_flush()")
        assert "user" in analyze_if_stale()
        db.execute_sql("SELECT pg_stat_force_next_flush()")
        assert "user" not in analyze_if_stale()  # fresh now
        assert migrate() == []  # start-up runs the same check
