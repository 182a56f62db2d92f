"""Bad input never gives a 500: request-level guards, once, for every route.

Some values no view can do anything useful with, and some reach the database only to make it
fail: an id beyond the database's integer range (SQLite raises OverflowError), a NUL character
(PostgreSQL refuses it in text), a lone UTF-16 surrogate (it cannot be encoded as UTF-8), JSON
nested so deep that the parser runs out of stack. They are refused here, before any view runs,
with a 4xx that says what was wrong:

- an id in the path (``<int:…>``) that no row of the database can have is a 404;
- the path, the query string and form fields may not hold NUL characters or lone surrogates
  (400);
- JSON bodies go to the API only (``JSON_AREAS``); a page gets 415. Flask-WTF would read a JSON
  body as form data, and form code expects texts, not numbers, lists or objects;
- JSON bodies are parsed before the view, by a loader that refuses NUL characters and lone
  surrogates, nesting deeper than ``MAX_JSON_DEPTH`` and numbers that are not finite (``NaN``,
  ``1e999``) (400). Parsing up front also means no error handler meets a body it cannot read:
  an exception raised while handling an error would become a 500.

Werkzeug decodes the path, the query string and form bodies with ``errors="replace"``, so bytes
that are not UTF-8 (a surrogate percent-encoded as UTF-8 among them) arrive as U+FFFD, which is
harmless; only JSON's ``\\ud800`` escapes can produce a real lone surrogate. The path check
covers the placeholders of every route, so views never see these characters in their
arguments either.

Views that parse numbers out of a query string or a form use ``parse_id``, ``positive_number``
and ``revision_number``, so the bounds live in one place. Under ``/api/`` the API blueprint's
handlers turn these errors into its JSON format (``{"error": "bad_request", "message": …}``,
the message in English); elsewhere the HTML error page shows ``user_message`` in the visitor's
language.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

from flask import Flask, Request, current_app, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, NotFound, UnsupportedMediaType
from werkzeug.routing import IntegerConverter

from ehealth.database import is_sqlite

# SQLite's INTEGER (and so its row ids) is 64-bit; peewee's AutoField is SERIAL (32-bit) on
# PostgreSQL, like every IntegerField there.
INT4_MAX = 2**31 - 1
INT8_MAX = 2**63 - 1
MAX_JSON_DEPTH = 64
# The blueprints whose routes read JSON bodies.
JSON_AREAS = frozenset({"api"})

# NUL, and the surrogate code points that only exist as halves of a UTF-16 pair.
_UNUSABLE = re.compile("[\x00\ud800-\udfff]")
_DIGITS = re.compile("[0-9]{1,19}")

ADDRESS_UNUSABLE = _l("The web address contains a character that cannot be used (a null "
                      "character or a broken one). Check the link, or go back and try again.")
FORM_UNUSABLE = _l("What you sent contains a character that cannot be saved (a null character "
                   "or a broken one). Remove it and try again.")
JSON_UNUSABLE = _l("The JSON in the request contains a character that cannot be stored: a null "
                   "character (\\u0000) or a lone surrogate (\\ud800-\\udfff).")
JSON_TOO_DEEP = _l("The JSON in the request is nested too deeply: at most %(max)d levels.",
                   max=MAX_JSON_DEPTH)
JSON_NOT_FINITE = _l("The JSON in the request contains a number that is not finite (NaN, "
                     "Infinity or too large).")
JSON_INVALID = _l("The body of the request is not valid JSON.")
JSON_ON_A_PAGE = _l("This page takes a form, not JSON. Send the form the way the page does.")
REVISION_INVALID = _l("This form could not be saved: its revision number is missing or wrong. "
                      "Reload the page and try again.")
CSRF_FAILED = _l("This form was open for too long, or was sent from another page. Go back, "
                 "reload the page and send it again.")


def _english(message: Any) -> str:
    with force_locale("en"):
        return str(message)


class BadInput(BadRequest):
    """400 that says what was wrong: in the visitor's language on pages, in English in the API.

    ``description`` (what the API sends and the log shows) is the English message;
    ``user_message`` is the translated one for the HTML error page.
    """

    def __init__(self, message: Any) -> None:
        super().__init__(description=_english(message))
        self.user_message = message


class NotAForm(UnsupportedMediaType):
    """415 for a JSON body sent to a page, which reads forms; messages as in ``BadInput``."""

    def __init__(self) -> None:
        super().__init__(description=_english(JSON_ON_A_PAGE))
        self.user_message = JSON_ON_A_PAGE


class UnsafeJSON(ValueError):
    """The JSON parsed (or nearly) but holds something this app refuses to handle."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


def largest_id() -> int:
    """The largest id a row of this database can have."""
    return INT8_MAX if is_sqlite() else INT4_MAX


def positive_number(raw: str, at_most: int) -> int | None:
    """The number from 1 to ``at_most`` written in ``raw`` (ASCII digits only), else None.

    ``str.isdigit`` also accepts "²" and "٣", which ``int`` refuses, and ``int`` refuses strings
    over 4300 digits: this refuses both instead of raising.
    """
    if not _DIGITS.fullmatch(raw):
        return None
    number = int(raw)
    return number if 0 < number <= at_most else None


def parse_id(raw: str) -> int | None:
    """The id written in ``raw``, or None when no row of this database can have it."""
    return positive_number(raw, largest_id())


