"""Each service through HTTP (httpx ASGITransport, lifespan run): liveness and readiness, OpenAPI,
correlation ids, and the kernel's error format (architecture §7) for unknown routes, wrong methods,
malformed JSON, invalid input, catalogue errors and crashes."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, Field

from shared.bus.memory import InMemoryBus
from shared.errors import CATALOGUE, AppError
from shared.service import ServiceRuntime, create_service_app

SERVICES = {
    "portal_gateway": "PortalSettings",
    "con_intake": "ConIntakeSettings",
    "regional_gateway": "RegionalGatewaySettings",
    "provider": "ProviderSettings",
    "registry_stub": "RegistryStubSettings",
}


class StampingSource:
    """The gateway's signer source, certified (``ok``) or refused by the NCA."""

    def __init__(self, ok: bool = True) -> None:
        self.ok = ok

    async def signer(self) -> Any:
        if not self.ok:
            raise AppError("SERVICE_UNAVAILABLE", {"reason": "the NCA did not certify the key"})
        return object()


def build(service: str, tmp_path: Path, bus: InMemoryBus | None = None, **dependencies: Any) -> FastAPI:
    config = importlib.import_module(f"services.{service}.config")
    app_module = importlib.import_module(f"services.{service}.app")
    settings = getattr(config, SERVICES[service])(database_url=f"sqlite+aiosqlite:///{tmp_path / service}.db")
    if service == "regional_gateway":
        dependencies.setdefault("credentials", StampingSource())
    return app_module.create_app(settings, bus=bus, **dependencies)  # type: ignore[no-any-return]


async def client_for(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@pytest.fixture(params=list(SERVICES))
async def service(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[tuple[str, httpx.AsyncClient]]:
    async for client in client_for(build(request.param, tmp_path)):
        yield request.param, client


async def test_every_service_is_alive_and_ready(service: tuple[str, httpx.AsyncClient]) -> None:
    name, client = service
    health = await client.get("/health")
    ready = await client.get("/ready")

    assert health.status_code == 200 and health.json() == {"status": "ok", "service": name}
    assert ready.status_code == 200
    own = {"stamp_certificate": True} if name == "regional_gateway" else {}
    assert ready.json()["checks"] == {"started": True, "database": True, "bus": True, **own}


async def test_the_gateway_is_not_ready_without_its_stamping_certificate(tmp_path: Path) -> None:
    source = StampingSource(ok=False)
    async for client in client_for(build("regional_gateway", tmp_path, credentials=source)):
        ready = await client.get("/ready")
        assert ready.status_code == 503 and ready.json()["checks"]["stamp_certificate"] is False
        source.ok = True
        assert (await client.get("/ready")).status_code == 200


async def test_not_ready_when_the_bus_is_down(tmp_path: Path) -> None:
    bus = InMemoryBus("api-test")
    await bus.start()
    app = build("provider", tmp_path, bus=bus)
    async for client in client_for(app):
        await bus.close()
        ready = await client.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["status"] == "unavailable"
        assert ready.json()["checks"]["bus"] is False
        assert (await client.get("/health")).status_code == 200


async def test_not_ready_when_the_database_is_gone(tmp_path: Path) -> None:
    app = build("provider", tmp_path)
    async for client in client_for(app):
        runtime: ServiceRuntime = app.state.runtime
        await runtime.db.dispose()  # drop pooled connections to the file
        (tmp_path / "provider.db").unlink()
        (tmp_path / "provider.db").mkdir()  # the file is replaced by a directory: no database any more
        ready = await client.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"] is False


async def test_unknown_route_is_404_in_the_error_format(service: tuple[str, httpx.AsyncClient]) -> None:
    _, client = service
    response = await client.get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "NOT_FOUND", "message": CATALOGUE["NOT_FOUND"].kk, "details": {}}}


async def test_error_messages_follow_accept_language(service: tuple[str, httpx.AsyncClient]) -> None:
    _, client = service
    for header, language in [("ru-RU,ru;q=0.9", "ru"), ("en", "en"), ("de, en;q=0.5", "en"), ("fr", "kk")]:
        response = await client.get("/nope", headers={"Accept-Language": header})
        assert response.json()["error"]["message"] == CATALOGUE["NOT_FOUND"].message(language)
        assert response.headers["content-language"] == language


async def test_wrong_method_is_405_in_the_error_format(service: tuple[str, httpx.AsyncClient]) -> None:
    _, client = service
    response = await client.post("/health", content=b"{")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"


async def test_openapi_describes_the_service(service: tuple[str, httpx.AsyncClient]) -> None:
    name, client = service
    spec = (await client.get("/openapi.json")).json()

    assert spec["info"]["description"] and spec["info"]["title"]
    assert {"/health", "/ready"} <= set(spec["paths"])
    assert all(operation.get("summary") for path in spec["paths"].values() for operation in path.values())
    assert (await client.get("/docs")).status_code == 200


async def test_the_correlation_id_is_echoed_or_made(service: tuple[str, httpx.AsyncClient]) -> None:
    _, client = service
    given = await client.get("/health", headers={"X-Correlation-ID": "case-42"})
    made = await client.get("/health")

    assert given.headers["x-correlation-id"] == "case-42"
    assert len(made.headers["x-correlation-id"]) == 36


# -- the kernel's error handlers, on a service with a test route --------------------------------


class Application(BaseModel):
    iin: str = Field(pattern=r"^\d{12}$")
    rooms: int


@pytest.fixture
async def kernel_client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    router = APIRouter()

    @router.post("/things", summary="test")
    async def things(body: Application) -> dict[str, str]:
        if body.rooms == 0:
            raise AppError("DUPLICATE_APPLICATION", {"pending": "A-1"})
        if body.rooms < 0:
            raise ZeroDivisionError("secret internals")
        return {"iin": body.iin}

    provider = importlib.import_module("services.provider.app")
    config = importlib.import_module("services.provider.config")
    settings = config.ProviderSettings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'k.db'}")
    runtime = ServiceRuntime.build(provider.SPEC, settings)
    async for client in client_for(create_service_app(runtime, [router])):
        yield client


async def test_malformed_json_is_422_request_malformed(kernel_client: httpx.AsyncClient) -> None:
    response = await kernel_client.post(
        "/things", content=b'{"iin": "9001', headers={"Content-Type": "application/json", "Accept-Language": "en"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "REQUEST_MALFORMED"
    assert response.json()["error"]["message"] == "The request body is not well-formed JSON"


async def test_invalid_fields_are_422_with_their_locations(kernel_client: httpx.AsyncClient) -> None:
    response = await kernel_client.post("/things", json={"iin": "12", "rooms": "many"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_FAILED"
    assert sorted(tuple(e["loc"]) for e in error["details"]["errors"]) == [("body", "iin"), ("body", "rooms")]


async def test_a_catalogue_error_keeps_its_status_code_and_details(kernel_client: httpx.AsyncClient) -> None:
    response = await kernel_client.post("/things", json={"iin": "900101300017", "rooms": 0})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "DUPLICATE_APPLICATION"
    assert response.json()["error"]["details"] == {"pending": "A-1"}


async def test_a_crash_is_500_without_internals(kernel_client: httpx.AsyncClient) -> None:
    response = await kernel_client.post("/things", json={"iin": "900101300017", "rooms": -1})
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "INTERNAL_ERROR"
    assert "secret" not in response.text and "Traceback" not in response.text
