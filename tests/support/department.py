"""One district's demo staff on the provider's API (the staff SDK), as the end-to-end tests drive them:
each seat logged in with the demo password, each with an employee key from the test NCA, made on this side,
and `Department.decide` taking a case through Annex 1 steps 4–9."""

from __future__ import annotations

from typing import Any

from client.sdk import NcaClient
from client.staff import StaffClient, employee_key, sign_draft_result, sign_protocol, sign_resolution
from shared.eds.signing import Signer
from tests.support.region import STAFF_PASSWORD, Region

COMMISSION = ("commission-chair", "commission-secretary", "commission-member-1")


class Department:
    """One district's demo staff (``<seat>.<district>``) on the provider's API."""

    def __init__(self, region: Region, district: str) -> None:
        self.region, self.district = region, district
        self.clients: dict[str, StaffClient] = {}
        self.keys: dict[str, Signer] = {}

    def login(self, seat: str) -> str:
        return f"{seat}.{self.district}"

    def __call__(self, seat: str) -> StaffClient:
        if seat not in self.clients:
            client = StaffClient(self.region.url("provider"))
            client.login(self.login(seat), STAFF_PASSWORD)
            self.clients[seat] = client
        return self.clients[seat]

    def key(self, seat: str) -> Signer:
        if seat not in self.keys:
            self.keys[seat] = employee_key(self(seat), NcaClient(self.region.url("registry_stub"))).signer()
        return self.keys[seat]

    def case_of(self, application_id: str) -> str:
        """The number of the case the provider opened for ``application_id``."""
        found = [c for c in self("specialist").all_cases() if c["application_id"] == application_id]
        assert found, f"no case for {application_id}"
        return str(found[0]["number"])

    def decide(self, number: str, **proposal: Any) -> dict[str, Any]:
        """Steps 4–9 as the staff would take them; the case at the end."""
        self("head").resolve(number, sign_resolution(self("head").resolution_draft(number), self.key("head")))
        self("specialist").prepare(number, **proposal)
        meeting = self("commission-secretary").create_meeting([self.login(s) for s in COMMISSION], [number])
        for login in meeting["awaiting"]:
            seat = login.removesuffix(f".{self.district}")
            meeting = self(seat).sign_meeting(meeting["id"], sign_protocol(meeting, self.key(seat)))
        assert meeting["status"] == "signed", meeting
        draft = self("specialist").result_draft(number)
        self("head").sign_result(number, sign_draft_result(draft, self.key("head")))
        return self("specialist").dispatch(number)

    def close(self) -> None:
        for client in self.clients.values():
            client.close()
