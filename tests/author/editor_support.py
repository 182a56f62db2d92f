"""Helpers of the editor's tests: a draft to edit, and a page's form as a browser sends it."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from flask.testing import FlaskClient

from ehealth.database import connected
from ehealth.models import ModuleDraft, ModuleVersion, User
from ehealth.services import authoring

FormData = dict[str, list[str]]


def copy_of_voorbeeld(author: User, module_id: str = "mijn-voorbeeld") -> ModuleDraft:
    """A draft of the author's organisation: the fixture module voorbeeld, copied."""
    with connected():
        version = ModuleVersion.get(ModuleVersion.module_id == "voorbeeld")
        return authoring.copy_module(author, version, module_id)


def stored(draft_id: int) -> ModuleDraft:
    with connected():
        draft: ModuleDraft = ModuleDraft.get_by_id(draft_id)
    return draft


def step_of(draft: ModuleDraft, step_id: str) -> dict[str, Any]:
    for lesson in draft.content["lessons"].values():
        for step in lesson["steps"]:
            if step["id"] == step_id:
                return dict(step)
    raise KeyError(step_id)


class _FormReader(HTMLParser):
    """The fields of one form (by id) as a browser submits it, without the buttons."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data: FormData = {}
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._option: tuple[str, bool] | None = None
        self._option_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form" and (a.get("id") == self.form_id or (
                self.form_id.startswith(".") and self.form_id[1:] in a.get("class", "").split())):
            self.inside = True
            return
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value", "on" if kind in (
                "checkbox", "radio") else ""))
        elif tag == "textarea" and name and "disabled" not in a:
            self._textarea, self._text = name, []
        elif tag == "select" and name and "disabled" not in a:
            self._select, self._options = name, []
        elif tag == "option" and self._select is not None:
            self._option = (a.get("value", ""), "selected" in a)
            self._option_text = []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)
        if self._option is not None:
            self._option_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.data.setdefault(self._textarea, []).append(text.removeprefix("\n"))
            self._textarea = None
        elif tag == "option" and self._option is not None:
            self._options.append(self._option)
            self._option = None
        elif tag == "select" and self._select is not None:
            chosen = [v for v, selected in self._options if selected] or (
                [self._options[0][0]] if self._options else [])
            self.data.setdefault(self._select, []).extend(chosen[:1])
            self._select = None


def form_of(html: str, form_id: str = "ed-form") -> FormData:
    """The form ``form_id`` (or ``.class``) of a page, as a browser sends it (no button)."""
    reader = _FormReader(form_id)
    reader.feed(html)
    assert reader.data, f"no form #{form_id} on the page"
    return reader.data


def page_form(client: FlaskClient, path: str, form_id: str = "ed-form") -> FormData:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return form_of(response.get_data(as_text=True), form_id)


def prefix_of(form: FormData, key: str) -> str:
    """The prefix of the part ``key`` (``step:tip``) on a page's form."""
    for name, values in form.items():
        if name.endswith("._key") and values == [key]:
            return name.removesuffix("._key")
    raise KeyError(key)


def post(client: FlaskClient, path: str, form: FormData, op: str | None = None,
         as_json: bool = False) -> Any:
    """Post an editor form (as the Save button, a button ``op``, or the autosave)."""
    data = {name: list(values) for name, values in form.items()}
    if op is not None:
        data["op"] = [op]
    headers = {"Accept": "application/json"} if as_json else {}
    if as_json:
        headers["X-CSRFToken"] = form["csrf_token"][0]
    return client.post(path, data=data, headers=headers)


def links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)
