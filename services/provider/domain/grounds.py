"""§15: the grounds for refusing the service, read from the registries' answers. They are assessed at
intake (Annex 1 step 3), once Condition 3 has passed, on the answers the provider gathered
(services/provider/intake.py: `to_ask` names them), and the assessment (`to_json`) is kept on the case:
the specialist establishes the grounds from it for the housing commission (Annex 1 step 5); the
commission decides (Annex 1 step 6) and a §15 refusal is the reasoned refusal of §5 naming its item (R3).
Pure: the answers come in as the JSON results the registries signed
(services/registry_stub/registries/queries.py); nothing here asks.

§15 (the Kazakh text wins): «Егер азаматтың соңғы бес жылдың iшiнде өз тұрғын үй жағдайларын қасақана
нашарлатуы салдарынан мынадай: … жолымен мұқтажға айналғаны белгіленсе, мемлекеттік көрсетілетін
қызметті ұсынудан бас тартылады» — refused when it is established that within the last five years the
citizen became in need AS A RESULT of deliberately worsening their own housing conditions by one of
items 1)–5). Each item is one function below (`exchange`, `alienation`, `damage`, `left_dwelling`,
`moved_in_others`); each returns `Finding`s with the registry records they rest on.

**The five years** (R17): counted back from the day the application is accepted (``as_of``): the window
is [the same calendar day five years earlier, ``as_of``], both ends included (29 February → 28
February), as the registries' own persona checks count it. An act on the boundary day is inside; the
day before it is outside; an act dated after ``as_of`` is not counted. Findings outside the window are
kept (``within_window`` False), for the record; they never count.

**A finding is evidence, not a refusal.** The chapeau is about causation («… салдарынан …
мұқтажға айналғаны»): a date in the window refuses nothing by itself. `Finding.status`:
- ``established``: the registries settle every element of the item;
- ``question``: they show the act but not an element the item needs (fault, need, who the buyer was,
  whether the dwelling was fit to live in): the commission decides it on the facts;
- ``excepted``: the §15 item 2 exception holds (never counts).

**Causation** (`causation_clear`), the project's rule: not in doubt only for items 1 and 2, and only
when the real-estate register shows that the act itself took the applicant's housing away: the act is
the applicant's last ownership change before the application, and on the application day they hold
less housing (area × share, anywhere in Kazakhstan) than on the day before the act. Items 3–5 turn
on fault, on need, or on the norm of area per person and who really lives where, none of which the
registries hold: always for the commission. `assess` then proposes:
- ``refuse`` on the items whose findings are established, in the window and causally clear (the draft
  decision the specialist puts to the commission, Annex 1 step 5);
- ``commission``: the findings that count go to the commission with their facts;
- ``no_ground``: no finding counts.

Readings beyond docs/regulation.md §15:
- **Item 4** restricts the NEED, not the dwelling left: «… мемлекеттiк тұрғын үй қорынан тұрғын үйге
  немесе жеке тұрғын үй қорынан жергiлiктi атқарушы орган жалдаған тұрғын үйге мұқтаж болмаған кезде
  тұрғын үйден кету» — leaving a dwelling (any: the state fund's, a private one) at a time when one was
  not in need of a dwelling from the state fund or rented by the akimat (R15 as corrected: an earlier
  reading limited it to state-fund dwellings). Not in need, by the registries: the applicant or their
  spouse then owned a dwelling, or the applicant was then a tenant of the state fund (housed from it).
  A private tenant or lodger, owning nothing, was in need: no finding. Living as the family of an owner other than the
  spouse (e.g. in the parents' flat): whether that met the need is the commission's question.
- **Item 2's exception** needs all of: the disposal is the register's ``buyback`` (after a mortgage
  default), the buyer is a local executive body (its BIN in `GroundFacts.akimats`; any other buyer,
  a bank or a person, is no exception), the dwelling was bought with a long-term preferential housing
  credit, and it was the applicant's only dwelling the day before. Without the akimats' directory a
  BIN buyer is a question. The directory is shared/data/akimats.py (`AKIMAT_BINS`), which the
  registries' population draws its buyers from too; intake passes it. A dwelling with an emergency
  finding is fit to live in when the finding came after the disposal; the real-estate answer does not
  date the finding, so unless the emergency-dwellings answer does, it is a question.
- **Item 3**: the register's ``destruction`` is a question (the fault, «өз кiнәсiнен», is not a
  registry fact); ``demolition`` by the akimat's decision is no finding; an emergency finding is no
  finding of fault.
- **Item 5** (R16): «еңбекке жарамсыз» — unable to work: pension age (63 men, 58 women, the 2014
  ages) or a group I/II disability or an age pension current on the day. Someone moved in is a
  registration naming the applicant as host: the applicant's own address answer lists them
  (``hosted``: whom the address register has the applicant registering), and another person's address
  history asked about shows the same. Someone not of the family the individuals database links is
  "another person" without more; the family's ages and social status are asked (`to_ask`). An address
  answer without ``hosted`` (an older registry) leaves only the persons asked about to check —
  `GroundsAssessment.limits` says so.
- The grounds are the applicant's own acts («азаматтың … өз тұрғын үй жағдайларын»); the spouse's
  dwellings are read only for item 4's need.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from typing import Any, Literal, Protocol

from shared.housing.application import ApplicationDocument
from shared.iin import iin_birth_date, iin_sex, is_valid_bin

Status = Literal["established", "question", "excepted"]
Outcome = Literal["refuse", "commission", "no_ground"]

YEARS = 5
PENSION_AGE = {"M": 63, "F": 58}
"""R16: unable to work from these ages (the pension ages of 2014, as the synthetic registries take them)."""
UNABLE_TO_WORK_GROUPS = frozenset({"disabled_1_2", "pensioner"})
ALIENATIONS = frozenset({"sale", "gift", "buyback"})
NOT_ALIENATIONS = frozenset({"exchange", "destruction", "demolition"})

ITEM_KK = {
    1: "тұрғын үй-жайын ауыстыру",
    2: "өзiне меншiк құқығымен тиесiлi, тұру үшiн жарамды тұрғын үйдi иелiгiнен шығару",
    3: "өз кiнәсiнен тұрғын үйдiң бұзылуы немесе бүлiнуi",
    4: "мұқтаж болмаған кезде тұрғын үйден кету",
    5: "жұбайынан, кәмелетке толмаған және еңбекке жарамсыз балаларынан, сондай-ақ еңбекке жарамсыз "
    "ата-аналарынан басқа адамдарды тұрғызу",
}
"""Each item's key words in the Kazakh text of §15."""
EXCEPTION_KK = "жалғыз тұрғын үйiн … жергiлiктi атқарушы орган сатып алған жағдайлардан басқа"


