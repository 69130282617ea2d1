"""Shared fixtures: temporary projects on disk and the path to the shared sample data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import aia
from aia.project import Project

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"the shared sample data is missing: expected it at {SHARED}")
    return SHARED


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    with aia.init_project(tmp_path / "projekt", user="Forsker A") as p:
        yield p


@pytest.fixture
def swu(project: Project) -> Project:
    """A project with the software developers' forløb, one participant and one interview activity."""
    project.add_track("Softwareudviklere", prefix="SWU")
    project.add_track("Multimediedesignere", prefix="MMD")
    project.add_participant("SWU", role="AI-champion", job_function="Backend-udvikler")
    project.add_activity("SWU", 2, "interview", "Interview om Copilot", date="2026-03-12", participants=["SWU-P01"])
    record_consent(project)
    return project


def record_consent(project: Project, wps: tuple[int, ...] = (1, 2, 3, 4, 5)) -> None:
    """Record consent covering ``wps`` for every participant of a fixture project (material naming a registered
    participant is imported only under covering consent, see docs/data-protection.md)."""
    for person in project.participants():
        project.add_consent(person.pseudonym, "Informationsark v1", "2026-01-15", wps=wps)


INTERVIEW = """Interviewer: Hvordan begyndte I at bruge AI-værktøjer i teamet?

Mette: Det startede med Copilot. Udviklerne var skeptiske, men bilerne – nej, værktøjerne – blev hurtigt en vane.

Interviewer: Kan du fortælle om en situation, hvor det gik galt?

Mette: Ja, en kunde fik en fejl i produktion, fordi en udvikler stolede blindt på et forslag fra ChatGPT.

Interviewer: Hvad gjorde I så bagefter?

Mette: Vi indførte kodegennemgang af alt AI-genereret kode. Det har gjort os klogere på værktøjet.
"""


@pytest.fixture
def interview_file(tmp_path: Path) -> Path:
    path = tmp_path / "interview_mette.txt"
    path.write_text(INTERVIEW, encoding="utf-8")
    return path
