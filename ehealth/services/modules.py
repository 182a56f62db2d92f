"""Turning module folders into published ModuleVersions, and reading them back.

A ModuleVersion is immutable: unchanged content creates nothing, changed content needs a
higher version number, so a client who started on one version keeps exactly that content.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from peewee import IntegrityError

from ehealth.content.loader import MODULE_FILE, Module, load_module_content
from ehealth.content.problems import Problem
from ehealth.content.schema import version_key
from ehealth.database import write_transaction
from ehealth.models import ModuleVersion


class ModuleVersionConflict(Exception):
    """Module content in the folder disagrees with what has been published."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class SyncReport:
    """What ``sync_module_versions`` did."""

    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _conflict(module: Module, published: ModuleVersion) -> Problem | None:
    if published.content_hash == module.content_hash:
        return None
    major, minor, patch = version_key(module.version)
    return Problem(
        f"{module.source}/{MODULE_FILE}", "version",
        f'The content of "{module.id}" changed, but version {module.version} was already '
        f"published on {published.published_at:%Y-%m-%d} with other content. Raise the "
        f'version (for example to "{major}.{minor}.{patch + 1}") so clients who started '
        "on this version keep it.",
    )


def sync_module_versions(modules: list[Module]) -> SyncReport:
    """Publish each module's content as a ModuleVersion, once.

    Raises ModuleVersionConflict (listing every conflict, publishing nothing) when content
    changed under a version number already published, or a version is lower than the latest.
    """
    report = SyncReport()
    problems: list[Problem] = []
    to_create: list[Module] = []
    for module in modules:
        label = f"{module.id} {module.version}"
        existing = list(ModuleVersion.select().where(ModuleVersion.module_id == module.id))
        same = next((v for v in existing if v.version == module.version), None)
        if same is not None:
            conflict = _conflict(module, same)
            if conflict:
                problems.append(conflict)
            else:
                report.unchanged.append(label)
            continue
        latest = max(existing, key=lambda v: version_key(v.version), default=None)
        if latest is not None and version_key(module.version) < version_key(latest.version):
            problems.append(Problem(
                f"{module.source}/{MODULE_FILE}", "version",
                f'Version {module.version} of "{module.id}" is lower than the published '
                f"{latest.version}; a new version must be higher.",
            ))
            continue
        to_create.append(module)
    if problems:
        raise ModuleVersionConflict(problems)
    for module in to_create:
        try:
            with write_transaction():
                ModuleVersion.create(
                    module_id=module.id,
                    version=module.version,
                    content_hash=module.content_hash,
                    content=module.content,
                )
            report.created.append(f"{module.id} {module.version}")
        except IntegrityError:
            # Another app instance published it at the same moment: fine if identical.
            same = ModuleVersion.get(
                (ModuleVersion.module_id == module.id) & (ModuleVersion.version == module.version)
            )
            conflict = _conflict(module, same)
            if conflict:
                raise ModuleVersionConflict([conflict]) from None
            report.unchanged.append(f"{module.id} {module.version}")
    return report


@lru_cache(maxsize=256)
def _load_stored(version_id: int, content_hash: str) -> Module:
    version = ModuleVersion.get_by_id(version_id)
    result = load_module_content(version.content, label=f"{version.module_id}@{version.version}")
    if result.module is None:
        raise ModuleVersionConflict(result.problems)
    return result.module


def module_for_version(version: ModuleVersion) -> Module:
    """The module exactly as published in ``version`` (cached per version)."""
    return _load_stored(version.get_id(), version.content_hash)
