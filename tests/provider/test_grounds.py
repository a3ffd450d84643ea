"""§15 grounds (services/provider/domain/grounds.py): each item on hand-built registry answers, the item 2
exception, the five-year boundary, item 4's reading (the need, not the dwelling), item 5's allowed
relatives and the registrations the host's own address answer lists, the JSON the case keeps, and one
test per persona trait on the registries' real answers."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from services.provider.domain.grounds import GroundFacts, assess, to_ask, to_json, window_start, within_window
from services.registry_stub.population.names import AKIMAT_BIN
from shared.data.akimats import AKIMAT_BINS
from shared.eds.document import Author
from shared.housing.application import Address, Applicant, ApplicationDocument, Consents
from tests.support.provider import AS_OF, World

APPLICANT, SPOUSE, CHILD, PARENT, LODGER = (
    "900517300019",
    "920304400010",
    "050420500015",
    "500101400011",
    "021021500003",
)
AKIMAT, BANK = AKIMAT_BIN["karaganda"], "010340010217"  # BINs: the Karaganda akimat, a bank
TODAY = date(2026, 11, 1)


def application(iin: str = APPLICANT) -> ApplicationDocument:
    address = Address(locality="karaganda", district="karaganda", address="Бұқар жырау 1")
    return ApplicationDocument(
        author=Author(iin=iin),
        channel="portal",
        district="karaganda",
        applicant=Applicant(iin=iin, surname="ТЕСТОВ", given_name="ТЕСТ", address=address),
        consents=Consents(communal_fund_check=True, legally_protected_information=True),
    )


def dwelling(
    cadastral: str,
    acquired: date,
    disposed: date | None = None,
    how: str | None = None,
    *,
    to: str | None = None,
    got_by: str = "purchase",
    area: float = 50.0,
    share: str = "1",
    credit: bool = False,
    emergency: bool = False,
) -> dict[str, Any]:
    transactions: list[dict[str, Any]] = [
        {"kind": "acquisition", "type": got_by, "date": acquired.isoformat(), "preferential_credit": credit}
    ]
    if disposed:
        transactions.append({"kind": "disposal", "type": how, "date": disposed.isoformat(), "counterparty": to})
    return {
        "cadastral_no": cadastral,
        "locality": "karaganda",
        "address": f"flat {cadastral}",
        "area_m2": area,
        "share": share,
        "state_fund": False,
        "owned_from": acquired.isoformat(),
        "owned_to": disposed.isoformat() if disposed else None,
        "emergency": emergency,
        "transactions": transactions,
    }


def residence(
    since: date,
    until: date | None = None,
    *,
    basis: str = "tenant_private",
    left: bool = False,
    host: str | None = None,
) -> dict[str, Any]:
    return {
        "locality": "karaganda",
        "address": f"home since {since}",
        "registered_from": since.isoformat(),
        "registered_to": until.isoformat() if until else None,
        "dwelling": None,
        "basis": basis,
        "host_iin": host,
        "left_voluntarily": left,
    }


def marriage(on: date, other: str = SPOUSE, kind: str = "marriage") -> dict[str, Any]:
    parties = [{"role": "spouse", "iin": APPLICANT}, {"role": "spouse", "iin": other}]
    return {"record_no": f"AKT-{on.year}-{kind}", "kind": kind, "registered_on": on.isoformat(), "parties": parties}


def world_of(
    *,
    dwellings: tuple[dict[str, Any], ...] = (),
    history: tuple[dict[str, Any], ...] = (),
    events: tuple[dict[str, Any], ...] = (),
    family: tuple[dict[str, Any], ...] = (),
    others: dict[tuple[str, str], dict[str, Any]] | None = None,
    akimats: tuple[str, ...] = (AKIMAT,),
) -> GroundFacts:
    answers: dict[tuple[str, str], dict[str, Any]] = {
        ("person", APPLICANT): {"iin": APPLICANT, "family": list(family)},
        ("real-estate", APPLICANT): {"iin": APPLICANT, "dwellings": list(dwellings)},
        ("addresses", APPLICANT): {"iin": APPLICANT, "history": list(history)},
        ("civil-status", APPLICANT): {"iin": APPLICANT, "events": list(events)},
        **(others or {}),
    }
    return GroundFacts(answers, frozenset(akimats))


def ago(years: int, days: int = 0) -> date:
    return TODAY.replace(year=TODAY.year - years) - timedelta(days=days)


def grounds_of(facts: GroundFacts, as_of: date = TODAY) -> list[tuple[int, str, bool]]:
    return [(f.ground, f.status, f.within_window) for f in assess(application(), facts, as_of=as_of).findings]


# --- nothing --------------------------------------------------------------------------------------


def test_a_renter_who_never_owned_has_no_ground() -> None:
    result = assess(application(), world_of(history=(residence(ago(10)),)), as_of=TODAY)
    assert result.outcome == "no_ground" and result.findings == () and result.decision == "no ground"


def test_the_applicants_own_answers_are_needed() -> None:
    facts = GroundFacts({("person", APPLICANT): {"family": []}})
    with pytest.raises(ValueError, match="real-estate"):
        assess(application(), facts, as_of=TODAY)


# --- the five years -------------------------------------------------------------------------------


def test_the_window_is_five_years_back_from_the_application_day_both_ends_included() -> None:
    assert window_start(TODAY) == date(2021, 11, 1)
    assert within_window(date(2021, 11, 1), TODAY) and within_window(TODAY, TODAY)
    assert not within_window(date(2021, 10, 31), TODAY) and not within_window(TODAY + timedelta(days=1), TODAY)
    assert window_start(date(2028, 2, 29)) == date(2023, 2, 28)


@pytest.mark.parametrize(("sold", "inside"), [(date(2021, 11, 1), True), (date(2021, 10, 31), False)])
def test_a_sale_on_the_boundary_day_counts_and_the_day_before_does_not(sold: date, inside: bool) -> None:
    facts = world_of(dwellings=(dwelling("C-1", ago(10), sold, "sale", to=LODGER),))
    result = assess(application(), facts, as_of=TODAY)
    assert [(f.ground, f.within_window) for f in result.findings] == [(2, inside)]
    assert result.outcome == ("refuse" if inside else "no_ground")


# --- item 1 ---------------------------------------------------------------------------------------


def test_an_exchange_for_a_smaller_flat_is_established_and_refuses() -> None:
    facts = world_of(
        dwellings=(
            dwelling("BIG", ago(12), ago(2), "exchange", to=LODGER, area=70.0),
            dwelling("SMALL", ago(2), got_by="exchange", area=35.0),
        )
    )
    result = assess(application(), facts, as_of=TODAY)
    (finding,) = result.findings
    assert (finding.ground, finding.section, finding.status, finding.causation_clear) == (
        1,
        "§15 item 1",
        "established",
        True,
    )
    assert [e.record for e in finding.evidence] == ["BIG", "SMALL"] and finding.evidence[0].registry == "real-estate"
    assert finding.evidence[0].on == ago(2) and "ауыстыру" in finding.kk
    assert (result.outcome, result.grounds, result.decision) == ("refuse", (1,), "refuse on §15 item 1")


def test_an_exchange_for_as_much_housing_goes_to_the_commission() -> None:
    facts = world_of(
        dwellings=(dwelling("A", ago(12), ago(2), "exchange"), dwelling("B", ago(2), got_by="exchange", area=50.0))
    )
    result = assess(application(), facts, as_of=TODAY)
    assert [(f.status, f.causation_clear) for f in result.findings] == [("established", False)]
    assert result.outcome == "commission" and result.decision == "to the commission with findings on §15 item 1"


# --- item 2 ---------------------------------------------------------------------------------------


def test_selling_ones_only_flat_refuses_and_a_later_purchase_puts_causation_in_doubt() -> None:
    sold = dwelling("C-1", ago(9), ago(3), "sale", to=LODGER)
    assert assess(application(), world_of(dwellings=(sold,)), as_of=TODAY).outcome == "refuse"
    later = world_of(dwellings=(sold, dwelling("C-2", ago(1), area=20.0)))
    result = assess(application(), later, as_of=TODAY)
    assert [(f.ground, f.status, f.causation_clear) for f in result.findings] == [(2, "established", False)]
    assert result.outcome == "commission"


def test_a_gift_of_a_share_anywhere_in_kazakhstan_is_an_alienation() -> None:
    gift = dwelling("ASTANA", ago(8), ago(1), "gift", to=LODGER, share="1/2", got_by="inheritance")
    gift["locality"] = "astana"
    assert grounds_of(world_of(dwellings=(gift,))) == [(2, "established", True)]


def test_the_akimats_buyback_of_the_only_credit_flat_is_excepted() -> None:
    flat = dwelling("C-1", ago(9), ago(2), "buyback", to=AKIMAT, credit=True)
    result = assess(application(), world_of(dwellings=(flat,)), as_of=TODAY)
    assert [(f.ground, f.status) for f in result.findings] == [(2, "excepted")]
    assert result.outcome == "no_ground" and "сатып алған" in result.findings[0].summary


def test_a_buyback_by_any_other_buyer_is_an_alienation() -> None:
    flat = dwelling("C-1", ago(9), ago(2), "buyback", to=BANK, credit=True)
    assert grounds_of(world_of(dwellings=(flat,))) == [(2, "established", True)]


@pytest.mark.parametrize(
    ("flat", "other"),
    [
        (dwelling("C-1", ago(9), ago(2), "buyback", to=AKIMAT, credit=False), None),  # not on preferential credit
        (dwelling("C-1", ago(9), ago(2), "buyback", to=AKIMAT, credit=True), dwelling("C-2", ago(20))),  # not the only
    ],
)
def test_the_exception_needs_the_credit_and_the_only_dwelling(
    flat: dict[str, Any], other: dict[str, Any] | None
) -> None:
    dwellings = (flat, other) if other else (flat,)
    assert [(g, s) for g, s, _ in grounds_of(world_of(dwellings=dwellings))] == [(2, "established")]


def test_without_the_akimats_directory_a_bin_buyer_is_a_question() -> None:
    flat = dwelling("C-1", ago(9), ago(2), "buyback", to=AKIMAT, credit=True)
    assert grounds_of(world_of(dwellings=(flat,), akimats=())) == [(2, "question", True)]


def test_an_emergency_dwelling_alienated_is_a_question_unless_the_finding_is_dated() -> None:
    flat = dwelling("C-1", ago(9), ago(2), "sale", emergency=True)
    assert grounds_of(world_of(dwellings=(flat,))) == [(2, "question", True)]
    dated = {
        ("emergency-dwellings", APPLICANT): {"findings": [{"cadastral_no": "C-1", "found_on": ago(3).isoformat()}]}
    }
    assert grounds_of(world_of(dwellings=(flat,), others=dated)) == []  # unfit before the sale: not a ground


# --- item 3 ---------------------------------------------------------------------------------------


def test_destruction_is_a_question_of_fault_and_demolition_no_finding() -> None:
    burnt = dwelling("HOUSE", ago(15), ago(2), "destruction")
    result = assess(application(), world_of(dwellings=(burnt,)), as_of=TODAY)
    assert [(f.ground, f.status) for f in result.findings] == [(3, "question")] and result.outcome == "commission"
    assert grounds_of(world_of(dwellings=(dwelling("HOUSE", ago(15), ago(2), "demolition"),))) == []


# --- item 4 ---------------------------------------------------------------------------------------


def test_leaving_a_private_dwelling_while_owning_one_is_a_finding() -> None:
    """The need, not the dwelling: «… мұқтаж болмаған кезде тұрғын үйден кету»."""
    facts = world_of(
        dwellings=(dwelling("OWN", ago(10)),),
        history=(residence(ago(8), ago(3), basis="tenant_private", left=True), residence(ago(3))),
    )
    result = assess(application(), facts, as_of=TODAY)
    (finding,) = result.findings
    assert (finding.ground, finding.status, finding.causation_clear) == (4, "established", False)
    assert {e.registry for e in finding.evidence} == {"addresses", "real-estate"}
    assert result.outcome == "commission"


def test_leaving_a_state_fund_flat_is_a_finding_and_the_spouses_flat_shows_the_need() -> None:
    history = (residence(ago(14), ago(4), basis="tenant_state_fund", left=True),)
    assert grounds_of(world_of(history=history)) == [(4, "established", True)]
    history = (residence(ago(14), ago(4), basis="tenant_private", left=True),)
    spouse = {("real-estate", SPOUSE): {"dwellings": [dwelling("HERS", ago(15))]}}
    married = (marriage(ago(6)),)
    assert grounds_of(world_of(history=history, events=married, others=spouse)) == [(4, "established", True)]
    assert grounds_of(world_of(history=history, events=married)) == [(4, "question", True)]  # spouse not asked


def test_a_renter_owning_nothing_who_moves_was_in_need() -> None:
    history = (residence(ago(6), ago(2), basis="tenant_private", left=True), residence(ago(2)))
    assert grounds_of(world_of(history=history)) == []


def test_leaving_the_parents_flat_is_a_question() -> None:
    history = (residence(ago(20), ago(2), basis="family_of_owner", host=PARENT, left=True),)
    assert grounds_of(world_of(history=history)) == [(4, "question", True)]


# --- item 5 ---------------------------------------------------------------------------------------


def hosted(iin: str, since: date) -> dict[tuple[str, str], dict[str, Any]]:
    return {("addresses", iin): {"history": [residence(since, basis="lodger", host=APPLICANT)]}}


def test_moving_in_a_stranger_is_established_and_goes_to_the_commission() -> None:
    result = assess(application(), world_of(others=hosted(LODGER, ago(2))), as_of=TODAY)
    (finding,) = result.findings
    assert (finding.ground, finding.status, finding.causation_clear) == (5, "established", False)
    assert finding.evidence[0].subject == LODGER and finding.evidence[0].on == ago(2)
    assert result.outcome == "commission"


def test_the_spouse_a_minor_child_and_a_parent_unable_to_work_may_be_moved_in() -> None:
    family = (
        {"iin": SPOUSE, "relation": "spouse"},
        {"iin": CHILD, "relation": "child", "birth_date": "2015-04-20"},
        {"iin": PARENT, "relation": "parent", "birth_date": "1950-01-01"},
    )
    others = {**hosted(SPOUSE, ago(2)), **hosted(CHILD, ago(2)), **hosted(PARENT, ago(2))}
    assert grounds_of(world_of(family=family, events=(marriage(ago(6)),), others=others)) == []


def test_an_adult_child_able_to_work_is_not_allowed_and_a_disabled_one_is() -> None:
    family = ({"iin": CHILD, "relation": "child", "birth_date": "2000-04-20"},)
    able = {**hosted(CHILD, ago(2)), ("social-status", CHILD): {"statuses": []}}
    assert grounds_of(world_of(family=family, others=able)) == [(5, "established", True)]
    group = {"group": "disabled_1_2", "since": ago(5).isoformat(), "until": None}
    disabled = {**hosted(CHILD, ago(2)), ("social-status", CHILD): {"statuses": [group]}}
    assert grounds_of(world_of(family=family, others=disabled)) == []
    assert grounds_of(world_of(family=family, others=hosted(CHILD, ago(2)))) == [(5, "question", True)]


def test_a_parent_below_pension_age_able_to_work_is_not_allowed() -> None:
    family = ({"iin": "700101400011", "relation": "parent", "birth_date": "1970-01-01"},)
    others = {**hosted("700101400011", ago(2)), ("social-status", "700101400011"): {"statuses": []}}
    assert grounds_of(world_of(family=family, others=others)) == [(5, "established", True)]


def test_a_divorced_spouse_moved_in_after_the_divorce_is_another_person() -> None:
    events = (marriage(ago(10)), marriage(ago(4), kind="divorce"))
    assert grounds_of(world_of(events=events, others=hosted(SPOUSE, ago(2)))) == [(5, "established", True)]


def own_addresses(*hosted_here: tuple[str, dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """The applicant's address answer listing whom they registered (``hosted``)."""
    return {("addresses", APPLICANT): {"history": [], "hosted": [{"iin": who, **r} for who, r in hosted_here]}}


