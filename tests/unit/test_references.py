"""Every reference in the code, the tests and the repository's documents resolves inside the
repository: ``§N`` to a paragraph of docs/regulation.md, ``Annex N`` to one of its annexes,
``architecture §N`` to a section of docs/architecture.md; nothing points at files outside the
repository or at the issue tracker."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = (".py", ".md", ".yml", ".yaml", ".toml", ".cfg", ".ini", ".sh")
OTHER_DOCUMENTS = re.compile(r"(RFC \d+|art\. ?\d+|[Aa]rticle \d+|X-Road|OWASP)[^§\n]{0,12}$")
"""Text right before a § that makes it another document's paragraph (an RFC's, a law's article's)."""


def tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    named = ("Dockerfile", "Makefile", ".env.example")
    wanted = [name for name in listed if name.endswith(SOURCES) or name.rsplit("/", 1)[-1] in named]
    return [ROOT / name for name in wanted if (ROOT / name).is_file()]


def headings(document: str, pattern: str) -> set[str]:
    text = (ROOT / "docs" / document).read_text(encoding="utf-8")
    return set(re.findall(pattern, text, flags=re.MULTILINE))


def references() -> list[tuple[str, str, str]]:
    """(file:line, kind, number) of every reference outside docs/."""
    found = []
    for path in tracked_files():
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith("docs/") or relative == "tests/unit/test_references.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            where = f"{relative}:{number}"
            for match in re.finditer(r"architecture §(\d+)", line, flags=re.IGNORECASE):
                found.append((where, "architecture", match[1]))
            for match in re.finditer(r"(?<!architecture )§(\d+)", line, flags=re.IGNORECASE):
                if not OTHER_DOCUMENTS.search(line[: match.start()]):
                    found.append((where, "regulation", match[1]))
            for match in re.finditer(r"\bAnnex (\d+)", line):
                found.append((where, "annex", match[1]))
    return found


def test_every_paragraph_and_section_referred_to_has_its_heading() -> None:
    paragraphs = headings("regulation.md", r"^## §(\d+)\b")
    annexes = headings("regulation.md", r"^## Annex (\d+)\b")
    sections = headings("architecture.md", r"^## (\d+)\.")
    known = {"regulation": paragraphs, "annex": annexes, "architecture": sections}
    unresolved = [f"{where}: {kind} {number}" for where, kind, number in references() if number not in known[kind]]
    assert paragraphs and annexes and sections
    assert unresolved == []


@pytest.mark.parametrize(
    "pattern",
    [r"\bSPEC(\.md)? §", r"\bARCHITECTURE(\.md)? §", r"research/", r"\.\./shared", r"\bissues? \d+\b", r'\bissue "'],
)
def test_nothing_points_outside_the_repository(pattern: str) -> None:
    hits = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in tracked_files()
        if path.relative_to(ROOT).as_posix() != "tests/unit/test_references.py"
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if re.search(pattern, line)
    ]
    assert hits == []
