"""Turning module folders into published ModuleVersions, and reading them back.

A ModuleVersion is immutable: unchanged content creates nothing, changed content needs a
higher version number, so a client who started on one version keeps exactly that content.

A folder that breaks this rule (content changed under a published version number, or a version
lower than the published one) is a ``ModuleConflict``: that module is not published, every other
one is, and the library keeps serving the module's last published version. The database, not
the folder, is what the app serves (``published_library``): the files of a running app need not
be what was published.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from peewee import IntegrityError, fn

from ehealth.content.loader import MODULE_FILE, Module, load_module_content
from ehealth.content.problems import Problem
from ehealth.content.schema import version_key
from ehealth.database import write_transaction
from ehealth.models import ModuleVersion

log = logging.getLogger(__name__)


class StoredModuleUnreadable(Exception):
    """Stored module content cannot be read back as a module."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


CHANGED = "changed"  # other content under a version number already published
LOWER = "lower"  # a version number lower than the latest published one


@dataclass(frozen=True)
class ModuleConflict:
    """A module folder that disagrees with what has been published: it is not published."""

    module_id: str
    version: str  # as the folder says
    file: str  # the folder's module.json
    kind: str  # CHANGED or LOWER
    published_version: str  # the published version it clashes with (the latest, for LOWER)
    published_at: dt.datetime
    suggested_version: str  # a version that would be accepted

    @property
    def problem(self) -> Problem:
        """The conflict as the checker prints problems: file, JSON path, message (English)."""
        if self.kind == CHANGED:
            message = (
                f'The content of "{self.module_id}" changed, but version {self.version} was '
                f"already published on {self.published_at:%Y-%m-%d} with other content. Raise "
                f'the version (for example to "{self.suggested_version}") so clients who '
                "started on this version keep it."
            )
        else:
            message = (
                f'Version {self.version} of "{self.module_id}" is lower than the published '
                f"{self.published_version}; a new version must be higher (for example "
                f'"{self.suggested_version}").'
            )
        return Problem(self.file, "version", message)


def _next_patch(version: str) -> str:
    major, minor, patch, *_ = (*version_key(version), 0, 0, 0)
    return f"{major}.{minor}.{patch + 1}"


@dataclass
class SyncPlan:
    """How a set of module folders compares with what is published."""

    new: list[Module] = field(default_factory=list)
    already_published: list[str] = field(default_factory=list)  # "id version"
    conflicts: list[ModuleConflict] = field(default_factory=list)


@dataclass
class SyncReport:
    """What ``sync_module_versions`` did: published, found already published, refused."""

    published: list[str] = field(default_factory=list)  # "id version"
    already_published: list[str] = field(default_factory=list)
    conflicts: list[ModuleConflict] = field(default_factory=list)

    def after(self, earlier: SyncReport | None) -> SyncReport:
        """This report with what ``earlier`` (a sync moments before, in the same process)
        published counted as published now too, not as found already there."""
        if earlier is None:
            return self
        published = [*earlier.published,
                     *(name for name in self.published if name not in earlier.published)]
        return SyncReport(published,
                          [name for name in self.already_published if name not in published],
                          self.conflicts)


def _label(module: Module) -> str:
    return f"{module.id} {module.version}"


def compare_with_published(modules: list[Module]) -> SyncPlan:
    """Which modules are new, which are published already, and which conflict (no writes)."""
    plan = SyncPlan()
    ids = [module.id for module in modules]
    published: dict[str, list[ModuleVersion]] = {}
    if ids:
        for version in (ModuleVersion.select(ModuleVersion.id, ModuleVersion.module_id,
                                             ModuleVersion.version, ModuleVersion.content_hash,
                                             ModuleVersion.published_at)
                        .where(ModuleVersion.module_id.in_(ids))):
            published.setdefault(version.module_id, []).append(version)
    for module in modules:
        existing = published.get(module.id, [])
        same = next((v for v in existing if v.version == module.version), None)
        if same is not None:
            if same.content_hash == module.content_hash:
                plan.already_published.append(_label(module))
            else:
                plan.conflicts.append(_conflict(module, same, CHANGED))
            continue
        latest = max(existing, key=lambda v: version_key(v.version), default=None)
        if latest is not None and version_key(module.version) < version_key(latest.version):
            plan.conflicts.append(_conflict(module, latest, LOWER))
            continue
        plan.new.append(module)
    return plan


