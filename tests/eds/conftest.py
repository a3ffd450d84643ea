"""The EDS suite's fixture: the test NCA in process (tests/support/pki.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.pki import Pki, running_pki


@pytest.fixture
async def pki(tmp_path: Path) -> AsyncIterator[Pki]:
    async with running_pki(tmp_path) as pki:
        yield pki
