"""Property: bad input never gives a 500, on any route, for anyone.

Walks ``app.url_map`` like ``tests/test_access_matrix.py``. For every route and method, as a
client, a therapist and an admin (and as a visitor on the public and account routes, and as a
staff member half-way through logging in on the second-factor pages), it sends requests in
which one to three values are nasty and the rest valid, so that the nasty ones get past the
access checks and the obvious validation and reach the code behind them:

- path placeholders: ids above 2^63, -1, 0, "abc", digits that are not ASCII ("²"), 5000 digits,
  NUL characters, lone surrogates (percent-encoded as UTF-8), very long strings;
- the query string and form fields (the names the route really reads and a few generic ones;
  forms go with a valid CSRF token): the same, and dates like 9999-12-31 and 0001-01-01;
- JSON bodies (with the X-CSRFToken header): the fields the API reads set to huge numbers,
  "\\ud800", "\\u0000", 10 000 levels of nesting, NaN, numbers of 5000 digits; pages get JSON
  bodies too (they take forms only: 415).

Hypothesis draws the requests, derandomized, with a bounded number of examples per route and
role: many for the roles that get past the route's access check, a few for the others. Those
roles also get a fixed sweep first: every field the route reads set to each of a few values
that have broken parsers before. A 5xx, or an exception out of the test client, is a failure;
its message names the route, the role, the request and the last lines of the traceback the
app logged. All failures of an area are listed at once.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote_from_bytes

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.routing import Rule

from ehealth import create_app
from ehealth.database import connected
from ehealth.extensions import db
from ehealth.models import Goal, GoalStep, ModuleVersion, Role, Strength, User
from ehealth.services import accounts, authoring
from ehealth.services import answers as answer_service
from tests.conftest import FIXTURE_MEDIA, PASSWORD, World, csrf_token, login, make_config

# Examples per route for a role that gets past the access check, and for one that does not.
EXAMPLES_PAST_THE_CHECK = 16
EXAMPLES_REFUSED = 2

SIGNED_IN = ("client_a", "own_therapist", "admin")
AREA_ROLES = {
    "public": ("anonymous", *SIGNED_IN),
    "static": ("anonymous", *SIGNED_IN),
    "auth": ("anonymous", *SIGNED_IN, "staff_setting_up", "staff_with_code"),
    "client": SIGNED_IN,
    "therapist": SIGNED_IN,
    "admin": SIGNED_IN,
    "api": SIGNED_IN,
    "author": (*SIGNED_IN, "author"),
}
AREAS = tuple(AREA_ROLES)
# Who an account e-mail address belongs to, for the roles that log in with a password.
PENDING_STAFF = {"staff_setting_up": "own_therapist", "staff_with_code": "author"}

# Routes that end or start a session: each request of a role that gets past the access check
# goes from a fresh browser, signed in again.
SESSION_CHANGING = {
    "auth.login", "auth.logout", "auth.logout_everywhere", "auth.account_password",
    "auth.second_factor", "auth.second_factor_setup", "auth.accept_invitation",
    "auth.reset_password",
}


def passing_roles(rule: Rule) -> tuple[str, ...]:
    """The roles that get past the route's access check: they get the most examples."""
    area = rule.endpoint.split(".")[0]
    if area in ("client", "api"):
        return ("client_a",)
    if area in ("therapist", "admin"):
        return ("own_therapist",) if area == "therapist" else ("admin",)
    if area == "author":
        return ("author", "admin")
    if rule.endpoint == "auth.second_factor":
        return ("staff_with_code",)
    if rule.endpoint == "auth.second_factor_setup":
        return ("staff_setting_up",)
    if rule.endpoint.startswith(("auth.account", "auth.logout")):
        return ("client_a", "admin")
    return ("anonymous",)


# --- the nasty values ------------------------------------------------------------------------

