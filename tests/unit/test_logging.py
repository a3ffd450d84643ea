"""LOG_FORMAT: one JSON object per line for machines, structlog's console lines for a person, the same
fields either way, stdlib (uvicorn) records through the same renderer, and no crash over a bad value."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator

import pytest
import structlog

from shared.logging import configure_logging, get_logger, log_context, resolve_format

IDS = {
    "service": "portal_gateway",
    "correlation_id": "corr-42",
    "message_id": "msg-7",
    "queue": "portal_gateway.results",
}


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _restore_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    structlog.contextvars.clear_contextvars()
    yield
    structlog.contextvars.clear_contextvars()
    configure_logging("INFO", "json")
    root.handlers[:] = handlers
    root.setLevel(level)


def _lines(captured: str) -> list[str]:
    return [line for line in captured.splitlines() if line.strip()]


def _log_one() -> None:
    with log_context(**IDS):
        get_logger("tests.logging").info("result delivered to the personal cabinet", issue="app-1")


def test_json_gives_one_parseable_object_per_line_with_the_bound_fields(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOG_FORMAT", "json")
    configure_logging("INFO")
    _log_one()
    lines = _lines(capsys.readouterr().err)
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["event"] == "result delivered to the personal cabinet"
    assert {k: record[k] for k in IDS} == IDS
    assert record["issue"] == "app-1" and record["level"] == "info" and record["timestamp"]


def test_console_gives_a_human_line_with_the_event_and_the_field_values(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOG_FORMAT", "console")
    configure_logging("INFO")
    _log_one()
    lines = _lines(capsys.readouterr().err)
    assert len(lines) == 1
    with pytest.raises(ValueError):
        json.loads(lines[0])
    assert "result delivered to the personal cabinet" in lines[0]
    for key, value in IDS.items():
        assert f"{key}={value}" in lines[0]
    assert "\x1b[" not in lines[0], "no colours when stderr is not a terminal"


def test_without_a_terminal_and_without_log_format_it_is_json(monkeypatch: pytest.MonkeyPatch) -> None:
    pipe = io.StringIO()
    monkeypatch.setattr(sys, "stderr", pipe)
    assert resolve_format() == ("json", None)
    assert resolve_format("") == ("json", None), "an empty LOG_FORMAT (compose's ${LOG_FORMAT:-}) is unset"
    configure_logging("INFO")
    _log_one()
    record = json.loads(_lines(pipe.getvalue())[0])
    assert {k: record[k] for k in IDS} == IDS


def test_on_a_terminal_without_log_format_it_is_console_in_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert resolve_format() == ("console", None)
    configure_logging("INFO")
    _log_one()
    line = terminal.getvalue().strip()
    assert "result delivered to the personal cabinet" in line and "corr-42" in line and "\x1b[" in line


def test_stdlib_and_uvicorn_records_go_through_the_same_renderer(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO", "json")
    with log_context(**IDS):
        logging.getLogger("uvicorn.error").info("Uvicorn running on %s", "http://127.0.0.1:8001")
    record = json.loads(_lines(capsys.readouterr().err)[0])
    assert record["event"] == "Uvicorn running on http://127.0.0.1:8001" and record["logger"] == "uvicorn.error"
    assert record["correlation_id"] == "corr-42"

    configure_logging("INFO", "console")
    with log_context(**IDS):
        logging.getLogger("uvicorn.error").info("Uvicorn running on %s", "http://127.0.0.1:8001")
    line = _lines(capsys.readouterr().err)[0]
    assert "Uvicorn running on http://127.0.0.1:8001" in line and "correlation_id=corr-42" in line
    with pytest.raises(ValueError):
        json.loads(line)


def test_an_unknown_log_format_logs_json_and_warns_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOG_FORMAT", "pretty-please")
    assert resolve_format() == ("json", "pretty-please")
    configure_logging("INFO")
    configure_logging("INFO")  # every service of `make run` configures it: still one warning
    _log_one()
    records = [json.loads(line) for line in _lines(capsys.readouterr().err)]
    warnings = [r for r in records if r.get("log_format") == "pretty-please"]
    assert len(warnings) == 1 and warnings[0]["level"] == "warning"
    assert records[-1]["event"] == "result delivered to the personal cabinet"


@pytest.mark.parametrize(("given", "expected"), [("JSON", "json"), (" Console ", "console")])
def test_the_value_is_read_leniently(given: str, expected: str) -> None:
    assert resolve_format(given) == (expected, None)


def test_the_level_still_applies(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("warning", "json")
    get_logger("tests.logging").info("not shown")
    get_logger("tests.logging").warning("shown")
    assert [json.loads(line)["event"] for line in _lines(capsys.readouterr().err)] == ["shown"]
