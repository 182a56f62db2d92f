"""The client's home and player: only the client who owns the assignment; any other client
(of the same organisation or of organisation B) gets 404, staff 403."""

from tests.access_rows import CLIENTS, only

STAFF_FORBIDDEN = {"anonymous": 302}

ROWS = {
    ("GET", "/my-modules"): (
        "/my-modules", None, only(200, CLIENTS, anonymous=302)),
    ("GET", "/assignments/<int:assignment_id>"): (
        "/assignments/{assignment_a}", None,
        {**only(302, ("client_a",), anonymous=302), "client_b": 404, "other_org_client": 404}),
    ("GET", "/assignments/<int:assignment_id>/steps/<step_id>"): (
        "/assignments/{assignment_a}/steps/welkom", None,
        {**only(200, ("client_a",), anonymous=302), "client_b": 404, "other_org_client": 404}),
    ("POST", "/assignments/<int:assignment_id>/steps/<step_id>"): (
        "/assignments/{assignment_a}/steps/welkom", {"action": "next"},
        {**only(302, ("client_a",), anonymous=302), "client_b": 404, "other_org_client": 404}),
    ("GET", "/assignments/<int:assignment_id>/done"): (
        "/assignments/{assignment_a}/done", None,
        {**only(200, ("client_a",), anonymous=302), "client_b": 404, "other_org_client": 404}),
}
