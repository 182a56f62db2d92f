"""The author area: an organisation's own modules, from a draft through review to published.

For the organisation's authors and admins only. The module list, new modules and copies, review,
publication and history live in ``modules_routes``; the editor and the preview in
``editor_routes``; media uploads in ``media_routes``. The blueprint lives in
``author.blueprint``; importing this package registers the routes on it.
"""

from __future__ import annotations

from ehealth.author import editor_routes, media_routes, modules_routes  # noqa: F401
from ehealth.author.blueprint import bp

__all__ = ["bp"]
