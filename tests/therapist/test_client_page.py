"""A client's record: modules step by step, shared answers (escaped), scores, goals, strengths.

Only the therapist's own clients; a private answer is never on the page, not even its existence.
"""

from __future__ import annotations

import datetime as dt
import re

from flask import Flask
from flask.testing import FlaskClient

from ehealth.database import connected
from ehealth.models import (
    Answer,
    Assignment,
    AssignmentStatus,
    AuditEvent,
    Goal,
    GoalStep,
    Strength,
    User,
    utcnow,
)
from ehealth.services import care
from tests.conftest import World
from tests.therapist.conftest import (
    add_answers,
    assert_one_event,
    browser,
    counting_queries,
    events,
    give_answer,
    person,
    voorbeeld,
)


def _record(test_client: FlaskClient, client: User) -> str:
    response = test_client.get(f"/therapist/clients/{client.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_shared_answers_are_shown_readably_and_escaped(world: World,
                                                        therapist: FlaskClient) -> None:
    give_answer(world.assignment_a, "cijfer", {
        "value": 7, "follow_ups": {"waarom": "<script>alert('hoi')</script> & meer"}})
    give_answer(world.assignment_a, "hulp", {"selected": ["ja"]})
    page = _record(therapist, world.client_a)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;hoi&#39;)&lt;/script&gt; &amp; meer" in page
    assert "Score: 7 of 10" in page
    assert "What makes it a 7 and not a 0?" in page  # the question, filled in
    assert "Yes, please" in page  # a choice shows its label, not its id


def test_a_private_answer_never_appears(world: World, therapist: FlaskClient) -> None:
    give_answer(world.assignment_a, "terugblik",
                {"answers": {"trots": "Dit is alleen van mij"}}, private=True)
    page = _record(therapist, world.client_a)
    assert "Dit is alleen van mij" not in page
    assert "trots" not in page.replace("terugblik", "")
    step = re.search(r'<li class="th-step[^"]*" id="step-\d+-terugblik".*?</li>', page, re.S)
    assert step is not None
    assert "No shared answer." in step.group(0)
    assert "Awaiting" not in step.group(0)
    assert "Write feedback" not in step.group(0)


def test_only_feedback_moments_are_flagged_as_awaiting_feedback(
    world: World, therapist: FlaskClient
) -> None:
    give_answer(world.assignment_a, "cijfer", {"value": 6})  # a feedback moment
    give_answer(world.assignment_a, "hulp", {"selected": ["ja"]})  # not one
    page = _record(therapist, world.client_a)
    assert "1 answer awaits your feedback." in page
    cijfer = re.search(r'id="step-\d+-cijfer".*?(?=<li class="th-step)', page, re.S)
    hulp = re.search(r'id="step-\d+-hulp".*?(?=<li class="th-step)', page, re.S)
    assert cijfer is not None
    assert hulp is not None
    assert "Awaiting your feedback" in cijfer.group(0)
    assert "Awaiting your feedback" not in hulp.group(0)
    assert "Write feedback" in hulp.group(0)  # a reply is still possible


def test_progress_is_shown_per_module_lesson_and_step(world: World,
                                                      therapist: FlaskClient) -> None:
    with connected():
        Assignment.update(done_steps=["welkom", "uitleg"], last_step_id="cijfer",
                          status=AssignmentStatus.ACTIVE).where(
            Assignment.id == world.assignment_a.id).execute()
    page = _record(therapist, world.client_a)
    assert "2 of 9 steps done" in page
    assert "Lesson 1: <span>What goes well?</span>" in page
    assert "(2 of 4 steps done)" in page
    assert "(0 of 5 steps done)" in page
    cijfer = re.search(r'id="step-\d+-cijfer".*?</li>', page, re.S)
    welkom = re.search(r'id="step-\d+-welkom".*?</li>', page, re.S)
    assert cijfer is not None
    assert "Here now" in cijfer.group(0)
    assert welkom is not None
    assert "Step done" in welkom.group(0)


