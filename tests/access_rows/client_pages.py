"""Rows for "Mijn krachten" and "Mijn doelen": clients only, and only their own things.

Staff get 403 (the role check comes before any lookup); visitors are sent to the log-in page.
Paths with an object id name client A's goal, goal step or own strength: client A may change
it, client B gets 404 (an id that is not theirs is "not found", never "forbidden"). Client A
has no answer yet in ``{assignment_a}``, and ``{assignment_b}`` is client B's.
"""

from tests.access_rows import CLIENTS, only


def owner(status: int) -> dict[str, int]:
    """``status`` for client A (the owner), 404 for client B, 403 for staff."""
    return {**clients(404), "client_a": status}

MODULE_ITEM = "/strengths/modules/<int:assignment_id>/<step_id>/<int:index>"


def clients(status: int) -> dict[str, int]:
    """``status`` for both clients, 403 for staff, the log-in page for visitors."""
    return only(status, CLIENTS, anonymous=302)


ROWS = {
    ("GET", "/strengths"): ("/strengths", None, clients(200)),
    ("POST", "/strengths"): (
        "/strengths", {"kind": "qualities", "text": "geduldig"}, clients(303)),
    ("POST", "/strengths/<int:strength_id>"): (
        "/strengths/{strength_a}", {"kind": "qualities", "text": "geduldig"}, owner(303)),
    ("POST", "/strengths/<int:strength_id>/remove"): (
        "/strengths/{strength_a}/remove", {"kind": "qualities"}, owner(303)),
    ("POST", MODULE_ITEM): (
        "/strengths/modules/{assignment_a}/krachten/0", {"revision": "1", "follow_up": "ja"},
        clients(404)),
    ("POST", MODULE_ITEM + "/remove"): (
        "/strengths/modules/{assignment_b}/krachten/0/remove", {"revision": "1"},
        clients(404)),
    ("GET", "/goals"): ("/goals", None, clients(200)),
    ("POST", "/goals"): ("/goals", {"text": "Elke dag even naar buiten"}, clients(303)),
    ("POST", "/goals/<int:goal_id>"): (
        "/goals/{goal_a}", {"text": "Elke dag even naar buiten"}, owner(303)),
    ("POST", "/goals/<int:goal_id>/reached"): (
        "/goals/{goal_a}/reached", {"reached": "yes"}, owner(303)),
    ("POST", "/goals/<int:goal_id>/remove"): ("/goals/{goal_a}/remove", {}, owner(303)),
    ("POST", "/goals/<int:goal_id>/steps"): (
        "/goals/{goal_a}/steps", {"text": "Schoenen klaarzetten"}, owner(303)),
    ("POST", "/goals/steps/<int:step_id>"): (
        "/goals/steps/{goal_step_a}", {"text": "Schoenen klaarzetten"}, owner(303)),
    ("POST", "/goals/steps/<int:step_id>/done"): (
        "/goals/steps/{goal_step_a}/done", {"done": "yes"}, owner(303)),
    ("POST", "/goals/steps/<int:step_id>/remove"): (
        "/goals/steps/{goal_step_a}/remove", {}, owner(303)),
}
