"""Secrets at start-up: no service starts with a secret published in the repository (the dev values of
deploy/.env.example, `KNOWN_DEVELOPMENT_SECRETS`) unless ``EGOV_DEVELOPMENT=1``; an empty secret still
means a random one (the embedded default); a token secret is never shorter than 32 bytes. And the NCA
root trusted on first use (no ``NCA_ROOT_SHA256``) is said, once, with the fingerprint to pin."""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import structlog
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import ValidationError

from services.con_intake.config import ConIntakeSettings
from services.portal_gateway.config import PortalSettings
from services.provider.config import ProviderSettings
from services.regional_gateway.config import RegionalGatewaySettings
from services.registry_stub.config import RegistryStubSettings
from shared.eds.enrollment import enrollment_token
from shared.eds.trust import NcaTrust, fingerprint
from shared.errors import AppError
from shared.logging import configure_logging
from shared.participants import PARTICIPANTS, PROVIDER
from shared.settings import DEVELOPMENT_VARIABLE, KNOWN_DEVELOPMENT_SECRETS, ServiceSettings

ALL_SETTINGS: list[type[ServiceSettings]] = [
    PortalSettings,
    ConIntakeSettings,
    RegionalGatewaySettings,
    ProviderSettings,
    RegistryStubSettings,
]

# (settings, field, its environment variable): every secret a service reads.
SECRET_FIELDS = [
    (PortalSettings, "token_secret", "PORTAL_GATEWAY_TOKEN_SECRET"),
    (ProviderSettings, "token_secret", "PROVIDER_TOKEN_SECRET"),
    (ProviderSettings, "demo_password", "PROVIDER_DEMO_PASSWORD"),
    (RegionalGatewaySettings, "admin_token", "REGIONAL_GATEWAY_ADMIN_TOKEN"),
    (RegistryStubSettings, "nca_ra_token", "NCA_RA_TOKEN"),
    *(
        (cls, "nca_enrollment_token", f"NCA_ENROLLMENT_TOKEN_{cls.service_name.upper()}")
        for cls in (PortalSettings, ConIntakeSettings, RegionalGatewaySettings, ProviderSettings)
    ),
]
A_LONG_DEV_VALUE = "dev-portal-token-secret-0123456789abcdef"  # long enough for a token secret


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Nothing from the machine's environment: each test sets what it means."""
    monkeypatch.delenv(DEVELOPMENT_VARIABLE, raising=False)
    monkeypatch.delenv("AMQP_URL", raising=False)
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    for _, _, variable in SECRET_FIELDS:
        monkeypatch.delenv(variable, raising=False)
    for cls in ALL_SETTINGS:
        monkeypatch.delenv(f"DATABASE_URL_{cls.service_name.upper()}", raising=False)


