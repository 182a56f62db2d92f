"""The organisation admin's area: people, the module library, figures and the access log.

Admins only (``access.role_required``), and only their own organisation: every lookup goes
through a service that is given the admin's organisation, so a person or object of another
organisation is "not found" (404). Every page here shows personal data: none is cached.

The blueprint lives in ``admin.blueprint``; importing this package registers the routes on it.
"""

from __future__ import annotations

from ehealth.admin import audit_routes, library_routes, routes  # noqa: F401  (register on bp)
from ehealth.admin.blueprint import bp

__all__ = ["bp"]
