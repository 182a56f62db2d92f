"""Helpers of the API tests: a client that calls the API like the player's autosave script."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

API = "/api/v1"

# A valid answer for every answerable step of the voorbeeld module.
VALID_ANSWERS: dict[str, dict[str, Any]] = {
    "cijfer": {"value": 6, "follow_ups": {"waarom": "Ik slaap beter.", "hoger": "Vaker wandelen."}},
    "hulp": {"selected": ["ja"]},
    "krachten": {"items": [
        {"category": "ik-ben", "suggestion": "humor", "follow_up": "Gisteren nog."},
        {"category": "ik-heb", "text": "Een fiets", "follow_up": "Elke dag."},
    ]},
    "tevredenheid": {"responses": {"steun": 3, "kunnen": 2}},
    "terugblik": {"answers": {"trots": "Dat ik hulp vroeg."}, "private": False},
    "doel": {"goal": "Meer buiten zijn", "steps": [{"suggestion": "bellen"},
                                                   {"text": "Een rondje lopen"}],
             "first_step": 1, "date": "2030-05-01"},
}


@dataclass
class ApiClient:
    """A test client that talks to the API like the autosave script: JSON and a CSRF header."""

    client: FlaskClient
    assignment_id: int
    _token: str | None = field(default=None, repr=False)

    def url(self, suffix: str = "", assignment_id: int | None = None) -> str:
        """``/api/v1/assignments/<id><suffix>``."""
        return f"{API}/assignments/{assignment_id or self.assignment_id}{suffix}"

    def token(self) -> str:
        """The CSRF token, fetched once from the API."""
        if self._token is None:
            response = self.client.get(f"{API}/csrf-token")
            assert response.status_code == 200, response.get_json()
            self._token = response.get_json()["csrf_token"]
        return self._token

    def get(self, path: str) -> TestResponse:
        return self.client.get(path)

    def put_answer(self, step_id: str, value: Any, revision: int = 0, *,
                   key: str | None = None, assignment_id: int | None = None,
                   headers: dict[str, str] | None = None) -> TestResponse:
        """PUT an answer as JSON with the CSRF header (and an Idempotency-Key when given)."""
        sent = {"X-CSRFToken": self.token(), **(headers or {})}
        if key is not None:
            sent["Idempotency-Key"] = key
        return self.client.put(self.url(f"/answers/{step_id}", assignment_id),
                               json={"value": value, "revision": revision}, headers=sent)

    def answer(self, step_id: str) -> dict[str, Any]:
        """The stored answer (revision 0 while there is none)."""
        response = self.client.get(self.url(f"/answers/{step_id}"))
        assert response.status_code == 200, response.get_json()
        result: dict[str, Any] = response.get_json()
        return result

    def progress(self) -> dict[str, Any]:
        response = self.client.get(self.url("/progress"))
        assert response.status_code == 200, response.get_json()
        result: dict[str, Any] = response.get_json()
        return result