def _refusal(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return str(exc.value)


def test_the_known_values_are_the_published_dev_ones() -> None:
    """The dev-… placeholders, and the enrollment tokens derived from the dev RA token."""
    derived = {enrollment_token("dev-ra-token", participant.bin) for participant in PARTICIPANTS}
    assert KNOWN_DEVELOPMENT_SECRETS and all(
        value.startswith("dev-") or value in derived for value in KNOWN_DEVELOPMENT_SECRETS
    )
    assert derived <= KNOWN_DEVELOPMENT_SECRETS


def test_a_service_refuses_a_published_enrollment_token() -> None:
    published = enrollment_token("dev-ra-token", PROVIDER.bin)
    with pytest.raises(ValidationError):
        ProviderSettings(nca_enrollment_token=published)
    assert ProviderSettings(nca_enrollment_token=published, development=True).nca_enrollment_token == published


@pytest.mark.parametrize("cls", ALL_SETTINGS, ids=lambda cls: cls.service_name)
def test_empty_secrets_are_the_embedded_default(cls: type[ServiceSettings]) -> None:
    """`make run` sets no secret: each service makes random ones, as before."""
    settings = cls()
    assert settings.development is False


@pytest.mark.parametrize(("cls", "field", "variable"), SECRET_FIELDS, ids=lambda v: getattr(v, "__name__", str(v)))
@pytest.mark.parametrize("value", sorted(KNOWN_DEVELOPMENT_SECRETS))
def test_a_published_value_is_refused_at_start(
    cls: type[ServiceSettings], field: str, variable: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if field == "token_secret" and len(value) < 32:
        value = A_LONG_DEV_VALUE  # a short one is refused for its length already
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError) as refused:
        cls()
    message = _refusal(refused)
    assert variable in message and DEVELOPMENT_VARIABLE in message
    assert value not in message, "the refusal names the variable, not the value"


@pytest.mark.parametrize(("cls", "field", "variable"), SECRET_FIELDS, ids=lambda v: getattr(v, "__name__", str(v)))
@pytest.mark.parametrize("flag", ["1", "true"])
def test_the_development_flag_allows_the_published_values(
    cls: type[ServiceSettings], field: str, variable: str, flag: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, A_LONG_DEV_VALUE)
    monkeypatch.setenv(DEVELOPMENT_VARIABLE, flag)
    settings = cls()
    assert settings.development is True
    value = getattr(settings, field)
    assert (value if isinstance(value, str) else value.get_secret_value()) == A_LONG_DEV_VALUE


@pytest.mark.parametrize("flag", ["0", "", "false"])
def test_the_development_flag_off(flag: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DEVELOPMENT_VARIABLE, flag)
    monkeypatch.setenv("PROVIDER_DEMO_PASSWORD", "dev-staff-password")
    with pytest.raises(ValidationError):
        ProviderSettings()


@pytest.mark.parametrize("cls", ALL_SETTINGS, ids=lambda cls: cls.service_name)
def test_a_published_password_inside_the_urls_is_refused(
    cls: type[ServiceSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    name = cls.service_name
    dashed = name.replace("_", "-")
    database = f"DATABASE_URL_{name.upper()}"
    monkeypatch.setenv(database, f"postgresql+asyncpg://{name}:dev-db-{dashed}@postgres:5432/{name}")
    with pytest.raises(ValidationError) as refused:
        cls()
    assert database in _refusal(refused)

    monkeypatch.setenv(database, f"postgresql+asyncpg://{name}:{secrets.token_urlsafe(24)}@postgres:5432/{name}")
    monkeypatch.setenv("AMQP_URL", f"amqp://{name}:dev-amqp-{dashed}@rabbitmq:5672/")
    with pytest.raises(ValidationError) as refused:
        cls()
    assert "AMQP_URL" in _refusal(refused) and f"dev-amqp-{dashed}" not in _refusal(refused)

    monkeypatch.setenv("AMQP_URL", f"amqp://{name}:{secrets.token_urlsafe(24)}@rabbitmq:5672/")
    assert cls().amqp_url.startswith("amqp://")
    monkeypatch.setenv(DEVELOPMENT_VARIABLE, "1")
    monkeypatch.setenv("AMQP_URL", f"amqp://{name}:dev-amqp-{dashed}@rabbitmq:5672/")
    assert cls().development


@pytest.mark.parametrize(("cls", "field", "variable"), SECRET_FIELDS, ids=lambda v: getattr(v, "__name__", str(v)))
def test_secrets_of_ones_own_are_accepted(
    cls: type[ServiceSettings], field: str, variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = secrets.token_urlsafe(32)
    monkeypatch.setenv(variable, own)
    value = getattr(cls(), field)
    assert (value if isinstance(value, str) else value.get_secret_value()) == own


@pytest.mark.parametrize("cls", [PortalSettings, ProviderSettings], ids=lambda cls: cls.service_name)
def test_a_short_token_secret_is_refused_even_in_development(
    cls: type[ServiceSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    variable = f"{cls.service_name.upper()}_TOKEN_SECRET"
    monkeypatch.setenv(DEVELOPMENT_VARIABLE, "1")
    monkeypatch.setenv(variable, "x" * 31)
    with pytest.raises(ValidationError) as refused:
        cls()
    assert variable in _refusal(refused) and "32 bytes" in _refusal(refused)
    monkeypatch.setenv(variable, "x" * 32)
    cls()


def test_passed_as_arguments_the_same_check_applies() -> None:
    with pytest.raises(ValidationError):
        RegionalGatewaySettings(admin_token="dev-gateway-admin-token")
    assert RegionalGatewaySettings(admin_token="dev-gateway-admin-token", development=True).admin_token


# --- the NCA root trusted on first use --------------------------------------------------------------


def _root_pem() -> tuple[bytes, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"test root {secrets.token_hex(4)}")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM), cert


def _serving(pem: bytes) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(200, content=pem))


@pytest.fixture
def logs(capsys: pytest.CaptureFixture[str]) -> Iterator[pytest.CaptureFixture[str]]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    structlog.contextvars.clear_contextvars()
    configure_logging("INFO", "json")
    yield capsys
    root.handlers[:] = handlers
    root.setLevel(level)


def _warnings(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    captured = capsys.readouterr()
    records = [json.loads(line) for line in (captured.err + captured.out).splitlines() if line.startswith("{")]
    return [r for r in records if r.get("level") == "warning" and "NCA_ROOT_SHA256" in str(r.get("event"))]


async def test_trust_on_first_use_is_warned_once_with_the_fingerprint(logs: pytest.CaptureFixture[str]) -> None:
    pem, root = _root_pem()
    url = "http://registry-stub:8005"
    trust = NcaTrust(url, transport=_serving(pem))
    assert fingerprint((await trust.get()).root) == fingerprint(root)
    await trust.get()
    # Another service of the same process, trusting the same NCA: the warning is not repeated.
    await NcaTrust(url, transport=_serving(pem)).get()
    warned = _warnings(logs)
    assert len(warned) == 1
    assert warned[0]["root_sha256"] == fingerprint(root) and warned[0]["plain_http"] is True
    assert warned[0]["nca_url"] == url
    assert fingerprint(root) in str(warned[0]["event"]) and "plain HTTP" in str(warned[0]["event"])


async def test_a_pinned_root_is_not_warned_about_and_another_is_refused(logs: pytest.CaptureFixture[str]) -> None:
    pem, root = _root_pem()
    pinned = NcaTrust("http://nca.test", pin_sha256=fingerprint(root), transport=_serving(pem))
    assert fingerprint((await pinned.get()).root) == fingerprint(root)
    other_pem, _ = _root_pem()
    with pytest.raises(AppError):
        await NcaTrust("http://nca.test", pin_sha256=fingerprint(root), transport=_serving(other_pem)).get()
    assert _warnings(logs) == []
