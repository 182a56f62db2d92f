"""The data model. Every model shares the one ``DatabaseProxy``; all times are naive UTC.

Client answers are health data: they live in ``Answer.value`` and nowhere else, keyed by the
step id so that a newer module version can take them over step by step.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask_login import UserMixin
from peewee import (
    AutoField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from ehealth.extensions import db


def utcnow() -> dt.datetime:
    """The current time in UTC, without tzinfo (as stored)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class ImmutableRecord(RuntimeError):
    """An attempt to change or delete a record the application may only add."""


class JSONField(TextField):
    """JSON stored as text: the same on SQLite and PostgreSQL."""

    field_type = "TEXT"

    def db_value(self, value: Any) -> str | None:
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def python_value(self, value: Any) -> Any:
        if value is None:
            return None
        return json.loads(value)


class BaseModel(Model):
    id = AutoField()

    class Meta:
        database = db
        legacy_table_names = False


class AppendOnlyModel(BaseModel):
    """A record that, once written, is never changed or deleted by the application."""

    def save(self, force_insert: bool = False, only: Any = None) -> int:
        if self.get_id() is not None and not force_insert:
            raise ImmutableRecord(f"{type(self).__name__} records cannot be changed.")
        result: int = super().save(force_insert=force_insert, only=only)
        return result

    def delete_instance(self, *args: Any, **kwargs: Any) -> int:
        raise ImmutableRecord(f"{type(self).__name__} records cannot be deleted.")

    @classmethod
    def update(cls, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableRecord(f"{cls.__name__} records cannot be changed.")

    @classmethod
    def delete(cls) -> Any:
        raise ImmutableRecord(f"{cls.__name__} records cannot be deleted.")


class Organisation(BaseModel):
    """A care organisation: its people, clients and module library are its own."""

    name = CharField(max_length=200)
    slug = CharField(max_length=64, unique=True)
    created_at = DateTimeField(default=utcnow)
    # Publishing a module needs a second person: not whoever made the draft's last change.
    four_eyes_review = BooleanField(default=True)
    # The organisation's own words to avoid in modules: [{"language", "word", "alternative"}].
    avoid_words = JSONField(default=list)


class Role:
    CLIENT = "client"
    THERAPIST = "therapist"
    AUTHOR = "author"
    ADMIN = "admin"
    ALL = (CLIENT, THERAPIST, AUTHOR, ADMIN)
    STAFF = (THERAPIST, AUTHOR, ADMIN)


class User(UserMixin, BaseModel):
    """A person with an account. E-mail addresses are stored lower-case and are unique."""

    organisation = ForeignKeyField(Organisation, backref="users", on_delete="RESTRICT")
    email = CharField(max_length=254, unique=True)
    name = CharField(max_length=200, default="")
    role = CharField(max_length=16, choices=[(r, r) for r in Role.ALL], index=True)
    language = CharField(max_length=8, default="nl")
    password_hash = CharField(max_length=255, null=True)
    password_changed_at = DateTimeField(null=True)
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)
    last_login_at = DateTimeField(null=True)
    # Second factor for staff (TOTP): the shared secret, when it was set up, and the last
    # time step accepted, so each code works once only.
    totp_secret = CharField(max_length=64, null=True)
    totp_enabled_at = DateTimeField(null=True)
    totp_last_step = IntegerField(null=True)

    # The session this user object was loaded for (set by the session loader, not stored).
    session_token: str | None = None

    def get_id(self) -> str:
        """flask-login keeps this in the cookie: the server-side session, never the user id."""
        if not self.session_token:
            raise RuntimeError("Sign in through ehealth.services.sessions.start_session().")
        return self.session_token

    @property
    def is_staff(self) -> bool:
        """Therapists, authors and admins."""
        return self.role in Role.STAFF

    @property
    def is_active(self) -> bool:
        """Deactivated accounts cannot sign in (flask-login asks this)."""
        return bool(self.active)

    def save(self, *args: Any, **kwargs: Any) -> int:
        self.email = self.email.strip().lower()
        if self.role not in Role.ALL:
            raise ValueError(f"Unknown role {self.role!r}.")
        result: int = super().save(*args, **kwargs)
        return result


class ModuleVersion(AppendOnlyModel):
    """One published version of a module: its checked content, never changed afterwards."""

    module_id = CharField(max_length=64, index=True)
    version = CharField(max_length=32)
    content_hash = CharField(max_length=64)
    content = JSONField()
    published_at = DateTimeField(default=utcnow)
    # None: the shipped library (modules/); else the organisation that wrote and owns it.
    organisation = ForeignKeyField(Organisation, null=True, backref="module_versions",
                                   on_delete="RESTRICT")
    published_by = ForeignKeyField(User, null=True, backref="published_versions",
                                   on_delete="SET NULL")
    note = TextField(null=True)
    # What an organisation's module was first copied from ("voorbeeld", "1.1.0").
    origin_module_id = CharField(max_length=64, null=True)
    origin_version = CharField(max_length=32, null=True)

    class Meta:
        indexes = ((("module_id", "version"), True),)


