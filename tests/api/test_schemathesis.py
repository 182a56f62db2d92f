"""The API keeps the promises of its OpenAPI document, checked by schemathesis.

schemathesis reads ``/api/v1/openapi.json`` and sends every operation generated requests, valid
and invalid, as a signed-in client and as a visitor. Every answer must be a status the document
lists for that operation, in the documented content type and schema, and never a 5xx.

The run is bounded and repeatable: a fixed seed, derandomized generation, a few dozen generated
examples per operation (plus schemathesis's coverage cases) and no example database, so the same
requests go out on every machine. To search further, raise EXAMPLES_PER_OPERATION locally.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import Case
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.exceptions import HTTPException

from ehealth.api import bp as api_blueprint
from ehealth.database import connected
from ehealth.models import Assignment, AssignmentStatus
from tests.api.helpers import API
from tests.conftest import USE_POSTGRES, World, login

SEED = 20_260_301
EXAMPLES_PER_OPERATION = 30

# Each check named: no 5xx, only documented statuses, the documented content type, and bodies
# that match the documented schema.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]

WRITES = frozenset({"PUT", "POST", "PATCH", "DELETE"})

CONFIG = schemathesis.Config.from_dict({
    "seed": SEED,
    "generation": {
        "max-examples": EXAMPLES_PER_OPERATION,
        "deterministic": True,
        "database": "none",
        # The session cookie and the CSRF header are the test's to send: generated values
        # would replace the signed-in session with noise.
        "with-security-parameters": False,
    },
})


def _document_app() -> Flask:
    """An app with only the API blueprint: it serves the document without a database.

    schemathesis makes one test per operation when the tests are collected, before any
    fixture has built the real app (``schemathesis.pytest.from_fixture`` would wait for the
    fixture, but schemathesis 4.32 fails on pytest 9.2 there: it sets ``Function._nodeid``,
    which pytest no longer has). ``test_the_tested_document_is_the_one_the_app_serves`` checks
    that this is the real app's document.
    """
    app = Flask(__name__)
    app.register_blueprint(api_blueprint)
    return app


# schemathesis leaves out the operation that served the document unless a filter names it; here
# it is an operation of the API like the others.
SCHEMA = schemathesis.openapi.from_wsgi(
    f"{API}/openapi.json", _document_app(), config=CONFIG).include(path_regex=f"^{API}/")


# --- aiming at real objects -------------------------------------------------------------------

@dataclass
class RealObjects:
    """The current test's assignments: the world, and so the ids, are made anew per test."""

    own: int = 0
    closed: list[int] = field(default_factory=list)
    others: int = 0

    def assignment_ids(self) -> list[int]:
        """Mostly client A's open assignment, sometimes a paused or withdrawn one of theirs or
        client B's."""
        return [self.own] * 4 + self.closed + [self.others]


REAL = RealObjects()

# Every step of the fixture module tests/fixtures/modules/voorbeeld, answerable or not.
VOORBEELD_STEPS = ("welkom", "uitleg", "cijfer", "hulp", "tip", "krachten", "tevredenheid",
                   "terugblik", "doel", "samenvatting")
ANSWERABLE_STEPS = ("cijfer", "hulp", "krachten", "tevredenheid", "terugblik", "doel")

TEXT = st.text(max_size=40)
# Numbers as a form sends them, and text that str.isdigit() takes for one but int() does not.
NUMBER_TEXT = st.one_of(st.integers(-3, 12).map(str),
                        st.sampled_from(["", " 7 ", "x", "²", "--5", "1" * 30]))


def _one_of_now(values: Callable[[], list[Any]]) -> st.SearchStrategy[Any]:
    """One of ``values()``, looked up when drawn: the strategy is built once, at collection."""
    return st.integers(min_value=0, max_value=99).map(lambda index: (v := values())[index % len(v)])


def _object(required: dict[str, st.SearchStrategy[Any]],
            optional: dict[str, st.SearchStrategy[Any]] | None = None) -> st.SearchStrategy[Any]:
    return st.fixed_dictionaries(required, optional=optional or {})


