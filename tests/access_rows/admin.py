"""Rows for the admin area and the client's "who looked at my data" page.

Admin pages: admins only (others 403, visitors to the log-in page). A path naming a person of
Zorg Oost is 404 for the admin of Zorg West: another organisation's people do not exist for
them. The module library is shared, so each admin switches a module for their own organisation.

The matrix's placeholders name no people, so paths use the ids ``make_world`` gives them on a
fresh database (``PERSON_IDS``); ``tests/admin/test_isolation.py`` checks that they still do.
The invitation row posts a form with a mistake (422), so that no mail is written.
"""

from tests.access_rows import ADMINS, CLIENTS, ROLES, only

# make_world creates the people in the order of ROLES (anonymous has no account).
PERSON_IDS = {role: number for number, role in enumerate(ROLES[1:], start=1)}
CLIENT_A = PERSON_IDS["client_a"]
OTHER_THERAPIST = PERSON_IDS["other_therapist"]


def admins(status: int) -> dict[str, int]:
    """``status`` for both admins, 403 for everyone else, the log-in page for visitors."""
    return only(status, ADMINS, anonymous=302)


def own_admin(status: int) -> dict[str, int]:
    """``status`` for Zorg Oost's admin, 404 for Zorg West's, 403 for everyone else."""
    return {**admins(404), "admin": status}


ROWS = {
    ("GET", "/admin/"): ("/admin/", None, admins(200)),
    ("POST", "/admin/people/invite"): (
        "/admin/people/invite",
        {"email": "not an address", "name": "Noor", "role": "therapist", "language": "nl"},
        admins(422)),
    ("GET", "/admin/people/<int:user_id>"): (
        f"/admin/people/{CLIENT_A}", None, own_admin(200)),
    ("POST", "/admin/people/<int:user_id>/deactivate"): (
        f"/admin/people/{CLIENT_A}/deactivate", {}, own_admin(303)),
    ("POST", "/admin/people/<int:user_id>/second-factor/reset"): (
        f"/admin/people/{OTHER_THERAPIST}/second-factor/reset", {}, own_admin(303)),
    ("POST", "/admin/people/<int:user_id>/reactivate"): (
        f"/admin/people/{CLIENT_A}/reactivate", {}, own_admin(303)),
    ("POST", "/admin/people/<int:user_id>/move"): (
        f"/admin/people/{CLIENT_A}/move", {"therapist": str(OTHER_THERAPIST)}, own_admin(303)),
    ("POST", "/admin/people/<int:user_id>/co-therapists"): (
        f"/admin/people/{CLIENT_A}/co-therapists", {"co-therapist": str(OTHER_THERAPIST)},
        own_admin(303)),
    # Client A's co-therapist relationship is the world's third (after former and own).
    ("POST", "/admin/people/<int:user_id>/co-therapists/<int:relationship_id>/end"): (
        f"/admin/people/{CLIENT_A}/co-therapists/3/end", {}, own_admin(303)),
    ("GET", "/admin/library"): ("/admin/library", None, admins(200)),
    ("POST", "/admin/library/<module_id>"): (
        "/admin/library/{module_id}", {"available": "no"}, admins(303)),
    ("GET", "/admin/figures"): ("/admin/figures", None, admins(200)),
    ("GET", "/admin/audit-log"): ("/admin/audit-log", None, admins(200)),
    ("GET", "/admin/audit-log.csv"): ("/admin/audit-log.csv", None, admins(200)),
    ("GET", "/my-data/access-log"): (
        "/my-data/access-log", None, only(200, CLIENTS, anonymous=302)),
}
