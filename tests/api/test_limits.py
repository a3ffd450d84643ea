"""The kernel's limits on requests (architecture §7; shared/api/limits.py), service by service over HTTP:
a body past its route's limit is REQUEST_TOO_LARGE (413) and is not read to its end (the bodies here
count what the service pulled), a JSON body nested 100,000 deep is REQUEST_MALFORMED (422), integers
past what a database holds (``offset=10**30``, a dead letter's id) are VALIDATION_FAILED, an oversized
address never gets into a signed application, a recursion too deep is INTERNAL_ERROR without a stack
trace, and the OpenAPI documents show the limits. One test runs a real uvicorn, to show the refusal
comes before the body is sent at all."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import random
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
import uvicorn
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, ValidationError

from services.portal_gateway.api.attachments import UPLOAD_BODY_LIMIT
from services.portal_gateway.attachments import MAX_SIZE
from shared.api.limits import MAX_BODY_BYTES, MAX_ID, MAX_JSON_DEPTH, MAX_OFFSET, JsonDepthGauge
from shared.eds.signing import sign
from shared.errors import CATALOGUE
from shared.housing.application import MAX_ADDRESS, MAX_HOUSEHOLD, ApplicationDocument
from shared.service import ServiceRuntime, create_service_app
from tests.support.gateway import ADMIN, ADMIN_TOKEN
from tests.support.portal import World, code, portal_world
from tests.support.services import sqlite_url

IN_THE_MODULE_LOOP = pytest.mark.asyncio(loop_scope="module")
"""For the tests on the module's services (started once)."""

CHUNK = 64 * 1024
DEEP = b"[" * 100_000 + b"]" * 100_000
"""The attacker's body: nested 100,000 deep (the parser's recursion would blow up on it)."""
STAFF_PASSWORD = "demo-password-for-limit-tests"
PDF = b"%PDF-1.4\n% a scanned certificate\n"


class CountingBody:
    """A streaming request body of ``size`` bytes (no Content-Length: chunked) that counts how much of
    it the service pulled."""

    def __init__(self, size: int, filler: bytes = b" ") -> None:
        self.size = size
        self.filler = filler
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.pulled < self.size:
            chunk = (self.filler * CHUNK)[: min(CHUNK, self.size - self.pulled)]
            self.pulled += len(chunk)
            yield chunk


def _client(app: FastAPI, base_url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url=base_url)


def _app(service: str, tmp: Path, **settings: Any) -> FastAPI:
    names = {
        "provider": "ProviderSettings",
        "regional_gateway": "RegionalGatewaySettings",
        "con_intake": "ConIntakeSettings",
    }
    config = importlib.import_module(f"services.{service}.config")
    factory = importlib.import_module(f"services.{service}.app").create_app
    return factory(getattr(config, names[service])(database_url=sqlite_url(tmp, service), **settings))  # type: ignore[no-any-return]


class Services:
    """Every service, started once for the module: the portal and the registries (with the test NCA and
    a population) as the portal suite has them, the provider with demo staff, the gateway with the
    tests' admin token, the Center."""

    def __init__(self, world: World, clients: dict[str, httpx.AsyncClient]) -> None:
        self.world = world
        self.clients = clients

    def __getitem__(self, service: str) -> httpx.AsyncClient:
        return self.clients[service]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def services(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Services]:
    tmp = tmp_path_factory.mktemp("limits")
    async with portal_world(tmp) as world, contextlib.AsyncExitStack() as stack:
        clients = {"portal_gateway": world.portal, "registry_stub": world.registry}
        others = {
            "provider": _app("provider", tmp, demo_password=STAFF_PASSWORD),
            "regional_gateway": _app("regional_gateway", tmp, admin_token=ADMIN_TOKEN),
            "con_intake": _app("con_intake", tmp),
        }
        for name, app in others.items():
            await stack.enter_async_context(LifespanManager(app))
            clients[name] = await stack.enter_async_context(_client(app, f"http://{name}"))
        yield Services(world, clients)


