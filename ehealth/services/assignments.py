"""A client's assignments: finding their own, and recording where they are in a module."""

from __future__ import annotations

from dataclasses import dataclass

from ehealth.content.loader import Module
from ehealth.content.steps import STEP_TYPES
from ehealth.database import write_transaction
from ehealth.models import (
    Answer,
    Assignment,
    AssignmentStatus,
    Feedback,
    ModuleVersion,
    User,
    utcnow,
)
from ehealth.services.answers import answer_values, answers_of, module_of, touch
from ehealth.services.assignment_state import (
    VISIBLE_TO_CLIENT,
    AssignmentClosed,
    ensure_open,
    is_closed,
)
from ehealth.services.progress import (
    Place,
    Progress,
    find_place,
    progress,
    resume_place,
    visible_places,
)


class NotAssigned(Exception):
    """No such assignment for this client (or it is withdrawn)."""


def client_assignment(client: User, assignment_id: int, for_change: bool = False) -> Assignment:
    """The client's own assignment (never someone else's), by the rule of
    ``services.assignment_state``: withdrawn is NotAssigned for reading; ``for_change`` (a
    visit, a save, a step done) raises AssignmentClosed for paused and withdrawn ones.
    """
    assignment = (Assignment.select(Assignment, ModuleVersion).join(ModuleVersion)
                  .where((Assignment.id == assignment_id) & (Assignment.client == client))
                  .first())
    if assignment is None:
        raise NotAssigned(assignment_id)
    if for_change and is_closed(assignment.status):
        raise AssignmentClosed(assignment.status)
    if assignment.status not in VISIBLE_TO_CLIENT:
        raise NotAssigned(assignment_id)
    return assignment


def client_assignments(client: User) -> list[Assignment]:
    """The client's assignments they see (withdrawn ones nowhere), newest first."""
    return list(Assignment.select(Assignment, ModuleVersion).join(ModuleVersion)
                .where((Assignment.client == client) & Assignment.status.in_(VISIBLE_TO_CLIENT))
                .order_by(Assignment.assigned_at.desc(), Assignment.id.desc()))


@dataclass
class Overview:
    """An assignment with its module, visible steps, progress and where to continue."""

    assignment: Assignment
    module: Module
    places: list[Place]
    progress: Progress
    resume: Place
    unread_feedback: int


def overview(assignment: Assignment) -> Overview:
    """Everything the home page and the player need to know about one assignment."""
    module = module_of(assignment)
    places = visible_places(module, answer_values(assignment))
    unread = (Feedback.select().join(Answer)
              .where((Answer.assignment == assignment) & Feedback.read_at.is_null()).count())
    return Overview(assignment, module, places, progress(places, assignment.done_steps),
                    resume_place(places, assignment.last_step_id, assignment.done_steps),
                    unread)


def record_visit(assignment: Assignment, step_id: str) -> None:
    """Remember the step the client is on, so they resume there (AssignmentClosed when the
    assignment is paused or withdrawn)."""
    if is_closed(assignment.status):
        raise AssignmentClosed(assignment.status)
    if assignment.last_step_id == step_id:
        return
    with write_transaction():
        ensure_open(assignment)
        touch(assignment, step_id)


def mark_done(assignment: Assignment, step_id: str) -> None:
    """The client moved on from ``step_id``: it counts as done."""
    if is_closed(assignment.status):
        raise AssignmentClosed(assignment.status)
    if step_id in assignment.done_steps:
        return
    with write_transaction():
        ensure_open(assignment)
        done = list(Assignment.get_by_id(assignment.id).done_steps)
        if step_id not in done:
            done.append(step_id)
        touch(assignment, step_id, done_steps=done)


class TooFewItems(Exception):
    """The step asks for more items before the client moves on."""

    def __init__(self, missing: int) -> None:
        super().__init__(f"{missing} more")
        self.missing = missing


def finish_step(assignment: Assignment, step_id: str) -> Place | None:
    """The client is done with ``step_id``: mark it and return the next visible step.

    Returns None when it was the last step: the module is then completed. Raises TooFewItems
    when the step asks for more (a strengths step's minimum), AssignmentClosed when the
    assignment is paused or withdrawn.
    """
    if is_closed(assignment.status):
        raise AssignmentClosed(assignment.status)
    view = overview(assignment)
    place = find_place(view.places, step_id)
    if place is None:
        raise StepHidden(step_id)
    answer = answers_of(assignment).get(step_id)
    missing = STEP_TYPES[place.step["type"]].shortfall(place.step, answer.value if answer else None)
    if missing:
        raise TooFewItems(missing)
    mark_done(assignment, step_id)
    if place.index + 1 < len(view.places):
        return view.places[place.index + 1]
    complete(assignment)
    return None


class StepHidden(Exception):
    """The step is not shown to this client now (a condition hides it, or it does not exist)."""


def complete(assignment: Assignment) -> None:
    """The client reached the end of the module."""
    if assignment.status == AssignmentStatus.COMPLETED:
        return
    now = utcnow()
    with write_transaction():
        ensure_open(assignment)
        Assignment.update(status=AssignmentStatus.COMPLETED, completed_at=now,
                          last_activity_at=now).where(Assignment.id == assignment.id).execute()
    assignment.status, assignment.completed_at = AssignmentStatus.COMPLETED, now
