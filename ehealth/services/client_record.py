"""A client's record as their therapist reads it: modules, shared answers, scores, goals, strengths.

Only what the client shares is loaded: answers the client kept private are filtered out in the
query itself, as ``services.sharing`` does (never loaded, never counted). All of the client's
modules are shown, whoever assigned them (the client is in this therapist's care: see
``services.care``), with the feedback anyone gave, attributed to who wrote it (also a
therapist who is no longer in the care team). Goals and strengths are the client's own,
whichever module they came from.

The whole record costs a fixed number of queries, however many assignments and answers the
client has. These functions neither check the request nor write the audit event: the route
does both, through ``services.care.client_for`` and ``services.audit``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from peewee import JOIN

from ehealth.content.fields import Text
from ehealth.content.loader import Module
from ehealth.content.steps import STEP_TYPES
from ehealth.models import (
    Answer,
    Assignment,
    AssignmentStatus,
    CareRelationship,
    Feedback,
    Goal,
    GoalStep,
    User,
)
from ehealth.services import care
from ehealth.services.caseload import load_modules, waiting_for_feedback
from ehealth.services.goals import goal_id_of, goals_of
from ehealth.services.progress import Place, Progress, progress, visible_places
from ehealth.services.strengths import StrengthsOverview, strengths_of

# peewee builds SQL from the comparison; ``is False`` would not.
_SHARED = Answer.private == False  # noqa: E712
_PRIVATE = Answer.private == True  # noqa: E712


@dataclass
class FeedbackNote:
    """Feedback the therapist gave on an answer."""

    body: str
    created_at: dt.datetime
    read_at: dt.datetime | None
    by_me: bool
    therapist_name: str


@dataclass
class StepRecord:
    """One visible step of a module: whether it is done, and the shared answer to it."""

    place: Place
    done: bool
    current: bool
    answer: Answer | None = None
    awaiting: bool = False
    feedback: list[FeedbackNote] = field(default_factory=list)

    @property
    def answerable(self) -> bool:
        """Whether this step takes an answer (and so can get feedback)."""
        return bool(STEP_TYPES[self.place.step["type"]].answerable)


@dataclass
class LessonRecord:
    """A lesson with its visible steps."""

    number: int
    title: Any
    steps: list[StepRecord]

    @property
    def done(self) -> int:
        """Steps done in this lesson."""
        return sum(1 for step in self.steps if step.done)


@dataclass
class AssignmentRecord:
    """One of the client's modules, lesson by lesson."""

    assignment: Assignment
    module: Module
    progress: Progress
    lessons: list[LessonRecord]
    given_by: str | None = None  # the colleague who assigned it (None: this therapist)

    @property
    def answered(self) -> int:
        """How many shared answers the client gave in this module."""
        return sum(1 for lesson in self.lessons for step in lesson.steps if step.answer)

    @property
    def awaiting(self) -> int:
        """Shared answers waiting for feedback."""
        return sum(1 for lesson in self.lessons for step in lesson.steps if step.awaiting)

    @property
    def is_open(self) -> bool:
        """Still being worked on (not completed or withdrawn)."""
        return self.assignment.status not in (AssignmentStatus.COMPLETED,
                                              AssignmentStatus.WITHDRAWN)


@dataclass(frozen=True)
class ScorePoint:
    """One score of one answer: when it was last saved, and in which assignment."""

    at: dt.datetime
    score: float
    assignment_id: int
    version: str


@dataclass
class ScoreSeries:
    """One score of one step of a module over time (a scale, a questionnaire's total or one
    of its parts, a diary's mood): whatever the step type's ``scores`` yields."""

    module_id: str
    step_id: str
    module: Module
    step: dict[str, Any]
    low: float
    high: float
    points: list[ScorePoint] = field(default_factory=list)
    score_key: str = ""  # "" for the step's main score, else e.g. a subscale id
    label: Text | None = None  # what a score other than the main one measures

    @property
    def key(self) -> str:
        """A stable name for ids on the page."""
        base = f"{self.module_id}-{self.step_id}"
        return f"{base}-{self.score_key}" if self.score_key else base


@dataclass
class GoalRecord:
    """A goal of the client with its steps, and the module it came from when it is ours."""

    goal: Goal
    steps: list[GoalStep]
    module: Module | None


@dataclass
class ClientRecord:
    """Everything the client page shows."""

    client: User
    assignments: list[AssignmentRecord]
    scores: list[ScoreSeries]
    goals: list[GoalRecord]
    strengths: StrengthsOverview
    team: list[CareRelationship] = field(default_factory=list)  # the care team now

    @property
    def awaiting(self) -> int:
        """Shared answers waiting for feedback, in all modules."""
        return sum(record.awaiting for record in self.assignments)


def _feedback(therapist: User, client: User) -> dict[int, list[FeedbackNote]]:
    """The feedback on the client's shared answers, oldest first, by answer (1 query)."""
    notes: dict[int, list[FeedbackNote]] = defaultdict(list)
    query = (Feedback.select(Feedback, User.id, User.name)
             .join(User, on=(Feedback.therapist == User.id))
             .switch(Feedback).join(Answer).join(Assignment)
             .where((Assignment.client == client) & _SHARED)
             .order_by(Feedback.created_at, Feedback.id))
    for item in query:
        notes[item.__data__["answer"]].append(FeedbackNote(
            item.body, item.created_at, item.read_at, item.therapist.id == therapist.id,
            item.therapist.name))
    return notes


def _waiting_answers(client: User) -> set[int]:
    """Ids of the shared answers waiting for feedback (1 query)."""
    query = (Answer.select(Answer.id).join(Assignment)
             .where((Assignment.client == client) & _SHARED & waiting_for_feedback()))
    return {answer.id for answer in query}


