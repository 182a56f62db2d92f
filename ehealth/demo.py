"""Demo content: an organisation with staff and two clients part-way through modules.

``ehealth demo`` runs this. Running it again keeps what exists, adds what is missing and gives
every demo account a new password (printed once), so the logins always work.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from ehealth.database import write_transaction
from ehealth.models import (
    Answer,
    Assignment,
    CareRelationship,
    CareRole,
    ModuleVersion,
    Organisation,
    Role,
    User,
)
from ehealth.services import care
from ehealth.services.accounts import hash_password
from ehealth.services.answers import save_answer
from ehealth.services.assignments import complete, mark_done, record_visit
from ehealth.services.modules import module_for_version

DOMAIN = "demo.example"


@dataclass
class Login:
    """One demo account as printed for the person trying the product."""

    role: str
    name: str
    email: str
    password: str


PEOPLE = [
    (Role.THERAPIST, "Fatima de Vries", "fatima"),
    (Role.THERAPIST, "Daan Smit", "daan"),
    (Role.AUTHOR, "Joost Bakker", "joost"),
    (Role.ADMIN, "Marieke Jansen", "marieke"),
    (Role.CLIENT, "Anna Visser", "anna"),
    (Role.CLIENT, "Sem de Boer", "sem"),
]

# (client, module id, answers by step id, steps done (None: all), completed)
PROGRESS: list[tuple[str, str, dict[str, Any], list[str] | None, bool]] = [
    ("anna", "krachtbronnen", {
        "wat-ging-goed": {"answers": {
            "goed-deze-week": "Ik ben twee keer met de buurvrouw gaan wandelen.",
            "zelf-gedaan": "Ik heb haar zelf gevraagd of ze mee wilde.",
        }},
        "mijn-kwaliteiten": {"items": [
            {"category": "kwaliteiten", "suggestion": "gevoel-voor-humor",
             "follow_up": "Zaterdag, toen mijn zus op bezoek was."},
            {"category": "kwaliteiten", "suggestion": "oplettendheid"},
            {"category": "kwaliteiten", "text": "Ik ben trouw aan mijn vrienden."},
        ]},
    }, ["welkom", "wat-ging-goed", "krachtbronnen-uitleg", "mijn-kwaliteiten"], False),
    ("anna", "wat-gaat-er-goed", {}, [], False),
    ("sem", "mijn-mensen", {
        "hoe-gaat-het": {"answers": {
            "hoe-gaat-het-nu": "Wisselend. Op school gaat het beter dan vorige maand.",
            "hoe-gaat-het-thuis": "Rustiger sinds mijn broer weer thuis woont.",
        }},
        "belangrijke-mensen": {"items": [
            {"category": "familie", "suggestion": "broer-zus", "follow_up": "Mijn broer Daan."},
            {"category": "vrienden", "suggestion": "goede-vriend"},
            {"category": "buurt", "suggestion": "trainer", "follow_up": "Mijn voetbaltrainer."},
        ]},
        "iemand-bellen": {"selected": ["ja"]},
    }, ["welkom-mensen", "hoe-gaat-het", "belangrijke-mensen", "iemand-bellen"], False),
    ("sem", "wat-gaat-er-goed", {
        "goed-gaat": {"answers": {"goed-deze-week": "Ik heb mijn toets gehaald.",
                                  "tevreden": "Dat ik elke dag naar school ga."}},
        "cijfer": {"value": 6, "follow_ups": {
            "waarom-geen-nul": "Ik slaap beter en ik heb weer zin in voetbal.",
            "een-punt-hoger": "Dan zou ik vaker met vrienden afspreken."}},
        "uitzonderingen": {"answers": {"beter-moment": "Na de training.",
                                       "wat-was-anders": "Ik had bewogen en gelachen.",
                                       "wat-deed-jij": "Ik ben gegaan, ook zonder zin."}},
        "wonder": {"answers": {"eerste-teken": "Ik sta op zonder te twijfelen.",
                               "wie-merkt-het": "Mijn moeder.", "stukje-al": "Op trainingsdagen."}},
        "levensgebied": {"selected": ["contact"]},
        "eerste-stap": {"goal": "Eén keer per week afspreken met een vriend.",
                        "steps": [{"suggestion": "bericht-sturen"},
                                  {"text": "Daan vragen mee te gaan"}],
                        "first_step": 0, "date": None},
    }, None, True),
]


def _account(organisation: Organisation, role: str, name: str, handle: str) -> Login:
    email = f"{handle}@{DOMAIN}"
    password = "-".join(secrets.token_urlsafe(4) for _ in range(4))
    user = User.get_or_none(User.email == email)
    if user is None:
        User.create(organisation=organisation, email=email, role=role, name=name,
                    language="nl", password_hash=hash_password(password))
    else:
        user.password_hash = hash_password(password)
        user.active = True
        user.save()
    return Login(role, name, email, password)


def create_demo() -> list[Login]:
    """Create (or refresh) the demo organisation, people and progress; return the logins."""
    with write_transaction():
        organisation, _ = Organisation.get_or_create(
            slug="demo", defaults={"name": "Demo GGZ Oost"})
        logins = [_account(organisation, *person) for person in PEOPLE]
    therapist = User.get(User.email == f"fatima@{DOMAIN}")
    with write_transaction():
        # Fatima is both clients' primary therapist; Daan joins Sem's care team.
        for handle in sorted({person[0] for person in PROGRESS}):
            care.start_primary(User.get(User.email == f"{handle}@{DOMAIN}"), therapist)
        sem, daan = (User.get(User.email == f"{h}@{DOMAIN}") for h in ("sem", "daan"))
        if care.relationship(daan, sem) is None:
            CareRelationship.create(organisation=organisation, client=sem, therapist=daan,
                                    role=CareRole.CO_THERAPIST)
    for handle, module_id, answers, done, completed in PROGRESS:
        client = User.get(User.email == f"{handle}@{DOMAIN}")
        version = (ModuleVersion.select().where(ModuleVersion.module_id == module_id)
                   .order_by(ModuleVersion.published_at.desc()).first())
        if version is None:
            continue  # the module is not in this library
        assignment = Assignment.get_or_none((Assignment.client == client)
                                            & (Assignment.module_version == version))
        if assignment is not None:
            continue
        with write_transaction():
            assignment = Assignment.create(client=client, therapist=therapist,
                                           module_version=version)
        for step_id, value in answers.items():
            if not Answer.get_or_none((Answer.assignment == assignment)
                                      & (Answer.step_id == step_id)):
                save_answer(assignment, step_id, value, 0)
        steps = done if done is not None else list(module_for_version(version).steps_by_id)
        for step_id in steps:
            mark_done(assignment, step_id)
        if completed:
            complete(assignment)
        elif steps:
            following = list(module_for_version(version).steps_by_id)
            position = following.index(steps[-1]) + 1
            record_visit(assignment, following[min(position, len(following) - 1)])
    return logins
