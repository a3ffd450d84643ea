"""Annex 1 steps 3–9 as the provider's state machine (services/provider/domain/steps.py): the table as
the regulation gives it, who may complete each step, and what the citizen sees."""

from __future__ import annotations

import pytest

from services.provider.domain.steps import FIRST_STEP, STEPS, Limit, StepRefused, citizen_status, complete

ANNEX_1 = {  # step: (who, limit) as docs/regulation.md's Annex 1 table gives them
    3: ("specialist", Limit(15, "minutes")),
    4: ("head", Limit(1, "working")),
    5: ("specialist", Limit(5, "working")),
    6: ("commission", Limit(7, "calendar")),
    7: ("specialist", Limit(5, "calendar")),
    8: ("head", Limit(1, "working")),
    9: ("specialist", Limit(1, "working")),
}


def test_the_table_is_annex_1s() -> None:
    assert {n: (s.actor, s.limit) for n, s in STEPS.items()} == ANNEX_1
    assert [s.next for s in STEPS.values()] == [4, 5, 6, 7, 8, 9, None]


def test_a_case_goes_through_every_step_by_its_actors_and_ends() -> None:
    awaiting: int | None = FIRST_STEP
    walked = []
    while awaiting is not None:
        walked.append((awaiting, citizen_status(awaiting)))
        awaiting = complete(awaiting, STEPS[awaiting].actor)
    assert walked == [
        (3, "REGISTERED"),
        (4, "REGISTERED"),
        (5, "IN_REVIEW"),
        (6, "IN_REVIEW"),
        (7, "IN_REVIEW"),
        (8, "IN_REVIEW"),
        (9, "IN_REVIEW"),
    ]
    assert citizen_status(None, "QUEUED") == "QUEUED" and citizen_status(None, "REFUSED") == "REFUSED"


@pytest.mark.parametrize(("step", "role"), [(4, "specialist"), (8, "specialist"), (6, "head"), (5, "commission")])
def test_a_role_acts_only_at_its_steps(step: int, role: str) -> None:
    """A specialist cannot sign as the head (step 8), nor the head hold the commission's meeting."""
    with pytest.raises(StepRefused) as refused:
        complete(step, role)
    assert refused.value.step == step and STEPS[step].actor in refused.value.reason


def test_a_closed_case_takes_no_step() -> None:
    with pytest.raises(StepRefused):
        complete(None, "specialist")
    with pytest.raises(ValueError):
        citizen_status(None)
