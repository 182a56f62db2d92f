"""Feedback: a therapist's reply to one of the client's shared answers, and the client reading it.

A therapist gives feedback only on an answer the client shares (never a private one: to the
therapist it does not exist) in an assignment of their own that is not withdrawn. The client
sees it on the step it is about, and on "Mijn modules" until they have read it there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from ehealth.database import write_transaction
from ehealth.models import Answer, Assignment, AssignmentStatus, Feedback, User, utcnow
from ehealth.services.sharing import shared_answer

MAX_FEEDBACK = 4_000


class FeedbackError(Exception):
    """Feedback that cannot be given; the subclass says why."""


class AnswerNotShared(FeedbackError):
    """No shared answer to this step: not answered, or kept private by the client."""


class FeedbackEmpty(FeedbackError):
    """Feedback needs some words."""


class FeedbackTooLong(FeedbackError):
    """Longer than ``MAX_FEEDBACK`` characters."""


class AssignmentWithdrawn(FeedbackError):
    """The module was withdrawn: the client no longer sees it, so feedback would not arrive."""


def give_feedback(therapist: User, assignment: Assignment, step_id: str, body: str) -> Feedback:
    """Write ``therapist``'s feedback on the client's shared answer to ``step_id``.

    The caller has checked that ``assignment`` is the therapist's own.
    """
    body = body.strip()
    if not body:
        raise FeedbackEmpty()
    if len(body) > MAX_FEEDBACK:
        raise FeedbackTooLong()
    if assignment.status == AssignmentStatus.WITHDRAWN:
        raise AssignmentWithdrawn(assignment.id)
    answer = shared_answer(assignment, step_id)
    if answer is None:
        raise AnswerNotShared(step_id)
    with write_transaction():
        feedback: Feedback = Feedback.create(answer=answer, therapist=therapist, body=body,
                                             created_at=utcnow())
    return feedback


@dataclass
class Message:
    """Feedback as the client sees it."""

    id: int
    body: str
    therapist_name: str
    created_at: dt.datetime
    read_at: dt.datetime | None

    @property
    def is_new(self) -> bool:
        """Not read before this visit."""
        return self.read_at is None


def messages_on_step(assignment: Assignment, step_id: str) -> list[Message]:
    """The feedback on the client's answer to ``step_id``, oldest first (one query)."""
    query = (Feedback.select(Feedback, User.name)
             .join(User, on=(Feedback.therapist == User.id))
             .switch(Feedback).join(Answer)
             .where((Answer.assignment == assignment) & (Answer.step_id == step_id))
             .order_by(Feedback.created_at, Feedback.id))
    return [Message(item.id, item.body, item.therapist.name, item.created_at, item.read_at)
            for item in query]


def mark_read(messages: list[Message], now: dt.datetime | None = None) -> None:
    """The client saw these messages; the ones new to them are marked read (kept as shown)."""
    new = [message.id for message in messages if message.read_at is None]
    if not new:
        return
    with write_transaction():
        Feedback.update(read_at=now or utcnow()).where(
            Feedback.id.in_(new) & Feedback.read_at.is_null()).execute()


def unread_steps(client: User) -> dict[int, str]:
    """Per assignment of the client, the step with the oldest unread feedback (one query)."""
    query = (Feedback.select(Answer.assignment.alias("assignment_id"),
                             Answer.step_id.alias("step_id"))
             .join(Answer).join(Assignment)
             .where((Assignment.client == client) & Feedback.read_at.is_null())
             .order_by(Feedback.created_at.desc(), Feedback.id.desc())
             .dicts())
    steps: dict[int, str] = {}
    rows = cast(Iterable[dict[str, Any]], query)
    for row in rows:
        steps[row["assignment_id"]] = row["step_id"]  # the oldest comes last and wins
    return steps
