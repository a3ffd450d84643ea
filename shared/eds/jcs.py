"""RFC 8785 (JCS) canonical bytes: what every signature of an e-document covers (architecture §4).

`rfc8785` is the reference. Most documents (no floating-point numbers, integers within ±2^53, no
characters outside the Basic Multilingual Plane) have a JCS form that the standard library writes
too, ten times faster: sorted keys (code-point and UTF-16 order agree inside the BMP), no
whitespace, the same string escapes. Such documents take that path; any other goes through
`rfc8785`. tests/unit/test_jcs.py holds the two paths equal."""

from __future__ import annotations

import json
import re
from typing import Any

import rfc8785

_SAFE_INTEGER = 2**53
_OUTSIDE_BMP = re.compile(rb"[\xf0-\xff]")


class _NotSimple(Exception):
    pass


def _int(text: str) -> int:
    value = int(text)
    if not -_SAFE_INTEGER < value < _SAFE_INTEGER:
        raise _NotSimple
    return value


def _float(text: str) -> float:
    raise _NotSimple


def _simple_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False).encode()


def canonical(document: Any) -> bytes:
    """The JCS bytes of a JSON value (dicts, lists, str, int, bool, None; floats as JCS prints them)."""
    return rfc8785.dumps(document)


def parse_canonical(payload: bytes) -> Any:
    """Parse ``payload`` and return it only if it is exactly its own JCS form; raise ValueError
    otherwise (re-canonicalising a stored document must always give back the signed bytes)."""
    if not _OUTSIDE_BMP.search(payload):  # no 4-byte UTF-8 sequence: nothing outside the BMP
        try:
            value = json.loads(payload, parse_int=_int, parse_float=_float)
        except _NotSimple:
            pass
        else:
            if _simple_bytes(value) != payload:
                raise ValueError("payload is not in RFC 8785 canonical form")
            return value
    value = json.loads(payload)
    try:
        canonical_bytes = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError as exc:  # e.g. an integer beyond ±2^53
        raise ValueError(f"payload has no RFC 8785 form: {exc}") from None
    if canonical_bytes != payload:
        raise ValueError("payload is not in RFC 8785 canonical form")
    return value
