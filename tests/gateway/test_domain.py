"""The gateway's pure rules: registration numbers by Kazakhstan day, delivery states, the routing
directory, the hash chain, and where a dead letter goes back to."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from services.regional_gateway.dead_letters import original_routing_key
from services.regional_gateway.domain.chain import GENESIS, ChainCheck, Entry, sha256_hex, stored_text
from services.regional_gateway.domain.delivery import after_provider_answer, can_move, check_stop, refusal_of
from services.regional_gateway.domain.registration import registration_day, registration_number
from services.regional_gateway.domain.routing import DIRECTORY, route_for, serves
from shared.bus.envelope import Envelope
from shared.bus.port import Delivery
from shared.errors import AppError, is_transient
from shared.geo import DISTRICTS
from shared.housing.messages import SUBMITTED
from shared.participants import CENTER, PORTAL, PROVIDER


def test_a_registration_counts_in_the_kazakhstan_day() -> None:
    assert registration_day(datetime(2026, 11, 25, 18, 59, tzinfo=UTC)) == "20261125"
    assert registration_day(datetime(2026, 11, 25, 19, 0, tzinfo=UTC)) == "20261126"  # 00:00 in Kazakhstan (UTC+5)
    assert registration_day(datetime(2024, 2, 1, 18, 30, tzinfo=UTC)) == "20240202"  # UTC+6 until 1 March 2024
    assert registration_number("KRG", "20261126", 42) == "KRG-20261126-000042"
    assert registration_number("KRG", "20261126", 1_000_000) == "KRG-20261126-1000000"
    with pytest.raises(ValueError):
        registration_day(datetime(2026, 11, 25, 12, 0))


def test_delivery_states_move_one_way() -> None:
    assert can_move("NOT_DELIVERED", "ON_DELIVERY") and can_move("ON_DELIVERY", "DELIVERED")
    assert not can_move("DELIVERED", "ON_DELIVERY") and not can_move("DELIVERY_STOPPED", "DELIVERED")
    assert after_provider_answer("ON_DELIVERY") == "DELIVERED" and after_provider_answer("DELIVERED") is None
    check_stop("ON_DELIVERY", handed_over=False)
    for state, handed_over in (("ON_DELIVERY", True), ("DELIVERED", False), ("NOT_DELIVERED", False)):
        with pytest.raises(AppError) as refused:
            check_stop(state, handed_over=handed_over)  # type: ignore[arg-type]
        assert refused.value.code == "CONFLICT"


def test_an_unreachable_nca_is_retried_not_refused() -> None:
    assert is_transient("EDS_REVOCATION_UNKNOWN") and is_transient("SERVICE_UNAVAILABLE")
    assert not is_transient("EDS_CERT_REVOKED") and not is_transient("EDS_SIGNATURE_INVALID")
    outage = AppError("EDS_REVOCATION_UNKNOWN", {"serial": "1f"})
    with pytest.raises(AppError) as raised:
        refusal_of(outage)
    assert raised.value is outage
    revoked = AppError("EDS_CERT_REVOKED", {"at": datetime(2026, 11, 26, tzinfo=UTC)})
    assert refusal_of(revoked) == {"code": "EDS_CERT_REVOKED", "details": {"at": "2026-11-26 00:00:00+00:00"}}


def test_every_district_of_the_region_has_its_provider_and_routing_key() -> None:
    assert set(DIRECTORY) == {d.code for d in DISTRICTS}
    assert route_for("temirtau").routing_key == "document.delivered.temirtau"
    assert serves(PROVIDER.address, "shet") and not serves(CENTER.address, "shet")
    with pytest.raises(AppError):
        route_for("almaty")


def _chain(count: int) -> list[Entry]:
    entries, prev = [], GENESIS
    for seq in range(1, count + 1):
        document = stored_text({"n": seq, "text": "Өтініш"})
        entry = Entry(
            seq,
            f"m-{seq}",
            "c",
            "received",
            "in",
            PORTAL.address,
            SUBMITTED,
            "a",
            None,
            document,
            sha256_hex(document),
            None,
            datetime(2026, 11, 26, 10, 0, seq, 123456, UTC),
            prev,
            "",
        )
        entry = dataclasses.replace(entry, entry_hash=entry.expected_hash())
        entries.append(entry)
        prev = entry.entry_hash
    return entries


def _check(entries: list[Entry], head: Entry) -> tuple[bool, int | None]:
    check = ChainCheck()
    for entry in entries:
        check.add(entry)
    report = check.report(head.seq, head.entry_hash)
    return report.valid, report.first_broken_seq


def test_the_chain_holds_and_shows_the_first_entry_that_was_changed_removed_or_cut() -> None:
    entries = _chain(5)
    head = entries[-1]
    assert _check(entries, head) == (True, None)
    altered_document = [*entries[:2], dataclasses.replace(entries[2], document=stored_text({"n": 99})), *entries[3:]]
    assert _check(altered_document, head) == (False, 3)
    altered_field = [*entries[:3], dataclasses.replace(entries[3], sender="KZ/GOV/000000000000/x"), *entries[4:]]
    assert _check(altered_field, head) == (False, 4)
    assert _check([*entries[:1], *entries[2:]], head) == (False, 2)
    assert _check(entries[:4], head) == (False, 5)
    resealed = dataclasses.replace(entries[1], sender="forged")
    resealed = dataclasses.replace(resealed, entry_hash=resealed.expected_hash())
    assert _check([entries[0], resealed, *entries[2:]], head) == (False, 3)  # the next link no longer holds
    naive = dataclasses.replace(entries[0], logged_at=entries[0].logged_at.replace(tzinfo=None))
    assert naive.expected_hash() == entries[0].entry_hash  # read back from SQLite: naive UTC


def test_a_dead_letter_goes_back_to_the_routing_key_it_was_first_published_with() -> None:
    envelope = Envelope(message_type=SUBMITTED, sender=PORTAL.address)
    via_dlx = Delivery(
        envelope, "egov.regional_gateway.inbound", "egov.regional_gateway.inbound.dlq", 1, "delivery_limit"
    )
    in_memory = Delivery(envelope, SUBMITTED, "egov.regional_gateway.inbound.dlq", 1, "delivery_limit")
    assert original_routing_key("egov", "regional_gateway.inbound", via_dlx) == SUBMITTED
    assert original_routing_key("egov", "regional_gateway.inbound", in_memory) == SUBMITTED