def test_scores_over_time_are_a_chart_with_a_table(world: World,
                                                   therapist: FlaskClient) -> None:
    give_answer(world.assignment_a, "cijfer", {"value": 3})
    with connected():
        Answer.update(updated_at=dt.datetime(2025, 3, 1, 10)).execute()
        later = Assignment.create(client=world.client_a, therapist=world.therapist,
                                  module_version=voorbeeld())
    give_answer(later, "cijfer", {"value": 8})
    give_answer(later, "tevredenheid", {"responses": {"steun": 4, "kunnen": 3}})
    page = _record(therapist, world.client_a)
    chart = re.search(r'<figure class="th-chart" id="chart-voorbeeld-cijfer">.*?</figure>',
                      page, re.S)
    assert chart is not None
    figure = chart.group(0)
    svg = re.search(r"<svg [^>]*>", figure)
    assert svg is not None
    assert 'role="img"' in svg.group(0)
    assert re.search(r'aria-labelledby="chart-voorbeeld-cijfer-title '
                     r'chart-voorbeeld-cijfer-desc"', svg.group(0))
    assert '<title id="chart-voorbeeld-cijfer-title">' in figure
    assert "2 scores on a scale from 0 to 10. First 3 on Mar 1, 2025, last 8 on" in figure
    assert figure.count('<circle class="th-chart__dot"') == 2
    assert "<polyline" in figure
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td>([^<]+)</td>', figure)
    assert rows[0] == ("Mar 1, 2025", "3 of 10")
    assert rows[1][1] == "8 of 10"
    assert '<th scope="col">Date</th>' in figure
    questionnaire = re.search(r'id="chart-voorbeeld-tevredenheid">.*?</figure>', page, re.S)
    assert questionnaire is not None
    assert "7 of 8" in questionnaire.group(0)  # total of a 0–4 scale over two items
    assert "script" not in figure.lower()


def test_goals_with_their_steps_and_strengths_are_shown(world: World,
                                                        therapist: FlaskClient) -> None:
    give_answer(world.assignment_a, "krachten", {"items": [
        {"category": "ik-ben", "text": "Ik <b>luister</b> goed"}]})
    with connected():
        goal = Goal.create(client=world.client_a, text="Weer <i>fietsen</i>")
        GoalStep.create(goal=goal, text="Banden oppompen", is_first=True, done=True)
        GoalStep.create(goal=goal, text="Een rondje", position=1)
        Strength.create(client=world.client_a, kind="skills", text="Koken")
    page = _record(therapist, world.client_a)
    goals = re.search(r'<section id="goals".*?</section>', page, re.S)
    assert goals is not None
    assert "Weer &lt;i&gt;fietsen&lt;/i&gt;" in goals.group(0)
    assert "done: </span><span class=\"th-text\">Banden oppompen" in goals.group(0)
    assert "to do: </span><span class=\"th-text\">Een rondje" in goals.group(0)
    assert "first step" in goals.group(0)
    strengths = re.search(r'<section id="strengths".*?</section>\s*</div>', page, re.S)
    assert strengths is not None
    assert "Ik &lt;b&gt;luister&lt;/b&gt; goed" in strengths.group(0)
    assert "Koken" in strengths.group(0)
    assert "I can…" in strengths.group(0)


def test_the_client_page_takes_the_same_number_of_queries_for_10_and_200_assignments(
    world: World, therapist: FlaskClient
) -> None:
    def grow(count: int) -> None:
        now = utcnow()
        with connected():
            Assignment.insert_many([{
                "client": world.client_a.id, "therapist": world.therapist.id,
                "module_version": voorbeeld().id, "status": AssignmentStatus.COMPLETED,
                "done_steps": ["welkom"], "assigned_at": now,
            } for _ in range(count)]).execute()
            fresh = list(Assignment.select().where(
                (Assignment.client == world.client_a)
                & Assignment.id.not_in(Answer.select(Answer.assignment))))
            add_answers(fresh, world.therapist, now)
            for assignment in fresh[:3]:
                goal = Goal.create(client=world.client_a, assignment=assignment,
                                   step_id="doel", text=f"Doel {assignment.id}")
                GoalStep.create(goal=goal, text="Stap")
            Strength.create(client=world.client_a, kind="skills", text="Koken")

    grow(9)
    _record(therapist, world.client_a)  # module content is loaded and cached once
    with connected(), counting_queries() as few:
        _record(therapist, world.client_a)
    grow(190)
    with connected(), counting_queries() as many:
        page = _record(therapist, world.client_a)
    assert page.count('class="th-assignment ') == 200
    assert "Alleen voor mij" not in page
    assert len(few) == len(many), (few, many)
    assert len(many) <= 20


