"""deploy/ agrees with the code: the compose file, its env file, the Dockerfile, the PostgreSQL init
script and the RabbitMQ definitions (architecture §1 and architecture §2). No Docker engine is needed: the files are
parsed, and compose's ``${VAR}`` interpolation is done here with the values in deploy/.env.example.

And deploy/ is safe by default: no secret has a default in the compose file (a missing one stops
compose), .env.example's secrets are refused by the services at start unless EGOV_DEVELOPMENT=1, and
every port is published on 127.0.0.1 only.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from pydantic import ValidationError
from sqlalchemy.engine import make_url

from services.con_intake.config import ConIntakeSettings
from services.portal_gateway.config import PortalSettings
from services.provider.config import ProviderSettings
from services.regional_gateway.config import RegionalGatewaySettings
from services.registry_stub.config import RegistryStubSettings
from shared.eds.enrollment import enrollment_token
from shared.participants import BY_SERVICE
from shared.settings import DEVELOPMENT_VARIABLE, KNOWN_DEVELOPMENT_SECRETS, ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE_FILE = DEPLOY / "docker-compose.yml"
ENV_EXAMPLE = DEPLOY / ".env.example"
DOCKERFILE = DEPLOY / "Dockerfile"
POSTGRES_INIT = DEPLOY / "postgres-init.sh"
RABBITMQ_CONF = DEPLOY / "rabbitmq" / "rabbitmq.conf"
DEFINITIONS = DEPLOY / "rabbitmq" / "definitions.json"
MAKE_DEFINITIONS = DEPLOY / "rabbitmq" / "make_definitions.py"

SETTINGS: dict[str, type[ServiceSettings]] = {
    "portal_gateway": PortalSettings,
    "con_intake": ConIntakeSettings,
    "regional_gateway": RegionalGatewaySettings,
    "provider": ProviderSettings,
    "registry_stub": RegistryStubSettings,
}
NAMES = list(SETTINGS)

SECRET_WORDS = ("PASSWORD", "SECRET", "TOKEN")

# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err}, ${VAR:+alt}, ${VAR+alt}, and $VAR;
# "$$" is a literal dollar sign.
INTERPOLATION = re.compile(
    r"\$(?:\$|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


# --- helpers ------------------------------------------------------------------------------------


def read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}: not KEY=VALUE: {raw!r}"
        assert key.strip() not in values, f"{path.name}: {key} is set twice"
        values[key.strip()] = value.strip()
    return values


def interpolations(text: str) -> list[tuple[str, str | None, str | None]]:
    """(name, operator, argument) of every variable reference in ``text``."""
    found = []
    for m in INTERPOLATION.finditer(text):
        if m.group(0) == "$$":
            continue
        name = m.group("braced") or m.group("bare")
        found.append((name, m.group("op"), m.group("arg")))
    return found


def compose_interpolations(raw: Any) -> list[tuple[str, str | None, str | None]]:
    """Variable references in the compose file's keys and values (not its comments)."""
    if isinstance(raw, dict):
        return [ref for k, v in raw.items() for ref in compose_interpolations(k) + compose_interpolations(v)]
    if isinstance(raw, list):
        return [ref for v in raw for ref in compose_interpolations(v)]
    return interpolations(raw) if isinstance(raw, str) else []


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's interpolation, for the operators compose supports."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def substitute(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        name = m.group("braced") or m.group("bare")
        op, arg = m.group("op"), m.group("arg") or ""
        present, current = name in env, env.get(name, "")
        if op in (":-", "-"):
            return current if (present and (current or op == "-")) else arg
        if op in (":?", "?"):
            if not present or (op == ":?" and not current):
                raise AssertionError(f"${{{name}}} is required: {arg}")
            return current
        if op in (":+", "+"):
            return arg if (present and (current or op == "+")) else ""
        return current

    return INTERPOLATION.sub(substitute, value)


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def command(service: dict[str, Any]) -> list[str]:
    cmd = service.get("command")
    return shlex.split(cmd) if isinstance(cmd, str) else list(cmd or [])


def healthcheck_test(service: dict[str, Any]) -> list[str]:
    test = service["healthcheck"]["test"]
    return ["CMD-SHELL", test] if isinstance(test, str) else list(test)


