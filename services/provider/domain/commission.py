"""What the specialist puts to the housing commission (Annex 1 step 5), the commission's quorum, and
what the result says (step 7) — pure rules on the case's data, no I/O.

**The suggestion** (`suggest`) is what step 5 proposes unless the specialist says otherwise, read from
§15's assessment made at step 3 (domain/grounds.py) and the waiting list it found (domain/lists.py):
- §15 outcome ``refuse`` (a ground the registries settle, causation not in doubt): refuse on its items;
- ``commission`` (an act in the window whose fault, need or causation the registries cannot settle):
  the refusal the findings would support, marked ``settled: false`` with the findings as the questions
  — the commission decides on the facts, and may register instead;
- ``no_ground``: register in the list the applicant's categories fit (none fits: no decision is
  suggested; the commission names a list or refuses).

**The quorum** (`quorum`): a meeting is held when more than half of the district's commission is
present, the chair among them (the chair presides and signs the protocol first). The regulation names
the commission but not its procedure; this is the common rule of Kazakhstan's collegial bodies (a
meeting is competent with more than half of its members; the Standard rules of the housing commission
are the akimat's), recorded in the README's Design section.

**The queue number** (`queue_number`): the place in the list when the notification is drafted — one
plus the district's cases of that list decided for registration (not refused) whose queue key is
smaller (domain/lists.py `QueueKey`). Positions later change only by recorded events (the waiting
lists' own rules)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from services.provider.domain.grounds import ITEM_KK
from services.provider.domain.lists import LISTS, TITLES, QueueKey

PARAGRAPH_15_KK = "Тұрғын үй жағдайларын қасақана нашарлату (Регламенттің 15-тармағы)"


class ProposalInvalid(ValueError):
    """A proposal or decision that cannot be put in a protocol: ``reason`` says why."""


def ground_15(item: int, summaries: Iterable[str] = ()) -> dict[str, Any]:
    """A §15 ground of a refusal: the item, its Kazakh words, what the registries showed."""
    shown = "; ".join(s for s in summaries if s)
    text = f"§15 {item}) {ITEM_KK[item]}" + (f": {shown}" if shown else "")
    return {"paragraph": "§15", "item": item, "text": text[:2000]}


def waiting_list_ref(code: str) -> dict[str, str]:
    if code not in LISTS:
        raise ProposalInvalid(f"no waiting list {code!r}: one of {', '.join(LISTS)}")
    return {"code": code, "name": TITLES[code]}


def suggest(assessment: Mapping[str, Any] | None) -> dict[str, Any]:
    """The proposal step 5 makes unless told otherwise (see the module)."""
    if not assessment:
        return {"decision": None, "settled": False, "reasons": "§15 was not assessed for this case", "grounds": []}
    placement = assessment.get("placement") or {}
    listed = placement.get("waiting_list")
    findings = [f for f in assessment.get("findings", []) if f.get("counts")]
    outcome = assessment.get("outcome")
    if outcome in ("refuse", "commission"):
        items = sorted({int(f["ground"]) for f in findings})
        grounds = [ground_15(n, (f.get("summary", "") for f in findings if f["ground"] == n)) for n in items]
        settled = outcome == "refuse"
        reasons = (
            "The registries settle §15: "
            if settled
            else "For the commission to weigh (the registries cannot settle fault, need or causation): "
        ) + "; ".join(str(f.get("summary", "")) for f in findings)
        return {
            "decision": "refuse",
            "settled": settled,
            "grounds": grounds,
            "reasons": reasons[:2000],
            "waiting_list": waiting_list_ref(listed) if listed else None,
            "questions": [] if settled else findings,
        }
    if listed:
        return {
            "decision": "register",
            "settled": True,
            "waiting_list": waiting_list_ref(listed),
            "grounds": [],
            "reasons": "No ground of §15 in the five years; in need, in the list its categories fit first.",
        }
    return {
        "decision": None,
        "settled": False,
        "grounds": [],
        "reasons": "No 2014 list fits the applicant's categories: the commission names one or refuses.",
    }


def proposal_of(suggestion: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """The suggestion with the specialist's (or the commission's) choices in place, checked: a
    registration names a list, a refusal names at least one ground."""
    proposal = {k: suggestion.get(k) for k in ("decision", "waiting_list", "grounds", "reasons")}
    for key, value in overrides.items():
        if value is not None:
            proposal[key] = value
    listed = proposal.get("waiting_list")
    if isinstance(listed, str):
        proposal["waiting_list"] = waiting_list_ref(listed)
    decision = proposal.get("decision")
    if decision == "register":
        if not proposal.get("waiting_list"):
            raise ProposalInvalid("a registration names its waiting list")
        proposal["grounds"] = []
    elif decision == "refuse":
        if not proposal.get("grounds"):
            raise ProposalInvalid("a refusal names its ground (§15 item 1–5)")
        proposal["waiting_list"] = None
    else:
        raise ProposalInvalid("the decision is register or refuse")
    proposal["reasons"] = str(proposal.get("reasons") or "")[:2000]
    return proposal


def quorum(commission_size: int) -> int:
    """Members present a meeting needs: more than half of the commission."""
    return commission_size // 2 + 1


def check_quorum(present: Sequence[str], commission: Mapping[str, str], chair: str | None) -> None:
    """``present``: logins; ``commission``: every member's login → position. ProposalInvalid when one
    present is not a member, someone is named twice, the chair is absent, or the quorum is not met."""
    unknown = [p for p in present if p not in commission]
    if unknown:
        raise ProposalInvalid(f"not members of this commission: {', '.join(unknown)}")
    if len(set(present)) != len(present):
        raise ProposalInvalid("a member is named twice")
    if chair is None or chair not in present:
        raise ProposalInvalid("the chair presides: a meeting is held with the chair present")
    needed = quorum(len(commission))
    if len(present) < needed:
        raise ProposalInvalid(f"no quorum: {len(present)} of {len(commission)} present, {needed} needed")


def queue_number(mine: QueueKey, ahead: Iterable[QueueKey]) -> int:
    """One plus the keys of the same list that come before ``mine``."""
    return 1 + sum(1 for key in ahead if key < mine)


def refusal_grounds_process7(reason: Mapping[str, Any] | None) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """A Process 7 refusal's grounds and the documents missing, from step 3's reason (domain/condition3.py)."""
    reason = reason or {}
    missing = [
        {k: str(v) for k, v in m.items() if v is not None} for m in reason.get("missing", []) if isinstance(m, Mapping)
    ]
    if reason.get("code") == "DOCS_INCOMPLETE" or missing:
        kinds = ", ".join(m.get("kind", "") for m in missing)
        text = f"§14: құжаттар топтамасы толық емес (the documents of §14 are not all attached: {kinds})"
        return [{"paragraph": "§14", "item": None, "text": text[:2000]}], missing
    code = str(reason.get("code") or "PERSON_NOT_FOUND")
    text = (
        "§18, 3-шарт: өтініш берушінің немесе отбасы мүшесінің деректері мемлекеттік дерекқорларда расталмады "
        f"(Condition 3: the registries do not confirm the applicant or a family member: {code})"
    )
    return [{"paragraph": "§18", "item": None, "text": text}], missing
