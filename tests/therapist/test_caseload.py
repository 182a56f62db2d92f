"""The caseload: a therapist sees their own clients at a glance, and nobody else's."""

from __future__ import annotations

import copy
import datetime as dt
import re

from flask import Flask
from flask.testing import FlaskClient

from ehealth.database import connected
from ehealth.models import (
    Answer,
    Assignment,
    AssignmentStatus,
    CareRelationship,
    CareRole,
    Feedback,
    Invitation,
    ModuleVersion,
    Organisation,
    Role,
    User,
    utcnow,
)
from tests.conftest import World
from tests.therapist.conftest import (
    add_clients,
    assert_one_event,
    browser,
    counting_queries,
    events,
    give_answer,
    in_care,
    person,
    voorbeeld,
)


def _names(page: str) -> list[str]:
    """The client names in the caseload table, in order."""
    return re.findall(r'<th scope="row" class="th-caseload__name"><a href="[^"]+">([^<]+)</a>',
                      page)


def _page(test_client: FlaskClient, query: str = "") -> str:
    response = test_client.get(f"/therapist/{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_caseload_lists_only_the_therapists_own_clients(
    app: Flask, world: World, therapist: FlaskClient
) -> None:
    with connected():
        west = Organisation.get(Organisation.slug == "zorg-west")
        stranger = User.create(organisation=west, email="stranger@west.example",
                               name="Stranger", role=Role.CLIENT)
        # Even an assignment naming our therapist, or a (corrupt) relationship across
        # organisations, does not make another organisation's client theirs.
        Assignment.create(client=stranger, therapist=world.therapist,
                          module_version=voorbeeld())
        CareRelationship.create(organisation=west, client=stranger, therapist=world.therapist,
                                role=CareRole.CO_THERAPIST)
        # An assignment alone (without a care relationship) does not either.
        loner = User.create(organisation=world.therapist.organisation,
                            email="loner@oost.example", name="Loner", role=Role.CLIENT)
        Assignment.create(client=loner, therapist=world.therapist, module_version=voorbeeld())
    names = _names(_page(therapist))
    assert names == ["a"]
    other = browser(app, person(world, "other_therapist"))
    assert _names(_page(other)) == ["b"]
    assert _names(_page(browser(app, person(world, "former_therapist")))) == []
    west_therapist = browser(app, person(world, "other_org_therapist"))
    assert _names(_page(west_therapist)) == ["c"]


def test_a_co_therapist_sees_the_client_marked_as_such(app: Flask, world: World) -> None:
    page = _page(browser(app, person(world, "co_therapist")))
    assert _names(page) == ["a"]
    assert "you are co-therapist" in page
    assert "you are co-therapist" not in _page(browser(app, world.therapist))


def test_progress_is_the_real_share_of_steps_done(world: World, therapist: FlaskClient) -> None:
    with connected():
        Assignment.update(done_steps=["welkom", "uitleg", "cijfer"]).where(
            Assignment.id == world.assignment_a.id).execute()
    page = _page(therapist)
    # "hulp" answered "nee": the experience tip stays hidden, so 9 steps are visible.
    give_answer(world.assignment_a, "hulp", {"selected": ["nee"]})
    page = _page(therapist)
    assert '<progress max="9" value="3"' in page
    assert "3 of 9 steps done" in page
    give_answer(world.assignment_a, "hulp", {"selected": ["ja"]})
    assert '<progress max="10" value="3"' in _page(therapist)


def test_a_client_who_accepted_the_therapists_invitation_is_listed_without_modules(
    world: World, therapist: FlaskClient
) -> None:
    with connected():
        new = User.create(organisation=world.therapist.organisation, email="new@oost.example",
                          name="Nieuw", role=Role.CLIENT)
        Invitation.create(organisation=world.therapist.organisation, email=new.email,
                          role=Role.CLIENT, therapist=world.therapist, token_hash="x" * 64,
                          expires_at=utcnow(), used_at=utcnow(), user=new)
    in_care(new, world.therapist)  # as accepting the invitation does
    page = _page(therapist)
    assert _names(page) == ["a", "Nieuw"]
    assert "No modules yet" in page


