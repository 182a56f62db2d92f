"""The client's goals: from goal steps in modules, and their own.

A goal step's answer becomes a Goal with GoalSteps: the goal step type does that after every
save (``content.steps.goal.sync_goal``), keeping steps already ticked off; the client ticks,
adds and edits steps on "Mijn doelen".

For a goal from a module the answer stays the source of its text, date and steps: a change made
on "Mijn doelen" is saved as a new revision of that answer (and synced back into the goal), so
the module shows the same goal and an older tab of the module cannot silently undo it. Ticking
steps off and marking a goal reached change only the goal. While the assignment is paused or
withdrawn its answers cannot change; the goal itself still can.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import Any

from ehealth.content.steps.base import MAX_ANSWER_TEXT
from ehealth.content.steps.goal import Goal as GoalStepType
from ehealth.content.steps.goal import goal_step_text
from ehealth.database import write_transaction
from ehealth.models import (
    Answer,
    Assignment,
    Goal,
    GoalStatus,
    GoalStep,
    ModuleVersion,
    User,
    utcnow,
)
from ehealth.services.answers import save_answer
from ehealth.services.assignment_state import is_closed
from ehealth.services.modules import module_for_version


class GoalNotFound(Exception):
    """No such goal (or step) of this client."""


class GoalInputError(ValueError):
    """What the client entered cannot be stored; the subclass says why."""


class TextMissing(GoalInputError):
    """A goal or a step needs some words."""


class TextTooLong(GoalInputError):
    """Longer than an answer may be."""


class StepAlreadyThere(GoalInputError):
    """The goal already has a step with these words."""


class OwnStepsNotAllowed(GoalInputError):
    """The module's goal step offers only its suggested steps."""


class GoalFromModule(Exception):
    """A goal from a module cannot be removed here (its answer lives on in the module)."""


def steps_of(goal: Goal) -> list[GoalStep]:
    """A goal's steps in order."""
    return list(GoalStep.select().where(GoalStep.goal == goal)
                .order_by(GoalStep.position, GoalStep.id))


def goals_of(client: User) -> list[Goal]:
    """The client's goals: open ones first, newest first within each group."""
    goals = list(Goal.select().where(Goal.client == client)
                 .order_by(Goal.status, Goal.created_at.desc()))
    return goals


def _own_goal(client: User, goal_id: int) -> Goal:
    goal = Goal.get_or_none((Goal.id == goal_id) & (Goal.client == client))
    if goal is None:
        raise GoalNotFound(goal_id)
    return goal


def goal_id_of(step: GoalStep) -> int:
    """The id of a step's goal, without loading the goal."""
    return int(step.__data__["goal"])


def _assignment_id(goal: Goal) -> int | None:
    """The assignment a goal came from (None for the client's own), without loading it."""
    value = goal.__data__.get("assignment")
    return None if value is None else int(value)


def _clean(text: str) -> str:
    text = text.strip()
    if not text:
        raise TextMissing()
    if len(text) > MAX_ANSWER_TEXT:
        raise TextTooLong()
    return text


@dataclass
class _Source:
    """The goal step answer behind a goal from a module."""

    assignment: Assignment
    step: dict[str, Any]
    answer: Answer | None

    @property
    def writable(self) -> bool:
        """Whether a change can go into the answer now (assignment open, answer there)."""
        return self.answer is not None and not is_closed(self.assignment.status)


def _source(goal: Goal) -> _Source | None:
    assignment_id = _assignment_id(goal)
    if assignment_id is None or goal.step_id is None:
        return None
    assignment = (Assignment.select(Assignment, ModuleVersion).join(ModuleVersion)
                  .where(Assignment.id == assignment_id).first())
    if assignment is None:
        return None
    step = module_for_version(assignment.module_version).steps_by_id.get(goal.step_id)
    if step is None or step["type"] != GoalStepType.name:
        return None
    answer = Answer.get_or_none((Answer.assignment == assignment)
                                & (Answer.step_id == goal.step_id))
    return _Source(assignment, step, answer)


def _save(source: _Source, value: dict[str, Any]) -> None:
    """A new revision of the goal answer; saving it syncs it into the goal."""
    assert source.answer is not None
    save_answer(source.assignment, source.step["id"], value, source.answer.revision)


def _answer_index(source: _Source, record: GoalStep, language: str) -> int | None:
    """Where ``record`` is in the answer's steps (matched as ``sync_goal`` does)."""
    assert source.answer is not None
    key = record.suggestion_id or record.text
    for index, item in enumerate(source.answer.value.get("steps", [])):
        if (item.get("suggestion") or goal_step_text(source.step, item, language)) == key:
            return index
    return None


def _refuse_twice(goal: Goal, text: str, except_id: int | None = None) -> None:
    for record in steps_of(goal):
        if record.get_id() != except_id and record.text.strip().casefold() == text.casefold():
            raise StepAlreadyThere()


@dataclass
class GoalCard:
    """A goal as "Mijn doelen" shows it: its steps and the module it came from."""

    goal: Goal
    steps: list[GoalStep]
    module_title: str | None
    own_steps_allowed: bool

    @property
    def first_step(self) -> GoalStep | None:
        """The step the client chose to start with."""
        return next((step for step in self.steps if step.is_first), None)

    @property
    def is_reached(self) -> bool:
        """Marked reached (an achievement)."""
        return bool(self.goal.status == GoalStatus.REACHED)


