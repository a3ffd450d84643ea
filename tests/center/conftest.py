"""The Center's test world (tests.center.harness): con_intake alone, in process, started once for the
package; each test gets a Kazakhstan week of its own, starting on its Monday at 09:00 local time, so that
its tickets are numbered from 1 and no other test's tickets wait with them, on any of its days."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest_asyncio

from tests.center.harness import FIRST_DAY, Center, local, start_center
from tests.support.center import Desk, intake_world

_weeks = itertools.count()


@pytest_asyncio.fixture(scope="package", loop_scope="package")
async def started(tmp_path_factory: Any) -> AsyncIterator[Center]:
    async with start_center(tmp_path_factory.mktemp("center")) as center:
        yield center


@pytest_asyncio.fixture(loop_scope="package")
async def center(started: Center) -> Center:
    """The started Center, its clock at 09:00 on the Monday of a week no other test uses."""
    started.clock.set(local(FIRST_DAY + timedelta(weeks=next(_weeks))))
    return started


# -- the intake (tests/center/test_intake.py): the Center with the registries, the NCA and the gateway ----


@pytest_asyncio.fixture(scope="package", loop_scope="package")
async def intake_desk(tmp_path_factory: Any) -> AsyncIterator[Desk]:
    async with intake_world(tmp_path_factory.mktemp("center-intake")) as desk:
        yield desk


@pytest_asyncio.fixture(loop_scope="package")
async def desk(intake_desk: Desk) -> Desk:
    """The intake world, its clock back at the wall clock."""
    intake_desk.clock.reset()
    return intake_desk
