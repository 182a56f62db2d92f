"""The JSON API: a client's own assignments only. Others' assignments are 404 (never revealed),
staff get 403 on these client endpoints, visitors 401 — all as JSON."""

from tests.access_rows import CLIENTS, ROLES, everyone, only

A = "/api/v1/assignments/{assignment_a}"


def client_own(status: int = 200) -> dict[str, int]:
    """Client A (the owner) gets ``status``; other clients 404; staff 403; visitors 401."""
    result = only(status, ("client_a",), others=403, anonymous=401)
    result["client_b"] = result["other_org_client"] = 404
    return result


ROWS = {
    ("GET", "/api/v1/assignments"): (
        "/api/v1/assignments", None, only(200, CLIENTS, anonymous=401)),
    ("GET", "/api/v1/assignments/<int:assignment_id>"): (A, None, client_own()),
    ("GET", "/api/v1/assignments/<int:assignment_id>/progress"): (
        f"{A}/progress", None, client_own()),
    ("GET", "/api/v1/assignments/<int:assignment_id>/answers"): (
        f"{A}/answers", None, client_own()),
    ("GET", "/api/v1/assignments/<int:assignment_id>/answers/<step_id>"): (
        f"{A}/answers/cijfer", None, client_own()),
    ("PUT", "/api/v1/assignments/<int:assignment_id>/answers/<step_id>"): (
        f"{A}/answers/cijfer", ("json", {"value": {"value": 5}, "revision": 0}), client_own()),
    ("PUT", "/api/v1/assignments/<int:assignment_id>/steps/<step_id>/form"): (
        f"{A}/steps/cijfer/form", ("json", {"fields": {"value": ["5"]}, "revision": 0}),
        client_own()),
    ("POST", "/api/v1/assignments/<int:assignment_id>/steps/<step_id>/visit"): (
        f"{A}/steps/welkom/visit", ("json", {}), client_own()),
    ("POST", "/api/v1/assignments/<int:assignment_id>/steps/<step_id>/done"): (
        f"{A}/steps/welkom/done", ("json", {}), client_own()),
    ("GET", "/api/v1/csrf-token"): ("/api/v1/csrf-token", None, only(
        200, tuple(role for role in ROLES if role != "anonymous"), anonymous=401)),
    ("GET", "/api/v1/openapi.json"): ("/api/v1/openapi.json", None, everyone(200)),
}