class AssignmentStatus:
    ASSIGNED = "assigned"
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"
    ALL = (ASSIGNED, ACTIVE, PAUSED, COMPLETED, WITHDRAWN)


class Assignment(BaseModel):
    """A module version assigned to a client by their therapist, and how far they are."""

    client = ForeignKeyField(User, backref="assignments", on_delete="RESTRICT")
    therapist = ForeignKeyField(User, null=True, backref="assigned", on_delete="SET NULL")
    module_version = ForeignKeyField(ModuleVersion, backref="assignments", on_delete="RESTRICT")
    status = CharField(max_length=16, default=AssignmentStatus.ASSIGNED, index=True,
                       choices=[(s, s) for s in AssignmentStatus.ALL])
    message = TextField(null=True)
    due_date = DateField(null=True)
    assigned_at = DateTimeField(default=utcnow)
    started_at = DateTimeField(null=True)
    completed_at = DateTimeField(null=True)
    last_step_id = CharField(max_length=64, null=True)
    last_activity_at = DateTimeField(null=True)
    done_steps = JSONField(default=list)


class Answer(BaseModel):
    """A client's answer to one step. Each save raises ``revision`` by one."""

    assignment = ForeignKeyField(Assignment, backref="answers", on_delete="CASCADE")
    step_id = CharField(max_length=64)
    value = JSONField()
    private = BooleanField(default=False)
    revision = IntegerField(default=1)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("assignment", "step_id"), True),)


class AnswerSave(BaseModel):
    """An idempotency key of a save: the same key again returns this revision, once applied."""

    assignment = ForeignKeyField(Assignment, backref="saves", on_delete="CASCADE")
    key = CharField(max_length=64)
    step_id = CharField(max_length=64)
    revision = IntegerField()
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("assignment", "key"), True),)


class Strength(BaseModel):
    """A strength the client added on "Mijn krachten" (module strengths live in answers)."""

    client = ForeignKeyField(User, backref="strengths", on_delete="CASCADE")
    kind = CharField(max_length=16)
    text = TextField()
    note = TextField(null=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)


class UserSession(BaseModel):
    """A signed-in session, held on the server so logout and password changes end it."""

    user = ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    token_hash = CharField(max_length=64, unique=True)
    created_at = DateTimeField(default=utcnow)
    last_seen_at = DateTimeField(default=utcnow)
    ended_at = DateTimeField(null=True)


class Invitation(BaseModel):
    """A single-use link that lets a new person set up their account."""

    organisation = ForeignKeyField(Organisation, backref="invitations", on_delete="CASCADE")
    email = CharField(max_length=254)
    role = CharField(max_length=16)
    language = CharField(max_length=8, default="nl")
    therapist = ForeignKeyField(User, null=True, backref="invited_clients", on_delete="SET NULL")
    invited_by = ForeignKeyField(User, null=True, backref="invitations_sent",
                                 on_delete="SET NULL")
    token_hash = CharField(max_length=64, unique=True)
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)
    user = ForeignKeyField(User, null=True, backref="invitation", on_delete="SET NULL")


class PasswordReset(BaseModel):
    """A single-use, expiring password-reset token."""

    user = ForeignKeyField(User, backref="password_resets", on_delete="CASCADE")
    token_hash = CharField(max_length=64, unique=True)
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)


class RecoveryCode(BaseModel):
    """A one-time code that stands in for the second factor when the phone is gone."""

    user = ForeignKeyField(User, backref="recovery_codes", on_delete="CASCADE")
    code_hash = CharField(max_length=64)
    created_at = DateTimeField(default=utcnow)
    used_at = DateTimeField(null=True)


class OrganisationModule(BaseModel):
    """Whether a module of the library is available to an organisation's therapists.

    Without a row a module is available; an admin switches modules off (and on again) here.
    """

    organisation = ForeignKeyField(Organisation, backref="module_choices", on_delete="CASCADE")
    module_id = CharField(max_length=64)
    available = BooleanField(default=True)
    updated_at = DateTimeField(default=utcnow)
    updated_by = ForeignKeyField(User, null=True, backref="module_choices", on_delete="SET NULL")

    class Meta:
        indexes = ((("organisation", "module_id"), True),)


class LoginThrottle(BaseModel):
    """Failed log-ins per account, shared by every worker process through the database."""

    account = CharField(max_length=254, unique=True)
    failures = IntegerField(default=0)
    window_started_at = DateTimeField(default=utcnow)
    locked_until = DateTimeField(null=True)


class GoalStatus:
    ACTIVE = "active"
    REACHED = "reached"
    ALL = (ACTIVE, REACHED)


