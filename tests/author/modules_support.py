"""What the tests of the author's module pages share: signed-in browsers, forms, drafts."""

from __future__ import annotations

import copy
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from ehealth.database import connected
from ehealth.models import ModuleDraft, ModuleVersion, User
from ehealth.services import authoring
from tests.conftest import FIXTURE_MEDIA, csrf_token, login


def browser(app: Flask, user: User | None = None, language: str = "en") -> FlaskClient:
    """A browser showing pages in ``language``, signed in as ``user`` when given."""
    test_client = app.test_client()
    test_client.environ_base["HTTP_REFERER"] = "https://localhost/"
    test_client.set_cookie("lang", language)
    if user is not None:
        login(test_client, user)
    return test_client


def post(test_client: FlaskClient, path: str, data: dict[str, Any] | None = None,
         **kwargs: Any) -> TestResponse:
    """Submit a form as the page would, with its CSRF token."""
    return test_client.post(path, data={**(data or {}), "csrf_token": csrf_token(test_client)},
                            **kwargs)


def page(test_client: FlaskClient, path: str, status: int = 200) -> str:
    """The HTML of a page, after checking its status."""
    response = test_client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return response.get_data(as_text=True)


def follow(test_client: FlaskClient, response: TestResponse) -> str:
    """The page a 303 sent the browser to."""
    assert response.status_code == 303, response.status_code
    return page(test_client, response.headers["Location"].split("#")[0])


def library_version(module_id: str = "voorbeeld") -> ModuleVersion:
    with connected():
        version: ModuleVersion = ModuleVersion.get(ModuleVersion.module_id == module_id)
        return version


def copy_of_voorbeeld(author: User, module_id: str = "oost-eigen") -> ModuleDraft:
    """A draft of the author's organisation: a copy of the library's voorbeeld module."""
    with connected():
        return authoring.copy_module(author, library_version(), module_id)


def draft(draft_id: int) -> ModuleDraft:
    with connected():
        found: ModuleDraft = ModuleDraft.get_by_id(draft_id)
        return found


def step_of(content: dict[str, Any], step_id: str) -> dict[str, Any]:
    for lesson in content["lessons"].values():
        for step in lesson["steps"]:
            if step["id"] == step_id:
                return copy.deepcopy(step)
    raise KeyError(step_id)


def change(author: User, draft_id: int, changes: dict[str, Any]) -> ModuleDraft:
    """Save ``changes`` (part key → value) to the draft as ``author``."""
    with connected():
        current = ModuleDraft.get_by_id(draft_id)
        return authoring.save_draft(author, draft_id, current.revision, changes,
                                    FIXTURE_MEDIA).draft


def retitle(author: User, draft_id: int, step_id: str, nl: str, en: str) -> ModuleDraft:
    """Change a step's title (wording only)."""
    step = step_of(draft(draft_id).content, step_id)
    step["title"] = {"nl": nl, "en": en}
    return change(author, draft_id, {f"step:{step_id}": step})


def submitted(author: User, draft_id: int, note: str = "Klaar") -> ModuleDraft:
    with connected():
        return authoring.submit(author, draft_id, note, FIXTURE_MEDIA)


def published(author: User, reviewer: User, module_id: str = "oost-eigen",
              version: str = "1.0.0") -> ModuleVersion:
    """``module_id`` copied from voorbeeld by ``author`` and published by ``reviewer``."""
    copied = copy_of_voorbeeld(author, module_id)
    submitted(author, copied.get_id())
    with connected():
        return authoring.publish(reviewer, copied.get_id(), version, media_dir=FIXTURE_MEDIA)