def test_whom_the_applicants_own_address_answer_lists_as_registered_by_them_is_read() -> None:
    """Nobody need be asked about the lodger: the host's address answer names them (and the limit goes)."""
    lodger = residence(ago(2), basis="lodger", host=APPLICANT)
    result = assess(application(), world_of(others=own_addresses((LODGER, lodger))), as_of=TODAY)
    (finding,) = result.findings
    assert (finding.ground, finding.status, finding.on) == (5, "established", ago(2))
    assert (finding.evidence[0].registry, finding.evidence[0].subject) == ("addresses", APPLICANT)
    assert LODGER in finding.evidence[0].fact and LODGER in finding.summary
    assert result.limits == () and result.outcome == "commission"


def test_a_registration_in_both_answers_is_one_finding_and_family_allowed_stays_allowed() -> None:
    family = ({"iin": CHILD, "relation": "child", "birth_date": "2015-04-20"},)
    lodger, child = residence(ago(2), basis="lodger", host=APPLICANT), residence(ago(2), host=APPLICANT)
    others = {**own_addresses((LODGER, lodger), (CHILD, child)), **hosted(LODGER, ago(2))}
    assert grounds_of(world_of(family=family, others=others)) == [(5, "established", True)]


def test_without_the_hosted_list_the_limit_names_whom_it_could_check() -> None:
    result = assess(application(), world_of(others=hosted(LODGER, ago(2))), as_of=TODAY)
    assert len(result.limits) == 1 and "§15 item 5" in result.limits[0] and LODGER in result.limits[0]