# --- the facts -------------------------------------------------------------------------------------


class Answer(Protocol):
    """A registry answer as the provider keeps it (domain/facts.py `Asked`)."""

    @property
    def query(self) -> str: ...

    @property
    def subject(self) -> str: ...

    @property
    def outcome(self) -> str: ...

    @property
    def result(self) -> dict[str, Any] | None: ...


@dataclass(frozen=True, slots=True)
class GroundFacts:
    """The registries' answers §15 is read from: (query, IIN) → the result the registry signed; and the
    BINs of the local executive bodies (akimats), for item 2's exception."""

    answers: Mapping[tuple[str, str], Mapping[str, Any]]
    akimats: frozenset[str] = frozenset()

    @classmethod
    def of(cls, answers: Iterable[Answer], *, akimats: Iterable[str] = ()) -> GroundFacts:
        """From the answers gathered (refusals such as PERSON_NOT_FOUND carry no result: left out)."""
        found = {(a.query, a.subject): a.result for a in answers if a.outcome == "ok" and a.result is not None}
        return cls(found, frozenset(akimats))

    def get(self, query: str, iin: str) -> Mapping[str, Any] | None:
        return self.answers.get((query, iin))


def to_ask(application: ApplicationDocument, person: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The (query, IIN) pairs §15 reads, given the individuals database's answer about the applicant:
    the applicant's real estate, addresses and civil status; the linked spouse's real estate (item 4's
    need); and the addresses, individuals record and social status of every linked relative and
    household member (item 5: whom the applicant registered, and whether they were unable to work).
    Nobody else: a query's consent covers the applicant, the household and the linked family."""
    applicant = application.applicant.iin
    pairs = [("person", applicant), ("real-estate", applicant), ("addresses", applicant), ("civil-status", applicant)]
    family = {str(f["iin"]): str(f.get("relation")) for f in person.get("family", []) if f.get("iin")}
    others = sorted((set(family) | {m.iin for m in application.household}) - {applicant})
    pairs += [("real-estate", iin) for iin in others if family.get(iin) == "spouse"]
    pairs += [(query, iin) for iin in others for query in ("person", "addresses", "social-status")]
    return pairs


# --- what comes out --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Evidence:
    """One registry fact: which answer (``registry``: the query, about ``subject``), which record
    (cadastral number, address, civil-status record number), its date, and what it says."""

    registry: str
    subject: str
    record: str
    on: date | None
    fact: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One §15 item the registries show an act for, with the records it rests on."""

    ground: int
    section: str
    status: Status
    summary: str
    """In English; ``kk`` holds the §15 item's Kazakh words."""
    evidence: tuple[Evidence, ...]
    within_window: bool
    on: date | None = None
    """The day of the act."""
    causation_clear: bool = False
    """The documented causation rule holds (items 1 and 2 only)."""
    kk: str = ""

    @property
    def counts(self) -> bool:
        """In the window and not excepted: the commission weighs it."""
        return self.within_window and self.status != "excepted"

    @property
    def refuses(self) -> bool:
        """Established, in the window, causation not in doubt: a refusal the specialist may propose."""
        return self.counts and self.status == "established" and self.causation_clear


@dataclass(frozen=True, slots=True)
class GroundsAssessment:
    """What §15 means for the decision, with every finding (Annex 1 step 5)."""

    as_of: date
    window_start: date
    findings: tuple[Finding, ...]
    outcome: Outcome
    grounds: tuple[int, ...] = ()
    """``refuse``: the items refused on; ``commission``: the items the commission weighs."""
    limits: tuple[str, ...] = field(default=())
    """What the facts could not cover (persons not asked about)."""

    @property
    def decision(self) -> str:
        items = ", ".join(f"§15 item {n}" for n in self.grounds)
        if self.outcome == "refuse":
            return f"refuse on {items}"
        if self.outcome == "commission":
            return f"to the commission with findings on {items}"
        return "no ground"


# --- the five years --------------------------------------------------------------------------------


def window_start(as_of: date) -> date:
    """The first day of «соңғы бес жылдың iшiнде»: the same calendar day five years before the
    application day (29 February → 28 February)."""
    try:
        return as_of.replace(year=as_of.year - YEARS)
    except ValueError:
        return as_of.replace(year=as_of.year - YEARS, day=28)


def within_window(day: date | None, as_of: date) -> bool:
    """``day`` is in [`window_start`, ``as_of``]: both ends included."""
    return day is not None and window_start(as_of) <= day <= as_of


# --- reading the answers ---------------------------------------------------------------------------


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _share(value: Any) -> Fraction:
    try:
        return Fraction(str(value or "1"))
    except (ValueError, ZeroDivisionError):
        return Fraction(1)


def _dwellings(facts: GroundFacts, iin: str) -> list[Mapping[str, Any]]:
    return list((facts.get("real-estate", iin) or {}).get("dwellings", []))


def _transaction(d: Mapping[str, Any], kind: str) -> Mapping[str, Any]:
    return next((t for t in d.get("transactions", []) if t.get("kind") == kind), {})


def _held_on(d: Mapping[str, Any], day: date) -> bool:
    """Owned on ``day`` (the disposal day is no longer held)."""
    start, end = _day(d.get("owned_from")), _day(d.get("owned_to"))
    return start is not None and start <= day and (end is None or end > day)


def _housing_on(dwellings: Sequence[Mapping[str, Any]], day: date) -> Fraction:
    """Housing held on ``day``: the area times the share, over every dwelling."""
    return sum(
        (Fraction(str(d.get("area_m2") or 0)) * _share(d.get("share")) for d in dwellings if _held_on(d, day)),
        Fraction(0),
    )


def _causation_clear(dwellings: Sequence[Mapping[str, Any]], act: date, as_of: date) -> bool:
    """The causation rule: the act is the last ownership change up to ``as_of``, and the applicant holds
    less housing on ``as_of`` than on the day before the act."""
    changes = [_day(d.get(k)) for d in dwellings for k in ("owned_from", "owned_to")]
    if any(c is not None and act < c <= as_of for c in changes):
        return False
    return _housing_on(dwellings, as_of) < _housing_on(dwellings, act - timedelta(days=1))


def _estate_evidence(iin: str, d: Mapping[str, Any], t: Mapping[str, Any]) -> Evidence:
    parts = [f"{t.get('kind')}: {t.get('type')}"]
    if t.get("counterparty"):
        parts.append(f"counterparty {t['counterparty']}")
    if t.get("preferential_credit"):
        parts.append("long-term preferential housing credit")
    where = f"{d.get('address') or d.get('locality')}, {d.get('area_m2')} m², share {d.get('share')}"
    return Evidence(
        "real-estate", iin, str(d.get("cadastral_no")), _day(t.get("date")), f"{', '.join(parts)} ({where})"
    )


def _finding(
    ground: int,
    status: Status,
    summary: str,
    evidence: Iterable[Evidence],
    on: date | None,
    as_of: date,
    *,
    causation_clear: bool = False,
) -> Finding:
    return Finding(
        ground,
        f"§15 item {ground}",
        status,
        summary,
        tuple(evidence),
        within_window(on, as_of),
        on,
        causation_clear,
        ITEM_KK[ground],
    )


def _disposals(facts: GroundFacts, iin: str, types: Iterable[str]) -> list[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    wanted = set(types)
    dwellings = _dwellings(facts, iin)
    return [(d, t) for d in dwellings if (t := _transaction(d, "disposal")) and t.get("type") in wanted]


# --- the items -------------------------------------------------------------------------------------


def exchange(iin: str, facts: GroundFacts, as_of: date) -> list[Finding]:
    """§15 item 1: exchanging a dwelling («тұрғын үй-жайын ауыстыру»). The register's disposal by
    exchange settles it; the dwelling received (acquired by exchange that day) goes with it."""
    dwellings, found = _dwellings(facts, iin), []
    for d, t in _disposals(facts, iin, ("exchange",)):
        day = _day(t.get("date"))
        received = [
            (r, a)
            for r in dwellings
            if (a := _transaction(r, "acquisition")).get("type") == "exchange" and day and _day(a.get("date")) == day
        ]
        evidence = [_estate_evidence(iin, d, t), *(_estate_evidence(iin, r, a) for r, a in received)]
        clear = day is not None and _causation_clear(dwellings, day, as_of)
        got = ", ".join(f"{r.get('cadastral_no')} ({r.get('area_m2')} m²)" for r, _ in received) or "nothing recorded"
        summary = f"exchanged {d.get('cadastral_no')} ({d.get('area_m2')} m²) on {day}; received {got}"
        found.append(_finding(1, "established", summary, evidence, day, as_of, causation_clear=clear))
    return found


def alienation(iin: str, facts: GroundFacts, as_of: date) -> list[Finding]:
    """§15 item 2: alienating a habitable dwelling one owned anywhere in Kazakhstan («… Қазақстан
    Республикасының қандай да бiр елдi мекенiнде орналасуына қарамастан, өзiне меншiк құқығымен тиесiлi,
    тұру үшiн жарамды тұрғын үйдi иелiгiнен шығару»), except the only dwelling bought with a long-term
    preferential housing credit and bought by the local executive body after the mortgagor's default
    («жалғыз тұрғын үйi … ұзақ мерзiмдi жеңiлдiктi тұрғын үй кредитi бойынша сатып алынған, … оның
    тұрғын үйін жергiлiктi атқарушы орган сатып алған жағдайлардан басқа»)."""
    dwellings, found = _dwellings(facts, iin), []
    emergency = {
        str(f.get("cadastral_no")): _day(f.get("found_on"))
        for f in (facts.get("emergency-dwellings", iin) or {}).get("findings", [])
    }
    for d in dwellings:
        t = _transaction(d, "disposal")
        kind = t.get("type")
        if not t or kind in NOT_ALIENATIONS:
            continue
        day, evidence = _day(t.get("date")), [_estate_evidence(iin, d, t)]
        name = f"{d.get('cadastral_no')} ({d.get('locality')})"
        if kind not in ALIENATIONS:
            summary = f"disposed of {name} on {day} by '{kind}', a disposal this model does not know"
            found.append(_finding(2, "question", summary, evidence, day, as_of))
            continue
        if d.get("emergency"):
            found_on = emergency.get(str(d.get("cadastral_no")))
            if found_on is not None and day is not None and found_on <= day:
                continue  # found unfit to live in before it was alienated: not «тұру үшiн жарамды»
            if found_on is None:
                summary = f"{kind} of {name} on {day}: it has an emergency finding, undated here; whether it was fit "
                summary += "to live in when alienated is for the commission"
                found.append(_finding(2, "question", summary, evidence, day, as_of))
                continue
        if kind == "buyback":
            excepted = _buyback_exception(iin, d, t, facts)
            if excepted is not None:
                status, why = excepted
                found.append(_finding(2, status, f"{kind} of {name} on {day}: {why}", evidence, day, as_of))
                continue
        clear = day is not None and _causation_clear(dwellings, day, as_of)
        summary = f"{kind} of {name} on {day}"
        if t.get("counterparty"):
            summary += f" to {t['counterparty']}"
        found.append(_finding(2, "established", summary, evidence, day, as_of, causation_clear=clear))
    return found


def _buyback_exception(
    iin: str, d: Mapping[str, Any], t: Mapping[str, Any], facts: GroundFacts
) -> tuple[Status, str] | None:
    """§15 item 2's exception for a buyback: ("excepted", why) when it holds, ("question", why) when the
    buyer cannot be told, None when it does not hold (then the buyback is an alienation like any)."""
    buyer, day = t.get("counterparty"), _day(t.get("date"))
    credit = bool(_transaction(d, "acquisition").get("preferential_credit"))
    before = day - timedelta(days=1) if day else None
    others = [o for o in _dwellings(facts, iin) if o is not d and before and _held_on(o, before)]
    if not credit or others:
        return None  # not bought on preferential credit, or not the only dwelling: no exception
    if buyer and buyer in facts.akimats:
        return (
            "excepted",
            f"the only dwelling, on preferential credit, bought back by the akimat {buyer} ({EXCEPTION_KK})",
        )
    if buyer and not facts.akimats and is_valid_bin(str(buyer)):
        return "question", f"bought back by {buyer}: whether it is a local executive body is for the commission"
    if not buyer:
        return "question", "bought back by a buyer the register does not name: an akimat or not is for the commission"
    return None  # bought by someone other than an akimat: no exception


def damage(iin: str, facts: GroundFacts, as_of: date) -> list[Finding]:
    """§15 item 3: the dwelling destroyed or damaged through one's own fault («өз кiнәсiнен тұрғын үйдiң
    бұзылуы немесе бүлiнуi»). The register shows the loss, never the fault: always a question. A
    demolition by the akimat's decision is not one's fault: no finding."""
    found = []
    for d, t in _disposals(facts, iin, ("destruction",)):
        day = _day(t.get("date"))
        summary = f"{d.get('cadastral_no')} ({d.get('locality')}) destroyed or damaged on {day}; whether through the "
        summary += "applicant's own fault is for the commission"
        found.append(_finding(3, "question", summary, [_estate_evidence(iin, d, t)], day, as_of))
    return found


def left_dwelling(iin: str, facts: GroundFacts, as_of: date) -> list[Finding]:
    """§15 item 4: leaving a dwelling while not in need of a dwelling from the state fund or rented by
    the akimat («… мемлекеттiк тұрғын үй қорынан тұрғын үйге немесе жеке тұрғын үй қорынан жергiлiктi
    атқарушы орган жалдаған тұрғын үйге мұқтаж болмаған кезде тұрғын үйден кету»): any dwelling left
    (a deregistration on one's own application), at a time when the applicant or the spouse owned a
    dwelling, or the applicant was a tenant of the state fund. See the module's readings."""
    found = []
    for r in (facts.get("addresses", iin) or {}).get("history", []):
        day = _day(r.get("registered_to"))
        if not r.get("left_voluntarily") or day is None:
            continue
        left = Evidence(
            "addresses",
            iin,
            f"{r.get('address')} [{r.get('dwelling') or 'dwelling not recorded'}]",
            day,
            f"left on own application; registered {r.get('registered_from')}–{day} as {r.get('basis')}",
        )
        evidence, basis, place = [left], r.get("basis"), r.get("address")
        owners: list[str] = []
        unknown: list[str] = []
        for who in (iin, *_spouses_on(facts, iin, day)):
            if facts.get("real-estate", who) is None:
                unknown.append(who)
                continue
            held = [d for d in _dwellings(facts, who) if _held_on(d, day)]
            owners += [who] if held else []
            for d in held:
                evidence.append(_estate_evidence(who, d, _transaction(d, "acquisition")))
        whose = {iin: "the applicant"}
        if owners or basis == "tenant_state_fund":
            why = []
            if owners:
                why.append(" and ".join(whose.get(o, f"the spouse {o}") for o in owners) + " then owned a dwelling")
            if basis == "tenant_state_fund":
                why.append("the applicant was then housed as a tenant of the state fund")
            summary = f"left {place} on {day} while not in need: {'; '.join(why)}; whether the leaving made them "
            summary += "in need is for the commission"
            if unknown:
                summary += f" (the real estate of the then spouse {', '.join(unknown)} was not asked)"
            found.append(_finding(4, "established", summary, evidence, day, as_of))
        elif unknown:
            summary = f"left {place} on {day}; the real estate of the then spouse {', '.join(unknown)} was not asked: "
            summary += "whether they were in need then is for the commission"
            found.append(_finding(4, "question", summary, evidence, day, as_of))
        elif basis == "family_of_owner" and r.get("host_iin") not in _spouses_on(facts, iin, day):
            summary = f"left {place} on {day}, where they lived as the family of the owner {r.get('host_iin')}: "
            summary += "whether that dwelling met their need is for the commission"
            found.append(_finding(4, "question", summary, evidence, day, as_of))
    return found


def moved_in_others(iin: str, facts: GroundFacts, as_of: date) -> list[Finding]:
    """§15 item 5: moving in persons other than the spouse, the minor children and the children unable to
    work, and the parents unable to work («жұбайынан, кәмелетке толмаған және еңбекке жарамсыз
    балаларынан, сондай-ақ еңбекке жарамсыз ата-аналарынан басқа адамдарды тұрғызу»): a registration, in
    another person's address history, naming the applicant as its host."""
    family = {str(f["iin"]): f for f in (facts.get("person", iin) or {}).get("family", []) if f.get("iin")}
    found = []
    for who, r, evidence in _registrations_hosted_by(iin, facts):
        day = _day(r.get("registered_from"))
        if day is None:
            continue
        relation = "spouse" if who in _spouses_on(facts, iin, day) else str(family.get(who, {}).get("relation"))
        allowed, why = _allowed(facts, who, relation, family.get(who, {}), day)
        if allowed is True:
            continue
        status: Status = "established" if allowed is False else "question"
        summary = f"moved {who} ({why}) into {r.get('address')} on {day}"
        if status == "question":
            summary += ": whether they were unable to work is for the commission"
        found.append(_finding(5, status, summary, [evidence], day, as_of))
    return found


def _registrations_hosted_by(iin: str, facts: GroundFacts) -> list[tuple[str, Mapping[str, Any], Evidence]]:
    """Every registration naming ``iin`` as host, once each: (who was registered, the registration, the
    evidence), from the applicant's own address answer (``hosted``) and from the address histories of the
    others asked about, in the order of who, then the day."""
    seen: dict[tuple[str, str, str], tuple[str, Mapping[str, Any], Evidence]] = {}

    def add(who: str, r: Mapping[str, Any], answer_about: str) -> None:
        key = (who, str(r.get("registered_from")), str(r.get("address")))
        if key in seen or not who or who == iin:
            return
        fact = f"{who} registered by the host {iin} as {r.get('basis')} from {r.get('registered_from')}"
        if r.get("registered_to"):
            fact += f" to {r.get('registered_to')}"
        record = f"{r.get('address')} [{r.get('dwelling') or 'dwelling not recorded'}]"
        seen[key] = (who, r, Evidence("addresses", answer_about, record, _day(r.get("registered_from")), fact))

    for r in (facts.get("addresses", iin) or {}).get("hosted", []):
        add(str(r.get("iin") or ""), r, iin)
    for (query, who), answer in sorted(facts.answers.items()):
        if query == "addresses" and who != iin:
            for r in answer.get("history", []):
                if r.get("host_iin") == iin:
                    add(who, r, who)
    return [seen[k] for k in sorted(seen)]


def _allowed(
    facts: GroundFacts, who: str, relation: str, entry: Mapping[str, Any], day: date
) -> tuple[bool | None, str]:
    """Whether §15 item 5 allows moving ``who`` in on ``day``: True, False, or None when the facts do not
    say (a child or parent whose ability to work the answers do not show); and why."""
    if relation == "spouse":
        return True, "the spouse"
    if relation not in ("child", "parent"):
        return False, "not the spouse, a child or a parent" if relation in ("None", "") else f"relation {relation}"
    person = facts.get("person", who) or {}
    born = _day(person.get("birth_date")) or _day(entry.get("birth_date")) or iin_birth_date(who)
    if relation == "child" and born is not None and _age(born, day) < 18:
        return True, "a minor child"
    unable = _unable_to_work(facts, who, person, born, day)
    if unable is None:
        return None, f"an adult {relation}"
    return (True, f"a {relation} unable to work") if unable else (False, f"a {relation} able to work")


def _unable_to_work(
    facts: GroundFacts, who: str, person: Mapping[str, Any], born: date | None, day: date
) -> bool | None:
    """R16: pension age, or a group I/II disability or an age pension current on ``day``; None when the
    social-status answer was not given and the age does not settle it."""
    sex = person.get("sex") or iin_sex(who)
    if born is not None and sex in PENSION_AGE and _age(born, day) >= PENSION_AGE[str(sex)]:
        return True
    social = facts.get("social-status", who)
    if social is None:
        return None
    return any(
        s.get("group") in UNABLE_TO_WORK_GROUPS
        and (since := _day(s.get("since"))) is not None
        and since <= day
        and ((until := _day(s.get("until"))) is None or until >= day)
        for s in social.get("statuses", [])
    )


def _age(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _spouses_on(facts: GroundFacts, iin: str, day: date) -> list[str]:
    """Whom ``iin`` was married to on ``day`` by the civil-status records: a marriage registered by then,
    not ended by a divorce registered by then; or, with no marriage record at all, the individuals
    database's spouse link."""
    events = (facts.get("civil-status", iin) or {}).get("events", [])
    spouses: list[str] = []
    married_to: set[str] = set()
    for e in events:
        others = {p["iin"] for p in e.get("parties", []) if p.get("role") == "spouse" and p.get("iin") != iin}
        if e.get("kind") != "marriage":
            continue
        married_to |= others
        on = _day(e.get("registered_on"))
        for other in others:
            ended = any(
                x.get("kind") == "divorce"
                and (x_on := _day(x.get("registered_on"))) is not None
                and x_on <= day
                and other in {p.get("iin") for p in x.get("parties", [])}
                for x in events
            )
            if on is not None and on <= day and not ended:
                spouses.append(other)
    linked = [
        str(f["iin"])
        for f in (facts.get("person", iin) or {}).get("family", [])
        if f.get("relation") == "spouse" and f.get("iin") not in married_to
    ]
    return spouses + linked


ITEMS = (exchange, alienation, damage, left_dwelling, moved_in_others)
"""§15 items 1)–5), in order."""
NEEDED = ("person", "real-estate", "addresses", "civil-status")
"""The applicant's answers §15 cannot be read without."""


def assess(application: ApplicationDocument, facts: GroundFacts, *, as_of: date) -> GroundsAssessment:
    """§15 for ``application``, accepted on ``as_of``: every finding, and what it means for the decision
    (see the module's rules). Raises ValueError when an answer about the applicant in `NEEDED` is missing:
    "no ground" is never said on facts never gathered."""
    iin = application.applicant.iin
    missing = [q for q in NEEDED if facts.get(q, iin) is None]
    if missing:
        raise ValueError(f"§15 needs the registries' answers about the applicant: {', '.join(missing)}")
    findings = tuple(f for item in ITEMS for f in item(iin, facts, as_of))
    refusing = sorted({f.ground for f in findings if f.refuses})
    counting = sorted({f.ground for f in findings if f.counts})
    outcome: Outcome = "refuse" if refusing else "commission" if counting else "no_ground"
    limits: tuple[str, ...] = ()
    if "hosted" not in (facts.get("addresses", iin) or {}):
        asked = sorted(who for q, who in facts.answers if q == "addresses" and who != iin)
        limits = (
            "§15 item 5: registrations naming the applicant as host are known only in the address histories "
            f"asked for ({', '.join(asked) or 'nobody'}): the applicant's address answer lists nobody they registered",
        )
    return GroundsAssessment(as_of, window_start(as_of), findings, outcome, tuple(refusing or counting), limits)


# --- what the case keeps ---------------------------------------------------------------------------


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def evidence_json(e: Evidence) -> dict[str, Any]:
    return {"registry": e.registry, "subject": e.subject, "record": e.record, "on": _iso(e.on), "fact": e.fact}


def finding_json(f: Finding) -> dict[str, Any]:
    return {
        "ground": f.ground,
        "section": f.section,
        "status": f.status,
        "summary": f.summary,
        "kk": f.kk,
        "on": _iso(f.on),
        "within_window": f.within_window,
        "causation_clear": f.causation_clear,
        "counts": f.counts,
        "refuses": f.refuses,
        "evidence": [evidence_json(e) for e in f.evidence],
    }


def to_json(assessment: GroundsAssessment) -> dict[str, Any]:
    """The assessment as the case keeps it (JSON: dates as ISO strings), for the specialist and the
    commission: the day and window, the proposal (``outcome``, ``grounds``, ``decision``), every finding
    with its evidence, and what the facts could not cover (``limits``)."""
    return {
        "as_of": assessment.as_of.isoformat(),
        "window_start": assessment.window_start.isoformat(),
        "outcome": assessment.outcome,
        "grounds": list(assessment.grounds),
        "decision": assessment.decision,
        "findings": [finding_json(f) for f in assessment.findings],
        "limits": list(assessment.limits),
    }
