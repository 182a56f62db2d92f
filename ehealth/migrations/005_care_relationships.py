"""Peewee migrations -- 005_care_relationships.py.

Care relationships, stored: who is in a client's care team (one primary therapist, any number
of co-therapists), from when to when. Today's relationships are derived once from the data that
used to decide access (assignments and invitations), so nobody gains or loses a client by this
migration:

- a client with modules under way (assigned, active, paused) is in the care of the therapists
  of those modules; the one who gave the latest of them becomes the primary therapist;
- a client without modules under way is in the care of every therapist who ever gave them a
  module or invited them; the one of the latest module (else the inviter) is the primary.

Only therapists of the client's own organisation count. Audit events about a client move to
the client's organisation (they were filed under the actor's: another organisation's denied
attempts named the client in that organisation's log). Indexes for the caseload, the access
log and the care-team lookups come with it.
"""

from contextlib import suppress

import peewee as pw
from peewee_migrate import Migrator

with suppress(ImportError):
    import playhouse.postgres_ext as pw_pext

OPEN = ("assigned", "active", "paused")

INDEXES = (
    # One active relationship per client and therapist; also the access check's lookup.
    "CREATE UNIQUE INDEX care_relationship_one_active_per_pair "
    "ON care_relationship (client_id, therapist_id) WHERE ended_at IS NULL",
    # An active client has exactly one active primary therapist.
    "CREATE UNIQUE INDEX care_relationship_one_primary "
    "ON care_relationship (client_id) WHERE ended_at IS NULL AND role = 'primary'",
    # The caseload: a therapist's active relationships.
    "CREATE INDEX care_relationship_active_by_therapist "
    "ON care_relationship (therapist_id, client_id) WHERE ended_at IS NULL",
    "CREATE INDEX assignment_client_status ON assignment (client_id, status)",
    "CREATE INDEX audit_event_organisation_at ON audit_event (organisation_id, at)",
    "CREATE INDEX audit_event_client_at ON audit_event (client_id, at)",
    'CREATE INDEX user_organisation_role ON "user" (organisation_id, role)',
    # The caseload's order by name (``services.caseload._name_key``): the first page of a
    # long caseload is read in index order instead of sorting every client.
    "CREATE INDEX user_sort_name ON \"user\" (LOWER(COALESCE(NULLIF(name, ''), email)), id)",
)
INDEX_NAMES = ("care_relationship_one_active_per_pair", "care_relationship_one_primary",
               "care_relationship_active_by_therapist", "assignment_client_status",
               "audit_event_organisation_at", "audit_event_client_at", "user_organisation_role",
               "user_sort_name")


def _rows(database, sql, params=()):
    return list(database.execute_sql(sql, params).fetchall())


def derive_relationships(database):
    """Insert today's care relationships, derived from assignments and invitations."""
    clients = {row[0]: (row[1], row[2]) for row in _rows(
        database, "SELECT id, organisation_id, created_at FROM \"user\" WHERE role = 'client'")}
    therapists = {row[0]: row[1] for row in _rows(
        database, "SELECT id, organisation_id FROM \"user\" WHERE role = 'therapist'")}
    # Per client: per therapist, the assignments (id, status, assigned_at).
    given: dict = {}
    for assignment_id, client_id, therapist_id, status, assigned_at in _rows(
            database, "SELECT id, client_id, therapist_id, status, assigned_at FROM assignment "
                      "WHERE therapist_id IS NOT NULL"):
        given.setdefault(client_id, {}).setdefault(therapist_id, []).append(
            (assignment_id, status, assigned_at))
    invited: dict = {}
    for client_id, therapist_id, invited_by, created_at in _rows(
            database, "SELECT user_id, therapist_id, invited_by_id, created_at FROM invitation "
                      "WHERE user_id IS NOT NULL AND therapist_id IS NOT NULL "
                      "ORDER BY created_at"):
        invited[client_id] = (therapist_id, invited_by, created_at)

    for client_id, (organisation_id, client_created) in sorted(clients.items()):
        own = {t: rows for t, rows in given.get(client_id, {}).items()
               if therapists.get(t) == organisation_id}
        inviter = invited.get(client_id)
        if inviter is not None and therapists.get(inviter[0]) != organisation_id:
            inviter = None
        open_by = {t: max((a[2], a[0]) for a in rows if a[1] in OPEN)
                   for t, rows in own.items() if any(a[1] in OPEN for a in rows)}
        if open_by:
            team = set(open_by)
            primary = max(team, key=lambda t: open_by[t])
        else:
            team = set(own) | ({inviter[0]} if inviter is not None else set())
            if not team:
                continue
            if own:
                primary = max(own, key=lambda t: max((a[2], a[0]) for a in own[t]))
            else:
                primary = inviter[0]
        for therapist_id in sorted(team):
            starts = [a[2] for a in own.get(therapist_id, [])]
            started_by = None
            if inviter is not None and inviter[0] == therapist_id:
                starts.append(inviter[2])
                started_by = inviter[1]
            started_at = min(starts) if starts else client_created
            database.execute_sql(
                "INSERT INTO care_relationship (organisation_id, client_id, therapist_id, role, "
                f"started_at, started_by_id) VALUES ({', '.join([database.param] * 6)})",
                (organisation_id, client_id, therapist_id,
                 "primary" if therapist_id == primary else "co_therapist", started_at,
                 started_by))


def file_events_under_the_clients_organisation(database):
    """An event about a client belongs to the log of the client's organisation."""
    database.execute_sql(
        "UPDATE audit_event SET organisation_id = "
        "(SELECT u.organisation_id FROM \"user\" u WHERE u.id = audit_event.client_id) "
        "WHERE client_id IS NOT NULL AND (organisation_id IS NULL OR organisation_id <> "
        "(SELECT u.organisation_id FROM \"user\" u WHERE u.id = audit_event.client_id))")


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Care relationships (derived from today's data), events filed under the client's
    organisation, and the indexes of the caseload and the access log."""

    @migrator.create_model
    class CareRelationship(pw.Model):
        id = pw.AutoField()
        organisation = pw.ForeignKeyField(column_name='organisation_id', field='id', model=migrator.orm['organisation'], on_delete='RESTRICT')
        client = pw.ForeignKeyField(column_name='client_id', field='id', model=migrator.orm['user'], on_delete='RESTRICT')
        therapist = pw.ForeignKeyField(column_name='therapist_id', field='id', model=migrator.orm['user'], on_delete='RESTRICT')
        role = pw.CharField(max_length=16)
        started_at = pw.DateTimeField()
        started_by = pw.ForeignKeyField(column_name='started_by_id', field='id', model=migrator.orm['user'], null=True, on_delete='SET NULL')
        ended_at = pw.DateTimeField(null=True)
        ended_by = pw.ForeignKeyField(column_name='ended_by_id', field='id', model=migrator.orm['user'], null=True, on_delete='SET NULL')
        reason = pw.CharField(max_length=200, null=True)

        class Meta:
            table_name = "care_relationship"

    for statement in INDEXES:
        migrator.sql(statement)
    migrator.run(derive_relationships, database)
    migrator.run(file_events_under_the_clients_organisation, database)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the indexes and the care relationships (events stay where they are now)."""

    for name in INDEX_NAMES:
        migrator.sql(f"DROP INDEX IF EXISTS {name}")
    migrator.remove_model('care_relationship')
