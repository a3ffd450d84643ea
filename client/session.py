"""The CLI's session file: the portal URL and the access token after `login` (and, under ``staff``, the
provider's URL and the staff token after `staff login`), readable by its owner only
(``~/.egov-housing-session.json`` unless ``EGOV_SESSION`` names another file)."""

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


def save_citizen(data: dict[str, Any]) -> None:
    """The citizen's session (``portal``, ``token``, ``iin``) in place of the one before, the staff's kept."""
    staff = load().get(STAFF)
    save({**data, **({STAFF: staff} if staff is not None else {})})


def staff() -> dict[str, Any]:
    value = load().get(STAFF)
    return dict(value) if isinstance(value, dict) else {}


def save_staff(data: dict[str, Any]) -> None:
    """The staff member's session in place of the one before, the citizen's kept."""
    save({**load(), STAFF: data})
