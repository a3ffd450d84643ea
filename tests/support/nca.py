"""Helpers of the test NCA suite: settings, a running registry_stub, issuing, reading answers."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from fastapi import FastAPI

from services.registry_stub.app import create_app
from services.registry_stub.config import RegistryStubSettings
from shared.participants import REGISTRIES

PUBLIC_URL = "http://nca.test:8005"
RA_TOKEN = "ra-token-of-the-test-harness"
"""The registration authority's token (NCA_RA_TOKEN) of every registry_stub the harness starts, and of the
services and processes that ask it for system certificates or revocations."""
RA = {"Authorization": f"Bearer {RA_TOKEN}"}
IIN = "900101300017"
OTHER_IIN = "880502400027"
BIN = REGISTRIES.bin
PERSON = {"iin": IIN, "surname": "Тестов", "given_name": "Тест", "patronymic": "Тестович"}
EMPLOYEE = {**PERSON, "bin": BIN, "organization": 'ГУ "Отдел жилищных отношений"'}


def settings(tmp_path: Path, **overrides: Any) -> RegistryStubSettings:
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path}/r.db",
        "public_url": PUBLIC_URL,
        "nca_test_mode": True,
        "nca_ra_token": RA_TOKEN,
    }
    return RegistryStubSettings(**{**values, **overrides})


@asynccontextmanager
async def running(config: RegistryStubSettings) -> AsyncIterator[tuple[httpx.AsyncClient, FastAPI]]:
    """registry_stub started on ``config``, and a client for it."""
    app = create_app(config)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
            yield client, app


async def issue(
    client: httpx.AsyncClient, expect: int = 201, headers: dict[str, str] | None = None, **body: Any
) -> dict[str, Any]:
    """POST /nca/v1/certificates (an individual's SIGN certificate unless told otherwise)."""
    request = {"subject": PERSON, "profile": "sign", "holder": "individual", **body}
    response = await client.post("/nca/v1/certificates", json=request, headers=headers)
    assert response.status_code == expect, response.text
    return response.json()  # type: ignore[no-any-return]


def certificate(issued: dict[str, Any]) -> x509.Certificate:
    return x509.load_pem_x509_certificate(issued["certificate_pem"].encode())


def error_code(body: dict[str, Any]) -> str:
    return body["error"]["code"]  # type: ignore[no-any-return]


def load_bundle(issued: dict[str, Any]) -> pkcs12.PKCS12KeyAndCertificates:
    return pkcs12.load_pkcs12(base64.b64decode(issued["pkcs12_b64"]), issued["pkcs12_password"].encode())
