"""Saving a client's answers: validated, revisioned, idempotent, never silently overwritten.

Every save names the revision it was based on. A save based on an older revision (a second tab,
a second device) raises StaleRevision carrying the current answer, so the client can choose.
A retried save with the same idempotency key is applied once.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError
from peewee import IntegrityError

from ehealth.content.loader import Module
from ehealth.content.steps import STEP_TYPES
from ehealth.database import write_transaction
from ehealth.models import Answer, AnswerSave, Assignment, AssignmentStatus, utcnow
from ehealth.services.assignment_state import AssignmentClosed, ensure_open, is_closed
from ehealth.services.modules import module_for_version


class StepNotFound(Exception):
    """The module version of this assignment has no such step, or it takes no answer."""


class InvalidAnswer(Exception):
    """The answer does not fit its step; ``messages`` name each wrong field."""

    def __init__(self, messages: dict[str, Any] | list[Any]) -> None:
        super().__init__("invalid answer")
        self.messages = messages


class StaleRevision(Exception):
    """The save was based on an older revision than the one stored."""

    def __init__(self, current: Answer | None) -> None:
        super().__init__("stale revision")
        self.current = current


def module_of(assignment: Assignment) -> Module:
    """The exact module version the client works in."""
    return module_for_version(assignment.module_version)


def answers_of(assignment: Assignment) -> dict[str, Answer]:
    """The client's answers in this assignment, by step id."""
    return {answer.step_id: answer
            for answer in Answer.select().where(Answer.assignment == assignment)}


def answer_values(assignment: Assignment) -> dict[str, Any]:
    """The answers' values by step id (what conditions and summaries read)."""
    return {step_id: answer.value for step_id, answer in answers_of(assignment).items()}


def answerable_step(module: Module, step_id: str) -> dict[str, Any]:
    """The step with ``step_id`` if it takes an answer."""
    step = module.steps_by_id.get(step_id)
    if step is None or not STEP_TYPES[step["type"]].answerable:
        raise StepNotFound(step_id)
    return step


def validate(module: Module, step_id: str, value: Any) -> dict[str, Any]:
    """The answer as it will be stored, or InvalidAnswer."""
    step = answerable_step(module, step_id)
    try:
        return STEP_TYPES[step["type"]].validate_answer(step, value)
    except ValidationError as error:
        raise InvalidAnswer(error.messages) from None


def differs(module: Module, step_id: str, value: Any, current: Answer | None) -> bool:
    """Whether ``value`` would change what is stored (validating it on the way).

    An empty first answer is no change: nothing is stored until the client writes or picks.
    """
    normalised = validate(module, step_id, value)
    if current is None:
        return STEP_TYPES[module.steps_by_id[step_id]["type"]].is_answered(normalised)
    private = bool(normalised.pop("private", False))
    return bool(normalised != current.value or private != current.private)


def save_answer(
    assignment: Assignment,
    step_id: str,
    value: Any,
    base_revision: int,
    idempotency_key: str | None = None,
) -> Answer:
    """Store a new revision of the answer to ``step_id``.

    ``base_revision`` is the revision the client's text was based on (0 for a first answer).
    """
    if is_closed(assignment.status):
        raise AssignmentClosed(assignment.status)
    module = module_of(assignment)
    data = validate(module, step_id, value)
    private = bool(data.pop("private", False))
    step = module.steps_by_id[step_id]
    step_type = STEP_TYPES[step["type"]]
    try:
        with write_transaction():
            if idempotency_key:
                done = AnswerSave.get_or_none(
                    (AnswerSave.assignment == assignment) & (AnswerSave.key == idempotency_key)
                )
                if done is not None:  # applied before: the retry changes nothing
                    return Answer.get((Answer.assignment == assignment)
                                      & (Answer.step_id == done.step_id))
            ensure_open(assignment)
            answer = _write(assignment, step, data, private, base_revision)
            if idempotency_key:
                AnswerSave.create(assignment=assignment, key=idempotency_key[:64],
                                  step_id=step_id, revision=answer.revision)
            touch(assignment, step_id)
            step_type.after_save(assignment, step, data)
    except IntegrityError:
        # Two first saves raced; the other one won.
        raise StaleRevision(Answer.get_or_none((Answer.assignment == assignment)
                                               & (Answer.step_id == step_id))) from None
    return answer


def _write(assignment: Assignment, step: dict[str, Any], data: dict[str, Any], private: bool,
           base_revision: int) -> Answer:
    now = utcnow()
    step_id = step["id"]
    current = Answer.get_or_none((Answer.assignment == assignment) & (Answer.step_id == step_id))
    if base_revision != (current.revision if current is not None else 0):
        raise StaleRevision(current)
    try:
        # Rules across revisions (a diary's earlier entries stay as written): checked against
        # the revision the client saw, now that it is known to be the stored one.
        STEP_TYPES[step["type"]].check_change(step, current.value if current else None, data)
    except ValidationError as error:
        raise InvalidAnswer(error.messages) from None
    if current is None:
        return Answer.create(assignment=assignment, step_id=step_id, value=data,
                             private=private, revision=1, created_at=now, updated_at=now)
    # Compare-and-set: only the writer that still sees this revision succeeds.
    updated = (Answer.update(value=data, private=private, revision=Answer.revision + 1,
                             updated_at=now)
               .where((Answer.assignment == assignment) & (Answer.step_id == step_id)
                      & (Answer.revision == base_revision))
               .execute())
    if updated != 1:
        raise StaleRevision(Answer.get((Answer.assignment == assignment)
                                       & (Answer.step_id == step_id)))
    return Answer.get((Answer.assignment == assignment) & (Answer.step_id == step_id))


def touch(assignment: Assignment, step_id: str, **extra: Any) -> None:
    """Record activity on ``step_id``: started, active, last step (call inside a transaction).

    ``extra`` holds more Assignment fields to set in the same update.
    """
    now = utcnow()
    changes: dict[str, Any] = {"last_activity_at": now, "last_step_id": step_id, **extra}
    if assignment.started_at is None:
        changes["started_at"] = now
    if assignment.status == AssignmentStatus.ASSIGNED:
        changes["status"] = AssignmentStatus.ACTIVE
    Assignment.update(**changes).where(Assignment.id == assignment.get_id()).execute()
    for name, value in changes.items():
        setattr(assignment, name, value)