SURROGATE = "\ud800"
LONG = "x" * 30_000
BIG_NUMBERS = [2**63, 2**63 + 1, 2**64, 10**30, 2**31, -1, 0]
# Values that broke parsers before: swept through every field a route reads.
KILLERS = ["²", "9" * 5000, str(2**63), "9999-12-31", "0001-01-01", LONG, "-1", "a\x00b"]
NASTY_TEXT = [
    *KILLERS, "", " ", "abc", "\x00", SURROGATE, f"half {SURROGATE} a pair \udfff", "٣",
    "10000-01-01", "2025-02-30", "1.5", "1e999", "NaN", "../../../etc/passwd", "%00",
    *(str(number) for number in BIG_NUMBERS),
]
nasty_text = st.sampled_from(NASTY_TEXT)


@dataclass(frozen=True)
class RawJSON:
    """JSON text sent as it is, where json.dumps cannot write it (or would refuse to)."""

    text: str


DEEP_ARRAYS = RawJSON("[" * 10_000 + "]" * 10_000)
DEEP_OBJECTS = RawJSON('{"a":' * 10_000 + "1" + "}" * 10_000)
RAW_JSON = [DEEP_ARRAYS, DEEP_OBJECTS, RawJSON("9" * 5000), RawJSON("1e999"), RawJSON("NaN"),
            RawJSON("-Infinity"), RawJSON('"\\u0000"'), RawJSON('"\\udfff"')]
JSON_SCALARS = [*BIG_NUMBERS, 1.5, -0.0, 1e308, True, False, None, "", "abc", "a\x00b",
                SURROGATE, LONG, "²", "9999-12-31", "0001-01-01", "9" * 5000]
json_scalars = st.sampled_from(JSON_SCALARS)
ANSWER_KEYS = ["answers", "value", "follow_ups", "selected", "items", "responses", "goal",
               "steps", "first_step", "date", "private", "text", SURROGATE]
json_values = st.one_of(
    json_scalars,
    st.sampled_from(RAW_JSON),
    st.lists(json_scalars, max_size=3),
    st.dictionaries(st.sampled_from(["trots", "waarom", "steun", *ANSWER_KEYS]), json_scalars,
                    max_size=3),
    st.lists(st.dictionaries(st.sampled_from(["category", "suggestion", "text", "follow_up"]),
                             json_scalars, max_size=3), max_size=2),
)
WHOLE_BODIES = [*RAW_JSON, [], [1, 2], "text", 2**64, None, {"value": [[[]]]}]

# --- the field names routes read -------------------------------------------------------------

GENERIC_FIELDS = ["id", "next", "page", "text", "value", "name", "email"]
PLAYER_FIELDS = [
    "action", "revision", "save_key", "shown_value", "value", "f.waarom", "f.hoger", "selected",
    "pick", "follow.ik-ben/humor", "own.ik-ben.0", "own.ik-ben.²", "own.ik-ben." + "9" * 5000,
    "follow-own.ik-ben.0", "r.steun", "r.kunnen", "q.trots", "private", "goal", "step",
    "own-step.0", "own-step.²", "first", "date",
]
FORM_FIELDS: dict[str, list[str]] = {
    "public.set_language": ["language", "next"],
    "auth.login": ["email", "password"],
    "auth.second_factor": ["code"],
    "auth.second_factor_setup": ["code"],
    "auth.accept_invitation": ["name", "password", "repeat", "language"],
    "auth.forgot_password": ["email"],
    "auth.reset_password": ["password", "repeat"],
    "auth.account_password": ["current", "password", "repeat"],
    "auth.account_language": ["language"],
    "client.submit_step": PLAYER_FIELDS,
    "client.add_goal": ["text", "date"],
    "client.update_goal": ["text", "date"],
    "client.set_goal_reached": ["reached"],
    "client.add_goal_step": ["text"],
    "client.update_goal_step": ["text"],
    "client.tick_goal_step": ["done"],
    "client.add_strength": ["kind", "text", "note"],
    "client.update_strength": ["kind", "text", "note"],
    "client.remove_strength": ["kind"],
    "client.update_module_strength": ["text", "follow_up", "revision", "kind", "category",
                                      "suggestion", "label"],
    "client.remove_module_strength": ["revision", "kind", "category", "suggestion", "label"],
    "therapist.invite": ["email", "name", "language"],
    "therapist.assign": ["module_id", "due_date", "message"],
    "therapist.give_feedback": ["body"],
    "admin.invite": ["email", "name", "role", "language"],
    "admin.move": ["therapist"],
    "admin.set_module_available": ["available"],
    "admin.set_four_eyes": ["four_eyes"],
    "author.new_module": ["module_id", "title", "languages"],
    "author.copy_module": ["module_id"],
    "author.submit": ["note", "next"],
    "author.comment": ["body"],
    "author.publish": ["version", "note", "revision"],
    "author.send_back": ["reason"],
    "author.import_module": ["target", "module_id"],
}
QUERY_FIELDS: dict[str, list[str]] = {
    "auth.login": ["next"],
    "therapist.caseload": ["sort", "page", "q", "inactive", "awaiting", "dir"],
    "admin.audit_log": ["client", "staff", "action", "since", "until", "page"],
    "admin.audit_log_csv": ["client", "staff", "action", "since", "until", "page"],
    "author.compare": ["old", "new"],
    "author.import_module": ["draft"],
}
API_KEYS = ["value", "revision", "fields", SURROGATE]


