"""Request body parsers that refuse hostile shapes with a 400, never a 500.

Python's ``json`` decoder recurses once per nesting level: a body of 100,000
``[`` raised ``RecursionError`` (a 500), and a few hundred levels that still
parse would make every later recursive step (validation, error rendering) a
risk. No record of ours nests deeper than a handful of levels.
"""

from __future__ import annotations

import json

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

#: The deepest nesting of objects and arrays accepted in a JSON body.
MAX_JSON_DEPTH = 32


def too_deep_detail() -> str:
    return _("The JSON body is nested too deep: at most %(depth)d levels.") % {
        "depth": MAX_JSON_DEPTH
    }


def json_depth_exceeds(value, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when ``value`` nests objects/arrays deeper than ``limit`` (iterative)."""
    stack = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, dict):
            children = current.values()
        elif isinstance(current, list):
            children = current
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def loads(text: str | bytes):
    """``json.loads`` with the body's nesting limit; too deep raises ValueError like bad JSON."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError(too_deep_detail()) from None
    if json_depth_exceeds(value):
        raise ValueError(too_deep_detail())
    return value


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a nesting limit (``parse_error`` naming the limit)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(too_deep_detail()) from None
        if json_depth_exceeds(data):
            raise ParseError(too_deep_detail())
        return data
