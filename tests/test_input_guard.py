"""The request-level guards of ``ehealth.input_guard``: each bad input seen in the wild is a 4xx
that says what was wrong, on SQLite and on PostgreSQL, never a 500.

Findings of issue 7, section 5: ids above 2^63 (SQLite overflowed), JSON nested thousands deep
(the parser's RecursionError), a lone UTF-16 surrogate and a NUL character (PostgreSQL refuses
both, also on the anonymous /login and /password/forgot). The audit-log dates and the player's
revision have their own tests under tests/admin and tests/client.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask, render_template
from flask.testing import FlaskClient
from werkzeug.exceptions import (
    HTTPException,
    RequestEntityTooLarge,
    TooManyRequests,
    UnsupportedMediaType,
)

from ehealth.database import connected
from ehealth.input_guard import (
    INT4_MAX,
    INT8_MAX,
    MAX_JSON_DEPTH,
    UnsafeJSON,
    check_document,
    parse_id,
    positive_number,
)
from ehealth.models import Answer, User
from tests.conftest import PASSWORD, World, csrf_token, login


def _browser(app: Flask, user: User | None = None, language: str = "en") -> FlaskClient:
    test_client = app.test_client()
    test_client.environ_base["HTTP_REFERER"] = "https://localhost/"
    test_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    test_client.set_cookie("lang", language)  # goes before a signed-in account's language
    if user is not None:
        login(test_client, user)
    return test_client


@pytest.fixture
def client_a(app: Flask, world: World) -> FlaskClient:
    """Client A, signed in, reading English pages."""
    return _browser(app, world.client_a)


def _answer_url(world: World, step_id: str = "terugblik") -> str:
    return f"/api/v1/assignments/{world.assignment_a.id}/answers/{step_id}"


def _put_json(test_client: FlaskClient, url: str, body: str) -> Any:
    return test_client.put(url, data=body, content_type="application/json",
                           headers={"X-CSRFToken": csrf_token(test_client)})


def _reflection(text_json: str) -> str:
    """A save of the reflection step whose answer is ``text_json`` (JSON text, escapes kept)."""
    return '{"value": {"answers": {"trots": ' + text_json + '}}, "revision": 0}'


def _nothing_stored(world: World) -> bool:
    with connected():
        return not Answer.select().where(Answer.assignment == world.assignment_a).exists()


# --- ids beyond the database's integer range ----------------------------------------------------

BEYOND = [2**63, 2**64, 10**30, int("9" * 400)]


@pytest.mark.parametrize("number", [*BEYOND, INT8_MAX], ids=lambda n: f"{len(str(n))}-digits")
@pytest.mark.parametrize(("role", "template"), [
    ("client_a", "/assignments/{}"),
    ("client_a", "/api/v1/assignments/{}"),
    ("own_therapist", "/therapist/clients/{}"),
    ("admin", "/admin/people/{}"),
])
def test_an_id_beyond_the_database_range_is_not_found(
    app: Flask, world: World, role: str, template: str, number: int
) -> None:
    user = world.people[role]
    assert user is not None
    response = _browser(app, user).get(template.format(number))
    assert response.status_code == 404
    if template.startswith("/api/"):
        assert response.get_json()["error"] == "not_found"


def test_a_post_to_an_id_beyond_the_range_is_not_found(
    client_a: FlaskClient, world: World
) -> None:
    token = csrf_token(client_a)
    for path in (f"/goals/{2**63}", f"/strengths/{2**64}/remove",
                 f"/strengths/modules/{2**63}/krachten/{2**63}",
                 f"/assignments/{2**63}/steps/cijfer"):  # a path a GET route shares
        assert client_a.post(path, data={"csrf_token": token, "text": "x"}).status_code == 404


@pytest.mark.parametrize("number", [2**31, 2**63, 10**30, int("9" * 400)],
                         ids=lambda n: f"{len(str(n))}-digits")
def test_a_write_to_an_id_beyond_the_range_is_not_found_even_where_a_get_shares_the_path(
    client_a: FlaskClient, world: World, number: int
) -> None:
    # werkzeug answers 405 when a converter refuses the id and another method's route remains.
    url = f"/api/v1/assignments/{number}/answers/cijfer"
    response = client_a.put(url, json={"value": {"value": 5}, "revision": 0},
                            headers={"X-CSRFToken": csrf_token(client_a)})
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_digits_of_other_scripts_are_no_id(client_a: FlaskClient, world: World) -> None:
    assert client_a.get(f"/assignments/{world.assignment_a.id}").status_code == 302
    assert client_a.get("/assignments/%D9%A1").status_code == 404  # "١", Arabic-Indic one


def test_ids_are_bounded_by_what_the_database_can_hold(app: Flask) -> None:
    with app.test_request_context():
        assert parse_id("7") == 7
        assert parse_id(str(INT4_MAX)) == INT4_MAX
        for raw in ("", "0", "-1", "abc", "²", "٣", "1.5", " 7", "9" * 5000, str(2**63)):
            assert parse_id(raw) is None, raw
        assert positive_number("999999", 999_999) == 999_999
        assert positive_number("1000000", 999_999) is None


# --- JSON bodies ------------------------------------------------------------------------------

def _nested(depth: int, opener: str = "[", closer: str = "]") -> str:
    return opener * depth + closer * depth


@pytest.mark.parametrize("body", [
    _nested(10_000),
    '{"a":' * 10_000 + "1" + "}" * 10_000,
    '{"value": {"answers": ' + _nested(5_000) + '}, "revision": 0}',
    _nested(MAX_JSON_DEPTH + 1),
], ids=["arrays-10000", "objects-10000", "inside-a-field", "one-level-too-many"])
def test_json_nested_too_deep_is_a_400_in_the_api_error_format(
    client_a: FlaskClient, world: World, body: str
) -> None:
    response = _put_json(client_a, _answer_url(world), body)
    assert response.status_code == 400
    assert response.get_json() == {
        "error": "bad_request",
        "message": f"The JSON in the request is nested too deeply: at most {MAX_JSON_DEPTH} "
                   "levels."}
    assert _nothing_stored(world)


def test_json_within_the_depth_limit_is_read_as_usual(client_a: FlaskClient, world: World) -> None:
    response = _put_json(client_a, _answer_url(world), _nested(MAX_JSON_DEPTH))
    assert response.status_code == 422  # read, and refused by the schema: not an object


@pytest.mark.parametrize("text", [r'"\ud800"', r'"half \udfff a pair"', r'"a\u0000b"'],
                         ids=["high-surrogate", "low-surrogate", "nul"])
def test_a_lone_surrogate_or_nul_in_json_is_a_400_and_nothing_is_stored(
    client_a: FlaskClient, world: World, text: str
) -> None:
    response = _put_json(client_a, _answer_url(world), _reflection(text))
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "bad_request"
    assert "null character" in body["message"]
    assert "lone surrogate" in body["message"]
    assert _nothing_stored(world)


def test_a_lone_surrogate_in_a_json_key_is_a_400(client_a: FlaskClient, world: World) -> None:
    body = '{"fields": {"q.trots\\ud800": ["x"]}, "revision": 0}'
    url = f"/api/v1/assignments/{world.assignment_a.id}/steps/terugblik/form"
    assert _put_json(client_a, url, body).status_code == 400


def test_a_surrogate_pair_in_json_is_an_ordinary_character(
    client_a: FlaskClient, world: World
) -> None:
    response = _put_json(client_a, _answer_url(world), _reflection(r'"sterk \ud83d\udcaa"'))
    assert response.status_code == 200
    with connected():
        answer = Answer.get(Answer.assignment == world.assignment_a)
    assert answer.value["answers"]["trots"] == "sterk 💪"


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_a_number_that_is_not_finite_in_json_is_a_400(
    client_a: FlaskClient, world: World, number: str
) -> None:
    body = '{"value": {"value": ' + number + ', "follow_ups": {}}, "revision": 0}'
    response = _put_json(client_a, _answer_url(world, "cijfer"), body)
    assert response.status_code == 400
    assert "not finite" in response.get_json()["message"]


def test_json_that_does_not_parse_says_so(client_a: FlaskClient, world: World) -> None:
    for body in ('{"value": ', "\xff\xfe", "[1, 2,]"):
        response = _put_json(client_a, _answer_url(world), body)
        assert response.status_code == 400
        assert response.get_json()["message"] == "The body of the request is not valid JSON."


@pytest.mark.parametrize("body", [
    '{"email": 5, "name": ["a"], "role": {}, "language": null}', _nested(10_000), "[1, 2]",
])
def test_json_sent_to_a_page_is_a_415_that_says_pages_take_forms(
    app: Flask, world: World, body: str
) -> None:
    # Flask-WTF would read the JSON as form data, and form code expects texts: never let it.
    admin = _browser(app, world.people["admin"])
    response = admin.post("/admin/people/invite", data=body, content_type="application/json",
                          headers={"X-CSRFToken": csrf_token(admin)})
    page = response.get_data(as_text=True)
    assert response.status_code == 415
    assert "This page takes a form, not JSON." in page
    assert "<h1>This is not possible this way</h1>" in page


def test_a_json_body_the_api_cannot_read_is_refused_before_the_view(
    client_a: FlaskClient, world: World
) -> None:
    # Visiting a step reads no body; a body that cannot be read is still refused, up front.
    url = f"/api/v1/assignments/{world.assignment_a.id}/steps/welkom/visit"
    assert _put_json(client_a, url.replace("visit", "done"), "{}").status_code == 405
    response = client_a.post(url, data=_nested(10_000), content_type="application/json",
                             headers={"X-CSRFToken": csrf_token(client_a)})
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_request"


def test_the_document_check_needs_no_recursion() -> None:
    deep: Any = []
    for _level in range(10_000):
        deep = [deep]
    with pytest.raises(UnsafeJSON):
        check_document(deep)
    check_document(json.loads(_nested(MAX_JSON_DEPTH)))
    with pytest.raises(UnsafeJSON):
        check_document({"fine": ["fine", {"not\x00fine": 1}]})


# --- NUL characters in the path, the query string and forms ---------------------------------------

def test_a_nul_in_a_page_address_is_a_400_that_says_what_was_wrong(
    client_a: FlaskClient, world: World
) -> None:
    for path in (f"/assignments/{world.assignment_a.id}/steps/we%00lkom", "/modules/a%00b",
                 "/my-modules?x=%00", "/goals?%00=1"):
        response = client_a.get(path)
        page = response.get_data(as_text=True)
        assert response.status_code == 400, path
        assert "Something in the request was not right" in page
        assert "The web address contains a character that cannot be used" in page
        assert "Bad Request" not in page


def test_a_nul_in_an_api_address_is_a_400_in_json(client_a: FlaskClient, world: World) -> None:
    response = client_a.get(_answer_url(world, "ter%00ugblik"))
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "bad_request"
    assert body["message"].startswith("The web address contains a character")


def test_a_nul_in_a_form_field_is_a_400_and_nothing_is_stored(
    client_a: FlaskClient, world: World
) -> None:
    response = client_a.post(
        f"/assignments/{world.assignment_a.id}/steps/terugblik",
        data={"csrf_token": csrf_token(client_a), "revision": "0", "q.trots": "trots\x00",
              "action": "save"})
    assert response.status_code == 400
    assert "What you sent contains a character that cannot be saved" in response.get_data(
        as_text=True)
    assert _nothing_stored(world)


@pytest.mark.parametrize(("path", "fields"), [
    ("/login", {"email": "a\x00@oost.example", "password": PASSWORD}),
    ("/login", {"email": "a@oost.example", "password": "x\x00" + PASSWORD}),
    ("/password/forgot", {"email": "a\x00@oost.example"}),
])
def test_a_nul_on_the_anonymous_login_and_password_forms_is_a_400(
    app: Flask, world: World, path: str, fields: dict[str, str]
) -> None:
    visitor = _browser(app)
    response = visitor.post(path, data={**fields, "csrf_token": csrf_token(visitor, path)})
    assert response.status_code == 400
    assert "cannot be saved" in response.get_data(as_text=True)


def test_an_invalid_utf8_sequence_is_replaced_not_an_error(
    client_a: FlaskClient, world: World
) -> None:
    # A surrogate percent-encoded as UTF-8 (ED A0 80) is not UTF-8: Werkzeug reads U+FFFD.
    assert client_a.get(_answer_url(world, "%ED%A0%80")).status_code == 404
    assert client_a.get("/my-modules?q=%ED%A0%80").status_code == 200


# --- the error pages -----------------------------------------------------------------------------

def test_error_pages_have_a_heading_in_words_not_a_status_line(
    app: Flask, world: World, client_a: FlaskClient
) -> None:
    visitor = _browser(app)
    cases = [
        (client_a.get("/admin/"), 403, "No access"),
        (visitor.get("/nowhere"), 404, "Page not found"),
        (visitor.delete("/"), 405, "This is not possible this way"),
        (visitor.get("/modules/a%00b"), 400, "Something in the request was not right"),
    ]
    for response, status, heading in cases:
        page = response.get_data(as_text=True)
        assert response.status_code == status
        assert f"<h1>{heading}</h1>" in page
        assert f"<title>{heading}" in page
        assert f"{status} ·" not in page


def test_a_page_in_dutch_keeps_its_dutch_error_heading(app: Flask) -> None:
    page = _browser(app, language="nl").get("/nowhere").get_data(as_text=True)
    assert "<h1>Pagina niet gevonden</h1>" in page


def test_a_failed_csrf_check_tells_what_to_do(app: Flask, world: World) -> None:
    visitor = _browser(app)
    response = visitor.post("/login", data={"email": "a@oost.example", "password": PASSWORD})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "reload the page and send it again" in page


def test_a_failed_csrf_check_in_the_api_stays_json(client_a: FlaskClient, world: World) -> None:
    response = client_a.put(_answer_url(world), json={"value": {}, "revision": 0})
    assert response.status_code == 400
    assert response.get_json()["error"] == "csrf_failed"



@pytest.mark.parametrize(("error", "heading", "text"), [
    (RequestEntityTooLarge(), "Too large to send", "Make it shorter and try again."),
    (TooManyRequests(), "Too many attempts", "Wait a few minutes and try again."),
    (UnsupportedMediaType(), "This is not possible this way", "This request could not be"),
])
def test_the_error_page_names_each_error_in_words(
    app: Flask, error: HTTPException, heading: str, text: str
) -> None:
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        page = render_template("error.html", error=error, reference=None)
    assert f"<h1>{heading}</h1>" in page
    assert text in page


def test_a_body_larger_than_a_megabyte_is_413_and_says_so(app: Flask, world: World) -> None:
    browser = _browser(app, world.client_a)
    token = csrf_token(browser, "/my-modules")
    response = browser.post("/strengths", data={"csrf_token": token, "kind": "qualities",
                                                "text": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    empty_json_get = browser.get("/api/v1/assignments", headers={
        "Content-Type": "application/json"})
    assert empty_json_get.status_code == 200
