"""Open311 answers in JSON or XML, and the spec's error list in either."""

import json
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

from fastapi import Response

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}

# The element name of each item of a list, by the list's own name.
ITEM_TAGS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


class Open311Error(Exception):
    """A refusal in the spec's shape: a list of ``{code, description}``."""

    def __init__(self, status: int, description: str, fmt: str = "json") -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.fmt = fmt


def check_format(fmt: str) -> str:
    """``json`` or ``xml``; anything else is refused in JSON."""
    if fmt not in FORMATS:
        raise Open311Error(400, f"format {fmt!r} is not offered: use .json or .xml")
    return fmt


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _build(parent: ET.Element, tag: str, value: Any) -> None:
    element = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, inner in value.items():
            _build(element, key, inner)
    elif isinstance(value, list):
        for inner in value:
            _build(element, ITEM_TAGS.get(tag, "item"), inner)
    elif value is not None:
        element.text = _text(value)


def to_xml(root: str, value: Any) -> bytes:
    """``value`` as an XML document whose root element is ``root``."""
    element = ET.Element(root)
    if isinstance(value, list):
        for inner in value:
            _build(element, ITEM_TAGS.get(root, "item"), inner)
    else:
        for key, inner in value.items():
            _build(element, key, inner)
    body: bytes = ET.tostring(element, encoding="utf-8", xml_declaration=True)
    return body


def respond(fmt: str, root: str, value: Any, status: int = 200) -> Response:
    """One answer in the format the path asked for."""
    if fmt == "xml":
        return Response(to_xml(root, value), status_code=status, media_type=FORMATS["xml"])
    body = json.dumps(value, ensure_ascii=False, default=_text).encode()
    return Response(body, status_code=status, media_type=FORMATS["json"])


def error_response(error: Open311Error) -> Response:
    """The error list, in the requested format."""
    items = [{"code": error.status, "description": error.description}]
    return respond(error.fmt, "errors", items, status=error.status)
