"""Benchmark: saving one step of a 100-step module draft, on SQLite and PostgreSQL.

    python scripts/bench_draft_save.py [--rounds N] [--steps 100]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<yours> python scripts/bench_draft_save.py

Builds a draft of ``--steps`` steps (five lessons, every registered step type in turn, each its
type's example) in a throw-away database: SQLite in a temporary folder, and, when
``DATABASE_URL`` names PostgreSQL, a fresh database next to the one named (dropped afterwards).
Then it changes the text of one step N times and prints the median and 90th percentile of:

- ``authoring.save_draft``: the part-based save with its checker run (``check_content``);
- ``draft_editing.save_edits``: the editor's save over it (fingerprints, merge, save, check);
- the writing checks alone (``writing_warnings``) and the checker alone (``check_content``);
- the autosave through the route (Flask's test client: session, form parsing, save, checker,
  writing checks and the checks' HTML in the JSON answer), on the page of a 20-step lesson;
- the plain Save button through the route (the same save, then a redirect) and the lesson page
  it comes back to.

It asserts nothing: speed is a figure, never a test.
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_support import postgres_database  # noqa: E402  (next to this script)

LESSONS = 5
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def content_of(steps: int) -> dict[str, Any]:
    """A module of ``steps`` steps in five lessons, each step its type's example."""
    from ehealth.content.steps import STEP_TYPES

    types = [name for name in STEP_TYPES if name != "opening"]
    per_lesson = max(1, steps // LESSONS)
    lessons: dict[str, Any] = {}
    answered: list[str] = []
    number = 0
    for index in range(LESSONS):
        lesson_id = f"les-{index + 1}"
        lesson_steps = []
        for position in range(per_lesson):
            kind = "opening" if position == 0 else types[number % len(types)]
            step = copy.deepcopy(STEP_TYPES[kind].sample_step(answered[-3:]))
            step["id"] = f"{kind}-{number}"
            lesson_steps.append(step)
            if STEP_TYPES[kind].answerable:
                answered.append(step["id"])
            number += 1
        lessons[lesson_id] = {"id": lesson_id,
                              "title": {"nl": f"Les {index + 1}", "en": f"Lesson {index + 1}"},
                              "steps": lesson_steps}
    module = {"id": f"bench-{secrets.token_hex(3)}", "version": "0.1.0",
              "languages": ["nl", "en"], "title": {"nl": "Bank", "en": "Bench"},
              "summary": {"nl": "Een lange module.", "en": "A long module."},
              "audience": ["adults"], "estimated_minutes": 60,
              "cover": {"src": "wat-gaat-er-goed/cover.svg",
                        "alt": {"nl": "Een pad", "en": "A path"}},
              "lessons": list(lessons)}
    return {"module": module, "lessons": lessons}


def seed(steps: int) -> tuple[Any, Any, str]:
    from ehealth.models import Organisation, Role, User
    from ehealth.services import authoring
    from ehealth.services.sessions import start_session

    organisation = Organisation.create(name="Bench", slug=f"bench-{secrets.token_hex(3)}")
    author: User = User.create(organisation=organisation, role=Role.AUTHOR, name="Auteur",
                               email=f"auteur-{organisation.slug}@bench.example")
    content = content_of(steps)
    draft = authoring.draft_from_content(author, content["module"]["id"], content,
                                         action="module.draft_created")
    return author, draft, start_session(author)


def figures(name: str, timings: list[float]) -> None:
    timings.sort()
    p90 = timings[min(len(timings) - 1, int(len(timings) * 0.9))]
    print(f"  {name:<44} median {statistics.median(timings):7.1f} ms   p90 {p90:7.1f} ms")


def timed(rounds: int, action: Callable[[Any], Any],
          prepare: Callable[[int], Any] = lambda number: number) -> list[float]:
    """Milliseconds of ``rounds`` runs of ``action(prepare(n))`` (``prepare`` not timed)."""
    action(prepare(-1))  # warm
    found = []
    for number in range(rounds):
        argument = prepare(number)
        begin = time.perf_counter()
        action(argument)
        found.append((time.perf_counter() - begin) * 1000)
    return found


def run(database_url: str, steps: int, rounds: int, label: str) -> None:
    from ehealth import create_app
    from ehealth.author import editor_forms
    from ehealth.content.writing import writing_warnings
    from ehealth.database import connected
    from ehealth.extensions import db
    from ehealth.models import ModuleDraft
    from ehealth.services import authoring, draft_editing

    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{tmp}/bench.sqlite3"
        media_dir = ROOT / "media"
        app = create_app({"ENV_NAME": "development", "SECRET_KEY": "bench",
                          "DATABASE_URL": url, "INSTANCE_DIR": tmp, "REDIS_URL": "",
                          "MODULES_DIR": ROOT / "modules", "MEDIA_DIR": media_dir,
                          "MAIL_SERVER": ""})
        with connected():
            author, draft, token = seed(steps)
        draft_id = draft.get_id()
        total = sum(len(lesson["steps"]) for lesson in draft.content["lessons"].values())
        problems = authoring.check_content(draft.content, media_dir)
        print(f"\n{label}: a draft of {total} steps in {LESSONS} lessons "
              f"({len(problems)} problems), {rounds} saves of one step each")

        def current() -> ModuleDraft:
            found: ModuleDraft = ModuleDraft.get_by_id(draft_id)
            return found

        step_id = next(step["id"] for step in draft.content["lessons"]["les-1"]["steps"]
                       if step["type"] == "text")  # a step of the first lesson

        def step_now() -> dict[str, Any]:
            for lesson in current().content["lessons"].values():
                for step in lesson["steps"]:
                    if step["id"] == step_id:
                        return dict(step)
            raise KeyError(step_id)

        with app.test_request_context(), connected():
            def save_part(number: int) -> None:
                step = step_now()
                step["body"] = {"nl": f"Tekst {number}", "en": f"Text {number}"}
                authoring.save_draft(author, draft_id, current().revision,
                                     {f"step:{step_id}": step}, media_dir)

            figures("authoring.save_draft (with its checker)", timed(rounds, save_part))

            managed = editor_forms.step_managed("text")

            def save_edit(number: int) -> None:
                step = step_now()
                base = draft_editing.fingerprint(draft_editing.projection(step, managed))
                step["body"] = {"nl": f"Bewerkt {number}", "en": f"Edited {number}"}
                draft_editing.save_edits(author, draft_id, [draft_editing.PartEdit(
                    f"step:{step_id}", step, base, managed)], None, media_dir)

            figures("draft_editing.save_edits (the editor's save)", timed(rounds, save_edit))
            content = current().content
            figures("  of which: check_content (the checker)",
                    timed(rounds, lambda _n: authoring.check_content(content, media_dir)))
            figures("  and after it: writing_warnings",
                    timed(rounds, lambda _n: writing_warnings(content)))

        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = token
            session["_fresh"] = True
        page = f"/author/drafts/{draft_id}/lessons/les-1"
        save = f"/author/drafts/{draft_id}/save"

        token_match = CSRF.search(client.get(page).get_data(as_text=True))
        assert token_match
        csrf = token_match.group(1)

        def form_of_page() -> dict[str, list[str]]:
            """The lesson page's form as the page would hold it now (without fetching it)."""
            with app.test_request_context(), connected():
                draft_now = current()
                languages = editor_forms.module_languages(draft_now.content)
                conditions = editor_forms.Conditions(draft_now.content, languages, "nl")
                views = editor_forms.step_views(draft_now.content, "les-1", languages,
                                                conditions)
            form: dict[str, list[str]] = {"csrf_token": [csrf], "page": ["lesson:les-1"]}
            for view in views:
                form.update({name: list(values) for name, values in view.form.items()})
            return form

        form = form_of_page()
        prefix = next(name.removesuffix("._key") for name, value in form.items()
                      if name.endswith("._key") and value == [f"step:{step_id}"])

        def autosave(number: int) -> None:
            form[f"{prefix}.body.nl"] = [f"Autosave {number}"]
            response = client.post(save, data=form, headers={
                "Accept": "application/json", "X-CSRFToken": csrf})
            assert response.status_code == 200, response.status_code
            part = response.get_json()["parts"][prefix]
            form[f"{prefix}._base"], form[f"{prefix}._shown"] = [part["base"]], [part["shown"]]

        figures("the autosave through the route (JSON)", timed(rounds, autosave))

        def fresh_form(number: int) -> dict[str, list[str]]:
            fresh = form_of_page()
            fresh[f"{prefix}.body.nl"] = [f"Opgeslagen {number}"]
            return fresh

        def save_button(fresh: dict[str, list[str]]) -> None:
            response = client.post(save, data={**fresh, "op": ["save"]})
            assert response.status_code == 303, response.status_code

        figures("the Save button through the route (303)",
                timed(rounds, save_button, fresh_form))
        figures("  the lesson page it comes back to (GET)",
                timed(rounds, lambda _n: client.get(page)))
        if not db.is_closed():
            db.close()



def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--steps", type=int, default=100)
    options = parser.parse_args()
    print(f"draft save benchmark, Python {sys.version.split()[0]}")
    run("", options.steps, options.rounds, "SQLite")
    postgres = os.environ.get("DATABASE_URL", "")
    if postgres.startswith(("postgres://", "postgresql://")):
        with postgres_database(postgres) as url:
            run(url, options.steps, options.rounds, "PostgreSQL")
    else:
        print("\nPostgreSQL: skipped (set DATABASE_URL=postgresql://… to include it)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