def valid_form(endpoint: str, world: World) -> dict[str, str]:
    """A form the route accepts (or refuses only for a reason of its own), to start from."""
    other_therapist = world.people["other_therapist"]
    assert other_therapist is not None
    forms: dict[str, dict[str, str]] = {
        "public.set_language": {"language": "en", "next": "/"},
        "auth.login": {"email": "a@oost.example", "password": "not the password"},
        "auth.second_factor": {"code": "123456"},
        "auth.second_factor_setup": {"code": "123456"},
        "auth.accept_invitation": {"name": "Noor", "password": "short", "repeat": "short",
                                   "language": "nl"},
        "auth.forgot_password": {"email": "nobody@oost.example"},
        "auth.reset_password": {"password": "short", "repeat": "short"},
        "auth.account_password": {"current": "wrong", "password": "short", "repeat": "short"},
        "auth.account_language": {"language": "en"},
        "client.submit_step": {"action": "save", "revision": "1", "value": "7",
                               "q.trots": "De wandeling", "selected": "ja"},
        "client.add_goal": {"text": "Weer fietsen", "date": "2030-01-01"},
        "client.update_goal": {"text": "Weer fietsen", "date": "2030-01-01"},
        "client.set_goal_reached": {"reached": "yes"},
        "client.add_goal_step": {"text": "Banden oppompen"},
        "client.update_goal_step": {"text": "Banden oppompen"},
        "client.tick_goal_step": {"done": "yes"},
        "client.add_strength": {"kind": "qualities", "text": "geduldig", "note": ""},
        "client.update_strength": {"kind": "qualities", "text": "geduldig", "note": ""},
        "client.remove_strength": {"kind": "qualities"},
        "client.update_module_strength": {"text": "grappig", "follow_up": "thuis",
                                          "revision": "1"},
        "client.remove_module_strength": {"revision": "1"},
        "therapist.invite": {"email": "nieuw@oost.example", "name": "Noor", "language": "nl"},
        "therapist.assign": {"module_id": "voorbeeld", "due_date": "2030-01-01",
                             "message": "Succes"},
        "therapist.give_feedback": {"body": "Mooi geschreven"},
        "admin.invite": {"email": "not an address", "name": "Noor", "role": "therapist",
                         "language": "nl"},
        "admin.move": {"therapist": str(other_therapist.id)},
        "admin.set_module_available": {"available": "no"},
        "admin.set_four_eyes": {"four_eyes": "on"},
        "author.new_module": {"module_id": "nieuw", "title": "Nieuw", "languages": "nl"},
        "author.copy_module": {"module_id": "kopie"},
        "author.submit": {"note": "Klaar", "next": "/author/"},
        "author.comment": {"body": "Mooi"},
        "author.publish": {"version": "0.0.1", "note": "", "revision": "1"},  # too low
        "author.send_back": {"reason": "Nog niet"},
        "author.import_module": {"target": "new", "module_id": ""},
    }
    return forms.get(endpoint, {})