def is_secret_variable(name: str) -> bool:
    return any(word in name for word in SECRET_WORDS)


def published_host_ips(service: dict[str, Any]) -> list[str]:
    """The host address of each published port ("" when it is every interface)."""
    ips = []
    for entry in service.get("ports", []):
        if isinstance(entry, dict):
            ips.append(str(entry.get("host_ip", "")))
            continue
        parts = str(entry).split("/")[0].split(":")
        ips.append(":".join(parts[:-2]))
    return ips


def port_mappings(service: dict[str, Any]) -> list[tuple[int, int]]:
    """(host port, container port) pairs, short or long syntax."""
    pairs = []
    for entry in service.get("ports", []):
        if isinstance(entry, dict):
            pairs.append((int(entry["published"]), int(entry["target"])))
            continue
        parts = str(entry).split("/")[0].split(":")
        pairs.append((int(parts[-2]), int(parts[-1])))
    return pairs


def mounts(service: dict[str, Any]) -> dict[str, str]:
    """Container path -> source (relative to deploy/) of each short-syntax volume."""
    out = {}
    for entry in service.get("volumes", []):
        source, target, *_ = str(entry).split(":")
        out[target] = source
    return out


def settings_field_default(settings_cls: type[ServiceSettings], name: str) -> Any:
    return settings_cls.model_fields[name].default


def rabbitmq_hash_matches(password_hash: str, password: str) -> bool:
    raw = base64.b64decode(password_hash, validate=True)
    salt, digest = raw[:4], raw[4:]
    return len(raw) == 36 and hashlib.sha256(salt + password.encode()).digest() == digest


def init_script_databases() -> dict[str, str]:
    """Database/role name -> the variable holding its password, from the calls in postgres-init.sh."""
    calls = re.findall(
        r"^create_service_database\s+(\w+)\s+\"\$\{(\w+)[^}]*\}\"\s*$", POSTGRES_INIT.read_text(), flags=re.M
    )
    return dict(calls)


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    return read_env_file(ENV_EXAMPLE)


@pytest.fixture(scope="module")
def raw_compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose(raw_compose: dict[str, Any], env_example: dict[str, str]) -> dict[str, Any]:
    """The compose file as docker compose would see it with deploy/.env copied from .env.example."""
    return interpolate(raw_compose, env_example)


@pytest.fixture(scope="module")
def definitions() -> dict[str, Any]:
    return json.loads(DEFINITIONS.read_text(encoding="utf-8"))


# --- the compose file ---------------------------------------------------------------------------


def test_project_name_and_services(raw_compose: dict[str, Any]) -> None:
    assert raw_compose["name"] == "egov-housing"
    assert set(raw_compose["services"]) == {"rabbitmq", "postgres", "mailpit", *NAMES}


@pytest.mark.parametrize("name", NAMES)
def test_service_runs_its_own_package(compose: dict[str, Any], name: str) -> None:
    service = compose["services"][name]
    assert command(service) == ["python", "-m", f"services.{name}"]
    assert (ROOT / "services" / name / "__main__.py").is_file()
    build = service["build"]
    assert (DEPLOY / build["context"]).resolve() == ROOT
    assert (ROOT / build["dockerfile"]).resolve() == DOCKERFILE
    assert service["restart"] == "unless-stopped"


@pytest.mark.parametrize("name", NAMES)
def test_port_and_host_use_the_settings_prefix(compose: dict[str, Any], name: str) -> None:
    settings_cls = SETTINGS[name]
    prefix = settings_cls.model_config["env_prefix"]
    assert prefix == f"{name.upper()}_"
    port = settings_field_default(settings_cls, "port")
    env = environment(compose["services"][name])
    assert env[f"{prefix}HOST"] == "0.0.0.0"
    assert env[f"{prefix}PORT"] == str(port)
    assert port_mappings(compose["services"][name]) == [(port, port)]
    # No other service's prefix leaks in (a copy-paste slip would set the wrong service's port).
    others = [cls.model_config["env_prefix"] for other, cls in SETTINGS.items() if other != name]
    assert not [key for key in env if key.startswith(tuple(others))]


def test_ports_are_distinct(compose: dict[str, Any]) -> None:
    host_ports = [host for name in compose["services"] for host, _ in port_mappings(compose["services"][name])]
    assert len(host_ports) == len(set(host_ports))


