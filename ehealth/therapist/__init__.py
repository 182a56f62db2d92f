"""The therapist's area: caseload, inviting and assigning, a client's record, feedback.

The blueprint lives in ``therapist.blueprint``; importing this package registers the routes on
it.
"""

from __future__ import annotations

from ehealth.therapist import routes  # noqa: F401  (routes register on bp)
from ehealth.therapist.blueprint import bp

__all__ = ["bp"]
