"""What of a client's answers others may see: everything except what the client kept private.

An answer marked private (``Answer.private``, offered by reflection steps with
``allow_private``) is the client's alone: the therapist never sees it, not even that it exists.
Every function here filters in the query itself, so a private answer is never loaded on the
staff side. The client's own screens and API read ``services.answers`` instead.

These functions do not check who is asking, nor write the audit event: the staff route does
both (access per security.md §7, NEN 7513 logging per §16) before calling them.
"""

from __future__ import annotations

from typing import Any

from ehealth.models import Answer, Assignment

# peewee builds SQL from the comparison; ``is False`` would not.
_SHARED = Answer.private == False  # noqa: E712


def shared_answers(assignment: Assignment) -> dict[str, Answer]:
    """The assignment's answers the client did not keep private, by step id."""
    return {answer.step_id: answer
            for answer in Answer.select().where((Answer.assignment == assignment) & _SHARED)}


def shared_answer(assignment: Assignment, step_id: str) -> Answer | None:
    """The answer to one step, or None when there is none or it is private."""
    answer: Answer | None = Answer.get_or_none(
        (Answer.assignment == assignment) & (Answer.step_id == step_id) & _SHARED
    )
    return answer


def shared_values(assignment: Assignment) -> dict[str, Any]:
    """The shared answers' values by step id (what a therapist's summary reads)."""
    return {step_id: answer.value for step_id, answer in shared_answers(assignment).items()}