def test_clients_are_sorted_by_name_activity_inactivity_and_awaiting(
    world: World, therapist: FlaskClient
) -> None:
    now = utcnow()
    with connected():
        for name, days in (("Bas", 30), ("Cor", 2)):
            client = User.create(organisation=world.therapist.organisation,
                                 email=f"{name.lower()}@oost.example", name=name,
                                 role=Role.CLIENT)
            Assignment.create(client=client, therapist=world.therapist,
                              module_version=voorbeeld(), status=AssignmentStatus.ACTIVE,
                              last_activity_at=now - dt.timedelta(days=days))
            CareRelationship.create(organisation=client.organisation, client=client,
                                    therapist=world.therapist, role=CareRole.PRIMARY)
        Assignment.update(status=AssignmentStatus.ACTIVE,
                          last_activity_at=now - dt.timedelta(days=10)).where(
            Assignment.id == world.assignment_a.id).execute()
    give_answer(world.assignment_a, "cijfer", {"value": 6})  # a: active today, 1 waiting
    assert _names(_page(therapist)) == ["a", "Bas", "Cor"]
    assert _names(_page(therapist, "?dir=desc")) == ["Cor", "Bas", "a"]
    assert _names(_page(therapist, "?sort=activity&dir=desc")) == ["a", "Cor", "Bas"]
    assert _names(_page(therapist, "?sort=inactive&dir=desc")) == ["Bas", "Cor", "a"]
    assert _names(_page(therapist, "?sort=awaiting&dir=desc"))[0] == "a"
    page = _page(therapist, "?sort=inactive&dir=desc")
    heading = re.search(r'<th scope="col" aria-sort="(\w+)">\s*<a class="th-sort" '
                        r'href="([^"]+)">Days inactive', page)
    assert heading is not None
    assert heading.group(1) == "descending"
    assert heading.group(2) == "/therapist/?sort=inactive"  # the link turns the order round
    assert page.count("aria-sort=") == 1


def test_inactive_clients_are_marked_in_words_after_the_configured_days(
    app: Flask, world: World, therapist: FlaskClient
) -> None:
    now = utcnow()
    with connected():
        Assignment.update(status=AssignmentStatus.ACTIVE,
                          last_activity_at=now - dt.timedelta(days=15)).where(
            Assignment.id == world.assignment_a.id).execute()
    page = _page(therapist)
    assert 'class="th-row--inactive"' in page
    assert "15 days" in page
    assert ">inactive<" in page
    assert _names(_page(therapist, "?inactive=1")) == ["a"]
    app.config["THERAPIST_INACTIVE_DAYS"] = 20
    page = _page(therapist)
    assert "th-row--inactive" not in page
    assert _names(_page(therapist, "?inactive=1")) == []
    assert "quiet for more than 20 days" in page


def test_a_paused_or_completed_client_is_not_called_inactive(world: World,
                                                             therapist: FlaskClient) -> None:
    with connected():
        Assignment.update(status=AssignmentStatus.PAUSED,
                          last_activity_at=utcnow() - dt.timedelta(days=90)).where(
            Assignment.id == world.assignment_a.id).execute()
    page = _page(therapist)
    assert "th-row--inactive" not in page
    assert "no open module" in page


def test_answers_await_feedback_until_the_therapist_replies_and_again_when_changed(
    world: World, therapist: FlaskClient
) -> None:
    give_answer(world.assignment_a, "cijfer", {"value": 4})
    give_answer(world.assignment_a, "terugblik", {"answers": {"trots": "Geheim"}}, private=True)
    assert "1 answer<" in _page(therapist)  # the private answer is not counted
    assert _names(_page(therapist, "?awaiting=1")) == ["a"]
    with connected():
        answer = Answer.get((Answer.assignment == world.assignment_a)
                            & (Answer.step_id == "cijfer"))
        Feedback.create(answer=answer, therapist=world.therapist, body="Goed zo",
                        created_at=utcnow() + dt.timedelta(seconds=1))
    assert _names(_page(therapist, "?awaiting=1")) == []
    with connected():
        Answer.update(updated_at=utcnow() + dt.timedelta(seconds=5)).where(
            Answer.id == answer.id).execute()
    assert _names(_page(therapist, "?awaiting=1")) == ["a"]


def test_only_answers_to_feedback_moments_await_feedback(world: World,
                                                         therapist: FlaskClient) -> None:
    # "hulp" (a choice) and "tevredenheid" are no feedback moments; "cijfer" is one.
    give_answer(world.assignment_a, "hulp", {"selected": ["ja"]})
    give_answer(world.assignment_a, "tevredenheid", {"responses": {"steun": 3}})
    assert _names(_page(therapist, "?awaiting=1")) == []
    assert "answer<" not in _page(therapist)
    give_answer(world.assignment_a, "cijfer", {"value": 5})
    assert _names(_page(therapist, "?awaiting=1")) == ["a"]
    assert "1 answer<" in _page(therapist)


