"""A private answer is the client's alone: no sharing function ever returns it."""

from __future__ import annotations

from ehealth.database import connected
from ehealth.services.sharing import shared_answer, shared_answers, shared_values
from tests.api.helpers import VALID_ANSWERS, ApiClient
from tests.conftest import World

PRIVATE = {"answers": {"trots": "Dit houd ik voor mezelf."}, "private": True}


def test_a_private_answer_is_never_shared(api: ApiClient, world: World) -> None:
    assert api.put_answer("cijfer", VALID_ANSWERS["cijfer"]).status_code == 200
    assert api.put_answer("terugblik", PRIVATE).status_code == 200
    with connected():
        assert set(shared_answers(world.assignment_a)) == {"cijfer"}
        assert shared_answer(world.assignment_a, "terugblik") is None
        assert shared_answer(world.assignment_a, "cijfer") is not None
        assert set(shared_values(world.assignment_a)) == {"cijfer"}
    own = [a["step_id"] for a in api.get(api.url("/answers")).get_json()["answers"]]
    assert own == ["cijfer", "terugblik"]  # the client still sees their own private answer


def test_an_answer_made_private_later_stops_being_shared(api: ApiClient, world: World) -> None:
    shared = {"answers": {"trots": "Dit mag mijn behandelaar lezen."}, "private": False}
    assert api.put_answer("terugblik", shared).status_code == 200
    with connected():
        answer = shared_answer(world.assignment_a, "terugblik")
        assert answer is not None
        assert answer.value == {"answers": {"trots": "Dit mag mijn behandelaar lezen."}}
    assert api.put_answer("terugblik", PRIVATE, revision=1).status_code == 200
    with connected():
        assert shared_answer(world.assignment_a, "terugblik") is None
        assert shared_answers(world.assignment_a) == {}
        assert shared_values(world.assignment_a) == {}


def test_sharing_covers_only_the_assignment_asked_about(api: ApiClient, world: World) -> None:
    assert api.put_answer("cijfer", VALID_ANSWERS["cijfer"]).status_code == 200
    with connected():
        assert shared_answers(world.assignment_b) == {}
        assert shared_answer(world.assignment_b, "cijfer") is None