# Answers in the shape of each answerable voorbeeld step, right or slightly wrong, so saves get
# past validation often enough to reach revisions, idempotency keys and goals.
ANSWERS: dict[str, st.SearchStrategy[Any]] = {
    "cijfer": _object({"value": st.one_of(st.none(), st.integers(-1, 11))},
                      {"follow_ups": st.dictionaries(st.sampled_from(["waarom", "hoger", "x"]),
                                                     TEXT, max_size=2)}),
    "hulp": _object({"selected": st.lists(st.sampled_from(["ja", "nee", "misschien"]),
                                          max_size=2)}),
    "krachten": _object({"items": st.lists(st.one_of(
        _object({"category": st.sampled_from(["ik-ben", "ik-heb", "ik-kan"]),
                 "suggestion": st.sampled_from(["humor", "wilskracht", "vrienden", "geduld"])},
                {"follow_up": TEXT}),
        _object({"category": st.sampled_from(["ik-ben", "ik-heb"]), "text": TEXT},
                {"follow_up": TEXT}),
    ), max_size=3)}),
    "tevredenheid": _object({"responses": st.dictionaries(
        st.sampled_from(["steun", "kunnen", "x"]), st.integers(-1, 5), max_size=2)}),
    "terugblik": _object({"answers": st.dictionaries(st.sampled_from(["trots", "x"]), TEXT,
                                                     max_size=1)},
                         {"private": st.booleans()}),
    "doel": _object({"goal": TEXT},
                    {"steps": st.lists(st.one_of(_object({"suggestion": st.just("bellen")}),
                                                 _object({"text": TEXT})), max_size=3),
                     "first_step": st.one_of(st.none(), st.integers(-1, 3)),
                     "date": st.one_of(st.none(), st.dates().map(str), TEXT)}),
}

# The player form's field names per answerable voorbeeld step (each step type's from_form).
FORM_FIELDS: dict[str, list[str]] = {
    "cijfer": ["value", "f.waarom", "f.hoger"],
    "hulp": ["selected"],
    "krachten": ["pick", "follow.ik-ben/humor", "own.ik-ben.1", "own.ik-heb.2",
                 "follow-own.ik-ben.1"],
    "tevredenheid": ["r.steun", "r.kunnen"],
    "terugblik": ["q.trots", "private"],
    "doel": ["goal", "step", "own-step.1", "own-step.2", "first", "date"],
}
FORM_VALUE = st.one_of(TEXT, NUMBER_TEXT, st.sampled_from(
    ["1", "ja", "nee", "ik-ben/humor", "ik-heb/vrienden", "ik-kan/x", "s:bellen", "o:1",
     "2030-05-01"]))


def _form(step_id: str) -> st.SearchStrategy[Any]:
    names = FORM_FIELDS[step_id]
    return st.dictionaries(st.sampled_from(names), st.lists(FORM_VALUE, min_size=1, max_size=2),
                           min_size=1, max_size=len(names))


def _with_body(case: Case, body: dict[str, Any]) -> Case:
    case.body = body
    return case


def _realistic_body(case: Case) -> st.SearchStrategy[Case] | None:
    """A body in the shape the step takes, for a save aimed at an answerable step."""
    step_id = case.path_parameters.get("step_id")
    if case.method.upper() != "PUT" or step_id not in ANSWERS:
        return None
    revision = st.sampled_from([0, 1, 2, 3, 0, 1])  # the stored one, mostly; sometimes stale
    if case.path.endswith("/form"):
        body = _object({"fields": _form(step_id), "revision": revision})
    else:
        body = _object({"value": ANSWERS[step_id], "revision": revision})
    return body.map(lambda value: _with_body(case, value))


@SCHEMA.hook
def before_generate_path_parameters(context: Any, strategy: st.SearchStrategy[Any]
                                    ) -> st.SearchStrategy[Any]:
    """Half of the path parameters name real objects; generated ids almost never would."""
    names = {parameter.name for parameter in context.operation.path_parameters}
    real: dict[str, st.SearchStrategy[Any]] = {}
    if "assignment_id" in names:
        real["assignment_id"] = _one_of_now(REAL.assignment_ids)
    if "step_id" in names:
        answers = "/answers/" in context.operation.path or context.operation.path.endswith("/form")
        # Where only answerable steps get past the 404, aim at those mostly.
        real["step_id"] = st.sampled_from(ANSWERABLE_STEPS * 3 + VOORBEELD_STEPS if answers
                                          else VOORBEELD_STEPS)
    if not real:
        return strategy
    return st.one_of(st.fixed_dictionaries(real), strategy)


@SCHEMA.hook
def flatmap_case(context: Any, case: Case) -> st.SearchStrategy[Case]:
    """Most saves aimed at an answerable step send an answer in that step's shape."""
    realistic = _realistic_body(case)
    if realistic is None:
        return st.just(case)
    return st.one_of(realistic, realistic, st.just(case))


