"""Which of a client's assignments they see and may work in: one rule for the HTML player, the
JSON API, "Mijn krachten" and "Mijn doelen".

- Withdrawn assignments are listed nowhere for the client and cannot be opened (not found).
- Paused assignments are listed and shown as paused; the client can read them, but no visit,
  save or step completion is taken (``AssignmentClosed``: 409 ``assignment_closed`` in the API).
- Assigned, active and completed assignments are open: a client may go back to a completed
  module and change what they wrote.

``ensure_open`` reads the status from the database inside the caller's write transaction, so a
module paused or withdrawn a moment ago is refused even when the caller loaded it before.
"""

from __future__ import annotations

from ehealth.models import Assignment, AssignmentStatus

VISIBLE_TO_CLIENT = (AssignmentStatus.ASSIGNED, AssignmentStatus.ACTIVE, AssignmentStatus.PAUSED,
                     AssignmentStatus.COMPLETED)
CLOSED = (AssignmentStatus.PAUSED, AssignmentStatus.WITHDRAWN)


class AssignmentClosed(Exception):
    """The assignment is paused or withdrawn: nothing in it can change now."""

    def __init__(self, status: str) -> None:
        super().__init__(f"assignment is {status}")
        self.status = status


def is_closed(status: str) -> bool:
    """Whether an assignment with ``status`` takes no visits, saves or step completions."""
    return status in CLOSED


def ensure_open(assignment: Assignment) -> None:
    """Raise AssignmentClosed unless the assignment, as stored now, takes changes.

    Call inside the write transaction of the change; the object's status is refreshed.
    """
    status = (Assignment.select(Assignment.status)
              .where(Assignment.id == assignment.get_id()).scalar())
    if status is not None:
        assignment.status = status
    if status is None or is_closed(status):
        raise AssignmentClosed(status or AssignmentStatus.WITHDRAWN)
