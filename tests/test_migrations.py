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