BEYOND_ANY_ID = 2**63  # above SQLite's 64-bit and PostgreSQL's 32-bit (SERIAL) ids
# The largest id a row can have here: ids beyond it are refused before any view (404).
LARGEST_ID = 2**31 - 1 if USE_POSTGRES else 2**63 - 1


# --- the runs ---------------------------------------------------------------------------------

def _aim_at(world: World) -> None:
    """Client A's own assignment, a paused and a withdrawn one of theirs, and client B's."""
    with connected():
        version = world.assignment_a.module_version
        closed = [Assignment.create(client=world.client_a, therapist=world.therapist,
                                    module_version=version, status=status).id
                  for status in (AssignmentStatus.PAUSED, AssignmentStatus.WITHDRAWN)]
    REAL.own, REAL.closed, REAL.others = world.assignment_a.id, closed, world.assignment_b.id


@pytest.fixture
def signed_in(app: Flask, world: World, client: FlaskClient) -> FlaskClient:
    """Client A's browser, signed in; generated path parameters aim at their assignments."""
    _aim_at(world)
    login(client, world.client_a)
    return client


@pytest.fixture
def csrf_header(signed_in: FlaskClient) -> dict[str, str]:
    """The X-CSRFToken header, fetched from the API as the player's script does."""
    response = signed_in.get(f"{API}/csrf-token")
    assert response.status_code == 200
    return {"X-CSRFToken": response.get_json()["csrf_token"]}


@pytest.fixture
def visitor(app: Flask, world: World, client: FlaskClient) -> FlaskClient:
    """A browser that is not signed in, aiming at client A's assignments all the same."""
    _aim_at(world)
    return client


# One app, world and session serve all examples of one operation, as one client's session
# would; hypothesis's health check warns about function-scoped fixtures for that reason.
BOUNDED = settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture,
                                          HealthCheck.too_slow])


@SCHEMA.parametrize()
@BOUNDED
def test_a_signed_in_client_gets_only_documented_answers(
    case: Case, app: Flask, signed_in: FlaskClient, csrf_header: dict[str, str]
) -> None:
    headers = csrf_header if case.method.upper() in WRITES else None
    case.call_and_validate(session=signed_in, app=app, headers=headers, checks=CHECKS)


@SCHEMA.parametrize()
@BOUNDED
def test_a_visitor_gets_401_from_every_operation_but_the_document(
    case: Case, app: Flask, visitor: FlaskClient
) -> None:
    response = case.call_and_validate(session=visitor, app=app, checks=CHECKS)
    public = case.operation.definition.raw.get("security") == []
    if not public and _reaches_the_view(app, case):
        # Or input no operation can use, refused before the sign-in check: 400, or 404 for an
        # id no row can have (a write meets the CSRF check first, and so 401, before that).
        expected = {401, 400} | ({404} if _id_beyond_the_database(case) else set())
        assert response.status_code in expected, (case.method, case.formatted_path)
        if response.status_code == 400:
            assert response.json()["error"] == "bad_request"


def _id_beyond_the_database(case: Case) -> bool:
    raw = str(case.path_parameters.get("assignment_id", ""))
    return raw.isascii() and raw.isdigit() and int(raw) > LARGEST_ID


def _reaches_the_view(app: Flask, case: Case) -> bool:
    """Whether the request gets as far as the operation's view.

    Not when schemathesis probes another method (405, or Flask's own OPTIONS), nor when the
    path matches no route (``/assignments/abc`` is a 404 for everyone).
    """
    if case.method.upper() != case.operation.method.upper():
        return False
    try:
        app.url_map.bind("localhost").match(unquote(case.formatted_path), method=case.method)
    except HTTPException:
        return False
    return True


def test_the_tested_document_is_the_one_the_app_serves(client: FlaskClient) -> None:
    served = client.get(f"{API}/openapi.json").get_json()
    assert served == SCHEMA.raw_schema
    operations = [method for path in served["paths"].values() for method in path
                  if method != "parameters"]
    assert len(list(SCHEMA.get_all_operations())) == len(operations)


def test_a_nested_field_that_may_be_null_is_that_object_or_null() -> None:
    detail = SCHEMA.raw_schema["components"]["schemas"]["AssignmentDetail"]
    branches = detail["properties"]["resume"]["anyOf"]
    assert sorted(branches, key=str) == sorted([
        {"$ref": "#/components/schemas/Resume"},
        {"type": "object", "nullable": True, "enum": [None]},
    ], key=str)


