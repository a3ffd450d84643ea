"""The form and the submission (§18 Process 3 – Process 5, Condition 2, Process 4; §12; §14):
the draft pre-filled from the registries, the signed application accepted with the date the result
is due and sent through the outbox, every EDS failure refused with its code, e-copies, duplicates."""

from __future__ import annotations

import asyncio

import pytest

from shared.calendar import local_day, term_end, utcnow
from shared.eds.jcs import canonical
from shared.eds.signing import b64url, sign
from shared.housing.application import ApplicationDocument
from shared.housing.messages import SUBMITTED
from shared.participants import user_id
from tests.support.pki import foreign_signer
from tests.support.portal import World, code

pytestmark = pytest.mark.asyncio(loop_scope="module")
PDF = b"%PDF-1.4\n% marriage certificate, scanned\n"


async def test_an_empty_draft_is_pre_filled_from_the_registries(world: World) -> None:
    iin, auth = await world.citizen("marriage_before_2008")
    person = (await world.registry.get(f"/api/v1/persons/{iin}", params={"consent": "test"})).json()["answer"]["result"]

    draft = await world.draft(auth)
    document = draft["document"]
    assert ApplicationDocument.model_validate(document).to_json() == document  # exactly what gets signed
    assert document["author"] == {"iin": iin} and document["channel"] == "portal"
    assert document["applicant"]["surname"] == person["surname"]
    assert document["district"] == person["address"]["district"] == document["applicant"]["address"]["district"]
    spouse = next(f["iin"] for f in person["family"] if f["relation"] == "spouse")
    assert spouse in {m["iin"] for m in document["household"] if m["relation"] == "spouse"}
    assert document["consents"] == {"communal_fund_check": True, "legally_protected_information": True}
    assert "marriage_certificate" in {r["kind"] for r in draft["required_attachments"]}  # married before 2008 (§14)
    assert draft["missing_attachments"] == draft["required_attachments"]


async def test_the_draft_shows_the_categories_the_registries_know(world: World) -> None:
    _, auth = await world.citizen("employee:civil_servant")
    draft = await world.draft(auth)
    assert "employee" in draft["document"]["categories"]
    assert "civil_servant" in draft["document"]["employment_categories"]
    assert "employment_certificate" in {r["kind"] for r in draft["missing_attachments"]}


async def test_an_uploaded_copy_completes_the_draft_and_only_its_uploader_may_use_it(world: World) -> None:
    _, auth = await world.citizen()
    uploaded = await world.portal.post(
        "/api/v1/attachments",
        params={"kind": "marriage_certificate", "name": "marriage.pdf"},
        content=PDF,
        headers={**auth, "Content-Type": "application/pdf"},
    )
    assert uploaded.status_code == 201, uploaded.text
    reference = uploaded.json()
    assert reference["size"] == len(PDF) and len(reference["sha256"]) == 64
    draft = await world.draft(auth, attachments=[reference])
    assert draft["document"]["attachments"] == [reference]

    _, other = await world.citizen()
    refused = await world.portal.post("/api/v1/applications/draft", json={"attachments": [reference]}, headers=other)
    assert refused.status_code == 422 and code(refused) == "DOCS_INCOMPLETE"
    assert (await world.portal.get(f"/api/v1/attachments/{reference['sha256']}", headers=other)).status_code == 404
    assert (await world.portal.get(f"/api/v1/attachments/{reference['sha256']}", headers=auth)).content == PDF


async def test_an_upload_that_is_not_pdf_jpeg_or_png_is_refused(world: World) -> None:
    _, auth = await world.citizen()
    response = await world.portal.post(
        "/api/v1/attachments",
        params={"kind": "other", "name": "x.exe"},
        content=b"MZ\x90\x00",
        headers={**auth, "Content-Type": "application/octet-stream"},
    )
    assert response.status_code == 422 and code(response) == "VALIDATION_FAILED"


async def test_a_signed_application_is_accepted_with_the_date_the_result_is_due(world: World) -> None:
    """§3 step 3, §12 p.1: accepted, and the result is due 30 calendar days after submission."""
    iin, auth = await world.citizen()
    signed = await world.signed_draft(iin, auth)

    response = await world.submit(auth, signed)
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "SUBMITTED"
    assert body["expected_result_date"] == term_end(local_day(utcnow()), channel="portal").isoformat()

    async def sent() -> bool:
        return any(e.issue == body["id"] for e in world.sent)

    await world.until(sent)
    envelope = next(e for e in world.sent if e.issue == body["id"])
    assert envelope.message_type == SUBMITTED and envelope.user_id == user_id(iin)
    assert envelope.sender == "KZ/GOV/140440000100/portal" and envelope.document == signed

    again = await world.submit(auth, signed)  # the same signed document: the same answer, nothing new
    assert again.status_code == 202 and again.json()["id"] == body["id"]
    second = await world.submit(auth, await world.signed_draft(iin, auth))
    assert second.status_code == 409 and code(second) == "DUPLICATE_APPLICATION"
    assert second.json()["error"]["details"]["application_id"] == body["id"]


