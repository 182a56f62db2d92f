"""Peewee migrations -- 006_login_hardening.py.

Log-in hardening: the "password right, second factor pending" state moves from the session
cookie to the server (``pending_login``), and the rate limiter gets its counters in the
database when there is no Redis (``rate_limit_counter``).

Some examples (model - class or model name)::

    > Model = migrator.orm['table_name']            # Return model in current state by name
    > Model = migrator.ModelClass                   # Return model in current state by name

    > migrator.sql(sql)                             # Run custom SQL
    > migrator.run(func, *args, **kwargs)           # Run python function with the given args
    > migrator.create_model(Model)                  # Create a model (could be used as decorator)
    > migrator.remove_model(model, cascade=True)    # Remove a model
    > migrator.add_fields(model, **fields)          # Add fields (allow_not_null=True skips default)
    > migrator.change_fields(model, **fields)       # Change fields
    > migrator.remove_fields(model, *field_names, cascade=True)
    > migrator.rename_field(model, old_field_name, new_field_name)
    > migrator.rename_table(model, new_table_name)
    > migrator.add_index(model, *col_names, unique=False)
    > migrator.add_not_null(model, *field_names)
    > migrator.add_default(model, field_name, default)
    > migrator.add_constraint(model, name, sql)
    > migrator.drop_index(model, *col_names)
    > migrator.drop_not_null(model, *field_names)
    > migrator.drop_constraints(model, *constraints)

"""

from contextlib import suppress

import peewee as pw
from peewee_migrate import Migrator

with suppress(ImportError):
    import playhouse.postgres_ext as pw_pext

def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """A pending log-in per attempt, on the server; rate-limit counters in the database."""

    @migrator.create_model
    class PendingLogin(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['user'], on_delete='CASCADE')
        token_hash = pw.CharField(max_length=64, unique=True)
        created_at = pw.DateTimeField()
        expires_at = pw.DateTimeField()
        totp_secret = pw.CharField(max_length=64, null=True)
        next_target = pw.TextField(null=True)
        ended_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "pending_login"

    @migrator.create_model
    class RateLimitCounter(pw.Model):
        id = pw.AutoField()
        key_hash = pw.CharField(max_length=64, unique=True)
        hits = pw.IntegerField(default=0)
        expires_at = pw.DateTimeField(index=True)

        class Meta:
            table_name = "rate_limit_counter"

def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop both tables (pending log-ins end; counters start again from zero)."""

    migrator.remove_model('rate_limit_counter')

    migrator.remove_model('pending_login')