@pytest.mark.parametrize("name", NAMES)
def test_database_url_variable_is_the_settings_alias(compose: dict[str, Any], name: str) -> None:
    alias = SETTINGS[name].model_fields["database_url"].validation_alias
    assert alias == f"DATABASE_URL_{name.upper()}"
    env = environment(compose["services"][name])
    assert alias in env
    assert [key for key in env if key.startswith("DATABASE_URL_")] == [alias]
    assert "AMQP_URL" in env and "LOG_LEVEL" in env


@pytest.mark.parametrize("name", NAMES)
def test_settings_read_the_compose_environment(
    compose: dict[str, Any], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the container's process would load from the environment compose gives it (with
    EGOV_DEVELOPMENT=1 in the shell: .env.example holds the published development values)."""
    env = environment(compose["services"][name])
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv(DEVELOPMENT_VARIABLE, "1")
    settings = SETTINGS[name]()
    assert settings.host == "0.0.0.0"
    assert settings.port == settings_field_default(SETTINGS[name], "port")
    assert settings.database_url == env[f"DATABASE_URL_{name.upper()}"]
    assert settings.amqp_url == env["AMQP_URL"]
    assert settings.development is True
    assert settings.nca_root_sha256 == "", "NCA_ROOT_SHA256 is optional: empty in .env.example"


@pytest.mark.parametrize("name", NAMES)
def test_the_env_example_secrets_are_refused_at_start(
    compose: dict[str, Any], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--env-file deploy/.env.example`` without EGOV_DEVELOPMENT=1: no service starts with its public
    values (each has a database and a broker password at least)."""
    env = environment(compose["services"][name])
    assert env[DEVELOPMENT_VARIABLE] == "0"
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ValidationError) as refused:
        SETTINGS[name]()
    assert DEVELOPMENT_VARIABLE in str(refused.value)


@pytest.mark.parametrize("name", NAMES)
def test_each_service_gets_the_development_flag_and_the_root_pin(raw_compose: dict[str, Any], name: str) -> None:
    env = environment(raw_compose["services"][name])
    assert env[DEVELOPMENT_VARIABLE] == "${EGOV_DEVELOPMENT:-0}", "off unless the shell or deploy/.env says so"
    assert env["NCA_ROOT_SHA256"] == "${NCA_ROOT_SHA256:-}", "optional: empty means trust on first use (warned)"


def test_every_published_port_is_on_the_loopback(raw_compose: dict[str, Any]) -> None:
    published = {name: published_host_ips(service) for name, service in raw_compose["services"].items()}
    assert {name for name, ips in published.items() if ips} == {"rabbitmq", "mailpit", *NAMES}
    assert {name: ips for name, ips in published.items() if any(ip != "127.0.0.1" for ip in ips)} == {}


@pytest.mark.parametrize("name", NAMES)
def test_urls_parse(compose: dict[str, Any], name: str) -> None:
    env = environment(compose["services"][name])
    db = make_url(env[f"DATABASE_URL_{name.upper()}"])
    assert db.drivername == "postgresql+asyncpg"
    assert (db.host, db.port) == ("postgres", 5432)
    assert db.username and db.password and db.database
    amqp = urlsplit(env["AMQP_URL"])
    assert amqp.scheme == "amqp"
    assert (amqp.hostname, amqp.port) == ("rabbitmq", 5672)
    assert amqp.username and amqp.password
    assert amqp.path == "/"  # the vhost "/"


@pytest.mark.parametrize("name", NAMES)
def test_healthcheck_asks_ready_on_its_own_port(compose: dict[str, Any], name: str) -> None:
    port = settings_field_default(SETTINGS[name], "port")
    test = healthcheck_test(compose["services"][name])
    assert test[:3] == ["CMD", "python", "-c"]
    code = test[3]
    assert "urllib.request.urlopen(" in code
    assert re.findall(r"https?://[^'\"]+", code) == [f"http://127.0.0.1:{port}/ready"]
    compile(code, "<healthcheck>", "exec")


@pytest.mark.parametrize("name", NAMES)
def test_waits_for_healthy_broker_and_database(compose: dict[str, Any], name: str) -> None:
    depends = compose["services"][name]["depends_on"]
    assert isinstance(depends, dict)
    assert {dep: depends[dep]["condition"] for dep in ("rabbitmq", "postgres")} == {
        "rabbitmq": "service_healthy",
        "postgres": "service_healthy",
    }


