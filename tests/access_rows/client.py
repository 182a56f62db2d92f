"""The client's home and player: only the client who owns the assignment."""

from tests.access_rows import only

STAFF_FORBIDDEN = {"anonymous": 302}

ROWS = {
    ("GET", "/my-modules"): (
        "/my-modules", None, only(200, ("client_a", "client_b"), anonymous=302)),
    ("GET", "/assignments/<int:assignment_id>"): (
        "/assignments/{assignment_a}", None,
        {**only(302, ("client_a",), anonymous=302), "client_b": 404}),
    ("GET", "/assignments/<int:assignment_id>/steps/<step_id>"): (
        "/assignments/{assignment_a}/steps/welkom", None,
        {**only(200, ("client_a",), anonymous=302), "client_b": 404}),
    ("POST", "/assignments/<int:assignment_id>/steps/<step_id>"): (
        "/assignments/{assignment_a}/steps/welkom", {"action": "next"},
        {**only(302, ("client_a",), anonymous=302), "client_b": 404}),
    ("GET", "/assignments/<int:assignment_id>/done"): (
        "/assignments/{assignment_a}/done", None,
        {**only(200, ("client_a",), anonymous=302), "client_b": 404}),
}
