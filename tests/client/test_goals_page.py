"""'Mijn doelen': goals from modules and the client's own, with small steps to tick off."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ehealth.database import connected
from ehealth.models import (
    Answer,
    Assignment,
    AssignmentStatus,
    Goal,
    GoalStatus,
    GoalStep,
    User,
)
from ehealth.services.answers import StaleRevision, save_answer
from tests.conftest import World, csrf_token, login

GOAL = {
    "goal": "Weer vaker met vrienden afspreken",
    "steps": [{"suggestion": "bellen"}, {"text": "Een berichtje sturen"}],
    "first_step": 0,
    "date": "2026-06-01",
}


@pytest.fixture
def browser(client: FlaskClient, world: World) -> FlaskClient:
    """Client A (account in Dutch), signed in, reading the pages in English: module titles too."""
    client.set_cookie("lang", "en")  # the interface language switch
    login(client, world.client_a)
    return client


def save_goal(assignment: Assignment, value: dict[str, Any], base: int = 0) -> Answer:
    with connected():
        return save_answer(assignment, "doel", value, base_revision=base)


def goal_answer(assignment: Assignment) -> Answer:
    with connected():
        answer: Answer = Answer.get((Answer.assignment == assignment)
                                    & (Answer.step_id == "doel"))
    return answer


def goal_of(user: User, text: str | None = None) -> Goal:
    with connected():
        query = Goal.select().where(Goal.client == user)
        if text is not None:
            query = query.where(Goal.text == text)
        goal: Goal = query.get()
    return goal


def steps(goal: Goal) -> list[GoalStep]:
    with connected():
        return list(GoalStep.select().where(GoalStep.goal == goal)
                    .order_by(GoalStep.position, GoalStep.id))


def step_named(goal: Goal, text: str) -> GoalStep:
    return next(step for step in steps(goal) if step.text == text)


def post(browser: FlaskClient, path: str, **form: str) -> Any:
    return browser.post(path, data={**form, "csrf_token": csrf_token(browser, "/goals")})


def card(page: str, goal: Goal) -> str:
    """The HTML of one goal on the page."""
    match = re.search(rf'<article[^>]*id="goal-{goal.id}".*?</article>', page, re.S)
    assert match, f"goal {goal.id} not on the page"
    return match.group(0)


def test_a_goal_from_a_module_appears_with_its_module_steps_and_first_step(
    browser: FlaskClient, world: World
) -> None:
    save_goal(world.assignment_a, GOAL)
    page = browser.get("/goals").get_data(as_text=True)
    goal = card(page, goal_of(world.client_a))
    assert "Weer vaker met vrienden afspreken" in goal
    assert "From the module “One small step”" in goal  # the page's language
    assert "Iemand bellen" in goal  # the suggested step's label, as stored (account language)
    assert "Een berichtje sturen" in goal
    assert re.search(r"Your first step:</strong> Iemand bellen,\s*on June 1, 2026", goal)
    assert re.search(r"Iemand bellen</span>\s*<span class=\"cp-goal-step__first\">first step", goal)
    assert goal.count("June 1, 2026") == 1  # the goal's date is the first step's: said once


def test_an_empty_page_invites_warmly(browser: FlaskClient) -> None:
    page = browser.get("/goals").get_data(as_text=True)
    assert "You have no goals yet." in page
    assert "Add a goal of your own" in page


def test_ticking_a_step_off_shows_a_check_mark_and_the_word_done(
    browser: FlaskClient, world: World
) -> None:
    save_goal(world.assignment_a, GOAL)
    goal = goal_of(world.client_a)
    call = step_named(goal, "Iemand bellen")
    page = browser.get("/goals").get_data(as_text=True)
    assert "Tick off step<span class=\"visually-hidden\">: Iemand bellen</span>" in page
    response = post(browser, f"/goals/steps/{call.id}/done", done="yes")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/goals#goal-{goal.id}")
    assert step_named(goal, "Iemand bellen").done
    page = browser.get("/goals").get_data(as_text=True)
    item = re.search(rf'<li[^>]*id="step-{call.id}".*?</li>', page, re.S)
    assert item
    assert "✓" in item.group(0)
    assert '<span class="cp-goal-step__status">done</span>' in item.group(0)
    assert "Step done. Every step counts!" in page

    assert post(browser, f"/goals/steps/{call.id}/done", done="no").status_code == 303
    undone = step_named(goal, "Iemand bellen")
    assert not undone.done
    assert undone.done_at is None


def test_the_client_adds_changes_and_removes_steps_of_their_own_goal(
    browser: FlaskClient, world: World
) -> None:
    response = post(browser, "/goals", text="Elke dag even naar buiten", date="2026-05-01")
    assert response.status_code == 303
    goal = goal_of(world.client_a)
    assert goal.target_date == dt.date(2026, 5, 1)
    assert goal.assignment is None

    assert post(browser, f"/goals/{goal.id}/steps", text="Schoenen klaarzetten").status_code == 303
    assert post(browser, f"/goals/{goal.id}/steps", text="Rondje om het blok").status_code == 303
    assert [s.text for s in steps(goal)] == ["Schoenen klaarzetten", "Rondje om het blok"]

    shoes = step_named(goal, "Schoenen klaarzetten")
    assert post(browser, f"/goals/steps/{shoes.id}", text="Jas en schoenen klaarzetten"
                ).status_code == 303
    assert post(browser, f"/goals/steps/{step_named(goal, 'Rondje om het blok').id}/remove"
                ).status_code == 303
    assert [s.text for s in steps(goal)] == ["Jas en schoenen klaarzetten"]
    page = browser.get("/goals").get_data(as_text=True)
    assert "Your own goal" in card(page, goal)
    assert "Jas en schoenen klaarzetten" in card(page, goal)


def test_the_same_step_twice_is_refused_kindly(browser: FlaskClient, world: World) -> None:
    post(browser, "/goals", text="Beter slapen")
    goal = goal_of(world.client_a)
    post(browser, f"/goals/{goal.id}/steps", text="Om elf uur naar bed")
    response = post(browser, f"/goals/{goal.id}/steps", text="om elf uur naar bed ")
    assert response.status_code == 422
    assert "This step is already on your list." in response.get_data(as_text=True)
    assert len(steps(goal)) == 1


def test_a_step_added_to_a_module_goal_goes_into_the_module_answer(
    browser: FlaskClient, world: World
) -> None:
    first = save_goal(world.assignment_a, GOAL)
    goal = goal_of(world.client_a)
    assert post(browser, f"/goals/{goal.id}/steps", text="Koffie drinken met Sam"
                ).status_code == 303
    answer = goal_answer(world.assignment_a)
    assert answer.revision == first.revision + 1
    assert answer.value["steps"][-1] == {"text": "Koffie drinken met Sam"}
    assert "Koffie drinken met Sam" in [s.text for s in steps(goal)]
    # The module saves again (from the answer as it is now): the step stays.
    save_goal(world.assignment_a, answer.value, base=answer.revision)
    assert "Koffie drinken met Sam" in [s.text for s in steps(goal)]
    # An older tab of the module cannot silently undo it.
    with pytest.raises(StaleRevision):
        save_goal(world.assignment_a, GOAL, base=first.revision)


def test_renaming_a_module_step_keeps_its_tick_and_changes_the_answer(
    browser: FlaskClient, world: World
) -> None:
    save_goal(world.assignment_a, GOAL)
    goal = goal_of(world.client_a)
    call = step_named(goal, "Iemand bellen")
    post(browser, f"/goals/steps/{call.id}/done", done="yes")
    response = post(browser, f"/goals/steps/{call.id}", text="Mijn zus bellen")
    assert response.status_code == 303
    renamed = step_named(goal, "Mijn zus bellen")
    assert renamed.id == call.id
    assert renamed.done
    assert renamed.is_first
    assert renamed.planned_for == dt.date(2026, 6, 1)
    value = goal_answer(world.assignment_a).value
    assert value["steps"] == [{"text": "Mijn zus bellen"}, {"text": "Een berichtje sturen"}]
    assert value["first_step"] == 0


def test_removing_the_first_step_of_a_module_goal_updates_the_answer(
    browser: FlaskClient, world: World
) -> None:
    save_goal(world.assignment_a, {**GOAL, "first_step": 1})
    goal = goal_of(world.client_a)
    assert post(browser, f"/goals/steps/{step_named(goal, 'Iemand bellen').id}/remove"
                ).status_code == 303
    value = goal_answer(world.assignment_a).value
    assert value["steps"] == [{"text": "Een berichtje sturen"}]
    assert value["first_step"] == 0
    assert [s.text for s in steps(goal)] == ["Een berichtje sturen"]
    assert step_named(goal, "Een berichtje sturen").is_first


def test_changing_a_module_goal_changes_the_module_answer(
    browser: FlaskClient, world: World
) -> None:
    first = save_goal(world.assignment_a, GOAL)
    goal = goal_of(world.client_a)
    response = post(browser, f"/goals/{goal.id}", text="Eén keer per week afspreken",
                    date="15-06-2026")
    assert response.status_code == 303
    answer = goal_answer(world.assignment_a)
    assert answer.revision == first.revision + 1
    assert answer.value["goal"] == "Eén keer per week afspreken"
    assert answer.value["date"] == "2026-06-15"
    changed = goal_of(world.client_a)
    assert changed.text == "Eén keer per week afspreken"
    assert changed.target_date == dt.date(2026, 6, 15)


def test_a_goal_from_a_withdrawn_module_still_changes_and_the_answer_stays(
    browser: FlaskClient, world: World
) -> None:
    first = save_goal(world.assignment_a, GOAL)
    with connected():
        Assignment.update(status=AssignmentStatus.WITHDRAWN).where(
            Assignment.id == world.assignment_a.id).execute()
    goal = goal_of(world.client_a)
    assert post(browser, f"/goals/{goal.id}", text="Mijn eigen versie", date="").status_code == 303
    assert post(browser, f"/goals/{goal.id}/steps", text="Nieuwe stap").status_code == 303
    assert goal_of(world.client_a).text == "Mijn eigen versie"
    assert "Nieuwe stap" in [s.text for s in steps(goal)]
    answer = goal_answer(world.assignment_a)
    assert (answer.revision, answer.value["goal"]) == (first.revision, GOAL["goal"])


def test_an_unclear_date_is_shown_again_with_the_words_kept(
    browser: FlaskClient, world: World
) -> None:
    response = post(browser, "/goals", text="Een cursus zoeken", date="volgend jaar")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "We could not read this date." in page
    assert 'value="Een cursus zoeken"' in page
    assert 'value="volgend jaar"' in page
    with connected():
        assert not Goal.select().exists()


def test_a_goal_without_words_is_refused(browser: FlaskClient) -> None:
    response = post(browser, "/goals", text="   ")
    assert response.status_code == 422
    assert "Write a few words" in response.get_data(as_text=True)


def test_a_reached_goal_stays_visible_under_achievements_with_its_date(
    browser: FlaskClient, world: World
) -> None:
    save_goal(world.assignment_a, GOAL)
    goal = goal_of(world.client_a)
    response = post(browser, f"/goals/{goal.id}/reached", reached="yes")
    assert response.status_code == 303
    reached = goal_of(world.client_a)
    assert reached.status == GoalStatus.REACHED
    assert reached.reached_at is not None
    page = browser.get("/goals").get_data(as_text=True)
    achievements = page[page.index('id="reached-heading"'):]
    assert "Achievements" in achievements
    assert "Weer vaker met vrienden afspreken" in achievements
    today = reached.reached_at.date()
    assert f"Reached on {today:%B} {today.day}, {today.year}" in achievements
    assert "Well done! You reached this goal." in achievements
    assert "Not reached after all" in achievements

    assert post(browser, f"/goals/{goal.id}/reached", reached="no").status_code == 303
    reopened = goal_of(world.client_a)
    assert reopened.status == GoalStatus.ACTIVE
    assert reopened.reached_at is None
    assert 'id="reached-heading"' not in browser.get("/goals").get_data(as_text=True)


def test_an_own_goal_can_be_removed_but_a_goal_from_a_module_stays(
    browser: FlaskClient, world: World
) -> None:
    save_goal(world.assignment_a, GOAL)
    post(browser, "/goals", text="Gitaar leren spelen")
    own = goal_of(world.client_a, "Gitaar leren spelen")
    post(browser, f"/goals/{own.id}/steps", text="Een gitaar lenen")
    assert post(browser, f"/goals/{own.id}/remove").status_code == 303
    with connected():
        assert Goal.get_or_none(Goal.id == own.id) is None
        assert not GoalStep.select().where(GoalStep.goal == own.id).exists()
    from_module = goal_of(world.client_a)
    assert post(browser, f"/goals/{from_module.id}/remove").status_code == 409
    assert goal_of(world.client_a).id == from_module.id


def test_another_clients_goal_never_shows_and_cannot_be_touched(
    browser: FlaskClient, world: World
) -> None:
    save_goal(world.assignment_b, {**GOAL, "goal": "Het doel van B"})
    client_b = world.people["client_b"]
    assert client_b is not None
    theirs = goal_of(client_b)
    their_step = steps(theirs)[0]
    assert "Het doel van B" not in browser.get("/goals").get_data(as_text=True)
    attempts = [
        (f"/goals/{theirs.id}", {"text": "weg"}),
        (f"/goals/{theirs.id}/reached", {"reached": "yes"}),
        (f"/goals/{theirs.id}/remove", {}),
        (f"/goals/{theirs.id}/steps", {"text": "nog een"}),
        (f"/goals/steps/{their_step.id}", {"text": "weg"}),
        (f"/goals/steps/{their_step.id}/done", {"done": "yes"}),
        (f"/goals/steps/{their_step.id}/remove", {}),
    ]
    for path, form in attempts:
        assert post(browser, path, **form).status_code == 404, path
    unchanged = goal_of(client_b)
    assert (unchanged.text, unchanged.status) == ("Het doel van B", GoalStatus.ACTIVE)
    assert [(s.text, s.done) for s in steps(theirs)] == [
        ("Iemand bellen", False), ("Een berichtje sturen", False)]
    assert goal_answer(world.assignment_b).revision == 1


@pytest.mark.parametrize("role", ["own_therapist", "other_therapist", "author", "admin"])
def test_only_clients_have_a_goals_page(app: Flask, world: World, role: str) -> None:
    staff = app.test_client()
    staff.environ_base["HTTP_REFERER"] = "https://localhost/"
    user = world.people[role]
    assert isinstance(user, User)
    login(staff, user)
    assert staff.get("/goals").status_code == 403
    token = csrf_token(staff)
    assert staff.post("/goals", data={"text": "x", "csrf_token": token}).status_code == 403


def test_the_page_is_accessible_and_not_cached(browser: FlaskClient, world: World) -> None:
    save_goal(world.assignment_a, GOAL)
    post(browser, "/goals", text="Gitaar leren spelen")
    post(browser, f"/goals/{goal_of(world.client_a).id}/reached", reached="yes")
    response = browser.get("/goals")
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "<script" not in page
    assert " style=" not in page
    assert page.count('name="csrf_token"') == page.count("<form")
    fields = re.findall(r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*id="([^"]+)"',
                        page)
    assert fields
    for field_id in fields:
        assert f'for="{field_id}"' in page, field_id
    levels = [int(level) for level in re.findall(r"<h([1-6])", page)]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))
