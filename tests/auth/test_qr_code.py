"""The set-up QR code is a standalone SVG image, which browsers draw (an <img> needs xmlns)."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET

from ehealth.services import two_factor

URI = "otpauth://totp/ehealth:t1%40oost.example?secret=JBSWY3DPEHPK3PXP&issuer=ehealth"


def _svg(data_uri: str) -> bytes:
    prefix = "data:image/svg+xml;base64,"
    assert data_uri.startswith(prefix)
    return base64.b64decode(data_uri.removeprefix(prefix))


def test_the_qr_code_is_an_svg_document_in_the_svg_namespace() -> None:
    root = ET.fromstring(_svg(two_factor.qr_data_uri(URI)))  # noqa: S314 - our own output
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert int(root.get("width", "0")) > 0
    assert int(root.get("height", "0")) > 0


def test_the_qr_code_has_no_xml_declaration_and_keeps_the_calm_colours() -> None:
    svg = _svg(two_factor.qr_data_uri(URI)).decode("utf-8")
    assert svg.startswith("<svg ")
    assert "#1f2a2e" in svg
