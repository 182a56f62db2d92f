"""Public pages: open to everyone."""

from tests.access_rows import everyone

ROWS = {
    ("GET", "/"): ("/", None, everyone(200)),
    ("GET", "/modules/<module_id>"): ("/modules/voorbeeld", None, everyone(200)),
    ("POST", "/language"): ("/language", {"language": "en", "next": "/"}, everyone(303)),
    ("GET", "/media/<path:filename>"): ("/media/voorbeeld/cover.svg", None, everyone(200)),
    ("GET", "/static/<path:filename>"): ("/static/css/app.css", None, everyone(200)),
    ("GET", "/healthz"): ("/healthz", None, everyone(200)),
}
