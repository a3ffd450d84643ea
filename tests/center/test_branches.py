"""The Center's branches (services/con_intake/branches.py): valid BINs (the Center's, shared by every
branch), unique codes and numbers, a department per city or district, and every district served."""

from __future__ import annotations

from services.con_intake.branches import BRANCH_BY_CODE, BRANCHES, branches_serving
from shared.geo import DISTRICT_BY_CODE, DISTRICTS
from shared.iin import is_valid_bin
from shared.participants import CENTER


def test_every_branch_carries_the_centers_valid_bin() -> None:
    assert is_valid_bin(CENTER.bin)
    assert {b.bin for b in BRANCHES} == {CENTER.bin}


def test_codes_and_branch_numbers_are_unique_and_numbers_run_from_one() -> None:
    assert len(BRANCH_BY_CODE) == len(BRANCHES)
    assert [b.number for b in BRANCHES] == list(range(1, len(BRANCHES) + 1))
    assert all("." not in b.code and b.code == b.code.lower() for b in BRANCHES)  # a login's suffix


def test_a_department_per_district_numbered_in_the_districts_order() -> None:
    for branch in BRANCHES:
        (district,) = branch.districts
        assert branch.department == [d.code for d in DISTRICTS].index(district) + 1
    assert {b.department for b in BRANCHES} == set(range(1, len(DISTRICTS) + 1))


def test_every_district_has_a_branch_and_every_branch_serves_known_districts() -> None:
    assert all(d in DISTRICT_BY_CODE for b in BRANCHES for d in b.districts)
    assert all(branches_serving(d.code) for d in DISTRICTS)
    assert [b.code for b in branches_serving("karaganda")] == ["karaganda-1", "karaganda-2"]
    assert branches_serving("atlantis") == ()


def test_every_branch_has_an_address_a_name_and_windows() -> None:
    assert all(b.address and b.name_kk and b.windows >= 1 for b in BRANCHES)
