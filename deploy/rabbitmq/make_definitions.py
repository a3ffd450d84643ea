#!/usr/bin/env python3
"""Write deploy/rabbitmq/definitions.json, the broker users of deploy/docker-compose.yml, from the
passwords in an env file, and their permissions from the repository's publishing table
(shared/participants.py). Standard library only (and that module, which is too).

    python3 deploy/rabbitmq/make_definitions.py                        # deploy/.env, else deploy/.env.example
    python3 deploy/rabbitmq/make_definitions.py --env-file deploy/.env
    python3 deploy/rabbitmq/make_definitions.py --check                # exit 1 if definitions.json is stale

RabbitMQ imports the file at boot (rabbitmq.conf: ``load_definitions``). A definitions file holds
password hashes, never passwords: ``rabbit_password_hashing_sha256`` is
``base64(salt + sha256(salt + utf8(password)))`` with a 4-byte random salt. A hash that still matches
its password is kept as it is, so running this again with unchanged passwords changes nothing.

One user per service (``portal_gateway``, ...; password ``AMQP_PASSWORD_<SERVICE>``) and no tags (no
management UI), with the rights of architecture §9 on the vhost ``/`` and the bus ``egov``
(`shared.participants.broker_permissions`): its own queues and the sync channel's reply queues to
declare, bind and read; the bus's exchanges to publish on; and on the topic exchange only the routing
keys it may publish and the keys it may bind. RabbitMQ also checks every message's ``user_id`` against
the login. And ``egov_admin`` (``RABBITMQ_ADMIN_PASSWORD``), tagged administrator, for the management
UI. Importing definitions at boot means RabbitMQ creates no default ``guest`` user.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEPLOY = HERE.parent
sys.path.insert(0, str(DEPLOY.parent))
from shared.participants import PUBLISHES, broker_permissions  # noqa: E402  (the repository's own table)

DEFAULT_OUTPUT = HERE / "definitions.json"

SERVICES = tuple(PUBLISHES)
NAMESPACE = "egov"
"""The bus of deploy/docker-compose.yml (BUS_NAMESPACE's default)."""
ADMIN_USER = "egov_admin"
ADMIN_PASSWORD_VAR = "RABBITMQ_ADMIN_PASSWORD"
VHOST = "/"
HASHING_ALGORITHM = "rabbit_password_hashing_sha256"


def password_var(service: str) -> str:
    return f"AMQP_PASSWORD_{service.upper()}"


def broker_users() -> list[tuple[str, str, list[str]]]:
    """(user name, env variable holding its password, tags)."""
    users = [(service, password_var(service), []) for service in SERVICES]
    users.append((ADMIN_USER, ADMIN_PASSWORD_VAR, ["administrator"]))
    return users


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=VALUE`` lines as docker compose reads them: comments, blanks, ``export``, quotes."""
    values: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ValueError(f"{path}:{number}: not KEY=VALUE: {raw!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key] = value
    return values


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = os.urandom(4) if salt is None else salt
    if len(salt) != 4:
        raise ValueError("the salt is 4 bytes")
    digest = hashlib.sha256(salt + password.encode("utf-8")).digest()
    return base64.b64encode(salt + digest).decode("ascii")


def check_password(password_hash: str, password: str) -> bool:
    try:
        raw = base64.b64decode(password_hash, validate=True)
    except ValueError:
        return False
    return len(raw) == 36 and hash_password(password, raw[:4]) == password_hash


def existing_hashes(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {u["name"]: u["password_hash"] for u in data.get("users", [])}
    except (ValueError, KeyError, TypeError):
        return {}


def build_definitions(env: dict[str, str], keep: dict[str, str] | None = None) -> dict:
    keep = keep or {}
    users, permissions, topic_permissions = [], [], []
    for name, var, tags in broker_users():
        password = env.get(var, "")
        if not password:
            raise KeyError(f"{var} is missing or empty in the env file")
        old = keep.get(name)
        password_hash = old if old and check_password(old, password) else hash_password(password)
        users.append(
            {"name": name, "password_hash": password_hash, "hashing_algorithm": HASHING_ALGORITHM, "tags": tags}
        )
        if name not in SERVICES:  # the administrator
            permissions.append({"user": name, "vhost": VHOST, "configure": ".*", "write": ".*", "read": ".*"})
            continue
        granted = broker_permissions(name, NAMESPACE)
        permissions.append({"user": name, "vhost": VHOST, **{k: granted[k] for k in ("configure", "write", "read")}})
        topic_permissions.append(
            {
                "user": name,
                "vhost": VHOST,
                "exchange": NAMESPACE,
                "write": granted["topic_write"],
                "read": granted["topic_read"],
            }
        )
    return {
        "users": users,
        "vhosts": [{"name": VHOST}],
        "permissions": permissions,
        "topic_permissions": topic_permissions,
        "parameters": [],
        "global_parameters": [],
        "policies": [],
        "queues": [],
        "exchanges": [],
        "bindings": [],
    }


def render(definitions: dict) -> str:
    return json.dumps(definitions, indent=2, ensure_ascii=False) + "\n"


def default_env_file() -> Path:
    local = DEPLOY / ".env"
    return local if local.exists() else DEPLOY / ".env.example"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--env-file", type=Path, default=None, help="default: deploy/.env, else deploy/.env.example")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="default: %(default)s")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if the output is stale")
    args = parser.parse_args(argv)

    env_file = args.env_file or default_env_file()
    # As compose does: the compose file has no default for a password, so every one must be in the env
    # file (none is taken from .env.example, whose values are public).
    env = read_env_file(env_file)
    current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
    try:
        text = render(build_definitions(env, existing_hashes(args.output)))
    except KeyError as exc:
        print(f"{env_file}: {exc.args[0]}", file=sys.stderr)
        return 2
    if args.check:
        if text != current:
            print(
                f"{args.output} does not match the passwords in {env_file}; run {Path(__file__).name}", file=sys.stderr
            )
            return 1
        print(f"{args.output} matches {env_file}")
        return 0
    if text == current:
        print(f"{args.output}: unchanged ({env_file})")
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} from {env_file}; recreate the rabbitmq container to load it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
