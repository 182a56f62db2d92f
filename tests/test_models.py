"""The data model: uniqueness, immutability of published versions, append-only audit log."""

from __future__ import annotations

import pytest
from flask import Flask
from peewee import IntegrityError

from ehealth.database import connected
from ehealth.extensions import db
from ehealth.models import (
    Answer,
    Assignment,
    AuditEvent,
    Feedback,
    Goal,
    GoalStep,
    ImmutableRecord,
    ModuleVersion,
    Organisation,
    Role,
    User,
)


@pytest.fixture
def world(app: Flask):
    with connected():
        org = Organisation.create(name="Zorg Oost", slug="zorg-oost")
        therapist = User.create(organisation=org, email="T@Example.org", role=Role.THERAPIST)
        client = User.create(organisation=org, email="client@example.org", role=Role.CLIENT)
        version = ModuleVersion.get(ModuleVersion.module_id == "voorbeeld")
        assignment = Assignment.create(client=client, therapist=therapist, module_version=version)
        yield {"org": org, "therapist": therapist, "client": client, "version": version,
               "assignment": assignment}


def test_email_is_stored_lower_case_and_unique(world) -> None:
    assert User.get_by_id(world["therapist"].id).email == "t@example.org"
    with pytest.raises(IntegrityError):
        User.create(organisation=world["org"], email="t@EXAMPLE.org", role=Role.CLIENT)


def test_unknown_role_is_refused(world) -> None:
    with pytest.raises(ValueError, match="role"):
        User.create(organisation=world["org"], email="x@example.org", role="superuser")


def test_one_answer_per_assignment_and_step(world) -> None:
    Answer.create(assignment=world["assignment"], step_id="cijfer", value={"value": 4})
    with pytest.raises(IntegrityError):
        Answer.create(assignment=world["assignment"], step_id="cijfer", value={"value": 5})


def test_answer_value_round_trips_as_json(world) -> None:
    value = {"answers": {"trots": "Dat ik weer fiets — élke dag"}, "n": [1, 2.5, None, True]}
    answer = Answer.create(assignment=world["assignment"], step_id="terugblik", value=value)
    assert Answer.get_by_id(answer.id).value == value
    assert Answer.get_by_id(answer.id).revision == 1


def test_published_module_version_cannot_change(world) -> None:
    version = world["version"]
    version.version = "9.9.9"
    with pytest.raises(ImmutableRecord):
        version.save()
    with pytest.raises(ImmutableRecord):
        ModuleVersion.update(version="9.9.9")
    with pytest.raises(ImmutableRecord):
        version.delete_instance()
    assert ModuleVersion.get_by_id(version.id).version == "1.0.0"


def test_audit_events_are_append_only(world) -> None:
    event = AuditEvent.create(actor=world["therapist"], actor_role=Role.THERAPIST,
                              action="answer.read", client=world["client"],
                              object_type="answer", object_id="1", address="127.0.0.1")
    assert event.at is not None
    event.outcome = "denied"
    with pytest.raises(ImmutableRecord):
        event.save()
    with pytest.raises(ImmutableRecord):
        AuditEvent.delete()
    assert AuditEvent.select().count() == 1


def test_goals_steps_and_feedback_hang_together(world) -> None:
    answer = Answer.create(assignment=world["assignment"], step_id="doel", value={"goal": "x"})
    goal = Goal.create(client=world["client"], assignment=world["assignment"], step_id="doel",
                       text="Weer wandelen met mijn zus")
    GoalStep.create(goal=goal, text="Haar bellen", is_first=True, position=0)
    GoalStep.create(goal=goal, text="Een route kiezen", position=1)
    Feedback.create(answer=answer, therapist=world["therapist"], body="Mooi doel!")
    assert [s.text for s in goal.steps.order_by(GoalStep.position)] == [
        "Haar bellen", "Een route kiezen"]
    assert answer.feedback.count() == 1
    goal.delete_instance(recursive=True)
    assert GoalStep.select().count() == 0


def test_module_version_in_use_cannot_be_removed_from_under_an_assignment(world) -> None:
    with pytest.raises(IntegrityError), db.atomic():
        db.execute_sql("DELETE FROM module_version WHERE id = " + db.obj.param,
                       (world["version"].id,))
