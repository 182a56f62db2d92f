"""The client's goals: from goal steps in modules, and their own.

A goal step's answer becomes a Goal with GoalSteps. Saving the step again updates that goal,
keeping steps already ticked off; the client ticks, adds and edits steps on "Mijn doelen".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ehealth.database import write_transaction
from ehealth.models import Assignment, Goal, GoalStatus, GoalStep, User, utcnow


class GoalNotFound(Exception):
    """No such goal (or step) of this client."""


def _step_text(step: dict[str, Any], item: dict[str, Any], language: str) -> str:
    if "suggestion" in item:
        for suggestion in step["suggested_steps"]:
            if suggestion["id"] == item["suggestion"]:
                return str(suggestion["label"].in_language(language))
    return str(item.get("text", "")).strip()


def steps_of(goal: Goal) -> list[GoalStep]:
    """A goal's steps in order."""
    return list(GoalStep.select().where(GoalStep.goal == goal).order_by(GoalStep.position))


def sync_from_answer(assignment: Assignment, step: dict[str, Any], data: dict[str, Any]) -> None:
    """Create or update the goal behind a goal step (call inside the answer's transaction)."""
    text = data["goal"].strip()
    language = assignment.client.language
    goal = Goal.get_or_none((Goal.assignment == assignment) & (Goal.step_id == step["id"]))
    if goal is None and not text:
        return
    target = dt.date.fromisoformat(data["date"]) if data["date"] else None
    if goal is None:
        goal = Goal.create(client=assignment.client, assignment=assignment, step_id=step["id"],
                           text=text, target_date=target)
    else:
        goal.text = text or goal.text
        goal.target_date = target
        goal.updated_at = utcnow()
        goal.save()
    existing = {(s.suggestion_id or s.text): s for s in steps_of(goal)}
    keep: set[int] = set()
    for position, item in enumerate(data["steps"]):
        label = _step_text(step, item, language)
        if not label:
            continue
        key = item.get("suggestion") or label
        first = data["first_step"] == position
        record = existing.get(key)
        if record is None:
            record = GoalStep.create(goal=goal, text=label, suggestion_id=item.get("suggestion"),
                                     position=position, is_first=first,
                                     planned_for=target if first else None)
        else:
            record.text, record.position, record.is_first = label, position, first
            record.planned_for = target if first else None
            record.save()
        keep.add(record.get_id())
    for record in existing.values():
        if record.get_id() not in keep and not record.done:
            record.delete_instance()


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


def add_goal(client: User, text: str, target_date: dt.date | None = None) -> Goal:
    """A goal of the client's own."""
    with write_transaction():
        goal: Goal = Goal.create(client=client, text=text.strip(), target_date=target_date)
    return goal


def update_goal(client: User, goal_id: int, text: str, target_date: dt.date | None) -> Goal:
    """Rename a goal or change its date."""
    with write_transaction():
        goal = _own_goal(client, goal_id)
        goal.text, goal.target_date, goal.updated_at = text.strip(), target_date, utcnow()
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


def add_step(client: User, goal_id: int, text: str) -> GoalStep:
    """A new small step at the end of the goal's list."""
    with write_transaction():
        goal = _own_goal(client, goal_id)
        position = max([s.position for s in steps_of(goal)], default=-1) + 1
        step: GoalStep = GoalStep.create(goal=goal, text=text.strip(), position=position)
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
            step.text = text.strip()
        if done is not None:
            step.done, step.done_at = done, (utcnow() if done else None)
        step.save()
    return step


def remove_step(client: User, step_id: int) -> None:
    """Remove a step from a goal."""
    with write_transaction():
        _own_step(client, step_id).delete_instance()
