"""The media library in a real browser: an author uploads by keyboard, sees the file, is told
why a file is refused; an upload is sandboxed even if something harmful were stored.

Every page is audited with axe-core, at 1280 and 375 px, in Dutch and English.
"""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ehealth.models import MediaFile, Organisation, Role, User
from tests.author import media_samples as samples
from tests.browser.support import (
    EN_DESKTOP,
    EN_PHONE,
    NL_DESKTOP,
    NL_PHONE,
    LiveServer,
    View,
    press_to_navigate,
    sign_in_as,
    tab_to,
    visit,
)

if TYPE_CHECKING:
    from playwright.sync_api import Dialog, Page

pytestmark = pytest.mark.browser


def _author(live_server: LiveServer) -> User:
    with live_server.database():
        organisation = Organisation.create(name=f"Zorg {secrets.token_hex(3)}",
                                           slug=f"zorg-{secrets.token_hex(4)}")
        user: User = User.create(organisation=organisation, role=Role.AUTHOR, name="Sanne",
                                 email=f"auteur-{secrets.token_hex(4)}@browser.example")
    return user




def _choose_file(page: Page, tmp_path: Path, name: str, data: bytes) -> None:
    """Reach the file field by keyboard and pick a file (the browser's own dialog is not
    part of the page), then press Upload with the keyboard."""
    path = tmp_path / name
    path.write_bytes(data)
    tab_to(page, "input#file")
    page.locator("input#file").set_input_files(str(path))
    tab_to(page, "form.media-upload button[type=submit]")
    press_to_navigate(page)


@pytest.mark.parametrize("view", [NL_DESKTOP, EN_PHONE, EN_DESKTOP, NL_PHONE], indirect=True,
                         ids=str)
def test_an_author_uploads_by_keyboard_and_sees_the_file(
        page: Page, live_server: LiveServer, view: View, tmp_path: Path) -> None:
    sign_in_as(page, live_server, _author(live_server))
    visit(page, "/author/media")
    _choose_file(page, tmp_path, "zon.svg", samples.SVG)
    assert "/author/media" in page.url
    item = page.locator(".media-library__item").first
    assert "zon.svg" in item.inner_text()
    path = item.locator("code.media-library__path").inner_text()
    assert path.startswith("uploads/")
    assert path.endswith(".svg")
    preview = item.locator("img.media-preview")
    preview.wait_for()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0",
                         preview.element_handle())

    # The page opened at the new file; the upload form is back up the page.
    page.keyboard.press("Shift+Tab")
    _choose_file(page, tmp_path, "zon.png", b"<html><script>alert(1)</script></html>")
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.locator("#file-error").is_visible()
    assert page.locator(".media-library__item").count() == 1


def test_an_upload_opened_on_its_own_runs_no_script_even_if_one_were_stored(
        page: Page, live_server: LiveServer) -> None:
    """Content-Security-Policy: sandbox is the second line: a harmful SVG put in the uploads
    folder by hand (the sanitiser never lets one through) still cannot run."""
    author = _author(live_server)
    evil = (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)'
            b"</script><rect width='9' height='9'/></svg>")
    sha = hashlib.sha256(evil).hexdigest()
    uploads = Path(live_server.app.config["INSTANCE_DIR"]) / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    (uploads / f"{sha}.svg").write_bytes(evil)
    with live_server.database():
        MediaFile.create(organisation=author.__data__["organisation"], sha256=sha,
                         extension="svg", kind="image", content_type="image/svg+xml",
                         size=len(evil), original_name="evil.svg", uploaded_by=author)
    sign_in_as(page, live_server, author)
    dialogs: list[str] = []
    tab = page.context.new_page()  # an SVG document, not a page of the app: no axe audit

    def record(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", record)
    response = tab.goto(f"/media/uploads/{sha}.svg")
    assert response is not None
    assert response.status == 200
    assert "sandbox" in response.headers["content-security-policy"]
    tab.wait_for_timeout(300)
    assert dialogs == []
    tab.close()
