"""Peewee migrations -- 007_module_authoring.py.

Authoring in the browser: drafts of an organisation's modules (``module_draft``), the review
conversation (``review_event``), uploaded media (``media_file``); who published a version and
why (``module_version.published_by``, ``note``) and what it was copied from
(``origin_module_id``, ``origin_version``); the organisation's four-eyes setting and its own
words to avoid.
"""

from contextlib import suppress

import peewee as pw
from peewee_migrate import Migrator

with suppress(ImportError):
    import playhouse.postgres_ext as pw_pext


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the authoring tables and columns."""

    # NOT NULL with a default, in one ALTER each: SQLite takes that without rebuilding the
    # table (which the rows referencing an organisation would not survive).
    true = "1" if isinstance(database, pw.SqliteDatabase) else "TRUE"
    migrator.sql("ALTER TABLE organisation ADD COLUMN four_eyes_review BOOLEAN NOT NULL "
                 f"DEFAULT {true}")
    migrator.sql("ALTER TABLE organisation ADD COLUMN avoid_words TEXT NOT NULL DEFAULT '[]'")
    migrator.add_fields(
        'module_version',
        published_by=pw.ForeignKeyField(column_name='published_by_id', field='id',
                                        model=migrator.orm['user'], null=True,
                                        on_delete='SET NULL'),
        note=pw.TextField(null=True),
        origin_module_id=pw.CharField(max_length=64, null=True),
        origin_version=pw.CharField(max_length=32, null=True),
    )

    @migrator.create_model
    class ModuleDraft(pw.Model):
        id = pw.AutoField()
        organisation = pw.ForeignKeyField(column_name='organisation_id', field='id',
                                          model=migrator.orm['organisation'], on_delete='CASCADE')
        module_id = pw.CharField(max_length=64)
        base_version = pw.ForeignKeyField(column_name='base_version_id', field='id',
                                          model=migrator.orm['module_version'], null=True,
                                          on_delete='RESTRICT')
        origin_version = pw.ForeignKeyField(column_name='origin_version_id', field='id',
                                            model=migrator.orm['module_version'], null=True,
                                            on_delete='RESTRICT')
        content = pw.TextField()
        revision = pw.IntegerField(default=1)
        part_revisions = pw.TextField(default='{}')
        state = pw.CharField(max_length=16, default='draft')
        change_note = pw.TextField(null=True)
        created_by = pw.ForeignKeyField(column_name='created_by_id', field='id',
                                        model=migrator.orm['user'], null=True,
                                        on_delete='SET NULL')
        created_at = pw.DateTimeField()
        updated_by = pw.ForeignKeyField(column_name='updated_by_id', field='id',
                                        model=migrator.orm['user'], null=True,
                                        on_delete='SET NULL')
        updated_at = pw.DateTimeField()
        submitted_by = pw.ForeignKeyField(column_name='submitted_by_id', field='id',
                                          model=migrator.orm['user'], null=True,
                                          on_delete='SET NULL')
        submitted_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "module_draft"
            indexes = [(('organisation', 'module_id'), True)]

    @migrator.create_model
    class ReviewEvent(pw.Model):
        id = pw.AutoField()
        organisation = pw.ForeignKeyField(column_name='organisation_id', field='id',
                                          model=migrator.orm['organisation'], on_delete='CASCADE')
        module_id = pw.CharField(max_length=64)
        kind = pw.CharField(max_length=16)
        author = pw.ForeignKeyField(column_name='author_id', field='id',
                                    model=migrator.orm['user'], null=True, on_delete='SET NULL')
        body = pw.TextField(default='')
        draft_revision = pw.IntegerField(null=True)
        module_version = pw.ForeignKeyField(column_name='module_version_id', field='id',
                                            model=migrator.orm['module_version'], null=True,
                                            on_delete='SET NULL')
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "review_event"
            indexes = [(('organisation', 'module_id', 'created_at'), False)]

    @migrator.create_model
    class MediaFile(pw.Model):
        id = pw.AutoField()
        organisation = pw.ForeignKeyField(column_name='organisation_id', field='id',
                                          model=migrator.orm['organisation'], on_delete='CASCADE')
        sha256 = pw.CharField(max_length=64)
        extension = pw.CharField(max_length=8)
        kind = pw.CharField(max_length=8)
        content_type = pw.CharField(max_length=64)
        size = pw.IntegerField()
        original_name = pw.CharField(max_length=200, default='')
        uploaded_by = pw.ForeignKeyField(column_name='uploaded_by_id', field='id',
                                         model=migrator.orm['user'], null=True,
                                         on_delete='SET NULL')
        uploaded_at = pw.DateTimeField()

        class Meta:
            table_name = "media_file"
            indexes = [(('organisation', 'sha256'), True)]


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the authoring tables and columns (drafts, review conversations, upload records)."""

    migrator.remove_model('media_file')
    migrator.remove_model('review_event')
    migrator.remove_model('module_draft')
    migrator.remove_fields('module_version', 'published_by', 'note', 'origin_module_id',
                           'origin_version')
    migrator.sql("ALTER TABLE organisation DROP COLUMN avoid_words")
    migrator.sql("ALTER TABLE organisation DROP COLUMN four_eyes_review")
