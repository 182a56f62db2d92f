"""Schema migrations: from an empty database to the models, and safe to re-run over data."""

from __future__ import annotations

from flask import Flask

from ehealth.database import connected, migrate
from ehealth.extensions import db
from ehealth.models import MODELS, Organisation


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
