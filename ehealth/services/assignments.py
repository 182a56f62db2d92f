"""A client's assignments: finding their own, where they are in a module, and moving on.

``submit_step`` is the one operation behind the player's Back, Save and Next and the API's
``done``: the routes parse input, call it and render or redirect what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

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
from ehealth.services.answers import (
    InvalidAnswer,
    StaleRevision,
    answers_of,
    differs,
    module_of,
    save_answer,
    touch,
)
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
    """An assignment with its module, answers, visible steps, progress and where to continue."""

    assignment: Assignment
    module: Module
    places: list[Place]
    progress: Progress
    resume: Place
    unread_feedback: int
    answers: dict[str, Answer] = field(default_factory=dict)  # by step id


def overview(assignment: Assignment) -> Overview:
    """Everything the home page and the player need to know about one assignment.

    Two queries: the answers, and the feedback not read yet.
    """
    unread = (Feedback.select().join(Answer)
              .where((Answer.assignment == assignment) & Feedback.read_at.is_null()).count())
    return overview_with(assignment, module_of(assignment), answers_of(assignment), unread)


def overview_with(assignment: Assignment, module: Module, answers: dict[str, Answer],
                  unread_feedback: int) -> Overview:
    """The overview from what is known already (no query): after a save or a step done, the
    steps shown, progress and resume place follow the answers and the assignment as they are
    in memory."""
    places = visible_places(module, {step_id: a.value for step_id, a in answers.items()})
    return Overview(assignment, module, places, progress(places, assignment.done_steps),
                    resume_place(places, assignment.last_step_id, assignment.done_steps),
                    unread_feedback, answers)


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


class Action(StrEnum):
    """What the client pressed on a step."""

    BACK = "back"
    SAVE = "save"
    NEXT = "next"


class Outcome(StrEnum):
    """What became of a submitted step (``StepResult.outcome``)."""

    STAY = "stay"  # saved (or nothing to save) and stays: Save, or follow-ups to show
    INVALID = "invalid"  # the answer does not fit the step: ``errors``; nothing saved
    STALE = "stale"  # based on an older revision: ``answer`` is the stored one; nothing saved
    TOO_FEW = "too_few"  # Next on a step that asks for ``missing`` more items
    MOVED = "moved"  # Back or Next: go to ``target``
    FINISHED = "finished"  # Next on the last step: the module is completed


@dataclass
class StepResult:
    """What ``submit_step`` did, with the assignment as it stands afterwards.

    ``view`` and ``place`` follow the saved answer (a condition may show or hide later steps),
    so the caller renders or redirects without asking the database again.
    """

    outcome: Outcome
    view: Overview
    place: Place
    answer: Answer | None  # the step's stored answer now (for STALE: the one that won)
    saved: bool = False  # a new revision was made
    errors: Any = None  # INVALID: marshmallow's messages, by field
    missing: int = 0  # TOO_FEW: how many more items
    target: Place | None = None  # MOVED: where to go
    follow_ups: bool = False  # STAY: a score was chosen whose follow-up questions are new


def submit_step(assignment: Assignment, step_id: str, action: Action,
                value: dict[str, Any] | None = None, base_revision: int = 0,
                idempotency_key: str | None = None,
                follow_ups_shown_for: str | None = None) -> StepResult:
    """The player's Back, Save and Next (and the API's ``done``): save, then stay or move.

    ``value`` is the step's answer as submitted (None: nothing submitted, as on a text step
    or the API's ``done``); it is saved when it changes what is stored, based on
    ``base_revision``, applied once per ``idempotency_key``. ``follow_ups_shown_for`` is the
    score whose follow-up questions the page showed: a new score with follow-ups keeps the
    client on the step to answer them. Next marks the step done and goes to the next visible
    step, or completes the module after the last.

    Raises StepHidden when the step is not shown to the client now, AssignmentClosed when the
    assignment is paused or withdrawn (nothing is saved). Each query runs once: the answers
    and the unread feedback are read once, and the rest follows from them in memory.
    """
    if is_closed(assignment.status):
        raise AssignmentClosed(assignment.status)
    view = overview(assignment)
    place = find_place(view.places, step_id)
    if place is None:
        raise StepHidden(step_id)
    answer = view.answers.get(step_id)
    saved = follow_ups = False
    if value is not None:
        try:
            stored, saved = save_step_answer(assignment, step_id, value, base_revision,
                                             idempotency_key, current=answer)
        except InvalidAnswer as error:
            return StepResult(Outcome.INVALID, view, place, answer, errors=error.messages)
        except StaleRevision as error:
            return StepResult(Outcome.STALE, view, place, error.current)
        if saved and stored is not None:
            # A retried save may return the answer of the step it was first made for.
            view = _after_change(view, {**view.answers, stored.step_id: stored})
            place = find_place(view.places, step_id) or place
            answer = view.answers.get(step_id)
        follow_ups = _new_follow_ups(place.step, value, follow_ups_shown_for)
    if action == Action.SAVE or follow_ups:
        return StepResult(Outcome.STAY, view, place, answer, saved, follow_ups=follow_ups)
    if action == Action.BACK:
        target = view.places[place.index - 1] if place.index > 0 else place
        return StepResult(Outcome.MOVED, view, place, answer, saved, target=target)
    missing = STEP_TYPES[place.step["type"]].shortfall(place.step,
                                                       answer.value if answer else None)
    if missing:
        return StepResult(Outcome.TOO_FEW, view, place, answer, saved, missing=missing)
    mark_done(assignment, step_id)
    view = _after_change(view, view.answers)
    if place.index + 1 < len(view.places):
        return StepResult(Outcome.MOVED, view, place, answer, saved,
                          target=view.places[place.index + 1])
    complete(assignment)
    return StepResult(Outcome.FINISHED, view, place, answer, saved)


def save_step_answer(assignment: Assignment, step_id: str, value: dict[str, Any],
                     base_revision: int, idempotency_key: str | None = None,
                     current: Answer | None = None) -> tuple[Answer | None, bool]:
    """Store ``value`` as a new revision when it changes what is stored (``current``).

    Returns the stored answer and whether a new revision was made; raises InvalidAnswer,
    StaleRevision and AssignmentClosed as ``services.answers.save_answer`` does. An empty
    first answer stores nothing. The player's Save and Next and its autosave all save here.
    """
    if not differs(module_of(assignment), step_id, value, current):
        return current, False
    return save_answer(assignment, step_id, value, base_revision, idempotency_key), True


def _after_change(view: Overview, answers: dict[str, Answer]) -> Overview:
    return overview_with(view.assignment, view.module, answers, view.unread_feedback)


def _new_follow_ups(step: dict[str, Any], value: dict[str, Any], shown: str | None) -> bool:
    """Whether the step now asks something the client has not seen yet (the step type says:
    a scale's follow-ups for a newly chosen score)."""
    return STEP_TYPES[step["type"]].shows_more_after_save(step, value,
                                                          {"shown_value": [shown or ""]})


def finish_step(assignment: Assignment, step_id: str) -> Place | None:
    """The client is done with ``step_id``: mark it and return the next visible step.

    Next without an answer (``submit_step``). Returns None when it was the last step: the
    module is then completed. Raises TooFewItems when the step asks for more (a strengths
    step's minimum), StepHidden, and AssignmentClosed when the assignment is paused or
    withdrawn.
    """
    result = submit_step(assignment, step_id, Action.NEXT)
    if result.outcome == Outcome.TOO_FEW:
        raise TooFewItems(result.missing)
    return result.target


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
