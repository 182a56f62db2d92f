"""Peewee migrations -- 001_initial.py.

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
    """Write your migrations here."""
    
    @migrator.create_model
    class Organisation(pw.Model):
        id = pw.AutoField()
        name = pw.CharField(max_length=200)
        slug = pw.CharField(max_length=64, unique=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "organisation"

    @migrator.create_model
    class User(pw.Model):
        id = pw.AutoField()
        organisation = pw.ForeignKeyField(column_name='organisation_id', field='id', model=migrator.orm['organisation'], on_delete='RESTRICT')
        email = pw.CharField(max_length=254, unique=True)
        name = pw.CharField(default='', max_length=200)
        role = pw.CharField(index=True, max_length=16)
        language = pw.CharField(default='nl', max_length=8)
        password_hash = pw.CharField(max_length=255, null=True)
        active = pw.BooleanField(default=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "user"

    @migrator.create_model
    class ModuleVersion(pw.Model):
        id = pw.AutoField()
        module_id = pw.CharField(index=True, max_length=64)
        version = pw.CharField(max_length=32)
        content_hash = pw.CharField(max_length=64)
        content = pw.TextField()
        published_at = pw.DateTimeField()
        organisation = pw.ForeignKeyField(column_name='organisation_id', field='id', model=migrator.orm['organisation'], null=True, on_delete='RESTRICT')

        class Meta:
            table_name = "module_version"
            indexes = [(('module_id', 'version'), True)]

    @migrator.create_model
    class Assignment(pw.Model):
        id = pw.AutoField()
        client = pw.ForeignKeyField(column_name='client_id', field='id', model=migrator.orm['user'], on_delete='RESTRICT')
        therapist = pw.ForeignKeyField(column_name='therapist_id', field='id', model=migrator.orm['user'], null=True, on_delete='SET NULL')
        module_version = pw.ForeignKeyField(column_name='module_version_id', field='id', model=migrator.orm['module_version'], on_delete='RESTRICT')
        status = pw.CharField(default='assigned', index=True, max_length=16)
        message = pw.TextField(null=True)
        due_date = pw.DateField(null=True)
        assigned_at = pw.DateTimeField()
        started_at = pw.DateTimeField(null=True)
        completed_at = pw.DateTimeField(null=True)
        last_step_id = pw.CharField(max_length=64, null=True)
        last_activity_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "assignment"

    @migrator.create_model
    class Answer(pw.Model):
        id = pw.AutoField()
        assignment = pw.ForeignKeyField(column_name='assignment_id', field='id', model=migrator.orm['assignment'], on_delete='CASCADE')
        step_id = pw.CharField(max_length=64)
        value = pw.TextField()
        private = pw.BooleanField(default=False)
        revision = pw.IntegerField(default=1)
        created_at = pw.DateTimeField()
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "answer"
            indexes = [(('assignment', 'step_id'), True)]

    @migrator.create_model
    class AuditEvent(pw.Model):
        id = pw.AutoField()
        at = pw.DateTimeField(index=True)
        actor = pw.ForeignKeyField(column_name='actor_id', field='id', model=migrator.orm['user'], null=True, on_delete='RESTRICT')
        actor_role = pw.CharField(max_length=16, null=True)
        action = pw.CharField(max_length=64)
        client = pw.ForeignKeyField(column_name='client_id', field='id', model=migrator.orm['user'], null=True, on_delete='RESTRICT')
        object_type = pw.CharField(max_length=32, null=True)
        object_id = pw.CharField(max_length=64, null=True)
        address = pw.CharField(max_length=64, null=True)
        outcome = pw.CharField(default='success', max_length=16)

        class Meta:
            table_name = "audit_event"

    @migrator.create_model
    class Feedback(pw.Model):
        id = pw.AutoField()
        answer = pw.ForeignKeyField(column_name='answer_id', field='id', model=migrator.orm['answer'], on_delete='CASCADE')
        therapist = pw.ForeignKeyField(column_name='therapist_id', field='id', model=migrator.orm['user'], on_delete='RESTRICT')
        body = pw.TextField()
        created_at = pw.DateTimeField()
        read_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "feedback"

    @migrator.create_model
    class Goal(pw.Model):
        id = pw.AutoField()
        client = pw.ForeignKeyField(column_name='client_id', field='id', model=migrator.orm['user'], on_delete='CASCADE')
        assignment = pw.ForeignKeyField(column_name='assignment_id', field='id', model=migrator.orm['assignment'], null=True, on_delete='SET NULL')
        step_id = pw.CharField(max_length=64, null=True)
        text = pw.TextField()
        target_date = pw.DateField(null=True)
        status = pw.CharField(default='active', max_length=16)
        reached_at = pw.DateTimeField(null=True)
        created_at = pw.DateTimeField()
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "goal"

    @migrator.create_model
    class GoalStep(pw.Model):
        id = pw.AutoField()
        goal = pw.ForeignKeyField(column_name='goal_id', field='id', model=migrator.orm['goal'], on_delete='CASCADE')
        text = pw.TextField()
        suggestion_id = pw.CharField(max_length=64, null=True)
        position = pw.IntegerField(default=0)
        is_first = pw.BooleanField(default=False)
        planned_for = pw.DateField(null=True)
        done = pw.BooleanField(default=False)
        done_at = pw.DateTimeField(null=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "goal_step"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Write your rollback migrations here."""
    
    migrator.remove_model('goal_step')

    migrator.remove_model('goal')

    migrator.remove_model('feedback')

    migrator.remove_model('audit_event')

    migrator.remove_model('answer')

    migrator.remove_model('assignment')

    migrator.remove_model('module_version')

    migrator.remove_model('user')

    migrator.remove_model('organisation')
