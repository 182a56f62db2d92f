"""Rows of the access-control matrix, one module per area of the product.

Each module defines ``ROWS``: ``{(method, rule): (path, form_or_json, expected)}`` where
``path`` may use the placeholders of ``tests.test_access_matrix.PLACEHOLDERS`` (for example
``{assignment_a}``), ``form_or_json`` is None, a dict of form fields (sent with a CSRF token), or
``("json", payload)`` for a JSON body (sent with the CSRF header), and ``expected`` maps each of
the roles below to a status code.
"""

from __future__ import annotations

ROLES = (
    "anonymous", "client_a", "client_b", "own_therapist", "other_therapist", "author", "admin",
    "other_admin", "co_therapist", "former_therapist", "other_org_therapist", "other_org_client",
)
# Zorg Oost: client A (primary: own_therapist, co-therapist: co_therapist, an ended
# relationship with former_therapist), client B (other_therapist), author, admin.
# Zorg West (organisation B): other_admin, other_org_therapist, other_org_client.
CLIENTS = ("client_a", "client_b", "other_org_client")
THERAPISTS = ("own_therapist", "other_therapist", "co_therapist", "former_therapist",
              "other_org_therapist")
ADMINS = ("admin", "other_admin")
# The therapists who may see client A's record: the care team.
CARE_TEAM_A = ("own_therapist", "co_therapist")


def everyone(status: int) -> dict[str, int]:
    """The same status for every role."""
    return dict.fromkeys(ROLES, status)


def only(status: int, allowed: tuple[str, ...], others: int = 403,
         anonymous: int | None = None) -> dict[str, int]:
    """``status`` for the ``allowed`` roles, ``others`` for the rest; anonymous may differ."""
    result = {role: (status if role in allowed else others) for role in ROLES}
    if anonymous is not None and "anonymous" not in allowed:
        result["anonymous"] = anonymous
    return result