def revision_number(raw: str) -> int:
    """The revision a posted form was based on (0 for a first answer), or BadInput.

    Revisions are stored in an integer column, so anything beyond its range is as wrong as
    "abc" or "-1": the form did not come from the player.
    """
    if not _DIGITS.fullmatch(raw) or int(raw) > INT4_MAX:
        raise BadInput(REVISION_INVALID)
    return int(raw)


def has_unusable_characters(text: str) -> bool:
    """Whether ``text`` holds a NUL character or a lone surrogate."""
    return _UNUSABLE.search(text) is not None


# Stands for every number too long to read: beyond any id.
BEYOND_ANY_ID = INT8_MAX + 1


class DatabaseIntegerConverter(IntegerConverter):
    """``<int:…>``: ASCII digits, however many; ``_check_request`` answers 404 for an id no row
    of the database can have.

    SQLite cannot even compare a column with an integer beyond 64 bits (OverflowError). The
    converter itself does not refuse such ids: werkzeug would then try the other routes of the
    path, and answer 405 when one of them takes another method.
    """

    regex = "[0-9]+"  # not \d+, which also matches other scripts' digits ("٣")

    def to_python(self, value: str) -> Any:
        # int() refuses more than 4300 digits; no id has more than 19.
        return int(value) if len(value) <= len(str(INT8_MAX)) else BEYOND_ANY_ID


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise UnsafeJSON(JSON_NOT_FINITE)
    return number


def _not_a_number(text: str) -> NoReturn:
    raise UnsafeJSON(JSON_NOT_FINITE)


def check_document(document: Any) -> None:
    """Refuse nesting deeper than MAX_JSON_DEPTH and NUL or lone surrogates in any string.

    Walks with a stack of its own, so the check itself cannot run out of recursion.
    """
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if has_unusable_characters(value):
                raise UnsafeJSON(JSON_UNUSABLE)
            continue
        if isinstance(value, dict):
            children: list[Any] = list(value.values())
            if any(has_unusable_characters(key) for key in value):
                raise UnsafeJSON(JSON_UNUSABLE)
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > MAX_JSON_DEPTH:
            raise UnsafeJSON(JSON_TOO_DEEP)
        pending.extend((child, depth + 1) for child in children)


class GuardedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, but ``loads`` refuses what ``check_document`` refuses and NaN/Infinity."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        kwargs.setdefault("parse_constant", _not_a_number)
        kwargs.setdefault("parse_float", _finite)
        try:
            document = super().loads(s, **kwargs)
        except RecursionError:
            # The C parser gives up after about a thousand levels; that is "too deep" too.
            raise UnsafeJSON(JSON_TOO_DEEP) from None
        check_document(document)
        return document


# A view that takes a larger body than MAX_CONTENT_LENGTH (a module zip, a video) says so with
# ``large_body(limit)``; the limit holds before anything reads the body, CSRF check included.
BODY_LIMIT = "max_body_bytes"
V = TypeVar("V", bound=Callable[..., Any])


def large_body(limit: int) -> Callable[[V], V]:
    """Let one view accept request bodies of up to ``limit`` bytes (put it under the route)."""

    def decorator(view: V) -> V:
        setattr(view, BODY_LIMIT, limit)
        return view

    return decorator


class GuardedRequest(Request):
    """A request whose JSON failures are a 400 saying what was wrong, and whose body may be
    as large as its view allows (``large_body``), else ``MAX_CONTENT_LENGTH``."""

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is None and self.url_rule is not None and current_app:
            view = current_app.view_functions.get(self.url_rule.endpoint or "")
            limit = getattr(view, BODY_LIMIT, None)
            if isinstance(limit, int):
                return limit
        return Request.max_content_length.fget(self)  # type: ignore[attr-defined]

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if e is None:  # not JSON at all: 415, as Flask answers
            return super().on_json_loading_failed(e)
        if isinstance(e, UnsafeJSON):
            raise BadInput(e.message) from e
        raise BadInput(JSON_INVALID) from e


def _any_unusable(pairs: Any) -> bool:
    return any(has_unusable_characters(key) or has_unusable_characters(value)
               for key, value in pairs)


def _check_request() -> None:
    """Before any view: refuse unusable characters and JSON that no view could read."""
    if request.routing_exception is not None:
        return  # no view will run: let the 404, 405 or redirect happen as usual
    if any(isinstance(value, int) and value > largest_id()
           for value in (request.view_args or {}).values()):
        raise NotFound()
    if has_unusable_characters(request.path) or _any_unusable(request.args.items(multi=True)):
        raise BadInput(ADDRESS_UNUSABLE)
    if request.is_json:
        if request.blueprint not in JSON_AREAS:
            raise NotAForm()
        if request.content_length:  # no body (or no length): nothing to parse up front
            request.get_json()  # parsed and cached now: BadInput before any view reads it
    elif _any_unusable(request.form.items(multi=True)):
        raise BadInput(FORM_UNUSABLE)


def register_input_guard(app: Flask) -> None:
    """Install the guards on ``app``; call before the blueprints register their routes."""
    app.url_map.converters["int"] = DatabaseIntegerConverter
    app.json = GuardedJSONProvider(app)
    app.request_class = GuardedRequest
    app.before_request(_check_request)

    @app.errorhandler(CSRFError)
    def _csrf_failed(error: CSRFError) -> tuple[str, int]:
        # The page says what to do; the API blueprint answers its own CSRF failures in JSON.
        error.user_message = CSRF_FAILED
        return render_template("error.html", error=error, reference=None), 400
