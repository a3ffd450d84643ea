"""What a request may carry, enforced by the kernel in every service (architecture §7): a body larger
than its route allows is REQUEST_TOO_LARGE (413), refused as soon as ``Content-Length`` says so or the
bytes received pass the limit, without reading the rest; a JSON body nested deeper than
`MAX_JSON_DEPTH` (or not UTF-8) is REQUEST_MALFORMED (422), refused while it arrives, before any
parser could recurse into it; integer query and path parameters have bounds the databases can hold
(`Offset`, `RowId`; a page's ``limit`` is the route's own ``Query(ge=1, le=…)``), so that
``offset=10**30`` is VALIDATION_FAILED, not a driver's overflow.

`RequestLimits` is the ASGI middleware `shared.service.create_service_app` installs. A route that
legitimately takes more than `MAX_BODY_BYTES` (the portal's e-copies) declares its own limit in its
decorator, where it is also documented in OpenAPI: ``openapi_extra={**body_limit(11 * 1024 * 1024)}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import accumulate
from typing import Annotated, Any

from fastapi import Path, Query, params
from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.api.errors import error_response
from shared.errors import CATALOGUE
from shared.logging import get_logger

log = get_logger(__name__)

MAX_BODY_BYTES = 1024 * 1024
"""The body a route takes unless it declares more (`body_limit`): a signed application with its
certificate chain is a few kilobytes."""
MAX_JSON_DEPTH = 64
"""How deep a JSON body may nest (objects and arrays); the deepest document of ours nests under 10."""
MAX_ID = 2**63 - 1
"""The largest row id: a signed 64-bit integer (SQLite's INTEGER, PostgreSQL's bigint)."""
MAX_OFFSET = 2**31 - 1
"""The most rows a page may skip."""
BODY_LIMIT_KEY = "x-max-body-bytes"
"""The OpenAPI extension an operation's own body limit is declared (and documented) in."""

Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="rows to skip (paging)")]
"""A page's ``offset``: ``offset: Offset = 0``."""
RowId = Annotated[int, Path(ge=1, le=MAX_ID, description="the row's id")]
"""A row id in a path: ``dead_letter_id: RowId``."""


def body_limit(max_bytes: int) -> dict[str, Any]:
    """The ``openapi_extra`` entry by which an operation takes a body of up to ``max_bytes`` instead of
    `MAX_BODY_BYTES`; `RequestLimits` reads it from the matched route, OpenAPI shows it."""
    if max_bytes < 0:
        raise ValueError("a body limit is a number of bytes")
    return {BODY_LIMIT_KEY: max_bytes}


def route_body_limit(route: object, default: int = MAX_BODY_BYTES) -> int:
    """The body limit of a matched route: its own (`body_limit`), else ``default``."""
    extra = getattr(route, "openapi_extra", None)
    declared = extra.get(BODY_LIMIT_KEY) if isinstance(extra, Mapping) else None
    return declared if isinstance(declared, int) and not isinstance(declared, bool) else default


def takes_json(route: object, headers: Headers) -> bool:
    """True when the route parses its body as JSON: a FastAPI body parameter (not a form), with a JSON
    media type (``application/json``, ``application/*+json``) or none."""
    if not isinstance(route, APIRoute) or route.body_field is None:
        return False
    if isinstance(route.body_field.field_info, params.Form):
        return False
    media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if not media_type:
        return True
    main, _, sub = media_type.partition("/")
    return main == "application" and (sub == "json" or sub.endswith("+json"))


LIMIT_RESPONSES: dict[int | str, dict[str, Any]] = {
    413: {
        "description": f"REQUEST_TOO_LARGE: the body is larger than {MAX_BODY_BYTES} bytes, or than the operation's "
        f"own `{BODY_LIMIT_KEY}`; `details.max_bytes` says the limit (architecture §7)"
    },
}
"""The limits as every operation's OpenAPI responses show them (`shared.service.create_service_app`)."""


# --- JSON nesting, measured as the bytes arrive --------------------------------------------------

_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
"""A complete JSON string (its brackets are text, not structure). Possessive, and only ever tried on
text where every string is closed (see `JsonDepthGauge.feed`): linear, never a retry per quote."""
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = [0] * 256
for _opener in b"[{":
    _STEP[_opener] = 1
for _closer in b"]}":
    _STEP[_closer] = -1


