"""Shared helpers for the web tests: a team-mode app over a small Danish project, logged-in clients."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.testclient import TestClient

import aia
from aia.project import Project
from aia.web import create_app

PASSWORD = "hemmeligt-kodeord"
INTERVIEW = (
    "Interviewer: Hvordan bruger I AI i teamet? 😀\n\n"
    "Mette: Vi bruger Copilot hver dag – især til tests på æøå-projektet 🚀.\n\n"
    "Interviewer: Hvad gik galt?\n\n"
    "Mette: En udvikler stolede blindt på et forslag fra ChatGPT.\n"
)


def make_project(root: Path) -> Project:
    project = aia.init_project(root / "projekt", user="Forsker A")
    project.add_track("Softwareudviklere", prefix="SWU")
    org = project.add_organisation("Softwarehus (SMV)", sector="IT")
    project.add_participant("SWU", role="AI-champion", job_function="Backend-udvikler", organisation=org.id)
    project.add_activity("SWU", 2, "interview", "Interview om Copilot", date="2026-03-12")
    project.import_bytes(INTERVIEW.encode(), "interview_mette.txt", track="SWU", wp=2)
    code = project.add_code("Tillid")
    source = project.sources()[0][0]
    project.add_coding(source.id, 0, 11, code.id)
    project.add_probe("Jailbreak-udfordring", "jailbreak challenge")  # WP1 pages (issue 7)
    project.add_incident("Blind tillid", codings=[project.codings()[0].id], valence="hindering")  # WP2 pages
    project.add_memo("Første indtryk", "Mette er *skeptisk*.")
    for name, role in (("lea", "lead"), ("carl", "coder"), ("rikke", "reader")):
        project.add_account(name, PASSWORD, role)
    return project


def client_for(project: Project, username: str | None) -> TestClient:
    app = create_app(project.path, team=True, project=project)
    client = TestClient(app, follow_redirects=False)
    if username is not None:
        r = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/"})
        assert r.status_code == 303, r.text
    return client


def csrf_of(client: TestClient) -> str:
    html = client.get("/").text
    m = re.search(r'data-csrf="([^"]+)"', html)
    assert m is not None
    return m.group(1)
