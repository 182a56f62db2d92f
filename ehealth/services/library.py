"""Which modules of the library an organisation's therapists may give to clients.

Every module of the loaded library is available to every organisation until its admin switches
it off (an OrganisationModule row with ``available = False``; no row means available). A module
whose versions were published by another organisation (``ModuleVersion.organisation``) is never
available here. Switching a module off hides it when assigning; clients who already have it keep
it.

The therapist area asks ``available_modules(organisation, all_modules)`` (and
``is_available`` for a single module when an assignment is posted); the public pages ask
``visible_modules`` (an organisation's own modules are not public).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ehealth.content.loader import Module
from ehealth.database import write_transaction
from ehealth.models import ModuleVersion, Organisation, OrganisationModule, User, utcnow


class UnknownModule(Exception):
    """No module with this id in the library (or it belongs to another organisation)."""


@dataclass
class LibraryEntry:
    """A module of the library as the admin sees it: available or not, since when, by whom."""

    module: Module
    available: bool
    updated_at: dt.datetime | None = None
    updated_by: User | None = None
    own: bool = False  # the organisation's own module (not the shipped library's)


def _modules(all_modules: Mapping[str, Module] | Iterable[Module]) -> list[Module]:
    if isinstance(all_modules, Mapping):
        return list(all_modules.values())
    return list(all_modules)


def _owned_elsewhere(organisation: Organisation) -> set[str]:
    """Ids of modules published by another organisation."""
    return {version.module_id for version in ModuleVersion.select(ModuleVersion.module_id)
            .where(ModuleVersion.organisation.is_null(False)
                   & (ModuleVersion.organisation != organisation)).distinct()}


def _owned_by_organisations() -> set[str]:
    """Ids of every module an organisation published (none of them is public)."""
    return {version.module_id for version in ModuleVersion.select(ModuleVersion.module_id)
            .where(ModuleVersion.organisation.is_null(False)).distinct()}


def visible_modules(organisation: Organisation | None,
                    all_modules: Mapping[str, Module] | Iterable[Module]) -> list[Module]:
    """The modules someone of ``organisation`` may see (None: a visitor), in the order given.

    The shipped library is for everyone; an organisation's own modules only for its own
    people, never for visitors or another organisation.
    """
    hidden = (_owned_by_organisations() if organisation is None
              else _owned_elsewhere(organisation))
    return [m for m in _modules(all_modules) if m.id not in hidden]


def _switched_off(organisation: Organisation) -> set[str]:
    return {choice.module_id for choice in OrganisationModule.select(OrganisationModule.module_id)
            .where((OrganisationModule.organisation == organisation)
                   & (OrganisationModule.available == False))}  # noqa: E712


def _of_organisation(organisation: Organisation,
                     all_modules: Mapping[str, Module] | Iterable[Module]) -> list[Module]:
    elsewhere = _owned_elsewhere(organisation)
    return [m for m in _modules(all_modules) if m.id not in elsewhere]


def available_modules(organisation: Organisation,
                      all_modules: Mapping[str, Module] | Iterable[Module]) -> list[Module]:
    """The modules the organisation's therapists may assign, in the order given.

    ``all_modules`` is the app's loaded library (``ehealth.module_library.modules(app)``, a dict
    by id, or any list of modules).
    """
    off = _switched_off(organisation)
    return [m for m in _of_organisation(organisation, all_modules) if m.id not in off]


def is_available(organisation: Organisation, module_id: str,
                 all_modules: Mapping[str, Module] | Iterable[Module]) -> bool:
    """Whether the organisation's therapists may assign the module ``module_id``."""
    return any(m.id == module_id for m in available_modules(organisation, all_modules))


def library_of(organisation: Organisation,
               all_modules: Mapping[str, Module] | Iterable[Module]) -> list[LibraryEntry]:
    """Every module the organisation may use, with whether it is switched on, by id."""
    choices = {c.module_id: c for c in OrganisationModule.select()
               .where(OrganisationModule.organisation == organisation)}
    own = {version.module_id for version in ModuleVersion.select(ModuleVersion.module_id)
           .where(ModuleVersion.organisation == organisation).distinct()}
    entries = []
    for module in _of_organisation(organisation, all_modules):
        choice = choices.get(module.id)
        entries.append(LibraryEntry(
            module, available=choice is None or bool(choice.available),
            updated_at=choice.updated_at if choice else None,
            updated_by=choice.updated_by if choice else None, own=module.id in own))
    return sorted(entries, key=lambda e: e.module.id)


def set_available(admin: User, module_id: str, available: bool,
                  all_modules: Mapping[str, Module] | Iterable[Module],
                  now: dt.datetime | None = None) -> None:
    """Switch a module on or off for the admin's organisation (UnknownModule if not there)."""
    organisation = admin.organisation
    if not any(m.id == module_id for m in _of_organisation(organisation, all_modules)):
        raise UnknownModule(module_id)
    now = now or utcnow()
    with write_transaction():
        (OrganisationModule
         .insert(organisation=organisation, module_id=module_id, available=available,
                 updated_at=now, updated_by=admin)
         .on_conflict(conflict_target=[OrganisationModule.organisation,
                                       OrganisationModule.module_id],
                      update={OrganisationModule.available: available,
                              OrganisationModule.updated_at: now,
                              OrganisationModule.updated_by: admin.id})
         .execute())
