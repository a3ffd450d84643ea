"""The CLI's session file: the portal URL and the access token after `login` (and, under ``staff``, the
provider's URL and the staff token after `staff login`; under ``operator``, the Center's URL and the
operator's token after `operator login`), readable by its owner only (``~/.egov-housing-session.json``
unless ``EGOV_SESSION`` names another file)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def session_path() -> Path:
    return Path(os.environ.get("EGOV_SESSION", Path.home() / ".egov-housing-session.json"))


def load() -> dict[str, Any]:
    path = session_path()
    return json.loads(path.read_text()) if path.exists() else {}


def save(data: dict[str, Any]) -> None:
    path = session_path()
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(json.dumps(data))


STAFF = "staff"
"""The key of the staff member's session (`python -m client staff login`): ``{"provider", "token", "login"}``,
kept beside the citizen's and apart from it."""
OPERATOR = "operator"
"""The key of the Center operator's session (`python -m client operator login`): ``{"center", "token", "login"}``,
kept beside the citizen's and the staff member's, apart from both."""


def save_citizen(data: dict[str, Any]) -> None:
    """The citizen's session (``portal``, ``token``, ``iin``) in place of the one before, the staff's and the
    operator's kept."""
    before = load()
    save({**data, **{key: before[key] for key in (STAFF, OPERATOR) if before.get(key) is not None}})


def staff() -> dict[str, Any]:
    value = load().get(STAFF)
    return dict(value) if isinstance(value, dict) else {}


def save_staff(data: dict[str, Any]) -> None:
    """The staff member's session in place of the one before, the citizen's kept."""
    save({**load(), STAFF: data})


def operator() -> dict[str, Any]:
    value = load().get(OPERATOR)
    return dict(value) if isinstance(value, dict) else {}


def save_operator(data: dict[str, Any]) -> None:
    """The operator's session in place of the one before, the citizen's and the staff's kept."""
    save({**load(), OPERATOR: data})