def valid_json(endpoint: str) -> dict[str, Any]:
    """A JSON body the API route accepts, to start from."""
    return {
        "api.save_answer": {"value": {"answers": {"trots": "De wandeling"}}, "revision": 1},
        "api.save_form": {"fields": {"q.trots": ["De wandeling"], "value": ["5"]},
                          "revision": 1},
    }.get(endpoint, {})


# --- the world the requests are about ----------------------------------------------------------

STEP_IDS = ["welkom", "uitleg", "cijfer", "hulp", "tip", "krachten", "tevredenheid",
            "terugblik", "doel", "samenvatting"]
ANSWERED_STEPS = ["cijfer", "hulp", "krachten", "tevredenheid", "terugblik", "doel"]
STEP_IDS_OF = {
    "client.update_module_strength": ["krachten"],
    "client.remove_module_strength": ["krachten"],
    "therapist.give_feedback": ["terugblik", "cijfer"],
}


@dataclass
class Places:
    """Valid values for the path placeholders: ids by placeholder name, tokens by endpoint."""

    ints: dict[str, list[int]]
    tokens: dict[str, str] = field(default_factory=dict)


def prepare(world: World) -> Places:
    """Client A gets answers; there is an open invitation and a password reset (so the token
    pages have a real token); the author has an authenticator app (so the code page has someone
    to ask). ``renew`` adds what routes may remove."""
    other_therapist = world.people["other_therapist"]
    author = world.people["author"]
    assert other_therapist is not None
    assert author is not None
    with connected():
        assignment = world.assignment_a
        for step_id, value in (
            ("terugblik", {"answers": {"trots": "De wandeling"}}),
            ("krachten", {"items": [{"category": "ik-ben", "suggestion": "humor"},
                                    {"category": "ik-heb", "text": "mijn zus"}]}),
            ("cijfer", {"value": 6, "follow_ups": {}}),
        ):
            answer_service.save_answer(assignment, step_id, value, 0)
        _invitation, invitation_token = accounts.create_invitation(
            world.therapist.organisation, "nieuw@oost.example", Role.CLIENT,
            therapist=world.therapist)
        reset = accounts.request_password_reset("b@oost.example")
        assert reset is not None
        User.update(totp_secret=pyotp.random_base32()).where(User.id == author.id).execute()
        # Zorg Oost's own module, published, and a draft of another sent for review.
        library = ModuleVersion.get(ModuleVersion.module_id == "voorbeeld")
        own = authoring.copy_module(author, library, "oost-eigen")
        authoring.submit(author, own.get_id(), "Eerste versie", FIXTURE_MEDIA)
        version = authoring.publish(world.person("admin"), own.get_id(), "1.0.0",
                                    media_dir=FIXTURE_MEDIA)
        draft = authoring.copy_module(author, library, "oost-concept")
        authoring.submit(author, draft.get_id(), "Klaar", FIXTURE_MEDIA)
    return Places(
        ints={
            "assignment_id": [assignment.id],
            "index": [0, 1],
            "user_id": [world.client_a.id, other_therapist.id],
            "client_id": [world.client_a.id],
            "draft_id": [draft.get_id()],
            "version_id": [version.get_id()],
        },
        tokens={"auth.accept_invitation": invitation_token, "auth.reset_password": reset[1]},
    )


def renew(world: World, places: Places) -> None:
    """A new goal with a step, and a strength, for client A: the last route may have removed
    them."""
    with connected():
        goal = Goal.create(client=world.client_a, text="Weer fietsen")
        goal_step = GoalStep.create(goal=goal, text="Banden oppompen")
        strength = Strength.create(client=world.client_a, kind="qualities", text="geduldig")
    places.ints.update(goal_id=[goal.id], step_id=[goal_step.id], strength_id=[strength.id])