# --- the JSON the case keeps ------------------------------------------------------------------------


def test_the_assessment_as_the_case_keeps_it() -> None:
    facts = world_of(
        dwellings=(dwelling("C-1", ago(9), ago(3), "sale", to=LODGER),),
        others=own_addresses((LODGER, residence(ago(7), basis="lodger", host=APPLICANT))),
    )
    kept = to_json(assess(application(), facts, as_of=TODAY))
    assert json.loads(json.dumps(kept)) == kept  # JSON as it is: dates are ISO strings
    assert {k: kept[k] for k in ("as_of", "window_start", "outcome", "grounds", "decision", "limits")} == {
        "as_of": "2026-11-01",
        "window_start": "2021-11-01",
        "outcome": "refuse",
        "grounds": [2],
        "decision": "refuse on §15 item 2",
        "limits": [],
    }
    sale, lodger = kept["findings"]
    assert sale == {
        "ground": 2,
        "section": "§15 item 2",
        "status": "established",
        "summary": f"sale of C-1 (karaganda) on {ago(3)} to {LODGER}",
        "kk": "өзiне меншiк құқығымен тиесiлi, тұру үшiн жарамды тұрғын үйдi иелiгiнен шығару",
        "on": ago(3).isoformat(),
        "within_window": True,
        "causation_clear": True,
        "counts": True,
        "refuses": True,
        "evidence": [
            {
                "registry": "real-estate",
                "subject": APPLICANT,
                "record": "C-1",
                "on": ago(3).isoformat(),
                "fact": f"disposal: sale, counterparty {LODGER} (flat C-1, 50.0 m², share 1)",
            }
        ],
    }
    assert (lodger["ground"], lodger["within_window"], lodger["counts"], lodger["refuses"]) == (5, False, False, False)