class Goal(BaseModel):
    """A goal the client owns, from a goal step or of their own making."""

    client = ForeignKeyField(User, backref="goals", on_delete="CASCADE")
    assignment = ForeignKeyField(Assignment, null=True, backref="goals", on_delete="SET NULL")
    step_id = CharField(max_length=64, null=True)
    text = TextField()
    target_date = DateField(null=True)
    status = CharField(max_length=16, default=GoalStatus.ACTIVE,
                       choices=[(s, s) for s in GoalStatus.ALL])
    reached_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)


class GoalStep(BaseModel):
    """A small step towards a goal; one of them may be the first step, with a date."""

    goal = ForeignKeyField(Goal, backref="steps", on_delete="CASCADE")
    text = TextField()
    suggestion_id = CharField(max_length=64, null=True)
    position = IntegerField(default=0)
    is_first = BooleanField(default=False)
    planned_for = DateField(null=True)
    done = BooleanField(default=False)
    done_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)


class Feedback(BaseModel):
    """A therapist's note on one of the client's answers."""

    answer = ForeignKeyField(Answer, backref="feedback", on_delete="CASCADE")
    therapist = ForeignKeyField(User, backref="feedback_given", on_delete="RESTRICT")
    body = TextField()
    created_at = DateTimeField(default=utcnow)
    read_at = DateTimeField(null=True)


class CareRole:
    PRIMARY = "primary"
    CO_THERAPIST = "co_therapist"
    ALL = (PRIMARY, CO_THERAPIST)


class CareRelationship(BaseModel):
    """A therapist's part in a client's care, from when to when: the client's primary
    therapist or one of their co-therapists (the care team).

    Whether a therapist may see a client is decided from these rows alone (``services.care``):
    an active relationship (``ended_at`` empty) in the same organisation. An active client has
    exactly one active primary therapist (a partial unique index, see migration 005). A
    relationship that ends is kept as the client's care history.
    """

    organisation = ForeignKeyField(Organisation, backref="care_relationships",
                                   on_delete="RESTRICT")
    client = ForeignKeyField(User, backref="care_team", on_delete="RESTRICT")
    therapist = ForeignKeyField(User, backref="care_of", on_delete="RESTRICT")
    role = CharField(max_length=16, choices=[(r, r) for r in CareRole.ALL])
    started_at = DateTimeField(default=utcnow)
    started_by = ForeignKeyField(User, null=True, backref="care_started", on_delete="SET NULL")
    ended_at = DateTimeField(null=True)
    ended_by = ForeignKeyField(User, null=True, backref="care_ended", on_delete="SET NULL")
    reason = CharField(max_length=200, null=True)

    @property
    def is_active(self) -> bool:
        """Not ended."""
        return self.ended_at is None


class AuditOutcome:
    SUCCESS = "success"
    DENIED = "denied"
    FAILED = "failed"


class AuditEvent(AppendOnlyModel):
    """Who read or changed whose data, when and from where (NEN 7513). Append-only."""

    at = DateTimeField(default=utcnow, index=True)
    actor = ForeignKeyField(User, null=True, backref="audit_events", on_delete="RESTRICT")
    actor_role = CharField(max_length=16, null=True)
    action = CharField(max_length=64)
    client = ForeignKeyField(User, null=True, backref="audit_about", on_delete="RESTRICT")
    object_type = CharField(max_length=32, null=True)
    object_id = CharField(max_length=64, null=True)
    address = CharField(max_length=64, null=True)
    outcome = CharField(max_length=16, default=AuditOutcome.SUCCESS)
    organisation = ForeignKeyField(Organisation, null=True, backref="audit_events",
                                   on_delete="RESTRICT")


class PendingLogin(BaseModel):
    """A log-in between the right password and the second factor (staff), on the server.

    The browser's cookie holds only a random token for this one attempt; the row holds its
    hash, the page to go to afterwards and, while the second factor is being set up, the new
    TOTP secret (so that secret never travels in the signed but readable session cookie). An
    attempt ends on success, when the same browser starts a new one, when the password changes,
    and five minutes after it started (``expires_at``).
    """

    user = ForeignKeyField(User, backref="pending_logins", on_delete="CASCADE")
    token_hash = CharField(max_length=64, unique=True)
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    totp_secret = CharField(max_length=64, null=True)
    next_target = TextField(null=True)
    ended_at = DateTimeField(null=True)


class RateLimitCounter(BaseModel):
    """One fixed-window counter of the rate limiter, when there is no Redis.

    ``key_hash`` is the SHA-256 of the limiter's key (which names a client address or a user);
    the counter restarts once ``expires_at`` has passed. See ``services.rate_limit_storage``.
    """

    key_hash = CharField(max_length=64, unique=True)
    hits = IntegerField(default=0)
    expires_at = DateTimeField(index=True)


