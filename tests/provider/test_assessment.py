"""The §15 grounds and the waiting list, assessed at intake (Annex 1 step 3) once Condition 3 has passed,
from the registries, and kept on the case for the specialist and the commission
(services/provider/intake.py `assessment_of`): each ground persona's case names its ground, the buy-back
exception counts none, a clean applicant has no ground and a list, a Process 7 case has no assessment,
and a registry outage while §15 is asked is redelivered — never a case without its assessment."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from services.provider.cases import CaseFile
from shared.calendar import local_day
from shared.housing.application import AttachmentKind
from tests.support.provider import World, deliver_registered

pytestmark = pytest.mark.asyncio(loop_scope="package")
EVERY_COPY: tuple[str, ...] = get_args(AttachmentKind)
DISTRICT = "zhanaarka"
"""Every case of this module goes to one housing department no other module counts the cases of."""
KEYS = {"as_of", "window_start", "outcome", "grounds", "decision", "findings", "limits", "placement"}
FINDING_KEYS = {
    "ground",
    "section",
    "status",
    "summary",
    "kk",
    "on",
    "within_window",
    "causation_clear",
    "counts",
    "refuses",
    "evidence",
}


async def registered(world: World, iin: str, **fields: Any) -> CaseFile:
    """``iin``'s complete application delivered by the gateway, and its case once opened."""
    application = await world.application(iin, attach=EVERY_COPY, district=DISTRICT, **fields)
    envelope = await deliver_registered(world, application)
    status = await world.status(application.id)
    await world.applied(envelope.message_id)
    file = await world.case_file(application.id)
    assert file is not None and status.status == file.case.status
    return file


def counting(assessment: dict[str, Any]) -> list[tuple[int, str]]:
    return [(f["ground"], f["status"]) for f in assessment["findings"] if f["counts"]]


@pytest.mark.parametrize(
    ("trait", "ground", "status", "outcome"),
    [
        ("ground:exchange", 1, "established", "refuse"),
        ("ground:alienation", 2, "established", "refuse"),
        ("ground:damage", 3, "question", "commission"),
        ("ground:left_dwelling", 4, "established", "commission"),
        ("ground:moved_in_others", 5, "established", "commission"),
    ],
)
async def test_each_ground_personas_case_names_its_ground_with_the_facts(
    world: World, trait: str, ground: int, status: str, outcome: str
) -> None:
    for iin in await world.personas(trait):
        file = await registered(world, iin)
        assert file.case.status == "REGISTERED"
        assessment = file.case.assessment
        assert assessment is not None and set(assessment) == KEYS, (iin, assessment)
        assert (ground, status) in counting(assessment), (iin, assessment["findings"])
        assert assessment["outcome"] == outcome and ground in assessment["grounds"], (iin, assessment)
        assert assessment["as_of"] == local_day(file.case.registered_at).isoformat()
        found = next(f for f in assessment["findings"] if f["ground"] == ground and f["counts"])
        assert set(found) == FINDING_KEYS and found["section"] == f"§15 item {ground}" and found["kk"]
        assert found["evidence"] and all(e["registry"] and e["record"] and e["fact"] for e in found["evidence"])
        assert found["refuses"] == (outcome == "refuse")
        # The answers the assessment rests on are the case's, signed, each asked once.
        kept = {(a.query, a.subject) for a in file.answers}
        assert {(e["registry"], e["subject"]) for e in found["evidence"]} <= kept
        assert {("real-estate", iin), ("addresses", iin), ("social-status", iin)} <= kept
        assert len(kept) == len(file.answers) and all(a.signed for a in file.answers if a.outcome == "ok")


async def test_the_buyback_of_an_only_credit_flat_by_the_akimat_counts_no_ground(world: World) -> None:
    """§15 item 2's exception: the buyer is in the akimats' directory (shared/data/akimats.py)."""
    file = await registered(world, await world.persona("exception:buyback"))
    assessment = file.case.assessment
    assert assessment is not None and assessment["outcome"] == "no_ground" and assessment["grounds"] == []
    assert counting(assessment) == []
    [excepted] = [f for f in assessment["findings"] if f["ground"] == 2]
    assert excepted["status"] == "excepted" and excepted["within_window"] and not excepted["counts"]


async def test_a_clean_applicant_has_no_ground_and_joins_a_waiting_list(world: World) -> None:
    for iin in await world.personas("eligible", 6):
        file = await registered(world, iin)
        assessment = file.case.assessment
        assert assessment is not None and assessment["outcome"] == "no_ground", (iin, assessment["findings"])
        assert assessment["decision"] == "no ground" and counting(assessment) == []
        placement = assessment["placement"]
        assert placement["waiting_list"] in placement["fits"] and placement["waiting_list"] == placement["fits"][0]
        assert placement["unconfirmed"] == []


async def test_a_serviceman_joins_the_employees_list_and_a_registered_orphan_the_orphans(world: World) -> None:
    serviceman = (await registered(world, await world.persona("employee:military"))).case.assessment
    assert serviceman is not None and serviceman["placement"]["waiting_list"] == "employees"
    orphan_iin = await world.persona("vulnerable:orphan")
    # Whatever the form declares, the registry's orphan status places her (R11).
    orphan = (await registered(world, orphan_iin, categories=[], vulnerable_groups=[])).case.assessment
    assert orphan is not None and orphan["placement"]["waiting_list"] == "orphans"
    assert "orphan" in orphan["placement"]["groups"]


async def test_a_process_7_case_has_no_assessment_and_asks_nothing_for_it(world: World) -> None:
    iin = await world.persona("employee:military")
    application = await world.application(iin, district=DISTRICT)  # no certificate from his unit: Process 7
    await deliver_registered(world, application)
    assert (await world.status(application.id)).status == "REFUSED_DOCUMENTS"
    file = await world.case_file(application.id)
    assert file is not None and file.case.assessment is None
    assert not {q for q, _ in world.registries.asked_for(application.id)} & {"real-estate", "addresses"}


async def test_an_outage_while_section_15_is_asked_is_redelivered_and_the_case_opens_once_assessed(
    world: World,
) -> None:
    """The registries failing half-way through §15's queries (after Condition 3's answers) is our
    outage: the delivery waits and comes again; what was answered is not asked again."""
    iin = await world.persona("ground:exchange")
    application = await world.application(iin, attach=EVERY_COPY, district=DISTRICT)
    world.registries.fail_once |= {("real-estate", iin), ("social-status", iin)}
    try:
        envelope = await deliver_registered(world, application)
        status = await world.status(application.id, timeout=30.0)
        await world.applied(envelope.message_id)
    finally:
        world.registries.fail_once.clear()
    assert status.status == "REGISTERED" and len(world.statuses[application.id]) == 1
    file = await world.case_file(application.id)
    assert file is not None and len(file.history) == 1
    assert file.case.assessment is not None and file.case.assessment["grounds"] == [1]
    asked = world.registries.asked_for(application.id)
    assert asked.count(("real-estate", iin)) == 2 and asked.count(("social-status", iin)) == 2
    assert asked.count(("person", iin)) == 1 and asked.count(("addresses", iin)) == 1