# --- the personas, on the registries' real answers ------------------------------------------------

QUERY_PATHS = {
    "person": "/api/v1/persons/{}",
    "real-estate": "/api/v1/persons/{}/real-estate",
    "addresses": "/api/v1/persons/{}/addresses",
    "civil-status": "/api/v1/persons/{}/civil-status",
    "social-status": "/api/v1/persons/{}/social-status",
}


async def real_facts(world: World, iin: str) -> tuple[ApplicationDocument, GroundFacts]:
    """What `to_ask` names, asked of the registries (the host's own address answer lists whom they
    registered: a lodger is found without asking about them)."""
    app = application(iin)
    person = await world.registry_result(QUERY_PATHS["person"].format(iin))
    answers = {(q, who): await world.registry_result(QUERY_PATHS[q].format(who)) for q, who in to_ask(app, person)}
    return app, GroundFacts(answers, AKIMAT_BINS)


ON_THE_WORLD = pytest.mark.asyncio(loop_scope="package")


@ON_THE_WORLD
@pytest.mark.parametrize(
    ("trait", "ground", "status", "outcome"),
    [
        ("ground:exchange", 1, "established", "refuse"),
        ("ground:alienation", 2, "established", "refuse"),
        ("ground:damage", 3, "question", "commission"),
        ("ground:left_dwelling", 4, "established", "commission"),
        ("ground:moved_in_others", 5, "established", "commission"),
        ("exception:buyback", 2, "excepted", "no_ground"),
    ],
)
async def test_each_persona_trait_is_found_in_the_registries_answers(
    world: World, trait: str, ground: int, status: str, outcome: str
) -> None:
    for iin in await world.personas(trait):
        app, facts = await real_facts(world, iin)
        result = assess(app, facts, as_of=AS_OF)
        counted = [(f.ground, f.status) for f in result.findings if f.within_window]
        assert (ground, status) in counted, (iin, result)
        assert result.outcome == outcome, (iin, result)


@ON_THE_WORLD
async def test_eligible_personas_have_no_ground(world: World) -> None:
    for iin in await world.personas("eligible", 20):
        app, facts = await real_facts(world, iin)
        result = assess(app, facts, as_of=AS_OF)
        assert result.outcome == "no_ground", (iin, result.findings)