def _lessons(module: Module, places: list[Place], assignment: Assignment,
             answers: dict[str, Answer], waiting: set[int],
             notes: dict[int, list[FeedbackNote]]) -> list[LessonRecord]:
    done = set(assignment.done_steps)
    working = assignment.status in (AssignmentStatus.ASSIGNED, AssignmentStatus.ACTIVE,
                                    AssignmentStatus.PAUSED)
    lessons: dict[int, LessonRecord] = {}
    for place in places:
        lesson = lessons.setdefault(place.lesson_number, LessonRecord(
            place.lesson_number, place.lesson.title, []))
        answer = answers.get(place.step["id"])
        lesson.steps.append(StepRecord(
            place=place, done=place.step["id"] in done,
            current=place.step["id"] == assignment.last_step_id and working,
            answer=answer,
            # Only a feedback moment asks for a reply (any answer can still get one).
            awaiting=(answer is not None and answer.id in waiting
                      and bool(place.step.get("feedback"))),
            feedback=notes.get(answer.id, []) if answer is not None else [],
        ))
    return [lessons[number] for number in sorted(lessons)]


def _scores(records: list[AssignmentRecord], answers: dict[int, dict[str, Answer]]
            ) -> list[ScoreSeries]:
    """Every score the step types find in the shared answers, per module step and score,
    across the assignments, by date (a score the answer dates, such as a diary entry's mood,
    on its own day; any other at the answer's last save)."""
    series: dict[tuple[str, str, str], ScoreSeries] = {}
    for record in sorted(records, key=lambda r: (r.assignment.assigned_at, r.assignment.id)):
        shared = answers.get(record.assignment.id, {})
        for step_id, step in record.module.steps_by_id.items():  # in module order
            answer = shared.get(step_id)
            if answer is None:
                continue
            for found in STEP_TYPES[step["type"]].scores(step, answer.value):
                key = (record.module.id, step_id, found.key)
                line = series.get(key)
                if line is None:
                    line = series[key] = ScoreSeries(
                        record.module.id, step_id, record.module, step, float(found.low),
                        float(found.high), score_key=found.key, label=found.label)
                else:
                    # The latest module version describes the step (assignments in date order).
                    line.module, line.step, line.label = record.module, step, found.label
                    line.low, line.high = min(line.low, found.low), max(line.high, found.high)
                at = (dt.datetime.combine(found.on, dt.time(12)) if found.on is not None
                      else answer.updated_at)
                line.points.append(ScorePoint(at, found.value, record.assignment.id,
                                              record.module.version))
    result = list(series.values())
    for line in result:
        line.points.sort(key=lambda point: (point.at, point.assignment_id))
    return result


def _goals(client: User, modules_by_assignment: dict[int, Module]) -> list[GoalRecord]:
    """The client's goals with their steps (2 queries)."""
    steps: dict[int, list[GoalStep]] = defaultdict(list)
    for record in (GoalStep.select().join(Goal).where(Goal.client == client)
                   .order_by(GoalStep.position, GoalStep.id)):
        steps[goal_id_of(record)].append(record)
    result = []
    for goal in goals_of(client):
        assignment_id = goal.__data__.get("assignment")
        result.append(GoalRecord(goal, steps.get(goal.id, []),
                                 modules_by_assignment.get(assignment_id)
                                 if assignment_id is not None else None))
    return result


def _strengths(client: User, language: str) -> StrengthsOverview:
    """The client's strengths, leaving out anything that came from a private answer (3 queries).

    Strengths steps cannot be kept private today; this keeps it so if a step type ever can.
    """
    overview = strengths_of(client, language)
    private = {(answer.__data__["assignment"], answer.step_id)
               for answer in Answer.select(Answer.assignment, Answer.step_id).join(Assignment)
               .where((Assignment.client == client) & _PRIVATE)}
    if private:
        for kind, items in overview.by_kind.items():
            overview.by_kind[kind] = [
                item for item in items
                if item.ref is None or (item.ref.assignment_id, item.ref.step_id) not in private]
    return overview


def client_record(therapist: User, client: User, language: str) -> ClientRecord:
    """The client's record for their therapist, in a fixed number of queries."""
    assigner = User.alias()
    assignments = list(Assignment.select(Assignment, assigner.id, assigner.name)
                       .join(assigner, JOIN.LEFT_OUTER, on=(Assignment.therapist == assigner.id))
                       .where(Assignment.client == client)
                       .order_by(Assignment.assigned_at.desc(), Assignment.id.desc()))
    modules = load_modules(assignments)
    answers: dict[int, dict[str, Answer]] = defaultdict(dict)
    if assignments:
        for answer in (Answer.select().join(Assignment)
                       .where((Assignment.client == client) & _SHARED)):
            answers[answer.__data__["assignment"]][answer.step_id] = answer
    waiting = _waiting_answers(client)
    notes = _feedback(therapist, client)
    records = []
    for assignment in assignments:
        module = modules[assignment.__data__["module_version"]]
        own = answers.get(assignment.id, {})
        places = visible_places(module, {step: a.value for step, a in own.items()})
        given_by: str | None = None
        if assignment.__data__.get("therapist") not in (None, therapist.id):
            given_by = str(getattr(assignment.therapist, "name", ""))  # joined: no query
        records.append(AssignmentRecord(
            assignment, module, progress(places, assignment.done_steps),
            _lessons(module, places, assignment, own, waiting, notes), given_by))
    by_assignment = {record.assignment.id: record.module for record in records}
    return ClientRecord(
        client=client,
        assignments=records,
        scores=_scores(records, answers),
        goals=_goals(client, by_assignment),
        strengths=_strengths(client, language),
        team=care.team_of(client),
    )
