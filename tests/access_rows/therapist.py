"""The therapist area: therapists only, and of clients only those in their care.

Other roles get 403 (the role check comes first), visitors the log-in page. Client A's care
team (primary and co-therapist) may open client A's record; every other therapist gets 404 for
client A and client A's assignment: a colleague, the former therapist whose relationship ended,
and the therapist of organisation B (a client who is not theirs is "not found", never
"forbidden"). Client A has no answer in the world, so even their own therapist finds no answer
to give feedback on (404); giving feedback is tested in ``tests/therapist``.
"""

from tests.access_rows import CARE_TEAM_A, THERAPISTS, only


def therapists(status: int) -> dict[str, int]:
    """``status`` for both therapists, 403 for everyone else, the log-in page for visitors."""
    return only(status, THERAPISTS, anonymous=302)


def own_therapist(status: int) -> dict[str, int]:
    """``status`` for client A's care team, 404 for every other therapist."""
    return {**therapists(404), **dict.fromkeys(CARE_TEAM_A, status)}


A = "/therapist/assignments/{assignment_a}"

ROWS = {
    ("GET", "/therapist/"): ("/therapist/", None, therapists(200)),
    ("GET", "/therapist/clients/invite"): ("/therapist/clients/invite", None, therapists(200)),
    # Not an e-mail address: the form comes back with its error, nobody is invited.
    ("POST", "/therapist/clients/invite"): (
        "/therapist/clients/invite", {"email": "not an e-mail address", "language": "nl"},
        therapists(422)),
    ("GET", "/therapist/clients/<int:client_id>"): (
        "/therapist/clients/{client_a}", None, own_therapist(200)),
    ("POST", "/therapist/clients/<int:client_id>/assignments"): (
        "/therapist/clients/{client_a}/assignments", {"module_id": "voorbeeld"},
        own_therapist(303)),
    ("POST", "/therapist/assignments/<int:assignment_id>/pause"): (
        f"{A}/pause", {}, own_therapist(303)),
    ("POST", "/therapist/assignments/<int:assignment_id>/resume"): (
        f"{A}/resume", {}, own_therapist(303)),
    ("POST", "/therapist/assignments/<int:assignment_id>/withdraw"): (
        f"{A}/withdraw", {}, own_therapist(303)),
    ("POST", "/therapist/assignments/<int:assignment_id>/steps/<step_id>/feedback"): (
        f"{A}/steps/cijfer/feedback", {"body": "Mooi gedaan!"}, own_therapist(404)),
}
