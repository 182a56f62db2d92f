"""The public pages: the module library and previews, in the visitor's language."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.conftest import csrf_token


def test_home_lists_the_modules_in_dutch_by_default(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="nl">' in page
    assert "Een kleine stap" in page
    assert 'href="/modules/voorbeeld"' in page
    assert "2 lessen" in page


def test_browser_preference_chooses_english(client: FlaskClient) -> None:
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "One small step" in page
    assert "2 lessons" in page


def test_unsupported_browser_language_falls_back_to_dutch(client: FlaskClient) -> None:
    page = client.get("/", headers={"Accept-Language": "de-DE"}).get_data(as_text=True)
    assert '<html lang="nl">' in page


def test_language_switch_overrides_the_browser(client: FlaskClient) -> None:
    token = csrf_token(client, "/modules/voorbeeld")
    response = client.post("/language", data={
        "language": "en", "next": "/modules/voorbeeld", "csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == "/modules/voorbeeld"
    cookie = response.headers["Set-Cookie"]
    assert "lang=en" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    page = client.get("/modules/voorbeeld", headers={"Accept-Language": "nl"}).get_data(
        as_text=True)
    assert "One small step" in page


def test_language_switch_needs_a_csrf_token(client: FlaskClient) -> None:
    response = client.post("/language", data={"language": "en", "next": "/"})
    assert response.status_code == 400
    assert "lang=" not in response.headers.get("Set-Cookie", "")


def test_language_switch_refuses_unknown_languages(client: FlaskClient) -> None:
    token = csrf_token(client)
    response = client.post("/language", data={"language": "xx", "csrf_token": token})
    assert response.status_code == 400


def test_language_switch_never_redirects_off_site(client: FlaskClient) -> None:
    token = csrf_token(client)
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"):
        response = client.post("/language", data={
            "language": "nl", "next": target, "csrf_token": token})
        assert response.headers["Location"] == "/", target


def test_preview_renders_every_step_in_order(client: FlaskClient) -> None:
    page = client.get("/modules/voorbeeld").get_data(as_text=True)
    ids = ["welkom", "uitleg", "cijfer", "hulp", "tip", "krachten", "tevredenheid",
           "terugblik", "doel", "samenvatting"]
    positions = [page.index(f'id="step-{step_id}"') for step_id in ids]
    assert positions == sorted(positions)
    assert "Fijn dat je er bent" in page
    assert "<strong>in kleine stappen</strong>" in page  # Markdown rendered
    assert "Alleen te zien als het antwoord op" in page   # show_if explained
    assert "zeer tevreden" in page                          # questionnaire scale
    assert "Wat maakt dat het een … is en geen 0?" in page  # scale placeholders


def test_preview_in_english(client: FlaskClient) -> None:
    page = client.get("/modules/voorbeeld", headers={"Accept-Language": "en"}).get_data(
        as_text=True)
    assert "Good to have you here" in page
    assert "What makes it a … and not a 0?" in page
    assert "Fijn dat je er bent" not in page


def test_unknown_module_is_not_found(client: FlaskClient) -> None:
    response = client.get("/modules/bestaat-niet")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.get_data(as_text=True)


def test_media_are_served_and_cannot_escape_the_media_folder(client: FlaskClient) -> None:
    for path, status in (
        ("/media/voorbeeld/cover.svg", 200),
        ("/media/../modules/voorbeeld/module.json", 404),
        ("/media/%2e%2e/conftest.py", 404),
    ):
        with client.get(path) as response:
            assert response.status_code == status, path


def test_security_headers_are_set(client: FlaskClient) -> None:
    headers = client.get("/").headers
    policy = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" in headers  # not development


def test_pages_have_no_inline_script_or_style(client: FlaskClient) -> None:
    for path in ("/", "/modules/voorbeeld"):
        page = client.get(path).get_data(as_text=True)
        assert "<script" not in page
        assert " style=" not in page
        assert " onclick=" not in page


def test_health_check_reports_the_database(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