# --- explicit cases, checked like the generated ones -------------------------------------------

def _call(app: Flask, browser: FlaskClient, headers: dict[str, str], method: str, path: str,
          body: Any = None, **path_parameters: Any) -> Any:
    operation = SCHEMA[f"{API}{path}"][method]
    with_body = {} if body is None else {"body": body, "media_type": "application/json"}
    case = operation.Case(path_parameters=path_parameters, **with_body)
    return case.call_and_validate(session=browser, app=app, headers=headers, checks=CHECKS)


def test_a_stale_form_save_answers_409_with_the_stored_answer_as_documented(
    app: Flask, signed_in: FlaskClient, csrf_header: dict[str, str]
) -> None:
    form = "/assignments/{assignment_id}/steps/{step_id}/form"
    first = _call(app, signed_in, csrf_header, "PUT", form,
                  {"fields": {"value": ["6"]}, "revision": 0}, assignment_id=REAL.own,
                  step_id="cijfer")
    assert first.status_code == 200
    stale = _call(app, signed_in, csrf_header, "PUT", form,
                  {"fields": {"value": ["7"]}, "revision": 0}, assignment_id=REAL.own,
                  step_id="cijfer")
    assert stale.status_code == 409
    assert stale.json()["current"]["revision"] == 1


def test_a_nul_character_in_the_address_is_400_as_documented(
    app: Flask, signed_in: FlaskClient
) -> None:
    # The generated requests carry no NUL in a path; a lone surrogate cannot be in a URL at all.
    response = _call(app, signed_in, {}, "GET", "/assignments/{assignment_id}/answers/{step_id}",
                     assignment_id=REAL.own, step_id="cij\x00fer")
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"


@pytest.mark.parametrize("path", ["/assignments/{assignment_id}/steps/{step_id}/visit",
                                  "/assignments/{assignment_id}/steps/{step_id}/done"])
def test_moving_on_in_a_paused_or_withdrawn_assignment_answers_409_as_documented(
    app: Flask, signed_in: FlaskClient, csrf_header: dict[str, str], path: str
) -> None:
    for assignment_id in REAL.closed:
        response = _call(app, signed_in, csrf_header, "POST", path,
                         assignment_id=assignment_id, step_id="welkom")
        assert response.status_code == 409
        assert response.json()["error"] == "assignment_closed"


# --- what the runs found, pinned down ----------------------------------------------------------

WRITES_TO_ASSIGNMENTS = [
    ("PUT", "/answers/cijfer", {"value": {"value": 5}, "revision": 0}),
    ("PUT", "/steps/cijfer/form", {"fields": {"value": ["5"]}, "revision": 0}),
    ("POST", "/steps/welkom/visit", None),
    ("POST", "/steps/welkom/done", None),
]


def test_a_write_to_an_id_beyond_the_database_is_404(
    signed_in: FlaskClient, csrf_header: dict[str, str]
) -> None:
    # Once a 405 (Allow: GET) where a GET shares the path: the int converter refused the id
    # after werkzeug had matched the path; now the input guard answers 404 before any view.
    for method, suffix, body in WRITES_TO_ASSIGNMENTS:
        response = signed_in.open(f"{API}/assignments/{BEYOND_ANY_ID}{suffix}", method=method,
                                  json=body, headers=csrf_header)
        assert response.status_code == 404, (method, suffix)
        assert response.get_json()["error"] == "not_found"


FORM_NUMBERS_INT_CANNOT_READ = [
    ("cijfer", {"value": ["²"]}),
    ("cijfer", {"value": ["--5"]}),
    ("tevredenheid", {"r.steun": ["-²"]}),
    ("doel", {"goal": ["Buiten zijn"], "own-step.²": ["Wandelen"]}),
]


def test_a_form_number_that_int_cannot_read_is_refused_or_kept_as_text(
    signed_in: FlaskClient, csrf_header: dict[str, str]
) -> None:
    for step_id, fields in FORM_NUMBERS_INT_CANNOT_READ:
        response = signed_in.put(f"{API}/assignments/{REAL.own}/steps/{step_id}/form",
                                 json={"fields": fields, "revision": 0}, headers=csrf_header)
        assert response.status_code in (200, 422), (step_id, fields, response.get_json())
