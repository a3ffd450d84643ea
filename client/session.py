"""The CLI's session file: the portal URL and the access token after `login`, readable by its owner
only (``~/.egov-housing-session.json`` unless ``EGOV_SESSION`` names another file)."""

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