class DraftState:
    """Where a draft is on its way to publication."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    ALL = (DRAFT, IN_REVIEW)


class ModuleDraft(BaseModel):
    """An organisation's unpublished module, or its unpublished changes to a published one.

    ``content`` has the shape of ``ModuleVersion.content`` (``{"module": …, "lessons": {…}}``)
    but need not pass the checker yet. ``revision`` counts saves; ``part_revisions`` says at
    which revision each part last changed (``"module"``, ``"lesson:<id>"``, ``"step:<id>"``), so
    two authors editing different parts both keep their work and a stale save of the same part
    is shown, never applied silently. One draft per module and organisation; publishing it
    removes it (its content lives on as the new ``ModuleVersion``).
    """

    organisation = ForeignKeyField(Organisation, backref="module_drafts", on_delete="CASCADE")
    module_id = CharField(max_length=64)
    # The published version this draft revises (None: never published yet).
    base_version = ForeignKeyField(ModuleVersion, null=True, backref="drafts",
                                   on_delete="RESTRICT")
    # The library version it was copied from, if it started as a copy.
    origin_version = ForeignKeyField(ModuleVersion, null=True, backref="copies",
                                     on_delete="RESTRICT")
    content = JSONField()
    revision = IntegerField(default=1)
    part_revisions = JSONField(default=dict)
    state = CharField(max_length=16, default=DraftState.DRAFT,
                      choices=[(s, s) for s in DraftState.ALL])
    change_note = TextField(null=True)
    created_by = ForeignKeyField(User, null=True, backref="drafts_created", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    updated_by = ForeignKeyField(User, null=True, backref="drafts_updated", on_delete="SET NULL")
    updated_at = DateTimeField(default=utcnow)
    submitted_by = ForeignKeyField(User, null=True, backref="drafts_submitted",
                                   on_delete="SET NULL")
    submitted_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("organisation", "module_id"), True),)


class ReviewEventKind:
    """What happened on the way from a draft to a published version."""

    SUBMITTED = "submitted"
    COMMENT = "comment"
    SENT_BACK = "sent_back"
    PUBLISHED = "published"
    ALL = (SUBMITTED, COMMENT, SENT_BACK, PUBLISHED)


class ReviewEvent(BaseModel):
    """One entry of a module's review conversation; kept after publication, by module id."""

    organisation = ForeignKeyField(Organisation, backref="review_events", on_delete="CASCADE")
    module_id = CharField(max_length=64)
    kind = CharField(max_length=16, choices=[(k, k) for k in ReviewEventKind.ALL])
    author = ForeignKeyField(User, null=True, backref="review_events", on_delete="SET NULL")
    body = TextField(default="")
    draft_revision = IntegerField(null=True)
    module_version = ForeignKeyField(ModuleVersion, null=True, backref="review_events",
                                     on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("organisation", "module_id", "created_at"), False),)


class MediaFile(BaseModel):
    """An uploaded media file of an organisation, stored by its content's SHA-256.

    The bytes live in ``INSTANCE_DIR/uploads/<sha256>.<extension>``; a module refers to them as
    ``uploads/<sha256>.<extension>``. Content-addressed, so replacing an image is a new file and
    never changes a published version.
    """

    organisation = ForeignKeyField(Organisation, backref="media_files", on_delete="CASCADE")
    sha256 = CharField(max_length=64)
    extension = CharField(max_length=8)
    kind = CharField(max_length=8)  # image, audio, video or captions
    content_type = CharField(max_length=64)
    size = IntegerField()
    original_name = CharField(max_length=200, default="")
    uploaded_by = ForeignKeyField(User, null=True, backref="uploads", on_delete="SET NULL")
    uploaded_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("organisation", "sha256"), True),)

    @property
    def path(self) -> str:
        """How a module names this file: ``uploads/<sha256>.<extension>``."""
        return f"uploads/{self.sha256}.{self.extension}"

    @classmethod
    def paths_of(cls, organisation: Organisation | int) -> frozenset[str]:
        """The module paths of every upload of ``organisation`` (what its modules may use)."""
        rows = cls.select(cls.sha256, cls.extension).where(cls.organisation == organisation)
        return frozenset(f"uploads/{row.sha256}.{row.extension}" for row in rows)


MODELS: list[type[BaseModel]] = [
    Organisation,
    User,
    ModuleVersion,
    Assignment,
    Answer,
    Goal,
    GoalStep,
    Feedback,
    AuditEvent,
    AnswerSave,
    Strength,
    UserSession,
    Invitation,
    PasswordReset,
    LoginThrottle,
    OrganisationModule,
    RecoveryCode,
    CareRelationship,
    PendingLogin,
    RateLimitCounter,
    ModuleDraft,
    ReviewEvent,
    MediaFile,
]
