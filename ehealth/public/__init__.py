"""The public area: the module library and read-only previews, open to every visitor.

The blueprint lives in ``public.blueprint``; importing this package registers the routes on it.
"""

from __future__ import annotations

from ehealth.public import routes  # noqa: F401  (routes register on bp)
from ehealth.public.blueprint import bp

__all__ = ["bp"]
