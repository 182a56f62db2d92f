"""An allow-list sanitiser for uploaded SVG images: what comes out can only draw.

SVG is XML that can run script, load other files and embed whole documents, so an uploaded SVG
is never stored as sent. It is parsed with defusedxml (no entity declarations, no external
entities; a ``<!DOCTYPE>`` with an internal subset is refused, a bare one is never fetched and
not written back), and a new document is built from it that keeps only:

- elements of the SVG namespace that draw, group, define paint or describe the image (``ELEMENTS``;
  ``<a>`` becomes ``<g>``, so a link's drawing stays and the link goes). Everything else goes with
  its content: ``script``, ``foreignObject``, ``image``, ``feImage``, every animation (``animate``,
  ``set``, …: they can set ``href`` or an event handler later), ``handler``, ``iframe``, elements of
  other namespaces, comments and processing instructions;
- attributes of the allow-list (``ATTRIBUTES``), without a namespace, plus ``xml:lang`` and
  ``xml:space``: no ``on*`` handler, no ``xml:base``, no attribute of another namespace;
- ``href`` (or ``xlink:href``, written back as ``href``) only as a reference to an element of the
  same image (``#id``), and only on ``use``, ``textPath``, gradients and patterns;
- values without ``url(…)`` other than ``url(#id)``, without ``javascript:``, ``data:`` and the
  like, and without backslashes (CSS escapes could spell ``url`` in disguise). ``style``
  attributes and ``<style>`` elements are CSS and are also refused with ``@`` rules
  (``@import``, ``@font-face``), ``expression(…)``, ``image-set(…)`` and ``<``.

A value or ``<style>`` that fails is dropped, not repaired. The output is deterministic and the
sanitiser is idempotent: sanitising its own output gives the same bytes, so the same upload
always has the same SHA-256.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # builds and writes trees; parsing goes through defusedxml

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

MAX_DEPTH = 100  # nesting levels; writing the tree back is recursive
MAX_ELEMENTS = 50_000

ELEMENTS = frozenset({
    "svg", "g", "defs", "symbol", "use", "title", "desc", "style",
    "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
    "text", "tspan", "textPath",
    "linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker",
    "filter", "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite",
    "feConvolveMatrix", "feDiffuseLighting", "feDisplacementMap", "feDistantLight",
    "feDropShadow", "feFlood", "feFuncA", "feFuncB", "feFuncG", "feFuncR", "feGaussianBlur",
    "feMerge", "feMergeNode", "feMorphology", "feOffset", "fePointLight",
    "feSpecularLighting", "feSpotLight", "feTile", "feTurbulence",
})
RENAMED = {"a": "g"}  # a link's drawing stays, the link goes
TEXT_ELEMENTS = frozenset({"title", "desc", "text", "tspan", "textPath", "style"})
HREF_ELEMENTS = frozenset({"use", "textPath", "linearGradient", "radialGradient", "pattern"})

ATTRIBUTES = frozenset({
    # document and accessibility
    "id", "class", "lang", "version", "baseProfile", "role", "aria-label", "aria-labelledby",
    "aria-describedby", "aria-hidden", "aria-roledescription", "focusable", "style",
    # geometry and coordinate systems
    "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "fr", "width",
    "height", "d", "points", "pathLength", "transform", "viewBox", "preserveAspectRatio",
    "dx", "dy", "rotate", "textLength", "lengthAdjust", "startOffset", "method", "spacing",
    "side",
    # paint servers, clipping, masking, markers
    "offset", "gradientUnits", "gradientTransform", "spreadMethod", "patternUnits",
    "patternContentUnits", "patternTransform", "clipPathUnits", "maskUnits",
    "maskContentUnits", "markerWidth", "markerHeight", "markerUnits", "refX", "refY", "orient",
    # filters
    "filterUnits", "primitiveUnits", "in", "in2", "result", "stdDeviation", "mode", "type",
    "values", "operator", "k1", "k2", "k3", "k4", "scale", "xChannelSelector",
    "yChannelSelector", "radius", "baseFrequency", "numOctaves", "seed", "stitchTiles",
    "tableValues", "slope", "intercept", "amplitude", "exponent", "kernelMatrix", "order",
    "divisor", "bias", "targetX", "targetY", "edgeMode", "preserveAlpha", "surfaceScale",
    "specularConstant", "specularExponent", "diffuseConstant", "azimuth", "elevation",
    "pointsAtX", "pointsAtY", "pointsAtZ", "z", "limitingConeAngle", "kernelUnitLength",
    # presentation attributes
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-linecap",
    "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset",
    "stroke-opacity", "opacity", "color", "display", "visibility", "clip-path", "clip-rule",
    "mask", "filter", "marker-start", "marker-mid", "marker-end", "stop-color",
    "stop-opacity", "flood-color", "flood-opacity", "lighting-color",
    "color-interpolation", "color-interpolation-filters", "color-rendering", "font-family",
    "font-size", "font-size-adjust", "font-weight", "font-style", "font-variant",
    "font-stretch", "text-anchor", "dominant-baseline", "alignment-baseline", "baseline-shift",
    "letter-spacing", "word-spacing", "text-decoration", "writing-mode", "direction",
    "unicode-bidi", "paint-order", "vector-effect", "shape-rendering", "text-rendering",
    "image-rendering", "overflow", "mix-blend-mode", "isolation",
})
XML_ATTRIBUTES = frozenset({"lang", "space"})

# A reference to an element of the same image: "#name".
_LOCAL_REF = re.compile(r"#[^\s#()'\"<>\\]+")
_LOCAL_URL = re.compile(r"url\(\s*(['\"]?)#[^\s#()'\"<>\\]+\1\s*\)", re.IGNORECASE)
_ANY_URL = re.compile(r"url\s*\(", re.IGNORECASE)
_CSS_COMMENT = re.compile(r"/\*.*?(\*/|$)", re.DOTALL)
_INVISIBLE = re.compile(r"[\s\x00-\x1f\x7f]+")
# Anywhere in a value (spaces and control characters removed, lower case): script, other
# documents, or files loaded without url().
_FORBIDDEN = ("javascript:", "vbscript:", "data:", "expression(", "image-set(", "image(",
              "src(", "element(", "cross-fade(", "-moz-binding", "behavior:", "@import")


class SvgRefused(Exception):
    """The upload cannot be read as a safe SVG image.

    ``reason``: ``malformed`` (not well-formed XML; ``line``/``column`` say where),
    ``not_svg`` (well-formed, but the top element is not ``<svg>``), ``declarations`` (a
    ``<!DOCTYPE>`` with declarations, entities or external entities), ``too_deep`` or
    ``too_large`` (more nesting or elements than ``MAX_DEPTH``/``MAX_ELEMENTS``), ``encoding``
    (not UTF-8 or UTF-16 text).
    """

    def __init__(self, reason: str, detail: str = "", line: int | None = None,
                 column: int | None = None) -> None:
        super().__init__(reason, detail, line, column)
        self.reason = reason
        self.detail = detail
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = f" (line {self.line}, column {self.column})" if self.line else ""
        return f"SVG refused: {self.reason}{where}{': ' + self.detail if self.detail else ''}"


class _Parser(DefusedXMLParser):
    """defusedxml's parser: no entities, no external references, and a ``<!DOCTYPE>`` only
    without an internal subset (which could declare entities or default attributes)."""

    def __init__(self) -> None:
        super().__init__(forbid_dtd=True, forbid_entities=True, forbid_external=True)

    def defused_start_doctype_decl(self, name: str, sysid: str | None, pubid: str | None,
                                   has_internal_subset: bool) -> None:
        if has_internal_subset:
            raise DTDForbidden(name, sysid, pubid)


def parse_svg(data: bytes) -> ET.Element:
    """The root element of ``data`` parsed safely, or SvgRefused. Nothing is fetched."""
    parser = _Parser()
    try:
        parser.feed(data)
        root: ET.Element = parser.close()
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden) as error:
        raise SvgRefused("declarations", type(error).__name__) from None
    except ET.ParseError as error:
        line, column = error.position
        reason = "encoding" if "encoding" in str(error) else "malformed"
        raise SvgRefused(reason, str(error).split(":")[0], line, column + 1) from None
    except (ValueError, LookupError) as error:  # an encoding Python does not know, …
        raise SvgRefused("encoding", str(error)) from None
    if _local(root.tag) != "svg" or _namespace(root.tag) not in (SVG_NS, ""):
        raise SvgRefused("not_svg", _local(root.tag))
    return root


def looks_like_svg(data: bytes) -> bool:
    """Whether ``data`` means to be an SVG image: text whose first element is ``<svg``.

    For telling a broken SVG (say so, with the line) from some other text (not an image).
    """
    head = data[:16384]
    encoding = "utf-16" if head.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    text = head.decode(encoding, errors="ignore")  # a character cut off at the end is no matter
    text = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>", "", text,
                  flags=re.DOTALL)
    return re.match(r"\s*<(?:[A-Za-z_][\w.-]*:)?svg[\s>/]", text) is not None


def _namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _compact(value: str) -> str:
    return _INVISIBLE.sub("", value).lower()


def safe_value(value: str) -> bool:
    """Whether an attribute value can only mean something inside this image."""
    if "\\" in value:
        return False
    if _ANY_URL.search(_LOCAL_URL.sub("", value)):
        return False
    compact = _compact(value)
    return not any(word in compact for word in _FORBIDDEN)


def safe_css(css: str) -> str | None:
    """``css`` without comments when it only styles this image (no loading, no at-rules)."""
    css = _CSS_COMMENT.sub("", css)
    if "@" in css or "<" in css or not safe_value(css):
        return None
    return css


def _attributes(element: ET.Element, name: str) -> dict[str, str]:
    kept: dict[str, str] = {}
    for key, value in element.attrib.items():
        namespace, local = _namespace(key), _local(key)
        if local == "href" and namespace in ("", XLINK_NS):
            if name in HREF_ELEMENTS and _LOCAL_REF.fullmatch(value.strip()):
                kept["href"] = value.strip()
            continue
        if namespace == XML_NS and local in XML_ATTRIBUTES:
            if safe_value(value):
                kept[key] = value
            continue
        if namespace or local not in ATTRIBUTES:
            continue
        if local == "style":
            css = safe_css(value)
            if css is not None and "{" not in css and "}" not in css:
                kept[local] = css
        elif safe_value(value):
            kept[local] = value
    return kept


def _kept_name(element: ET.Element, default_namespace: str) -> str | None:
    """The SVG element name ``element`` is written as, or None when it goes."""
    if not isinstance(element.tag, str):
        return None  # a comment or processing instruction (the parser keeps none)
    namespace = _namespace(element.tag) or default_namespace
    if namespace != SVG_NS:
        return None
    name = RENAMED.get(_local(element.tag), _local(element.tag))
    return name if name in ELEMENTS else None


def sanitise_tree(root: ET.Element) -> ET.Element:
    """A new tree of what ``root`` holds that the allow-list keeps.

    Elements without a namespace count as SVG when the top ``<svg>`` has none (a file that
    forgot ``xmlns``): browsers would not draw it otherwise, and nothing else is let in.
    """
    default_namespace = SVG_NS if _namespace(root.tag) == "" else ""
    count = 0
    # Plain names, with the namespace declared on the top element: ElementTree cannot write
    # a default namespace together with attributes that have none.
    clean_root = ET.Element("svg", {"xmlns": SVG_NS, **_attributes(root, "svg")})
    pending: list[tuple[ET.Element, ET.Element, int]] = [(root, clean_root, 1)]
    while pending:
        source, target, depth = pending.pop()
        in_text = target.tag in TEXT_ELEMENTS
        if in_text:
            target.text = source.text
        last: ET.Element | None = None  # the last child kept, whose tail follows it
        for child in source:
            child_name = _kept_name(child, default_namespace)
            if child_name == "style":
                css = safe_css(child.text or "")
                if css is None or len(child):
                    child_name = None
            if child_name is None:
                if in_text and child.tail:  # the words after a dropped element stay
                    if last is None:
                        target.text = (target.text or "") + child.tail
                    else:
                        last.tail = (last.tail or "") + child.tail
                continue
            count += 1
            if count > MAX_ELEMENTS:
                raise SvgRefused("too_large", str(MAX_ELEMENTS))
            if depth + 1 > MAX_DEPTH:
                raise SvgRefused("too_deep", str(MAX_DEPTH))
            last = ET.SubElement(target, child_name, _attributes(child, child_name))
            if in_text:
                last.tail = child.tail
            if child_name == "style":
                last.text = css
            else:
                pending.append((child, last, depth + 1))
    return clean_root


def sanitise_svg(data: bytes) -> bytes:
    """``data`` rewritten as an SVG image that can only draw (UTF-8), or SvgRefused."""
    clean = sanitise_tree(parse_svg(data))
    written: bytes = ET.tostring(clean, encoding="utf-8", xml_declaration=True)
    return written