def valid_path_values(rule: Rule, name: str, places: Places) -> list[str]:
    """The values of placeholder ``name`` of ``rule`` that lead somewhere real."""
    if type(rule._converters[name]).__name__.endswith("IntegerConverter"):
        return [str(number) for number in places.ints.get(name, [1])]
    if name == "filename":
        return ["voorbeeld/cover.svg"] if rule.endpoint == "public.media" else ["css/app.css"]
    if name == "token":
        return [places.tokens.get(rule.endpoint, "no-such-token")]
    if name == "module_id":
        return ["oost-eigen"] if rule.endpoint.startswith("author.") and rule.endpoint not in (
            "author.copy_module",) else ["voorbeeld"]
    return STEP_IDS_OF.get(rule.endpoint, STEP_IDS)


# --- requests ------------------------------------------------------------------------------------

@dataclass
class NastyRequest:
    """One request to try, before the CSRF token of the browser sending it is added."""

    method: str
    path: str
    query: list[tuple[str, str]] = field(default_factory=list)
    form: dict[str, str] | None = None
    body: Any = None  # a JSON document (RawJSON pieces allowed), when ``form`` is None

    def describe(self) -> str:
        """The request in short (long values cut), for a failure message."""
        def cut(value: Any) -> str:
            text = repr(value)
            return text if len(text) <= 100 else f"{text[:70]}…({len(text)} chars)"
        parts = [f"{self.method} {cut(self.path)}"]
        if self.query:
            parts.append(f"query={cut(self.query)}")
        if self.form is not None:
            parts.append("form={" + ", ".join(f"{cut(k)}: {cut(v)}"
                                              for k, v in self.form.items()) + "}")
        elif self.method != "GET":
            parts.append(f"json={cut(self.body)}")
        return " ".join(parts)


PLACEHOLDER = re.compile(r"<(?:[^:>]+:)?([^>]+)>")


def _encode(text: str) -> str:
    """Percent-encoded UTF-8, lone surrogates included (as a browser never would)."""
    return quote_from_bytes(text.encode("utf-8", "surrogatepass"), safe="")


