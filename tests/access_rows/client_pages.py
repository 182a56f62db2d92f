"""Rows for "Mijn krachten" and "Mijn doelen": clients only, and only their own things.

Staff get 403 (the role check comes before any lookup); visitors are sent to the log-in page.
Paths with an object id name something the client does not have (nobody has number 999999;
client A has no answer yet in ``{assignment_a}``, and ``{assignment_b}`` is client B's), so a
client gets 404 there: an id that is not theirs is "not found", never "forbidden".
"""

from tests.access_rows import only

MISSING = 999_999
MODULE_ITEM = "/strengths/modules/<int:assignment_id>/<step_id>/<int:index>"


def clients(status: int) -> dict[str, int]:
    """``status`` for both clients, 403 for staff, the log-in page for visitors."""
    return only(status, ("client_a", "client_b"), anonymous=302)


ROWS = {
    ("GET", "/strengths"): ("/strengths", None, clients(200)),
    ("POST", "/strengths"): (
        "/strengths", {"kind": "qualities", "text": "geduldig"}, clients(303)),
    ("POST", "/strengths/<int:strength_id>"): (
        f"/strengths/{MISSING}", {"kind": "qualities", "text": "geduldig"}, clients(404)),
    ("POST", "/strengths/<int:strength_id>/remove"): (
        f"/strengths/{MISSING}/remove", {"kind": "qualities"}, clients(404)),
    ("POST", MODULE_ITEM): (
        "/strengths/modules/{assignment_a}/krachten/0", {"revision": "1", "follow_up": "ja"},
        clients(404)),
    ("POST", MODULE_ITEM + "/remove"): (
        "/strengths/modules/{assignment_b}/krachten/0/remove", {"revision": "1"},
        clients(404)),
    ("GET", "/goals"): ("/goals", None, clients(200)),
    ("POST", "/goals"): ("/goals", {"text": "Elke dag even naar buiten"}, clients(303)),
    ("POST", "/goals/<int:goal_id>"): (
        f"/goals/{MISSING}", {"text": "Elke dag even naar buiten"}, clients(404)),
    ("POST", "/goals/<int:goal_id>/reached"): (
        f"/goals/{MISSING}/reached", {"reached": "yes"}, clients(404)),
    ("POST", "/goals/<int:goal_id>/remove"): (f"/goals/{MISSING}/remove", {}, clients(404)),
    ("POST", "/goals/<int:goal_id>/steps"): (
        f"/goals/{MISSING}/steps", {"text": "Schoenen klaarzetten"}, clients(404)),
    ("POST", "/goals/steps/<int:step_id>"): (
        f"/goals/steps/{MISSING}", {"text": "Schoenen klaarzetten"}, clients(404)),
    ("POST", "/goals/steps/<int:step_id>/done"): (
        f"/goals/steps/{MISSING}/done", {"done": "yes"}, clients(404)),
    ("POST", "/goals/steps/<int:step_id>/remove"): (
        f"/goals/steps/{MISSING}/remove", {}, clients(404)),
}