class JsonDepthGauge:
    """How deep a JSON text nests, fed chunk by chunk as it arrives, without parsing it: the brackets
    outside strings, counted at C speed (a regular expression takes the strings out, ``translate``
    keeps the brackets, ``accumulate`` sums them). `feed` answers False once the text nests deeper than
    ``bound``. Only UTF-8 is measured (RFC 8259, section 8.1): the parser would decode UTF-16 or UTF-32,
    whose bytes can look like quotes and brackets where there are none, so `not_utf8` is True for those."""

    def __init__(self, bound: int = MAX_JSON_DEPTH) -> None:
        self.bound = bound
        self.depth = 0
        self.deepest = 0
        self.not_utf8 = False
        self._in_string = False
        self._escaped = False
        self._head: bytes | None = b""  # the first bytes, until there are 4 to tell the encoding by

    def feed(self, chunk: bytes, *, last: bool = False) -> bool:
        """Measure the next chunk (``last``: the body ends with it); False when too deep or not UTF-8."""
        if self._head is not None:
            self._head += chunk
            if len(self._head) < 4 and not last:
                return True
            chunk, self._head = self._head, None
            self.not_utf8 = json.detect_encoding(chunk) not in ("utf-8", "utf-8-sig")
        if self.not_utf8:
            return False
        # A string the last chunk ended in goes on here: reopen it (with its pending escape). Then close
        # whatever string this chunk ends in with ``x"`` (the x completes a pending escape), so that
        # every string is complete; the appended quote stays only if the chunk ended outside a string.
        text = ((b'"\\' if self._escaped else b'"') if self._in_string else b"") + chunk
        structure = _STRING.sub(b"", text + b'x"')
        if structure.endswith(b'"'):
            structure = structure[:-2]
            self._in_string = self._escaped = False
        else:
            self._in_string = True
            self._escaped = (len(text) - len(text.rstrip(b"\\"))) % 2 == 1  # an odd run of backslashes
        brackets = structure.translate(None, _NOT_BRACKETS)
        if brackets:
            self.deepest = max(self.deepest, max(accumulate(map(_STEP.__getitem__, brackets), initial=self.depth)))
            closers = brackets.count(b"]") + brackets.count(b"}")
            self.depth += len(brackets) - 2 * closers
        return self.deepest <= self.bound


# --- the middleware --------------------------------------------------------------------------------


class RequestRefused(StarletteHTTPException):
    """Raised to the application from ``receive`` when the body breaks a limit. An HTTPException, so
    that FastAPI's body reading passes it on untouched; `RequestLimits` answers for it in any case."""

    def __init__(self, code: str, details: dict[str, Any]) -> None:
        super().__init__(status_code=CATALOGUE[code].status, detail=code)
        self.code = code
        self.details = details


@dataclass
class _Exchange:
    """One request going through `RequestLimits`: what was received, and the refusal, if any."""

    scope: Scope
    receive: Receive
    send: Send
    default_limit: int
    depth_bound: int
    limit: int | None = None
    gauge: JsonDepthGauge | None = None
    received: int = 0
    refusal: RequestRefused | None = None
    started: bool = False

    def _begin(self) -> None:
        """At the first read, the router has matched: the route's limit, and whether it parses JSON."""
        route = self.scope.get("route")
        headers = Headers(scope=self.scope)
        self.limit = route_body_limit(route, self.default_limit)
        if takes_json(route, headers):
            self.gauge = JsonDepthGauge(self.depth_bound)
        declared = headers.get("content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > self.limit:
            self._refuse_too_large(declared=int(declared))

    def _refuse_too_large(self, **seen: int) -> None:
        assert self.limit is not None
        details = {"max_bytes": self.limit, **seen}
        self._refuse(RequestRefused("REQUEST_TOO_LARGE", details))

    def _refuse(self, refusal: RequestRefused) -> None:
        self.refusal = refusal
        log.warning("request refused", code=refusal.code, path=self.scope.get("path"), **refusal.details)
        raise refusal

    async def guarded_receive(self) -> Message:
        if self.refusal is not None:
            raise self.refusal
        if self.limit is None:
            self._begin()
        assert self.limit is not None
        message = await self.receive()
        if message["type"] != "http.request":
            return message
        body: bytes = message.get("body", b"")
        self.received += len(body)
        if self.received > self.limit:
            self._refuse_too_large(received=self.received)
        if self.gauge is not None and not self.gauge.feed(body, last=not message.get("more_body", False)):
            reason = (
                "the body is not UTF-8 (RFC 8259)"
                if self.gauge.not_utf8
                else f"the body nests deeper than {self.depth_bound} levels"
            )
            self._refuse(
                RequestRefused(
                    "REQUEST_MALFORMED", {"errors": [{"loc": ["body"], "type": "json_limits", "msg": reason}]}
                )
            )
        return message

    async def guarded_send(self, message: Message) -> None:
        if self.refusal is not None and not self.started:
            return  # whatever the application makes of a refused request, the refusal answers it
        if message["type"] == "http.response.start":
            self.started = True
        await self.send(message)

    async def answer_refusal(self) -> None:
        assert self.refusal is not None
        response = error_response(Request(self.scope), self.refusal.code, self.refusal.details)
        response.headers["Connection"] = "close"  # the rest of the body is not read
        await response(self.scope, self.receive, self.send)


class RequestLimits:
    """ASGI middleware limiting every request's body (architecture §7): `MAX_BODY_BYTES` unless the
    matched route declares its own (`body_limit`), counted while the body streams in; and, for a route
    that parses JSON, nesting within `MAX_JSON_DEPTH` and UTF-8 only. A request breaking a limit is
    answered with the catalogue's error (REQUEST_TOO_LARGE with ``max_bytes``, or REQUEST_MALFORMED)
    and ``Connection: close``; what was not read yet is never read. Limits apply when the application
    reads the body: a request answered without reading it (404, 401, …) keeps that answer."""

    def __init__(
        self, app: ASGIApp, *, max_body_bytes: int = MAX_BODY_BYTES, max_json_depth: int = MAX_JSON_DEPTH
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_json_depth = max_json_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exchange = _Exchange(scope, receive, send, self.max_body_bytes, self.max_json_depth)
        try:
            await self.app(scope, exchange.guarded_receive, exchange.guarded_send)
        except Exception:
            if exchange.refusal is None or exchange.started:
                raise
        if exchange.refusal is not None and not exchange.started:
            await exchange.answer_refusal()