def _urlencoded(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{_encode(key)}={_encode(value)}" for key, value in pairs)


def _json_text(document: Any) -> str:
    """``document`` as JSON text, RawJSON pieces written as they are."""
    raw: dict[str, str] = {}

    def mark(value: Any) -> Any:
        if isinstance(value, RawJSON):
            marker = f"__raw_{len(raw)}__"
            raw[marker] = value.text
            return marker
        if isinstance(value, dict):
            return {key: mark(item) for key, item in value.items()}
        if isinstance(value, list):
            return [mark(item) for item in value]
        return value

    marked = mark(document)
    text = str(marked) if isinstance(marked, int) and not isinstance(marked, bool) else (
        json.dumps(marked))
    for marker, piece in raw.items():
        text = text.replace(f'"{marker}"', piece)
    return text


def _path(rule: Rule, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda match: _encode(values[match.group(1)]), rule.rule)


def _sends_json(rule: Rule) -> bool:
    return rule.endpoint.startswith("api.")


Slot = tuple[str, str]  # ("path" | "query" | "form" | "json" | "value" | "fields" | "body", name)


def _slots(rule: Rule, method: str) -> list[Slot]:
    """Every place of a request to ``rule`` where a nasty value can go."""
    slots: list[Slot] = [("path", name) for name in sorted(rule.arguments)]
    slots += [("query", name) for name in [*QUERY_FIELDS.get(rule.endpoint, []),
                                           *GENERIC_FIELDS]]
    if method == "GET":
        return slots
    form_names = [*FORM_FIELDS.get(rule.endpoint, []), *GENERIC_FIELDS]
    if _sends_json(rule):
        slots += [("json", key) for key in API_KEYS]
        slots += [("value", key) for key in ANSWER_KEYS]
        slots += [("fields", name) for name in PLAYER_FIELDS]
    else:
        slots += [("form", name) for name in form_names]
    return [*slots, ("body", "")]


def _build(rule: Rule, method: str, world: World, path_values: dict[str, str],
           nasty: list[tuple[Slot, Any]]) -> NastyRequest:
    """A request to ``rule`` with valid values, except for the ``nasty`` ones."""
    path_values = dict(path_values)
    query: list[tuple[str, str]] = []
    form = None if _sends_json(rule) else dict(valid_form(rule.endpoint, world))
    body: Any = valid_json(rule.endpoint) if _sends_json(rule) else None
    for (kind, name), value in nasty:
        if kind == "path":
            path_values[name] = value
        elif kind == "query":
            query.append((name, value))
        elif kind == "form" and form is not None:
            form[name] = value
        elif kind == "body":
            form, body = None, value
        else:
            if form is not None:  # a page's form sent as JSON instead
                form, body = None, dict(form)
            if not isinstance(body, dict):
                body = {}
            body = dict(body)
            if kind == "json":
                body[name] = value
            else:
                inner = body.get(kind)
                body[kind] = {**(inner if isinstance(inner, dict) else {}), name: value}
    if method == "GET":
        form, body = None, None
    return NastyRequest(method, _path(rule, path_values), query, form, body)


@st.composite
def requests_to(draw: st.DrawFn, rule: Rule, method: str, world: World,
                places: Places) -> NastyRequest:
    """Requests to ``rule`` with one to three nasty values among valid ones."""
    path_values = {name: draw(st.sampled_from(valid_path_values(rule, name, places)))
                   for name in sorted(rule.arguments)}
    chosen = draw(st.lists(st.sampled_from(_slots(rule, method)), min_size=1, max_size=3,
                           unique=True))
    nasty: list[tuple[Slot, Any]] = []
    for slot in chosen:
        kind = slot[0]
        if kind in ("path", "query", "form"):
            value: Any = draw(nasty_text)
        elif kind == "fields":
            value = draw(st.lists(nasty_text, max_size=2))
        elif kind == "body":
            value = draw(st.sampled_from(WHOLE_BODIES))
        else:
            value = draw(json_values)
        nasty.append((slot, value))
    return _build(rule, method, world, path_values, nasty)


# Read (and refused) before the other fields: swept on its own, so it does not hide them.
SWEPT_ALONE = frozenset({"revision"})
JSON_NUMBER = re.compile(r"-?[0-9]{1,30}")


def _sweep_groups(rule: Rule, method: str) -> list[list[Slot]]:
    """The slots that the sweep fills with the same value, one group per request."""
    groups: list[list[Slot]] = [[("query", name) for name in QUERY_FIELDS.get(rule.endpoint, [])]]
    if method == "GET":
        return [group for group in groups if group]
    if _sends_json(rule):
        body = valid_json(rule.endpoint)
        if body:
            groups.append([("json", "revision")])
        if "value" in body:
            groups.append([("value", key) for key in ANSWER_KEYS if key != SURROGATE])
        if "fields" in body:
            groups.append([("fields", name) for name in PLAYER_FIELDS
                           if name not in SWEPT_ALONE])
    else:
        names = FORM_FIELDS.get(rule.endpoint, [])
        groups.append([("form", name) for name in names if name not in SWEPT_ALONE])
        groups += [[("form", name)] for name in names if name in SWEPT_ALONE]
    return [group for group in groups if group]


def _sweep_value(slot: Slot, killer: str) -> Any:
    if slot[0] == "fields":
        return [killer]
    if slot == ("json", "revision") and JSON_NUMBER.fullmatch(killer):
        return RawJSON(killer)  # a number as JSON writes it, beyond what int columns hold
    return killer


def sweep(rule: Rule, method: str, world: World, places: Places) -> Iterator[NastyRequest]:
    """The fixed requests: each KILLER in every field the route itself reads."""
    names = sorted(rule.arguments)
    groups = _sweep_groups(rule, method)
    for values in itertools.product(*(valid_path_values(rule, n, places) for n in names)):
        path_values = dict(zip(names, values, strict=True))
        if rule.endpoint in ("client.submit_step", "api.save_answer", "api.save_form") and (
                path_values.get("step_id") not in ANSWERED_STEPS):
            continue
        for killer, group in itertools.product(KILLERS, groups):
            yield _build(rule, method, world, path_values,
                         [(slot, _sweep_value(slot, killer)) for slot in group])
    for name in names:
        if type(rule._converters[name]).__name__.endswith("IntegerConverter"):
            yield _build(rule, method, world, {n: valid_path_values(rule, n, places)[0]
                                               for n in names}, [(("path", name), "9" * 5000)])
    if method != "GET":
        yield _build(rule, method, world, {n: valid_path_values(rule, n, places)[0]
                                           for n in names}, [(("body", ""), DEEP_ARRAYS)])


# --- browsers ------------------------------------------------------------------------------------

@dataclass
class Browser:
    """A test client as one role, with the CSRF token of its session."""

    client: FlaskClient
    token: str


_addresses = itertools.count()


def browser_as(app: Flask, world: World, role: str) -> Browser:
    """A fresh browser: signed in as ``role``'s person, or a visitor (half-way through logging
    in, for the ``PENDING_STAFF`` roles)."""
    test_client = app.test_client()
    test_client.environ_base["HTTP_REFERER"] = "https://localhost/"
    user = world.people.get(role)
    if user is not None:
        login(test_client, user)
        return Browser(test_client, csrf_token(test_client, "/"))
    if role in PENDING_STAFF:
        staff = world.people[PENDING_STAFF[role]]
        assert staff is not None
        response = test_client.post("/login", data={
            "email": staff.email, "password": PASSWORD,
            "csrf_token": csrf_token(test_client, "/login")})
        assert response.status_code == 303, role
    return Browser(test_client, csrf_token(test_client, "/login"))


def send(browser: Browser, request: NastyRequest) -> int:
    """Send ``request`` from ``browser`` and return the status.

    Every other request comes from a new address, so that the rate limits let the views be
    tried as well as the pages that say "too many attempts".
    """
    number = next(_addresses)
    address = f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}" if (
        number % 2) else "192.0.2.1"
    path = request.path + (f"?{_urlencoded(request.query)}" if request.query else "")
    kwargs: dict[str, Any] = {"method": request.method,
                              "environ_overrides": {"REMOTE_ADDR": address}}
    if request.form is not None:
        pairs = [*request.form.items(), ("csrf_token", browser.token)]
        kwargs.update(data=_urlencoded(pairs), content_type="application/x-www-form-urlencoded")
    elif request.method != "GET":
        text = _json_text(request.body) if request.body is not None else "null"
        kwargs.update(data=text.encode("utf-8", "surrogatepass"),
                      content_type="application/json", headers={"X-CSRFToken": browser.token})
    with browser.client.open(path, **kwargs) as response:
        return response.status_code


