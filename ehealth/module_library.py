"""The app's module library: what the blueprints read, kept fresh while the app runs.

The library is the latest published version of every module, read from the database (the
source of truth for published versions; the module folder of a running app may hold something
else). Each worker holds it in ``app.extensions["ehealth.modules"]`` and, before a request, at
most every ``MODULE_LIBRARY_CHECK_SECONDS`` (default 5), asks the database whether anything
was published since (one small query); if so it reloads. So a version published by
``ehealth sync-modules`` or by another instance reaches every worker within seconds, without a
restart.

The library also keeps the conflicts found in the module folder at start-up (content changed
under a published version number): the module keeps being served in its last published
version, and its admins and authors are shown what is wrong (``conflicts_for``). A conflict is
dropped once a higher version of that module is published.

A leaf for the blueprints: it imports services and the module format, never a blueprint or
``ehealth.app``.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from flask import Flask
from peewee import DatabaseError

from ehealth.content.loader import Module
from ehealth.content.schema import version_key
from ehealth.database import connected
from ehealth.models import Organisation, Role, User
from ehealth.services import library as library_service
from ehealth.services.modules import (
    ModuleConflict,
    SyncReport,
    library_stamp,
    published_library,
)

log = logging.getLogger(__name__)

EXTENSION = "ehealth.modules"
DEFAULT_CHECK_SECONDS = 5.0


@dataclass
class LibraryState:
    """One worker's copy of the library, and when it last asked the database about it."""

    modules: dict[str, Module] = field(default_factory=dict)
    conflicts: list[ModuleConflict] = field(default_factory=list)
    stamp: tuple[int, int] | None = None  # None: never loaded from the database
    checked_at: float = 0.0  # time.monotonic() of the last check
    check_seconds: float = DEFAULT_CHECK_SECONDS
    # What the start-up of this process published, so ``ehealth sync-modules`` can say so.
    start_up_sync: SyncReport | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


def install(app: Flask, conflicts: list[ModuleConflict],
            start_up_sync: SyncReport | None = None) -> LibraryState:
    """Give ``app`` its library, loaded now when the database allows, and keep it fresh."""
    state = LibraryState(
        conflicts=list(conflicts), start_up_sync=start_up_sync,
        check_seconds=float(app.config.get("MODULE_LIBRARY_CHECK_SECONDS",
                                           DEFAULT_CHECK_SECONDS)))
    app.extensions[EXTENSION] = state
    try:
        with connected():
            _reload(state)
        state.checked_at = time.monotonic()
    except DatabaseError as error:
        # No schema yet (AUTO_MIGRATE off before the first ``ehealth migrate``), or the
        # database is not reachable: the first request tries again.
        log.warning("Module library not loaded from the database yet: %s", error)

    @app.before_request
    def _fresh_library() -> None:
        refresh_if_due(app)

    return state


def state_of(app: Flask) -> LibraryState:
    """The library state of ``app``."""
    state: LibraryState = app.extensions[EXTENSION]
    return state


def modules(app: Flask) -> dict[str, Module]:
    """The library of ``app``: every published module in its latest version, by module id."""
    return state_of(app).modules


def conflicts(app: Flask) -> list[ModuleConflict]:
    """The module folders that could not be published (their last version is served)."""
    return list(state_of(app).conflicts)


def conflicts_for(app: Flask, organisation: Organisation) -> list[ModuleConflict]:
    """The conflicts of modules in ``organisation``'s library (no query when there are none)."""
    found = conflicts(app)
    if not found:
        return []
    usable = {entry.module.id for entry in library_service.library_of(organisation,
                                                                        modules(app))}
    return [conflict for conflict in found if conflict.module_id in usable]


@dataclass(frozen=True)
class ConflictNotice:
    """A conflict as a page shows it: with the module's title in the reader's language."""

    conflict: ModuleConflict
    title: str
    language: str  # of the title


def conflict_notices(app: Flask, user: User, language: str) -> list[ConflictNotice]:
    """What the organisation's admins and authors are told about modules not published.

    Empty (and no query) for anyone else, and when every module folder was published.
    """
    if not conflicts(app) or user.role not in (Role.ADMIN, Role.AUTHOR):
        return []
    library = modules(app)
    notices = []
    for conflict in conflicts_for(app, user.organisation):
        module = library[conflict.module_id]
        shown = module.language_for(language)
        notices.append(ConflictNotice(conflict, module.title.in_language(shown), shown))
    return notices


def refresh_if_due(app: Flask, now: float | None = None) -> bool:
    """Reload the library when something was published since it was loaded.

    Asks the database at most every ``check_seconds``; returns whether it reloaded. Needs a
    connection (the app's before-request hook opens one first).
    """
    state = state_of(app)
    now = time.monotonic() if now is None else now
    if state.stamp is not None and now - state.checked_at < state.check_seconds:
        return False
    # One thread of the worker asks; the others keep serving what they have meanwhile.
    if not state.lock.acquire(blocking=False):
        return False
    try:
        state.checked_at = now
        try:
            if state.stamp is not None and library_stamp() == state.stamp:
                return False
            _reload(state)
        except DatabaseError as error:
            log.warning("Could not check the module library for new versions: %s", error)
            return False
        return True
    finally:
        state.lock.release()


def _reload(state: LibraryState) -> None:
    """Read the library from the database; drop conflicts a higher version has resolved."""
    published = published_library()
    resolved = [c for c in state.conflicts if c.module_id in published.modules
                and version_key(published.modules[c.module_id].version)
                > version_key(c.published_version)]
    for conflict in resolved:
        log.info("Module %s is published in version %s: its conflict is resolved.",
                 conflict.module_id, published.modules[conflict.module_id].version)
    if state.stamp is not None:
        log.info("Module library reloaded: %s", ", ".join(
            f"{m.id} {m.version}" for m in published.modules.values()) or "no modules")
    # Replaced, not changed in place: a request that is reading the old dict keeps it whole.
    state.modules = published.modules
    state.conflicts = [c for c in state.conflicts if c not in resolved]
    state.stamp = published.stamp
