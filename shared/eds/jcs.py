"""RFC 8785 (JCS) canonical bytes: what every signature of an e-document covers (architecture §4).

`rfc8785` is the reference. Most documents (no floating-point numbers, integers within ±2^53, no
characters outside the Basic Multilingual Plane) have a JCS form that the standard library writes
too, ten times faster: sorted keys (code-point and UTF-16 order agree inside the BMP), no
whitespace, the same string escapes. Such documents take that path; any other goes through
`rfc8785`. tests/unit/test_jcs.py holds the two paths equal.

Parsing can be bounded in nesting depth (`parse_canonical`'s ``max_depth``), measured without
recursion (`nesting_depth`) before the recursive parsers see the text."""

from __future__ import annotations

import json
import re
from array import array
from itertools import accumulate
from typing import Any

import rfc8785

_SAFE_INTEGER = 2**53
_NOT_FOUR_BYTE_LEADS = bytes(range(0xF0))  # deleted, what is left leads a 4-byte UTF-8 sequence (outside the BMP)
_NOT_OPENERS = bytes(c for c in range(256) if c not in b"[{")
_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"', re.DOTALL)  # possessive: linear, no backtracking
_BRACKET_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # +1 / -1 as signed bytes
_NOT_BRACKETS = bytes(c for c in range(256) if c not in b"[]{}")


class TooDeep(ValueError):
    """The JSON text nests arrays and objects deeper than allowed."""


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
    """The JCS bytes of a JSON value (dicts, lists, str, int, bool, None; floats as JCS prints them).
    A simple value (see the module's docstring) is written by the standard library, read back once to
    prove it simple (no float, no integer beyond ±2^53: the C parser, cheap), else by `rfc8785`."""
    try:
        text = _simple_bytes(document)
    except (TypeError, ValueError):
        return rfc8785.dumps(document)
    if not text.translate(None, _NOT_FOUR_BYTE_LEADS):
        try:
            json.loads(text, parse_int=_int, parse_float=_float)
        except _NotSimple:
            pass
        else:
            return text
    return rfc8785.dumps(document)


def nesting_depth(text: bytes) -> int:
    """How deep UTF-8 JSON ``text`` nests arrays and objects (0 for a scalar), in linear time and
    without recursion: strings are cut out, then the running sum of +1 per opening and -1 per
    closing bracket peaks at the depth. (In UTF-8 no byte of a multi-byte character is a quote, a
    backslash or a bracket.) Text that is not JSON gets a number too; its parser refuses it."""
    steps = array("b", _STRING.sub(b"", text).translate(_BRACKET_STEPS, _NOT_BRACKETS))
    return max(accumulate(steps, initial=0))


def exceeds_depth(text: bytes, limit: int) -> bool:
    """Whether UTF-8 JSON ``text`` nests deeper than ``limit``; text with no more than ``limit``
    opening brackets in all (the usual document) is answered without looking further."""
    return len(text.translate(None, _NOT_OPENERS)) > limit and nesting_depth(text) > limit


def parse_canonical(payload: bytes, *, max_depth: int | None = None) -> Any:
    """Parse ``payload`` and return it only if it is exactly its own JCS form (UTF-8); raise ValueError
    otherwise (re-canonicalising a stored document must always give back the signed bytes), and
    `TooDeep`, before parsing, when it nests deeper than ``max_depth``."""
    text = payload.decode()  # JCS is UTF-8 (UnicodeDecodeError is a ValueError); no other encoding guessed
    if max_depth is not None and exceeds_depth(payload, max_depth):
        raise TooDeep(f"payload nests deeper than {max_depth}")
    if not payload.translate(None, _NOT_FOUR_BYTE_LEADS):  # no 4-byte UTF-8 sequence: nothing outside the BMP
        try:
            value = json.loads(text, parse_int=_int, parse_float=_float)
        except _NotSimple:
            pass
        else:
            if _simple_bytes(value) != payload:
                raise ValueError("payload is not in RFC 8785 canonical form")
            return value
    value = json.loads(text)
    try:
        canonical_bytes = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError as exc:  # e.g. an integer beyond ±2^53
        raise ValueError(f"payload has no RFC 8785 form: {exc}") from None
    if canonical_bytes != payload:
        raise ValueError("payload is not in RFC 8785 canonical form")
    return value
