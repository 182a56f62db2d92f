"""Every shipped module can be worked through to the end over the API alone."""

from __future__ import annotations

import pytest

from ehealth import create_app
from ehealth.content.steps import STEP_TYPES
from ehealth.database import connected
from ehealth.models import Assignment, AssignmentStatus, ModuleVersion, Organisation, Role, User
from ehealth.services.modules import module_for_version
from tests.api.helpers import ApiClient
from tests.client.walk import sample_form
from tests.conftest import ROOT, login, make_config

SHIPPED = ["krachtbronnen", "ik-ben-ik-kan", "wat-gaat-er-goed", "mijn-mensen",
           "aansluiten-bij-je-kracht"]


def _as_lists(form: dict[str, object]) -> dict[str, list[str]]:
    return {name: value if isinstance(value, list) else [str(value)]
            for name, value in form.items()}


@pytest.mark.parametrize("module_id", SHIPPED)
def test_every_shipped_module_can_be_finished_through_the_api(
    database_url: str, module_id: str
) -> None:
    app = create_app(make_config(database_url, MODULES_DIR=ROOT / "modules",
                                 MEDIA_DIR=ROOT / "media"))
    with connected():
        org = Organisation.create(name="Demo", slug="demo")
        client = User.create(organisation=org, email="c@example.org", role=Role.CLIENT)
        version = ModuleVersion.get(ModuleVersion.module_id == module_id)
        assignment = Assignment.create(client=client, module_version=version)
        module = module_for_version(version)
    browser = app.test_client()
    browser.environ_base["HTTP_REFERER"] = "https://localhost/"
    login(browser, client)
    api = ApiClient(browser, assignment.id)
    step_id: str | None = api.get(api.url()).get_json()["resume"]["step_id"]
    visited = []
    while step_id is not None:
        visited.append(step_id)
        step = module.steps_by_id[step_id]
        step_type = STEP_TYPES[step["type"]]
        visit = browser.post(api.url(f"/steps/{step_id}/visit"), json={},
                             headers={"X-CSRFToken": api.token()})
        assert visit.status_code == 200
        if step_type.answerable:
            value = step_type.from_form(step, _as_lists(sample_form(step)))
            saved = api.put_answer(step_id, value)
            assert saved.status_code == 200, (step_id, saved.get_json())
        done = browser.post(api.url(f"/steps/{step_id}/done"), json={},
                            headers={"X-CSRFToken": api.token()})
        assert done.status_code == 200, (step_id, done.get_json())
        step_id = done.get_json()["next_step_id"]
    final = done.get_json()
    assert final["status"] == AssignmentStatus.COMPLETED
    assert final["progress"]["done"] == final["progress"]["total"] == len(visited)
    assert visited[0] == module.lessons[0].steps[0]["id"]