def goal_cards(client: User, language: str) -> list[GoalCard]:
    """The client's goals with their steps: open goals first, newest first within each group.

    Module titles are in ``language`` when the module version offers it.
    """
    steps: dict[int, list[GoalStep]] = {}
    for record in (GoalStep.select().join(Goal).where(Goal.client == client)
                   .order_by(GoalStep.position, GoalStep.id)):
        steps.setdefault(goal_id_of(record), []).append(record)
    cards = []
    for goal in goals_of(client):
        title, own_allowed = None, True
        source = _source(goal)
        if source is not None:
            module = module_for_version(source.assignment.module_version)
            title = module.title.in_language(module.language_for(language))
            own_allowed = bool(source.step["allow_own_steps"])
        cards.append(GoalCard(goal, steps.get(goal.get_id(), []), title, own_allowed))
    return cards


def add_goal(client: User, text: str, target_date: dt.date | None = None) -> Goal:
    """A goal of the client's own."""
    text = _clean(text)
    with write_transaction():
        goal: Goal = Goal.create(client=client, text=text, target_date=target_date)
    return goal


def update_goal(client: User, goal_id: int, text: str, target_date: dt.date | None) -> Goal:
    """Rename a goal or change its date.

    For a goal from a module whose step asks a date, that date is also the first step's date.
    """
    text = _clean(text)
    with write_transaction():
        goal = _own_goal(client, goal_id)
        source = _source(goal)
        if source is not None and source.writable:
            assert source.answer is not None
            value = copy.deepcopy(source.answer.value)
            value["goal"] = text
            if source.step["ask_date"]:
                value["date"] = target_date.isoformat() if target_date else None
            _save(source, value)
            goal = _own_goal(client, goal_id)
        goal.text, goal.target_date, goal.updated_at = text, target_date, utcnow()
        goal.save()
    return goal


def set_reached(client: User, goal_id: int, reached: bool) -> Goal:
    """Mark a goal reached (it stays visible as an achievement) or open again."""
    with write_transaction():
        goal = _own_goal(client, goal_id)
        goal.status = GoalStatus.REACHED if reached else GoalStatus.ACTIVE
        goal.reached_at = utcnow() if reached else None
        goal.updated_at = utcnow()
        goal.save()
    return goal


def remove_goal(client: User, goal_id: int) -> None:
    """Remove a goal of the client's own, with its steps (goals from a module stay)."""
    with write_transaction():
        goal = _own_goal(client, goal_id)
        if _assignment_id(goal) is not None:
            raise GoalFromModule(goal_id)
        goal.delete_instance(recursive=True)


def add_step(client: User, goal_id: int, text: str) -> GoalStep:
    """A new small step at the end of the goal's list."""
    text = _clean(text)
    with write_transaction():
        goal = _own_goal(client, goal_id)
        _refuse_twice(goal, text)
        source = _source(goal)
        if source is not None and not source.step["allow_own_steps"]:
            raise OwnStepsNotAllowed()
        if source is not None and source.writable:
            assert source.answer is not None
            value = copy.deepcopy(source.answer.value)
            value["steps"] = [*value.get("steps", []), {"text": text}]
            _save(source, value)
            created: GoalStep = GoalStep.get(
                (GoalStep.goal == goal) & (GoalStep.text == text)
                & GoalStep.suggestion_id.is_null())
            return created
        position = max([s.position for s in steps_of(goal)], default=-1) + 1
        step: GoalStep = GoalStep.create(goal=goal, text=text, position=position)
    return step


def _own_step(client: User, step_id: int) -> GoalStep:
    step = (GoalStep.select().join(Goal)
            .where((GoalStep.id == step_id) & (Goal.client == client)).first())
    if step is None:
        raise GoalNotFound(step_id)
    return step


def update_step(client: User, step_id: int, text: str | None = None,
                done: bool | None = None) -> GoalStep:
    """Edit a step's text or tick it off (or un-tick it)."""
    with write_transaction():
        step = _own_step(client, step_id)
        if text is not None:
            text = _clean(text)
            if text != step.text:
                _rename(client, step, text)
        if done is not None:
            step.done, step.done_at = done, (utcnow() if done else None)
        step.save()
    return step


def _rename(client: User, step: GoalStep, text: str) -> None:
    goal = step.goal
    _refuse_twice(goal, text, except_id=step.get_id())
    source = _source(goal)
    if source is not None and step.suggestion_id and not source.step["allow_own_steps"]:
        raise OwnStepsNotAllowed()
    index = (_answer_index(source, step, client.language)
             if source is not None and source.writable else None)
    # Renamed first, so the sync below finds this step by its new words and keeps its tick.
    step.text, step.suggestion_id = text, None
    step.save()
    if source is not None and index is not None:
        assert source.answer is not None
        value = copy.deepcopy(source.answer.value)
        value["steps"][index] = {"text": text}
        _save(source, value)
        fresh = GoalStep.get_by_id(step.get_id())
        step.position, step.is_first, step.planned_for = (fresh.position, fresh.is_first,
                                                          fresh.planned_for)


def remove_step(client: User, step_id: int) -> int:
    """Remove a step from a goal; returns the goal's id."""
    with write_transaction():
        step = _own_step(client, step_id)
        goal_id = goal_id_of(step)
        source = _source(step.goal)
        index = (_answer_index(source, step, client.language)
                 if source is not None and source.writable else None)
        step.delete_instance()
        if source is not None and index is not None:
            assert source.answer is not None
            value = copy.deepcopy(source.answer.value)
            del value["steps"][index]
            first = value.get("first_step")
            if first is not None:
                value["first_step"] = None if first == index else (
                    first - 1 if first > index else first)
            _save(source, value)
    return goal_id