async def test_every_eds_failure_is_refused_with_its_code_and_nothing_is_stored(world: World) -> None:
    """Condition 2 / Process 4."""
    iin, auth = await world.citizen()
    other = await world.persona()
    document = (await world.draft(auth))["document"]
    genuine = sign(document, await world.pki.issue(iin))
    tampered = {**genuine, "payload": b64url(canonical({**document, "email": "thief@example.kz"}))}
    revoked_signer = await world.pki.issue(iin)
    await world.pki.revoke(revoked_signer)
    cases = {
        "EDS_SIGNATURE_INVALID": tampered,
        "EDS_CERT_UNTRUSTED": sign(document, foreign_signer(iin)),
        "EDS_CERT_REVOKED": sign(document, revoked_signer),
        "EDS_IIN_MISMATCH": sign(document, await world.pki.issue(other)),
        "EDS_WRONG_KEY_USAGE": sign(document, await world.pki.issue(iin, profile="auth")),
        "EDS_MALFORMED": {"payload": "e30", "signatures": []},
    }
    for expected, signed in cases.items():
        response = await world.submit(auth, signed)
        assert (response.status_code, code(response)) == (422, expected), response.text
    assert (await world.portal.get("/api/v1/applications", headers=auth)).json() == []


async def test_when_revocation_cannot_be_checked_the_portal_fails_closed_with_503(world: World) -> None:
    iin, auth = await world.citizen()
    signed = await world.signed_draft(iin, auth)
    world.pki.fetcher.ocsp_up = world.pki.fetcher.crl_up = False
    try:
        response = await world.submit(auth, signed)
    finally:
        world.pki.fetcher.ocsp_up = world.pki.fetcher.crl_up = True
    assert response.status_code == 503 and code(response) == "EDS_REVOCATION_UNKNOWN"


async def test_another_persons_validly_signed_application_is_forbidden(world: World) -> None:
    owner, owner_auth = await world.citizen()
    _, intruder_auth = await world.citizen()
    signed = await world.signed_draft(owner, owner_auth)
    response = await world.submit(intruder_auth, signed)
    assert response.status_code == 403 and code(response) == "FORBIDDEN"


async def test_a_center_channel_document_is_not_a_portal_submission(world: World) -> None:
    iin, auth = await world.citizen()
    document = {**(await world.draft(auth))["document"], "channel": "center"}
    response = await world.submit(auth, sign(document, await world.pki.issue(iin)))
    assert response.status_code == 422 and code(response) == "VALIDATION_FAILED"


async def test_two_concurrent_submissions_cannot_both_pass_the_duplicate_rule(world: World) -> None:
    iin, auth = await world.citizen()
    first, second = await world.signed_draft(iin, auth), await world.signed_draft(iin, auth)
    answers = await asyncio.gather(world.submit(auth, first), world.submit(auth, second))
    assert sorted(r.status_code for r in answers) == [202, 409]
    assert len((await world.portal.get("/api/v1/applications", headers=auth)).json()) == 1


@pytest.mark.parametrize(
    "name", ["invoice\u202efdp.exe", "scan\x00.pdf", "../../etc/passwd", "two\nlines.pdf", "zero\u200bwidth.pdf"]
)
async def test_an_upload_whose_name_could_disguise_it_is_refused(world: World, name: str) -> None:
    _, auth = await world.citizen()
    refused = await world.portal.post(
        "/api/v1/attachments",
        params={"kind": "marriage_certificate", "name": name},
        content=PDF,
        headers={**auth, "Content-Type": "application/pdf"},
    )
    assert refused.status_code == 422 and code(refused) == "VALIDATION_FAILED"
    assert refused.json()["error"]["details"]["errors"][0]["loc"] == ["query", "name"]


async def test_a_downloaded_copy_is_saved_as_its_file_and_never_sniffed(world: World) -> None:
    _, auth = await world.citizen()
    uploaded = await world.portal.post(
        "/api/v1/attachments",
        params={"kind": "marriage_certificate", "name": "неке куәлігі.pdf"},
        content=PDF,
        headers={**auth, "Content-Type": "application/pdf"},
    )
    downloaded = await world.portal.get(f"/api/v1/attachments/{uploaded.json()['sha256']}", headers=auth)
    assert downloaded.headers["x-content-type-options"] == "nosniff"
    assert downloaded.headers["content-type"] == "application/pdf"
    disposition = downloaded.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="') and "filename*=UTF-8''" in disposition
    assert "%D0%BD%D0%B5%D0%BA%D0%B5" in disposition  # the name itself, percent-encoded UTF-8
    assert downloaded.headers["cache-control"] == "private, no-store"