def test_feedback_moments_are_read_per_module_version(world: World,
                                                      therapist: FlaskClient) -> None:
    """A later version may mark other steps: each answer counts by its own version's steps."""
    with connected():
        current = voorbeeld()
        content = copy.deepcopy(current.content)
        for step in content["lessons"]["begin"]["steps"]:
            if step["id"] == "cijfer":
                del step["feedback"]
            if step["id"] == "hulp":
                step["feedback"] = True
        content["module"]["version"] = "1.1.0"
        later = ModuleVersion.create(module_id="voorbeeld", version="1.1.0",
                                     content_hash="later", content=content)
        Assignment.update(module_version=later).where(
            Assignment.id == world.assignment_a.id).execute()
    give_answer(world.assignment_a, "cijfer", {"value": 5})
    assert _names(_page(therapist, "?awaiting=1")) == []
    give_answer(world.assignment_a, "hulp", {"selected": ["ja"]})
    assert _names(_page(therapist, "?awaiting=1")) == ["a"]
    assert "1 answer<" in _page(therapist)


def test_search_finds_clients_by_name_or_email(world: World, therapist: FlaskClient) -> None:
    add_clients(world.therapist, 3, prefix="zoek", answers=False)
    assert _names(_page(therapist, "?q=Zoek+0001")) == ["Zoek 0001"]
    assert _names(_page(therapist, "?q=a%40oost")) == ["a"]
    assert "No clients match" in _page(therapist, "?q=nobody")


def test_the_caseload_shows_25_clients_a_page(world: World, therapist: FlaskClient) -> None:
    add_clients(world.therapist, 30, answers=False)
    first = _page(therapist)
    assert len(_names(first)) == 25
    assert "Clients 1–25 of 31" in first
    assert 'href="/therapist/?page=2" rel="next"' in first
    second = _page(therapist, "?page=2")
    assert len(_names(second)) == 6
    assert set(_names(first)).isdisjoint(_names(second))
    assert 'aria-current="page"' in second
    assert len(_names(_page(therapist, "?page=99"))) == 6  # past the end: the last page
    assert len(_names(_page(therapist, "?page=x"))) == 25


def test_the_caseload_takes_the_same_number_of_queries_for_10_and_200_clients(
    world: World, therapist: FlaskClient
) -> None:
    add_clients(world.therapist, 9, prefix="first", days_quiet=20)
    _page(therapist)  # module content is loaded and cached once
    counts = {}
    for clients, query in ((10, ""), (10, "?sort=awaiting&inactive=1")):
        with connected(), counting_queries() as statements:
            _page(therapist, query)
        counts[(clients, query)] = len(statements)
    add_clients(world.therapist, 190, prefix="more", days_quiet=20)
    for clients, query in ((200, ""), (200, "?sort=awaiting&inactive=1")):
        with connected(), counting_queries() as statements:
            page = _page(therapist, query)
        counts[(clients, query)] = len(statements)
    assert "of 200" in page or "of 199" in page
    assert counts[(10, "")] == counts[(200, "")], counts
    assert counts[(10, "?sort=awaiting&inactive=1")] == counts[(200, "?sort=awaiting&inactive=1")]
    assert counts[(200, "")] <= 15, counts


def test_viewing_the_caseload_writes_one_audit_event(world: World,
                                                     therapist: FlaskClient) -> None:
    before = len(events())
    response = therapist.get("/therapist/")
    assert response.headers["Cache-Control"] == "no-store"
    assert_one_event(before, world.therapist, "caseload.viewed", None, "caseload",
                     world.therapist.id)


def test_other_roles_cannot_open_the_caseload(app: Flask, world: World) -> None:
    for role in ("client_a", "author", "admin", "other_admin"):
        assert browser(app, person(world, role)).get("/therapist/").status_code == 403
    response = browser(app).get("/therapist/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_page_number_that_is_no_number_shows_the_first_page(
    world: World, therapist: FlaskClient
) -> None:
    for page in ("%C2%B2", "9" * 5000, "-1", "0", "1e3", "99999999999999999999999"):
        assert _names(_page(therapist, f"?page={page}")) == ["a"], page


def test_a_long_caseload_links_the_first_last_and_nearby_pages(
    world: World, therapist: FlaskClient
) -> None:
    add_clients(world.therapist, 300, answers=False)
    page = _page(therapist, "?page=6")
    numbers = re.findall(r'<span class="visually-hidden">Page </span>(\d+)</a>', page)
    assert numbers == ["1", "4", "5", "6", "7", "8", "13"]
    assert page.count('class="th-pages__gap"') == 2
