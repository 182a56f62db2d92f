"""Every shipped module can be worked through to the end over the API alone."""

from __future__ import annotations

import pytest

from ehealth.content.steps import STEP_TYPES
from ehealth.models import AssignmentStatus
from tests.api.helpers import ApiClient
from tests.client.walk import SHIPPED_MODULES, client_on_shipped_module, sample_form


def _as_lists(form: dict[str, object]) -> dict[str, list[str]]:
    return {name: value if isinstance(value, list) else [str(value)]
            for name, value in form.items()}


@pytest.mark.parametrize("module_id", SHIPPED_MODULES)
def test_every_shipped_module_can_be_finished_through_the_api(
    database_url: str, module_id: str
) -> None:
    session = client_on_shipped_module(database_url, module_id)
    browser, module = session.browser, session.module
    api = ApiClient(browser, session.assignment.id)
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
