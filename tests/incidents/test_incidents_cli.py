"""The WP2 commands: aia incident add/list/show/edit/link, categories, classify, agreement, resolve, export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from aia.cli import cli


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, interview_file: Path):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AIA_USER", "Forsker A")
    project = tmp_path / "projekt"
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True) -> Result:
        result = runner.invoke(cli, ["--project", str(project), *args], catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output + result.stderr
        return result

    invoke("init", str(project), "--no-keystore")
    invoke("track", "add", "Softwareudviklere", "--prefix", "SWU")
    invoke("participant", "add", "--track", "SWU", "--role", "AI-champion")
    invoke("import", str(interview_file), "--track", "SWU", "--wp", "2")
    return invoke


def test_incident_workflow(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = run(
        "incident",
        "add",
        "Fejl i produktion",
        "--span",
        "1:257:290",
        "--situation",
        "Kunden fik en fejl.",
        "--action",
        "Kodegennemgang indført.",
        "--outcome",
        "Klogere på værktøjet.",
        "--valence",
        "hindering",
        "--tool",
        "ChatGPT",
        "--competence",
        "Kritisk vurdering",
        "--reporter",
        "SWU-P01",
    ).output
    assert out.strip() == "added incident 1: Fejl i produktion (1 spans)"
    run("incident", "add", "Copilot som vane", "--span", "1:0:20", "--valence", "helpful", "--tool", "Copilot")
    listed = run("incident", "list", "--valence", "hindering").output
    assert "Fejl i produktion" in listed and "Copilot som vane" not in listed
    show = run("incident", "show", "1").output
    assert "Fortalt af: SWU-P01" in show and "[SWU · WP2] kilde 1 257–290: 'en kunde fik en fejl i produktion'" in show
    run("incident", "edit", "1", "--outcome", "Ny praksis.")
    run("incident", "link", "2", "--span", "1:60:100")
    assert len(json.loads(run("incident", "show", "2", "--json").output)["spans"]) == 2
    for name in ("Tillid", "Læring"):
        run("incident", "category", "add", name)
    run("incident", "classify", "1", "Læring")
    run("incident", "classify", "2", "Tillid")
    run("incident", "classify", "1", "Læring", "--classifier", "Forsker B")
    run("incident", "classify", "2", "Læring", "--classifier", "Forsker B")
    assert "kategori (Forsker B)" not in run("incident", "show", "2").output  # blind to the other classifier
    assert "kategori (Forsker B): Læring" in run("incident", "show", "2", "--all-classifications").output
    assert "kategori (Forsker A): Tillid" in run("incident", "show", "2").output
    agreement = json.loads(run("incident", "agreement", "--json").output)
    assert agreement["percent"] == 0.5 and agreement["kappa"] == 0.0
    assert "enighed: 0.500  Cohens kappa: 0.000" in run("incident", "agreement").output
    assert "Forsker A: Tillid, Forsker B: Læring" in run("incident", "disagreements").output
    run("incident", "resolve", "2", "Tillid", "--note", "Drøftet")
    assert run("incident", "disagreements", "--unresolved").output == ""
    run("incident", "category", "merge", "Tillid", "Læring", "--why", "Overlapper")
    assert "merge" in run("incident", "category", "history").output
    csv_path = tmp_path / "hændelser.csv"
    run("incident", "export", str(csv_path))
    assert "Fejl i produktion" in csv_path.read_text(encoding="utf-8-sig")
    assert "## Læring" in run("incident", "report").output
    xlsx = tmp_path / "hændelser.xlsx"
    assert run("incident", "export", str(xlsx)).output.strip() == f"wrote {xlsx} (xlsx)"
    html_report = tmp_path / "rapport.html"
    run("incident", "report", "--output", str(html_report))
    assert html_report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    bad = run("incident", "add", "Forkert", "--span", "1:x:3", ok=False)
    assert bad.exit_code == 2 and "SOURCE:START:END" in bad.output + bad.stderr
    missing = run("incident", "classify", "9", "Læring", ok=False)
    assert missing.exit_code == 1 and "error: there is no incident 9" in missing.stderr