# --- capturing what went wrong ----------------------------------------------------------------

class ErrorLog(logging.Handler):
    """Keeps the tracebacks the app logs (it logs every unexpected error with exc_info)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.tracebacks: list[list[str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            self.tracebacks.append(traceback.format_exception(record.exc_info[1]))

    def last_lines(self) -> str:
        """The end of each traceback logged: where it went wrong."""
        return "\n".join("".join(lines[-4:]).strip() for lines in self.tracebacks) or (
            "(nothing logged)")


@pytest.fixture
def error_log() -> Iterator[ErrorLog]:
    """The tracebacks logged under ``ehealth`` during the test."""
    handler = ErrorLog()
    logger = logging.getLogger("ehealth")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app over the fixture library, its mail written to a temporary outbox."""
    application = create_app(make_config(database_url, INSTANCE_DIR=tmp_path / "instance",
                                         MAIL_SERVER="", REDIS_URL=""))
    yield application
    if db.obj is not None and not db.is_closed():
        db.close()


# --- the property ----------------------------------------------------------------------------

def area_of(rule: Rule) -> str:
    """The area (blueprint) a route belongs to; Flask's own static files are "static"."""
    return rule.endpoint.split(".")[0]


def routes_of(app: Flask, area: str) -> list[tuple[Rule, str]]:
    """Every (route, method) of ``area``, in a stable order."""
    return sorted(((rule, method) for rule in app.url_map.iter_rules() if area_of(rule) == area
                   for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})),
                  key=lambda pair: (pair[0].rule, pair[1]))