def test_nca_test_mode_only_in_registry_stub_and_off_by_default(
    raw_compose: dict[str, Any], env_example: dict[str, str]
) -> None:
    for name in NAMES:
        env = environment(raw_compose["services"][name])
        if name == "registry_stub":
            assert env["NCA_TEST_MODE"] == "${NCA_TEST_MODE:-0}"
        else:
            assert "NCA_TEST_MODE" not in env
    assert env_example["NCA_TEST_MODE"] == "0"


def test_rabbitmq_service(compose: dict[str, Any]) -> None:
    rabbitmq = compose["services"]["rabbitmq"]
    assert rabbitmq["image"] == "rabbitmq:3.13-management"
    assert {5672, 15672} <= {target for _, target in port_mappings(rabbitmq)}
    test = healthcheck_test(rabbitmq)
    assert "rabbitmq-diagnostics" in " ".join(test) and "check_port_connectivity" in test and "-q" in test
    files = mounts(rabbitmq)
    assert (DEPLOY / files["/etc/rabbitmq/definitions.json"]).resolve() == DEFINITIONS
    assert (DEPLOY / files["/etc/rabbitmq/rabbitmq.conf"]).resolve() == RABBITMQ_CONF


def test_rabbitmq_conf_loads_the_definitions() -> None:
    settings = {}
    for line in RABBITMQ_CONF.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            settings[key.strip()] = value.strip()
    assert settings["load_definitions"] == "/etc/rabbitmq/definitions.json"