def error(response: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()["error"]
    return body


# -- bodies too large -----------------------------------------------------------------------------------

JSON_ROUTES = [
    ("portal_gateway", "/api/v1/edocs/verify"),  # public: the attacker's 133 MB went here
    ("portal_gateway", "/api/v1/auth/register"),
    ("portal_gateway", "/api/v1/applications/draft"),
    ("provider", "/api/v1/staff/token"),
    ("registry_stub", "/nca/v1/certificates"),
]


@IN_THE_MODULE_LOOP
@pytest.mark.parametrize(("service", "path"), JSON_ROUTES)
async def test_a_streamed_body_past_the_limit_is_413_and_not_read_to_its_end(
    services: Services, service: str, path: str
) -> None:
    body = CountingBody(5 * 1024 * 1024)
    response = await services[service].post(
        path, content=body, headers={"Content-Type": "application/json", "Accept-Language": "en"}
    )

    assert response.status_code == 413
    assert error(response) == {
        "code": "REQUEST_TOO_LARGE",
        "message": CATALOGUE["REQUEST_TOO_LARGE"].en,
        "details": {"max_bytes": MAX_BODY_BYTES, "received": MAX_BODY_BYTES + CHUNK},
    }
    assert body.pulled == MAX_BODY_BYTES + CHUNK  # the chunk that passed the limit, and not one more
    assert response.headers["connection"] == "close"
    assert response.headers["x-correlation-id"]


@IN_THE_MODULE_LOOP
@pytest.mark.parametrize(("service", "path"), JSON_ROUTES)
async def test_a_body_whose_length_says_too_much_is_refused_before_a_byte_is_read(
    services: Services, service: str, path: str
) -> None:
    body = CountingBody(133 * 1024 * 1024)
    response = await services[service].post(
        path, content=body, headers={"Content-Type": "application/json", "Content-Length": str(body.size)}
    )

    assert response.status_code == 413 and error(response)["code"] == "REQUEST_TOO_LARGE"
    assert error(response)["details"] == {"max_bytes": MAX_BODY_BYTES, "declared": body.size}
    assert body.pulled == 0


@IN_THE_MODULE_LOOP
@pytest.mark.parametrize(
    ("service", "path", "status"),
    [
        ("regional_gateway", "/api/v1/admin/dead-letters/1/replay", 404),  # takes no body: NOT_FOUND, as ever
        ("con_intake", "/health", 405),
        ("portal_gateway", "/api/v1/no-such-route", 404),
    ],
)
async def test_a_body_nobody_asked_for_is_never_read(services: Services, service: str, path: str, status: int) -> None:
    body = CountingBody(5 * 1024 * 1024)
    response = await services[service].post(path, content=body, headers=ADMIN)
    assert response.status_code == status
    assert body.pulled == 0


@IN_THE_MODULE_LOOP
async def test_a_body_within_the_limit_is_read_as_before(services: Services) -> None:
    filler = " " * (MAX_BODY_BYTES - 200)
    body = ('{"signed": {"payload": "e30", "signatures": []}' + filler + "}").encode()
    assert len(body) < MAX_BODY_BYTES
    response = await services["portal_gateway"].post(
        "/api/v1/edocs/verify", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200 and response.json()["valid"] is False


@IN_THE_MODULE_LOOP
async def test_an_upload_takes_its_own_larger_limit_and_keeps_its_own_10_mb_rule(services: Services) -> None:
    world = services.world
    _, auth = await world.citizen()
    headers = {**auth, "Content-Type": "application/pdf"}
    params = {"kind": "marriage_certificate", "name": "big.pdf"}

    # Above the kernel's 1 MiB: the upload route declares more.
    large = PDF + b"0" * (3 * 1024 * 1024)
    accepted = await world.portal.post("/api/v1/attachments", params=params, content=large, headers=headers)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["size"] == len(large)

    # Past 10 MB: the route's own rule and its code, reading no further than that.
    streamed = CountingBody(20 * 1024 * 1024, filler=b"0")
    refused = await world.portal.post("/api/v1/attachments", params=params, content=streamed, headers=headers)
    assert refused.status_code == 422 and code(refused) == "VALIDATION_FAILED"
    assert refused.json()["error"]["details"]["errors"][0]["loc"] == ["body"]
    assert MAX_SIZE < streamed.pulled <= MAX_SIZE + CHUNK

    # A length past the route's limit: the kernel, before a byte is read.
    declared = CountingBody(133 * 1024 * 1024)
    headers_declared = {**headers, "Content-Length": str(declared.size)}
    too_large = await world.portal.post(
        "/api/v1/attachments", params=params, content=declared, headers=headers_declared
    )
    assert too_large.status_code == 413 and error(too_large)["details"]["max_bytes"] == UPLOAD_BODY_LIMIT
    assert declared.pulled == 0


# -- JSON nested too deep -------------------------------------------------------------------------------


@IN_THE_MODULE_LOOP
@pytest.mark.parametrize(("service", "path"), JSON_ROUTES)
async def test_a_body_nested_100000_deep_is_422_request_malformed(services: Services, service: str, path: str) -> None:
    response = await services[service].post(path, content=DEEP, headers={"Content-Type": "application/json"})

    assert response.status_code == 422
    assert error(response)["code"] == "REQUEST_MALFORMED"
    assert error(response)["details"]["errors"][0]["loc"] == ["body"]
    assert "Traceback" not in response.text


@IN_THE_MODULE_LOOP
async def test_a_body_nested_within_the_bound_is_parsed(services: Services) -> None:
    nested: Any = "x"
    for _ in range(MAX_JSON_DEPTH - 2):
        nested = [nested]
    response = await services["portal_gateway"].post("/api/v1/edocs/verify", json={"payload": nested})
    assert response.status_code == 200 and response.json()["code"] == "EDS_MALFORMED"  # read, then judged


@IN_THE_MODULE_LOOP
async def test_json_that_is_not_utf8_is_malformed(services: Services) -> None:
    # UTF-16 bytes could hide brackets from a byte count; RFC 8259 asks for UTF-8 anyway.
    for body in ('{"iin": "900101300017"}'.encode("utf-16"), '{"iin": "9001"}'.encode("utf-32-be")):
        response = await services["portal_gateway"].post(
            "/api/v1/auth/challenge", content=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 422 and error(response)["code"] == "REQUEST_MALFORMED"
    broken = await services["portal_gateway"].post(
        "/api/v1/auth/challenge", content=b'{"iin": "\xff\xfe"}', headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 422 and error(broken)["code"] == "REQUEST_MALFORMED"


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def _random_json(rng: random.Random, depth: int) -> Any:
    strings = ['[{"', "]}", "\\", '\\"[', "", "тұрғын үй [", "\\u005b", "\n]"]
    if depth == 0 or rng.random() < 0.2:
        return rng.choice([rng.choice(strings), rng.randint(-9, 9), None, True, 1.5])
    if rng.random() < 0.5:
        return [_random_json(rng, depth - 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(strings) + str(i): _random_json(rng, depth - 1) for i in range(rng.randint(0, 3))}


def _chunks(data: bytes, rng: random.Random) -> Iterator[bytes]:
    position = 0
    while position < len(data):
        size = rng.choice([1, 2, 3, 7, 64])
        yield data[position : position + size]
        position += size


def test_the_gauge_measures_nesting_as_a_parser_sees_it_however_the_bytes_are_cut() -> None:
    rng = random.Random(17032014)
    for _ in range(300):
        value = _random_json(rng, rng.randint(0, 12))
        text = json.dumps(value, ensure_ascii=rng.random() < 0.5).encode()
        whole = JsonDepthGauge(bound=1000)
        assert whole.feed(text, last=True)
        cut = JsonDepthGauge(bound=1000)
        pieces = list(_chunks(text, rng))
        for index, piece in enumerate(pieces):
            assert cut.feed(piece, last=index == len(pieces) - 1)
        assert whole.deepest == cut.deepest == _depth(value), text


def test_the_gauge_takes_linear_time_on_strings_built_to_make_a_regex_backtrack() -> None:
    # One megabyte-long string of escaped quotes, cut in 64 KiB chunks: every quote could start a string.
    body = b'["' + b'\\"[' * 349_000 + b'"]'
    gauge = JsonDepthGauge()
    started = time.perf_counter()
    for position in range(0, len(body), CHUNK):
        assert gauge.feed(body[position : position + CHUNK], last=position + CHUNK >= len(body))
    assert gauge.deepest == 1
    assert time.perf_counter() - started < 3.0  # a regex retried at every quote took over ten seconds


def test_the_gauge_refuses_past_its_bound_and_ignores_brackets_in_strings() -> None:
    assert JsonDepthGauge(bound=3).feed(b'[[["[[[[[[[[[[[\\"]]]"]]]', last=True)
    assert not JsonDepthGauge(bound=3).feed(b"[[[[1]]]]", last=True)
    gauge = JsonDepthGauge(bound=MAX_JSON_DEPTH)
    assert gauge.feed(b"[" * MAX_JSON_DEPTH)
    assert not gauge.feed(b"[")  # refused at the byte that passes, not at the end of the body
    assert JsonDepthGauge().feed(b"\xef\xbb\xbf[[1]]", last=True)  # a UTF-8 byte order mark is UTF-8
    refused = JsonDepthGauge()
    assert not refused.feed("[1]".encode("utf-16-le"), last=True) and refused.not_utf8


# -- integers the databases cannot hold -------------------------------------------------------------------


async def _staff_token(services: Services) -> dict[str, str]:
    response = await services["provider"].post(
        "/api/v1/staff/token", json={"login": "specialist.karaganda", "password": STAFF_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@IN_THE_MODULE_LOOP
@pytest.mark.parametrize("params", [{"offset": 10**30}, {"offset": -1}, {"limit": 10**30}, {"offset": 2**63}])
async def test_a_page_past_what_a_database_holds_is_422(services: Services, params: dict[str, int]) -> None:
    staff = await _staff_token(services)
    pages = [
        await services["provider"].get("/api/v1/cases", params=params, headers=staff),
        await services["regional_gateway"].get("/api/v1/admin/dead-letters", params=params, headers=ADMIN),
    ]
    for response in pages:
        assert response.status_code == 422, response.text
        assert error(response)["code"] == "VALIDATION_FAILED"
        assert error(response)["details"]["errors"][0]["loc"][0] == "query"


@IN_THE_MODULE_LOOP
async def test_the_last_page_a_database_holds_is_an_empty_page(services: Services) -> None:
    staff = await _staff_token(services)
    cases = await services["provider"].get("/api/v1/cases", params={"offset": MAX_OFFSET}, headers=staff)
    letters = await services["regional_gateway"].get(
        "/api/v1/admin/dead-letters", params={"offset": MAX_OFFSET}, headers=ADMIN
    )
    assert cases.status_code == letters.status_code == 200
    assert cases.json()["items"] == letters.json()["items"] == []


@IN_THE_MODULE_LOOP
@pytest.mark.parametrize("dead_letter_id", [10**30, 2**63, 0, -1])
async def test_a_dead_letter_id_past_what_a_database_holds_is_422(services: Services, dead_letter_id: int) -> None:
    response = await services["regional_gateway"].post(
        f"/api/v1/admin/dead-letters/{dead_letter_id}/replay", headers=ADMIN
    )
    assert response.status_code == 422 and error(response)["code"] == "VALIDATION_FAILED"
    assert error(response)["details"]["errors"][0]["loc"] == ["path", "dead_letter_id"]


@IN_THE_MODULE_LOOP
async def test_the_largest_dead_letter_id_is_just_not_found(services: Services) -> None:
    response = await services["regional_gateway"].post(f"/api/v1/admin/dead-letters/{MAX_ID}/replay", headers=ADMIN)
    assert response.status_code == 404 and error(response)["code"] == "NOT_FOUND"


# -- texts and lists too long ---------------------------------------------------------------------------------


@IN_THE_MODULE_LOOP
async def test_a_20_mb_address_never_gets_into_an_application(services: Services) -> None:
    world = services.world
    iin, auth = await world.citizen()
    document = (await world.draft(auth))["document"]
    signer = await world.pki.issue(iin)
    sent = len(world.sent)

    # 20 MB: the kernel refuses the body, unread.
    huge = json.loads(json.dumps(document))
    huge["applicant"]["address"]["address"] = "Қарағанды қ., " + "x" * 20_000_000
    body = json.dumps({"signed": sign(huge, signer)}).encode()
    refused = await world.portal.post("/api/v1/applications", content=body, headers=auth)
    assert refused.status_code == 413 and code(refused) == "REQUEST_TOO_LARGE"

    # Past the address's length but within the body's limit: signed, and still not an application.
    long = json.loads(json.dumps(document))
    long["applicant"]["address"]["address"] = "x" * (MAX_ADDRESS + 1)
    refused = await world.submit(auth, sign(long, signer))
    assert refused.status_code == 422 and code(refused) == "EDS_MALFORMED"
    failed = refused.json()["error"]["details"]["errors"]
    assert any(e["loc"][-3:] == ["applicant", "address", "address"] for e in failed), failed

    assert (await world.portal.get("/api/v1/applications", headers=auth)).json() == []
    assert len(world.sent) == sent  # nothing went on to the gateway
    accepted = await world.submit(auth, sign(document, signer))  # the draft as it was is accepted
    assert accepted.status_code == 202, accepted.text


@IN_THE_MODULE_LOOP
async def test_a_draft_request_with_oversized_fields_is_validation_failed(services: Services) -> None:
    world = services.world
    _, auth = await world.citizen()
    for body in (
        {"district": "x" * 65},
        {"categories": ["vulnerable"] * 21},
        {"vulnerable_groups": ["x" * 65]},
        {"email": "a@b." + "c" * 200},
        {"address": "x" * 100_000},  # the draft takes no address: the registries give it
    ):
        response = await world.portal.post("/api/v1/applications/draft", json=body, headers=auth)
        assert response.status_code == 422 and code(response) == "VALIDATION_FAILED", body


@IN_THE_MODULE_LOOP
async def test_login_and_registration_fields_are_bounded(services: Services) -> None:
    portal = services["portal_gateway"]
    for path, body in (
        ("/api/v1/auth/register", {"iin": "9" * 100_000, "password": "long enough 1"}),
        ("/api/v1/auth/register", {"iin": "900101300017", "password": "p" * 100_000}),
        ("/api/v1/auth/token", {"iin": "900101300017", "password": "p" * 100_000}),
        ("/api/v1/auth/challenge", {"iin": "90010130001"}),
    ):
        response = await portal.post(path, json=body)
        assert response.status_code == 422 and error(response)["code"] == "VALIDATION_FAILED", (path, response.text)


def test_the_application_document_bounds_its_texts_and_lists() -> None:
    schema = ApplicationDocument.model_json_schema()
    defs = schema["$defs"]
    assert defs["Address"]["properties"]["address"]["maxLength"] == MAX_ADDRESS
    assert defs["Applicant"]["properties"]["surname"]["maxLength"] == 100
    assert defs["Applicant"]["properties"]["iin"]["pattern"] == r"^\d{12}$"
    assert schema["properties"]["household"]["maxItems"] == MAX_HOUSEHOLD
    for field in ("categories", "vulnerable_groups", "employment_categories", "attachments"):
        assert "maxItems" in schema["properties"][field], field
    assert schema["properties"]["statement"]["maxLength"]


def test_a_household_of_more_than_20_is_refused() -> None:
    member = {"iin": "900101300017", "relation": "child"}
    values = {
        "author": {"iin": "900101300017"},
        "channel": "portal",
        "district": "karaganda",
        "applicant": {
            "iin": "900101300017",
            "surname": "ТЕСТОВ",
            "given_name": "ТЕСТ",
            "address": {"locality": "karaganda", "district": "karaganda", "address": "көше, 1-үй"},
        },
        "consents": {"communal_fund_check": True, "legally_protected_information": True},
    }
    assert len(ApplicationDocument.model_validate({**values, "household": [member] * MAX_HOUSEHOLD}).household) == 20
    with pytest.raises(ValidationError) as raised:
        ApplicationDocument.model_validate({**values, "household": [member] * (MAX_HOUSEHOLD + 1)})
    assert raised.value.errors()[0]["type"] == "too_long"


# -- recursion ------------------------------------------------------------------------------------------------


async def test_a_recursion_error_is_internal_error_without_a_stack_trace(tmp_path: Path) -> None:
    router = APIRouter()

    def forever(n: int) -> int:
        return forever(n + 1) + 1

    @router.get("/recurse", summary="test")
    async def recurse() -> dict[str, int]:
        return {"n": forever(0)}

    app = _kernel_app(tmp_path, router)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)  # nothing escapes to the server
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            response = await client.get("/recurse")
    assert response.status_code == 500 and response.json()["error"]["code"] == "INTERNAL_ERROR"
    assert "Traceback" not in response.text and "forever" not in response.text


# -- OpenAPI ------------------------------------------------------------------------------------------------------


def _find(node: Any, key: str) -> list[Any]:
    """Every value of ``key`` anywhere under ``node`` (a schema with anyOf, a parameter, …)."""
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == key] + [x for v in node.values() for x in _find(v, key)]
    if isinstance(node, list):
        return [x for v in node for x in _find(v, key)]
    return []


def _parameter(spec: dict[str, Any], path: str, method: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(p for p in spec["paths"][path][method]["parameters"] if p["name"] == name)
    return found


@IN_THE_MODULE_LOOP
async def test_the_openapi_documents_show_the_limits(services: Services) -> None:
    portal = (await services["portal_gateway"].get("/openapi.json")).json()
    schemas = portal["components"]["schemas"]
    assert schemas["RegisterRequest"]["properties"]["iin"]["pattern"] == r"^\d{12}$"
    assert schemas["RegisterRequest"]["properties"]["password"]["maxLength"] == 200
    assert schemas["TokenRequest"]["properties"]["password"]["maxLength"] == 200
    assert 20 in _find(schemas["DraftRequest"]["properties"]["categories"], "maxItems")
    assert 64 in _find(schemas["DraftRequest"]["properties"]["district"], "maxLength")
    upload = portal["paths"]["/api/v1/attachments"]["post"]
    assert upload["x-max-body-bytes"] == UPLOAD_BODY_LIMIT
    assert _parameter(portal, "/api/v1/attachments", "post", "name")["schema"]["maxLength"] == 200
    assert "413" in portal["paths"]["/api/v1/edocs/verify"]["post"]["responses"]
    assert str(MAX_BODY_BYTES) in portal["paths"]["/api/v1/edocs/verify"]["post"]["responses"]["413"]["description"]

    provider = (await services["provider"].get("/openapi.json")).json()
    assert _parameter(provider, "/api/v1/cases", "get", "offset")["schema"]["maximum"] == MAX_OFFSET
    assert _parameter(provider, "/api/v1/cases", "get", "limit")["schema"]["maximum"] == 100

    gateway = (await services["regional_gateway"].get("/openapi.json")).json()
    replay = _parameter(gateway, "/api/v1/admin/dead-letters/{dead_letter_id}/replay", "post", "dead_letter_id")
    assert (replay["schema"]["minimum"], replay["schema"]["maximum"]) == (1, MAX_ID)
    assert _parameter(gateway, "/api/v1/admin/dead-letters", "get", "offset")["schema"]["maximum"] == MAX_OFFSET

    registry = (await services["registry_stub"].get("/openapi.json")).json()
    assert _parameter(registry, "/api/v1/persons/{iin}", "get", "iin")["schema"]["maxLength"] == 32
    assert 100 in _find(_parameter(registry, "/api/v1/personas", "get", "trait"), "maxLength")
    assert schemas["Attachment"]["properties"]["name"]["maxLength"] == 200


# -- a real server ---------------------------------------------------------------------------------------------------


class Thing(BaseModel):
    name: str


def _kernel_app(tmp_path: Path, router: APIRouter) -> FastAPI:
    provider = importlib.import_module("services.provider.app")
    config = importlib.import_module("services.provider.config")
    settings = config.ProviderSettings(database_url=sqlite_url(tmp_path, "kernel"))
    return create_service_app(ServiceRuntime.build(provider.SPEC, settings), [router])


async def _read_answer(reader: asyncio.StreamReader) -> bytes:
    """What the server answers, until it closes the connection (with a reset, when the client's unread
    bytes are still in its socket: the answer arrived before that)."""
    answer = b""
    with contextlib.suppress(ConnectionError):
        while chunk := await asyncio.wait_for(reader.read(65536), timeout=10):
            answer += chunk
    return answer


async def test_a_real_server_refuses_before_the_body_is_sent_and_stops_a_streamed_one(tmp_path: Path) -> None:
    router = APIRouter()

    @router.post("/things", summary="test")
    async def things(body: Thing) -> dict[str, str]:
        return {"name": body.name}

    config = uvicorn.Config(
        _kernel_app(tmp_path, router), host="127.0.0.1", port=0, log_config=None, timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]

        # 133 MB announced, nothing sent: the answer comes at once.
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST /things HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            b"Content-Length: 139460608\r\n\r\n"
        )
        await writer.drain()
        answer = await _read_answer(reader)
        writer.close()
        assert answer.startswith(b"HTTP/1.1 413 ") and b'"REQUEST_TOO_LARGE"' in answer

        # Streamed without a length: the answer comes while the client is still sending, which stops.
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /things HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n")
        writer.write(b"Transfer-Encoding: chunked\r\n\r\n")
        answered = asyncio.create_task(_read_answer(reader))
        sent = 0
        chunk = b"%x\r\n%s\r\n" % (CHUNK, b" " * CHUNK)
        with contextlib.suppress(ConnectionError, TimeoutError):
            while not answered.done() and sent < 133 * 1024 * 1024:
                writer.write(chunk)
                await asyncio.wait_for(writer.drain(), timeout=5)
                sent += CHUNK
        answer = await answered
        writer.close()
        assert answer.startswith(b"HTTP/1.1 413 ") and b'"REQUEST_TOO_LARGE"' in answer
        assert sent < 32 * 1024 * 1024, sent  # the server stopped reading: what was sent sits in socket buffers
    finally:
        server.should_exit = True
        await serving