class Browsers:
    """A browser per role, made when first needed and kept from route to route (a new one
    costs a sign-in and a page), unless a route may have ended or changed its session."""

    def __init__(self, app: Flask, world: World) -> None:
        self.app, self.world = app, world
        self.kept: dict[str, Browser] = {}

    def of(self, role: str) -> Browser:
        """The browser kept for ``role``."""
        if role not in self.kept:
            self.kept[role] = self.fresh(role)
        return self.kept[role]

    def fresh(self, role: str) -> Browser:
        """A new browser as ``role``."""
        return browser_as(self.app, self.world, role)

    def forget(self, role: str) -> None:
        """Make a new browser for ``role`` next time."""
        self.kept.pop(role, None)


class Tried:
    """Sends requests to one route as one role and keeps the first failure, described."""

    def __init__(self, browsers: Browsers, role: str, rule: Rule, error_log: ErrorLog) -> None:
        self.browsers, self.role, self.rule = browsers, role, rule
        self.error_log = error_log
        # A role that gets past the check starts from a new session each time; the others
        # leave theirs as it is (the route refuses them), mostly: see try_route.
        self.fresh_each_time = (rule.endpoint in SESSION_CHANGING
                                and role in passing_roles(rule))
        self.failure: str | None = None

    def __call__(self, request: NastyRequest) -> None:
        browser = (self.browsers.fresh(self.role) if self.fresh_each_time
                   else self.browsers.of(self.role))
        del self.error_log.tracebacks[:]
        try:
            status = send(browser, request)
        except Exception:
            self.failure = f"{self.role}: {request.describe()}\n  raised: {traceback.format_exc()}"
            raise
        if status >= 500:
            described = (f"{self.role}: {request.describe()}\n  -> {status}\n"
                         f"{self.error_log.last_lines()}")
            self.failure = described
            raise AssertionError(self.failure)


def try_route(browsers: Browsers, places: Places, rule: Rule, method: str, role: str,
              error_log: ErrorLog) -> str | None:
    """Run the property on one route as one role: the first failure, described, or None."""
    world = browsers.world
    tried = Tried(browsers, role, rule, error_log)
    passes = role in passing_roles(rule)

    @settings(max_examples=EXAMPLES_PAST_THE_CHECK if passes else EXAMPLES_REFUSED,
              derandomize=True, database=None, deadline=None, print_blob=False,
              phases=(Phase.explicit, Phase.generate), suppress_health_check=list(HealthCheck))
    @given(request=requests_to(rule, method, world, places))
    def check(request: NastyRequest) -> None:
        tried(request)

    try:
        if passes:
            for request in sweep(rule, method, world, places):
                tried(request)
        check()
    except Exception:  # described in ``tried.failure``; go on with the next route
        return tried.failure or traceback.format_exc()
    finally:
        if rule.endpoint in SESSION_CHANGING:  # logging out works for everyone, say
            browsers.forget(role)
    return None


def test_every_route_belongs_to_an_area_that_is_tried(app: Flask) -> None:
    areas = {area_of(rule) for rule in app.url_map.iter_rules()}
    assert areas <= set(AREAS), f"add the new area to AREA_ROLES: {areas - set(AREAS)}"
    assert sum(len(routes_of(app, area)) for area in AREAS) >= 60


def test_every_role_that_gets_past_a_check_is_among_those_tried(app: Flask) -> None:
    for rule in app.url_map.iter_rules():
        assert set(passing_roles(rule)) <= set(AREA_ROLES[area_of(rule)]), rule.rule


@pytest.mark.parametrize("area", AREAS)
def test_bad_input_never_gives_a_server_error(
    app: Flask, world: World, area: str, error_log: ErrorLog
) -> None:
    places = prepare(world)
    browsers = Browsers(app, world)
    failures = []
    for rule, method in routes_of(app, area):
        renew(world, places)
        for role in AREA_ROLES[area]:
            failure = try_route(browsers, places, rule, method, role, error_log)
            if failure is not None:
                failures.append(f"{method} {rule.rule}, {failure}")
    assert not failures, f"{len(failures)} failure(s):\n\n" + "\n\n".join(failures)

