"""The whole region as a tester meets it: the five services started as `make run` starts them (one
process) or one process each, their ports, the personas, a citizen who has proven their identity by the
SMS code, keys from the test NCA, and waiting on the cabinet."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from client.sdk import PortalClient, ServiceError
from shared.eds.signing import Signer
from shared.sms import read_messages
from tests.support.processes import ROOT, SERVICES, base_env, free_port, wait_ready

STAFF_PASSWORD = "e2e-staff-password"
CITIZEN_PASSWORD = "correct horse battery"
SMS_CODE = re.compile(r"\b[0-9]{6}\b")


@dataclass
class Region:
    """The running services' ports, and the directory of the portal's SMS sink (``PORTAL_GATEWAY_SMS_DIR``'s
    default: ``<VAR_DIR>/sms``), where the one-time codes it texts are read back."""

    ports: dict[str, int]
    var_dir: Path | None = None

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def persona(self, trait: str, index: int = 0) -> str:
        """The ``index``-th persona with ``trait`` among those with a number in the mobile-citizens database
        (a citizen proves their identity by a code sent to it)."""
        found = httpx.get(f"{self.url('registry_stub')}/api/v1/personas", params={"trait": trait, "limit": 40}).json()
        return str([p for p in found if "mobile:none" not in p["traits"]][index]["iin"])

    def phone_of(self, iin: str) -> str:
        """The number the mobile-citizens database holds for ``iin`` (the registry's mirror, open in test mode)."""
        answer = httpx.get(f"{self.url('registry_stub')}/api/v1/persons/{iin}/mobile-phone", params={"consent": "test"})
        assert answer.status_code == 200, answer.text
        return str(answer.json()["answer"]["result"]["phone"])

    def sms_code_of(self, iin: str) -> str:
        """The code in the newest SMS the portal sent to ``iin``'s number, read from its sink."""
        assert self.var_dir is not None, "start_region tells the Region its VAR_DIR"
        texts = read_messages(self.var_dir / "sms", to=self.phone_of(iin))
        assert texts, f"no SMS to {iin}'s number in {self.var_dir / 'sms'}"
        found = SMS_CODE.search(texts[-1].text)
        assert found, texts[-1].text
        return found.group()

    def signer(self, iin: str, profile: str = "sign") -> Signer:
        body = {
            "subject": {"iin": iin, "surname": "ТЕСТОВ", "given_name": "ТЕСТ"},
            "profile": profile,
            "holder": "individual",
        }
        issued = httpx.post(f"{self.url('registry_stub')}/nca/v1/certificates", json=body, timeout=30).json()
        return Signer.from_pkcs12(base64.b64decode(issued["pkcs12_b64"]), issued["pkcs12_password"])

    def citizen(self, iin: str) -> PortalClient:
        """Register, sign in (unproven: no draft), and prove the identity by the SMS code (keeping the password)."""
        portal = PortalClient(self.url("portal_gateway"))
        portal.register(iin, CITIZEN_PASSWORD)
        portal.login(iin, CITIZEN_PASSWORD)
        assert portal.identity_proven is False
        assert refused(portal.draft) == (403, "IDENTITY_NOT_PROVEN")
        portal.request_sms_code(iin)
        portal.confirm_sms_code(iin, self.sms_code_of(iin), CITIZEN_PASSWORD)
        assert portal.identity_proven is True
        return portal


def start_region(tmp_path: Path, **extra: str) -> tuple[subprocess.Popen[bytes], Region]:
    ports = {name: free_port() for name in SERVICES}
    env = base_env(
        tmp_path,
        NCA_TEST_MODE="1",
        NCA_URL=f"http://127.0.0.1:{ports['registry_stub']}",
        REGISTRY_STUB_POPULATION_SIZE="300",
        PROVIDER_DEMO_PASSWORD=STAFF_PASSWORD,
        **{f"{prefix}_PORT": str(ports[name]) for name, prefix in SERVICES.items()},
        **extra,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "services"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    wait_ready(list(ports.values()), "/ready", timeout=90)
    return process, Region(ports, var_dir=Path(env["VAR_DIR"]))


def wait_for(portal: PortalClient, application_id: str, predicate: Any, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        current = portal.application(application_id)
        if predicate(current):
            return current
        if time.monotonic() > deadline:
            raise AssertionError(f"application never reached the expected state: {current}")
        time.sleep(0.3)


def refused(call: Any) -> tuple[int, str]:
    with pytest.raises(ServiceError) as caught:
        call()
    return caught.value.status, caught.value.code