def _conflict(module: Module, published: ModuleVersion, kind: str) -> ModuleConflict:
    return ModuleConflict(
        module_id=module.id, version=module.version, file=f"{module.source}/{MODULE_FILE}",
        kind=kind, published_version=published.version, published_at=published.published_at,
        suggested_version=_next_patch(published.version))


def sync_module_versions(modules: list[Module]) -> SyncReport:
    """Publish each module's content as a ModuleVersion, once.

    A module whose content changed under a version number already published, or whose version
    is lower than the latest, is not published: it is listed in ``conflicts`` and every other
    module is published all the same.
    """
    plan = compare_with_published(modules)
    report = SyncReport(already_published=plan.already_published, conflicts=plan.conflicts)
    for module in plan.new:
        try:
            with write_transaction():
                ModuleVersion.create(
                    module_id=module.id,
                    version=module.version,
                    content_hash=module.content_hash,
                    content=module.content,
                )
            report.published.append(_label(module))
        except IntegrityError:
            # Another app instance published it at the same moment: fine if identical.
            same = ModuleVersion.get(
                (ModuleVersion.module_id == module.id) & (ModuleVersion.version == module.version)
            )
            if same.content_hash == module.content_hash:
                report.already_published.append(_label(module))
            else:
                report.conflicts.append(_conflict(module, same, CHANGED))
    return report


def library_stamp() -> tuple[int, int]:
    """(number of versions, highest id): changes whenever any version is published.

    Versions are never deleted, so the count grows with every publication, also when two
    instances commit their ids out of order.
    """
    row: Any = (ModuleVersion.select(fn.COUNT(ModuleVersion.id), fn.MAX(ModuleVersion.id))
                .tuples().get())
    return int(row[0] or 0), int(row[1] or 0)


@dataclass
class PublishedLibrary:
    """The latest published version of every module, as read from the database."""

    stamp: tuple[int, int]
    modules: dict[str, Module]


def published_library() -> PublishedLibrary:
    """Every module in its latest published version, by module id (in id order).

    A stored version that cannot be read back (which the checks before publishing rule out)
    is logged and skipped for the one below it.
    """
    stamp = library_stamp()
    by_module: dict[str, list[ModuleVersion]] = {}
    for version in ModuleVersion.select(ModuleVersion.id, ModuleVersion.module_id,
                                        ModuleVersion.version, ModuleVersion.content_hash):
        by_module.setdefault(version.module_id, []).append(version)
    modules: dict[str, Module] = {}
    for module_id in sorted(by_module):
        for version in sorted(by_module[module_id], key=lambda v: version_key(v.version),
                              reverse=True):
            try:
                modules[module_id] = module_for_version(version)
                break
            except StoredModuleUnreadable as error:
                log.error("Published version %s %s cannot be read back, skipped: %s",
                          module_id, version.version, error)
    return PublishedLibrary(stamp, modules)


@lru_cache(maxsize=256)
def _load_stored(version_id: int, content_hash: str) -> Module:
    version = ModuleVersion.get_by_id(version_id)
    result = load_module_content(version.content, label=f"{version.module_id}@{version.version}")
    if result.module is None:
        raise StoredModuleUnreadable(result.problems)
    return result.module


def module_for_version(version: ModuleVersion) -> Module:
    """The module exactly as published in ``version`` (cached per version)."""
    return _load_stored(version.get_id(), version.content_hash)