def test_reading_the_record_writes_one_audit_event(world: World,
                                                   therapist: FlaskClient) -> None:
    before = len(events())
    response = therapist.get(f"/therapist/clients/{world.client_a.id}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert_one_event(before, world.therapist, "client.viewed", world.client_a, "client",
                     world.client_a.id)


def test_another_therapists_client_is_not_found_and_the_attempt_is_logged(
    app: Flask, world: World
) -> None:
    other = person(world, "other_therapist")
    before = len(events())
    response = browser(app, other).get(f"/therapist/clients/{world.client_a.id}")
    assert response.status_code == 404
    assert_one_event(before, other, "client.viewed", world.client_a, "client",
                     world.client_a.id, outcome="denied")


def test_a_therapist_of_another_organisation_gets_not_found(app: Flask, world: World) -> None:
    outsider = person(world, "other_org_therapist")
    with connected():
        # An assignment naming them does not open another organisation's client.
        Assignment.create(client=world.client_a, therapist=outsider,
                          module_version=voorbeeld())
    visitor = browser(app, outsider)
    before = len(events())
    assert visitor.get(f"/therapist/clients/{world.client_a.id}").status_code == 404
    # The attempt is in the log of the client's organisation (Zorg Oost), not in Zorg West's.
    event = assert_one_event(before, outsider, "client.viewed", world.client_a, "client",
                             world.client_a.id, outcome="denied")
    assert event.__data__["organisation"] == world.client_a.__data__["organisation"]
    caseload = visitor.get("/therapist/").get_data(as_text=True)
    assert f'href="/therapist/clients/{world.client_a.id}"' not in caseload
    assert "a@oost.example" not in caseload


def test_an_unknown_client_is_not_found_and_nothing_is_logged(world: World,
                                                              therapist: FlaskClient) -> None:
    before = len(events())
    assert therapist.get("/therapist/clients/999999").status_code == 404
    # A therapist is not a client: the same answer.
    assert therapist.get(f"/therapist/clients/{world.therapist.id}").status_code == 404
    assert len(events()) == before


def test_other_roles_are_refused_and_the_attempt_on_a_real_client_is_logged(
    app: Flask, world: World
) -> None:
    for role in ("client_b", "author", "admin", "other_admin"):
        user = person(world, role)
        before = len(events())
        response = browser(app, user).get(f"/therapist/clients/{world.client_a.id}")
        assert response.status_code == 403, role
        assert_one_event(before, user, "client.viewed", world.client_a, "client",
                         world.client_a.id, outcome="denied")
    with connected():
        assert AuditEvent.select().where(AuditEvent.outcome == "success").count() == 0


def test_a_client_moved_to_a_colleague_leaves_the_caseload_with_their_whole_record(
    app: Flask, world: World, therapist: FlaskClient
) -> None:
    colleague = person(world, "other_therapist")
    give_answer(world.assignment_a, "cijfer", {"value": 5})
    with connected():
        finished = Assignment.create(client=world.client_a, therapist=world.therapist,
                                     module_version=voorbeeld(),
                                     status=AssignmentStatus.COMPLETED)
        care.move_client(person(world, "admin"), world.client_a, colleague.id)
    assert therapist.get(f"/therapist/clients/{world.client_a.id}").status_code == 404
    assert "a@oost.example" not in therapist.get("/therapist/").get_data(as_text=True)
    page = _record(browser(app, colleague), world.client_a)
    assert page.count('class="th-assignment ') == 2  # the finished module too
    assert f'id="assignment-{finished.id}"' in page
    assert "Assigned by</dt><dd>t1</dd>" in page
    assert "Score: 5 of 10" in page


def test_a_client_who_finished_every_module_stays_on_the_caseload(
    world: World, therapist: FlaskClient
) -> None:
    with connected():
        Assignment.update(status=AssignmentStatus.COMPLETED).where(
            Assignment.id == world.assignment_a.id).execute()
    assert "a@oost.example" in _record(therapist, world.client_a)
    assert 'href="/therapist/clients/' in therapist.get("/therapist/").get_data(as_text=True)
