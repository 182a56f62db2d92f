"""Peewee migrations -- 002_accounts_sessions_and_answers.py.

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
    """Accounts (sessions, invitations, resets, throttling), idempotent saves, own strengths."""
    
    migrator.add_fields(
        'user',

        password_changed_at=pw.DateTimeField(null=True),
        last_login_at=pw.DateTimeField(null=True))

    migrator.add_fields(
        'assignment',

        done_steps=pw.TextField(default='[]'))

    @migrator.create_model
    class AnswerSave(pw.Model):
        id = pw.AutoField()
        assignment = pw.ForeignKeyField(column_name='assignment_id', field='id', model=migrator.orm['assignment'], on_delete='CASCADE')
        key = pw.CharField(max_length=64)
        step_id = pw.CharField(max_length=64)
        revision = pw.IntegerField()
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "answer_save"
            indexes = [(('assignment', 'key'), True)]

    @migrator.create_model
    class Invitation(pw.Model):
        id = pw.AutoField()
        organisation = pw.ForeignKeyField(column_name='organisation_id', field='id', model=migrator.orm['organisation'], on_delete='CASCADE')
        email = pw.CharField(max_length=254)
        role = pw.CharField(max_length=16)
        therapist = pw.ForeignKeyField(column_name='therapist_id', field='id', model=migrator.orm['user'], null=True, on_delete='SET NULL')
        invited_by = pw.ForeignKeyField(column_name='invited_by_id', field='id', model=migrator.orm['user'], null=True, on_delete='SET NULL')
        token_hash = pw.CharField(max_length=64, unique=True)
        created_at = pw.DateTimeField()
        expires_at = pw.DateTimeField()
        used_at = pw.DateTimeField(null=True)
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['user'], null=True, on_delete='SET NULL')

        class Meta:
            table_name = "invitation"

    @migrator.create_model
    class LoginThrottle(pw.Model):
        id = pw.AutoField()
        account = pw.CharField(max_length=254, unique=True)
        failures = pw.IntegerField(default=0)
        window_started_at = pw.DateTimeField()
        locked_until = pw.DateTimeField(null=True)

        class Meta:
            table_name = "login_throttle"

    @migrator.create_model
    class PasswordReset(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['user'], on_delete='CASCADE')
        token_hash = pw.CharField(max_length=64, unique=True)
        created_at = pw.DateTimeField()
        expires_at = pw.DateTimeField()
        used_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "password_reset"

    @migrator.create_model
    class Strength(pw.Model):
        id = pw.AutoField()
        client = pw.ForeignKeyField(column_name='client_id', field='id', model=migrator.orm['user'], on_delete='CASCADE')
        kind = pw.CharField(max_length=16)
        text = pw.TextField()
        note = pw.TextField(null=True)
        created_at = pw.DateTimeField()
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "strength"

    @migrator.create_model
    class UserSession(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['user'], on_delete='CASCADE')
        token_hash = pw.CharField(max_length=64, unique=True)
        created_at = pw.DateTimeField()
        last_seen_at = pw.DateTimeField()
        ended_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "user_session"

def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Write your rollback migrations here."""

    migrator.remove_fields('assignment', 'done_steps')

    migrator.remove_fields('user', 'password_changed_at', 'last_login_at')

    migrator.remove_model('user_session')

    migrator.remove_model('strength')

    migrator.remove_model('password_reset')

    migrator.remove_model('login_throttle')

    migrator.remove_model('invitation')

    migrator.remove_model('answer_save')