def test_mail_service_and_the_portals_smtp_url(compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """§17: the portal mails results through the mail server with a web view; no other service mails."""
    mailpit = compose["services"]["mailpit"]
    assert mailpit["image"].startswith("axllent/mailpit:v")
    assert sorted(port_mappings(mailpit)) == [(1025, 1025), (8025, 8025)]
    assert mounts(mailpit)["/data"] == "mailpit-data" and "mailpit-data" in compose["volumes"]
    env = environment(compose["services"]["portal_gateway"])
    smtp = urlsplit(env["SMTP_URL"])
    assert (smtp.scheme, smtp.hostname, smtp.port) == ("smtp", "mailpit", 1025)
    others = [name for name in NAMES if name != "portal_gateway"]
    assert not [name for name in others if "SMTP_URL" in environment(compose["services"][name])]
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv(DEVELOPMENT_VARIABLE, "1")
    assert PortalSettings().smtp_url == env["SMTP_URL"]


def test_postgres_service(compose: dict[str, Any], raw_compose: dict[str, Any]) -> None:
    postgres = compose["services"]["postgres"]
    assert postgres["image"] == "postgres:15"
    assert "pg_isready" in " ".join(healthcheck_test(postgres))
    init = [source for target, source in mounts(postgres).items() if target.startswith("/docker-entrypoint-initdb.d/")]
    assert [(DEPLOY / source).resolve() for source in init] == [POSTGRES_INIT]
    env = environment(postgres)
    assert env["POSTGRES_PASSWORD"]
    # Every variable the init script reads is handed to the postgres container.
    script_vars = {name for name, _, _ in interpolations(POSTGRES_INIT.read_text())}
    script_vars -= {"POSTGRES_USER", "POSTGRES_DB", "1", "2"}
    assert script_vars and script_vars <= set(env)


def test_postgres_init_script_is_valid_bash() -> None:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash")
    subprocess.run([bash, "-n", str(POSTGRES_INIT)], check=True)
    assert POSTGRES_INIT.read_text().startswith("#!/bin/bash\n")


# --- one database, database user and broker user per service --------------------------------------


def test_each_service_has_its_own_database_and_users(compose: dict[str, Any], raw_compose: dict[str, Any]) -> None:
    created = init_script_databases()
    db_users, db_names, broker_users = [], [], []
    for name in NAMES:
        env = environment(compose["services"][name])
        raw_env = environment(raw_compose["services"][name])
        db = make_url(env[f"DATABASE_URL_{name.upper()}"])
        # postgres-init.sh creates a role and a database of the same name, with the password from
        # the same variable the service's URL uses.
        assert db.username == db.database, name
        assert db.database in created, f"{db.database} is not created by postgres-init.sh"
        url_vars = [var for var, _, _ in interpolations(raw_env[f"DATABASE_URL_{name.upper()}"])]
        assert url_vars == [created[db.database]], name
        db_users.append(db.username)
        db_names.append(db.database)
        broker_users.append(unquote(urlsplit(env["AMQP_URL"]).username or ""))
    for kind, values in (("DB user", db_users), ("DB name", db_names), ("broker user", broker_users)):
        assert len(set(values)) == len(values) == len(NAMES), f"a {kind} is shared: {values}"
    assert sorted(created) == sorted(db_names)


@pytest.mark.parametrize("name", NAMES)
def test_a_service_gets_only_its_own_secrets(raw_compose: dict[str, Any], name: str) -> None:
    service = raw_compose["services"][name]
    assert "env_file" not in service
    used = {var for value in environment(service).values() for var, _, _ in interpolations(value)}
    secrets = {var for var in used if any(word in var for word in ("PASSWORD", "SECRET", "TOKEN"))}
    own = {
        "portal_gateway": {"PORTAL_GATEWAY_TOKEN_SECRET"},
        "regional_gateway": {"REGIONAL_GATEWAY_ADMIN_TOKEN"},
        "provider": {"PROVIDER_TOKEN_SECRET", "PROVIDER_DEMO_PASSWORD"},
        "con_intake": {"CON_INTAKE_TOKEN_SECRET", "CON_INTAKE_DEMO_PASSWORD"},
        "registry_stub": {"NCA_RA_TOKEN"},  # the RA token stays with the NCA
    }.get(name, set())
    enrollment = {f"NCA_ENROLLMENT_TOKEN_{name.upper()}"} if name != "registry_stub" else set()
    assert secrets == {f"DB_PASSWORD_{name.upper()}", f"AMQP_PASSWORD_{name.upper()}", *own, *enrollment}


def test_broker_users_exist_in_the_definitions(compose: dict[str, Any], definitions: dict[str, Any]) -> None:
    users = {user["name"]: user for user in definitions["users"]}
    assert "guest" not in users
    assert {"name": "/"} in [{"name": vhost["name"]} for vhost in definitions["vhosts"]]
    permissions = {(p["user"], p["vhost"]): p for p in definitions["permissions"]}
    for name in NAMES:
        amqp = urlsplit(environment(compose["services"][name])["AMQP_URL"])
        user = users[unquote(amqp.username or "")]
        assert user["hashing_algorithm"] == "rabbit_password_hashing_sha256"
        assert rabbitmq_hash_matches(user["password_hash"], unquote(amqp.password or "")), (
            f"definitions.json does not hold the password of {user['name']}: run make_definitions.py"
        )
        assert not user["tags"], "service users need no management rights"
        granted = permissions[(user["name"], "/")]
        assert all(granted[kind] for kind in ("configure", "write", "read"))


@pytest.mark.parametrize(
    ("user", "routing_key", "allowed"),
    [
        ("portal_gateway", "document.submitted", True),
        ("portal_gateway", "case.status", False),
        ("portal_gateway", "status.portal", False),
        ("provider", "case.status", True),
        ("provider", "document.delivered.saran", False),
        ("regional_gateway", "status.portal", True),
        ("regional_gateway", "document.delivered.saran", True),
        ("regional_gateway", "registry.person.get", False),
        ("con_intake", "receipt.con", False),
    ],
)
def test_each_broker_user_may_publish_only_what_the_publishing_table_allows(
    definitions: dict[str, Any], user: str, routing_key: str, allowed: bool
) -> None:
    """Architecture §9: topic permissions on the bus's exchange, from shared/participants.py."""
    [topic] = [t for t in definitions["topic_permissions"] if t["user"] == user]
    assert topic["exchange"] == "egov"
    assert bool(re.match(topic["write"], routing_key)) is allowed
    granted = next(p for p in definitions["permissions"] if p["user"] == user)
    assert re.match(granted["configure"], f"egov.{user}.anything") and not re.match(
        granted["configure"], "egov.someone_else.inbox"
    )


def test_admin_user_matches_the_env_example(definitions: dict[str, Any], env_example: dict[str, str]) -> None:
    admins = [u for u in definitions["users"] if "administrator" in u["tags"]]
    assert len(admins) == 1
    assert rabbitmq_hash_matches(admins[0]["password_hash"], env_example["RABBITMQ_ADMIN_PASSWORD"])


def test_definitions_are_what_make_definitions_writes() -> None:
    result = subprocess.run(
        [sys.executable, str(MAKE_DEFINITIONS), "--env-file", str(ENV_EXAMPLE), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_make_definitions_hashes_as_rabbitmq_does(tmp_path: Path) -> None:
    """RabbitMQ's documented example (salt 908DC60A, password test12), and a fresh file's hashes."""
    spec = importlib.util.spec_from_file_location("make_definitions", MAKE_DEFINITIONS)
    assert spec and spec.loader
    make_definitions = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_definitions)
    expected = "kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR"
    assert make_definitions.hash_password("test12", bytes.fromhex("908DC60A")) == expected
    assert not make_definitions.check_password(expected, "test13")

    env_file = tmp_path / ".env"
    example = ENV_EXAMPLE.read_text(encoding="utf-8")
    env_file.write_text(
        example.replace("AMQP_PASSWORD_PROVIDER=dev-amqp-provider", "AMQP_PASSWORD_PROVIDER=changed-pw")
    )
    output = tmp_path / "definitions.json"
    assert make_definitions.main(["--env-file", str(env_file), "--output", str(output)]) == 0
    users = {u["name"]: u for u in json.loads(output.read_text())["users"]}
    assert rabbitmq_hash_matches(users["provider"]["password_hash"], "changed-pw")
    assert make_definitions.main(["--env-file", str(env_file), "--output", str(output), "--check"]) == 0
    env_file.write_text(example.replace("AMQP_PASSWORD_PROVIDER=dev-amqp-provider", "AMQP_PASSWORD_PROVIDER=again"))
    assert make_definitions.main(["--env-file", str(env_file), "--output", str(output), "--check"]) == 1


def test_make_definitions_takes_no_password_from_the_env_example(tmp_path: Path) -> None:
    """As compose now does: a password missing from the env file is an error, not .env.example's value."""
    env_file = tmp_path / ".env"
    env_file.write_text("AMQP_PASSWORD_PROVIDER=changed-pw\n")
    output = tmp_path / "definitions.json"
    result = subprocess.run(
        [sys.executable, str(MAKE_DEFINITIONS), "--env-file", str(env_file), "--output", str(output)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "AMQP_PASSWORD_PORTAL_GATEWAY" in result.stderr
    assert not output.exists()


# --- the env file -------------------------------------------------------------------------------


def test_every_interpolated_variable_is_in_the_env_example(
    raw_compose: dict[str, Any], env_example: dict[str, str]
) -> None:
    used = {name for name, _, _ in compose_interpolations(raw_compose)}
    assert used, "the compose file interpolates nothing"
    assert sorted(used - set(env_example)) == []
    # RABBITMQ_ADMIN_PASSWORD reaches the broker only through make_definitions.py (definitions.json).
    unused = set(env_example) - used - {"RABBITMQ_ADMIN_PASSWORD"}
    assert sorted(unused) == [], "variables in .env.example that compose never uses"


def test_no_secret_has_a_default(raw_compose: dict[str, Any], env_example: dict[str, str]) -> None:
    """A secret missing from deploy/.env stops compose (``${VAR:?...}``) instead of falling back to a value
    written in the repository; the other variables default to their value in .env.example."""
    references = compose_interpolations(raw_compose)
    secret_refs = [(name, op, arg) for name, op, arg in references if is_secret_variable(name)]
    # all but the broker admin's, and an enrollment token for each service but the NCA's own
    assert len({name for name, _, _ in secret_refs}) == 2 * len(NAMES) + 1 + 7 + len(NAMES) - 1
    for name, op, arg in secret_refs:
        assert op == ":?", f"${{{name}}} must be required (:?), not {op}"
        assert arg == f"set {name} in deploy/.env", name
    for name, op, arg in references:
        if not is_secret_variable(name):
            assert op == ":-", f"${{{name}}} has no :- default"
            assert arg == env_example[name], name


def test_compose_stops_when_a_secret_is_missing(raw_compose: dict[str, Any], env_example: dict[str, str]) -> None:
    for secret in sorted({name for name, _, _ in compose_interpolations(raw_compose) if is_secret_variable(name)}):
        for without in ({k: v for k, v in env_example.items() if k != secret}, {**env_example, secret: ""}):
            with pytest.raises(AssertionError, match=f"set {secret} in deploy/.env"):
                interpolate(raw_compose, without)


def test_compose_holds_no_secret_value(env_example: dict[str, str]) -> None:
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    for value in KNOWN_DEVELOPMENT_SECRETS | {v for k, v in env_example.items() if is_secret_variable(k)}:
        assert value not in text, f"{value} is written in the compose file"


def test_env_example_holds_dev_placeholders_only(env_example: dict[str, str]) -> None:
    passwords = {k: v for k, v in env_example.items() if any(w in k for w in ("PASSWORD", "SECRET", "TOKEN"))}
    # a DB and a broker password per service, the superuser's and the broker admin's, the staff's and the
    # operators' demo passwords, three token secrets, the gateway's admin token and the RA token; and the
    # other services' enrollment tokens, derived from that RA token (so they are dev values too)
    assert len(passwords) == 2 * len(NAMES) + 2 + 7 + len(NAMES) - 1
    for key, value in passwords.items():
        if key.startswith("NCA_ENROLLMENT_TOKEN_"):
            service = key.removeprefix("NCA_ENROLLMENT_TOKEN_").lower()
            assert value == enrollment_token(env_example["NCA_RA_TOKEN"], BY_SERVICE[service].bin), key
        else:
            assert value.startswith("dev-"), f"{key} does not look like a dev placeholder"
        assert re.fullmatch(r"[A-Za-z0-9_-]+", value), f"{key} must be URL-safe"
        assert value in KNOWN_DEVELOPMENT_SECRETS, f"{key}: the services do not refuse its value"
    assert len(set(passwords.values())) == len(passwords), "passwords are reused"
    assert env_example[DEVELOPMENT_VARIABLE] == "0"
    assert env_example["NCA_ROOT_SHA256"] == ""


def test_env_example_is_not_git_ignored() -> None:
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("not a git work tree")
    files = [ENV_EXAMPLE, COMPOSE_FILE, DOCKERFILE, POSTGRES_INIT, RABBITMQ_CONF, DEFINITIONS, MAKE_DEFINITIONS]
    result = subprocess.run(
        [git, "check-ignore", *(str(f.relative_to(ROOT)) for f in files)], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 1, f"git ignores: {result.stdout}"
    assert subprocess.run([git, "check-ignore", "-q", "deploy/.env"], cwd=ROOT).returncode == 0


# --- the image ----------------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def test_dockerfile_installs_the_project_as_non_root() -> None:
    instructions = dockerfile_instructions()
    keywords = [k for k, _ in instructions]
    assert instructions[0] == ("FROM", "python:3.11-slim")
    runs = [rest for k, rest in instructions if k == "RUN"]
    assert any(re.search(r"\bpip install \.(\s|$)", run) for run in runs)
    assert "pyproject.toml" in " ".join(rest for k, rest in instructions if k == "COPY")
    envs = " ".join(rest for k, rest in instructions if k == "ENV")
    assert "PYTHONUNBUFFERED=1" in envs
    users = [rest for k, rest in instructions if k == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert keywords.index("USER") > max(i for i, k in enumerate(keywords) if k == "RUN")
    cmd = [rest for k, rest in instructions if k == "CMD"]
    assert cmd and json.loads(cmd[-1])[:2] == ["python", "-m"], "CMD in exec form, overridable"


def test_dockerfile_holds_no_secret() -> None:
    instructions = dockerfile_instructions()
    for keyword, rest in instructions:
        if keyword in ("ENV", "ARG", "LABEL"):
            assert not re.search(r"(PASSWORD|SECRET|TOKEN|_KEY)\w*\s*=", rest, re.I), rest
            assert "://" not in rest, f"no URLs with credentials in the image: {rest}"
        if keyword in ("COPY", "ADD"):
            sources = rest.split()[:-1]
            assert all(src in ("pyproject.toml", "shared", "services", "client") for src in sources), sources
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".git", ".venv", "var", ".env", "**/.env"} <= ignored
