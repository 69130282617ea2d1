"""Strict consent at import: a project that records no consent at all still refuses material naming a registered
participant (the old loophole), through the API, the CLI, AI-log and REFI-QDA imports; the lead's override is
recorded in ``consent_overrides`` and the audit log."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

import aia
from aia.cli import cli
from aia.errors import ImportFailed, ValidationError
from aia.project import Project

AILOGS = Path(__file__).resolve().parents[1] / "ailogs" / "data"

INTERVIEW = """Interviewer: Hvordan bruger I Copilot på kontoret i Århus?

SWU-P01: Vi bruger det hver dag, især til tests. Det har gjort os hurtigere, men vi læser alt igennem først.

Interviewer: Hvad med kunderne?

SWU-P01: De ved det godt. Vi skriver det i kontrakten, så ingen bliver overrasket.
"""

FIELD_NOTE = "Feltnote: Teamet drøftede kodegennemgang af AI-genereret kode ved frokosten. Stemningen var god.\n"


def _project(root: Path) -> Project:
    """Two registered participants and NO consent record at all."""
    project = aia.init_project(root, user="Projektleder Åse")
    project.add_track("Softwareudviklere", prefix="SWU")
    project.add_participant("SWU", role="AI-champion")
    project.add_participant("SWU", role="Medarbejder")
    return project


def _overrides(project: Project) -> list[tuple[int, int, str, str]]:
    with sqlite3.connect(project.path / "aia.sqlite") as conn:
        rows = conn.execute("SELECT participant_id, wp, reason, decided_by FROM consent_overrides").fetchall()
    return [(int(a), int(b), str(c), str(d)) for a, b, c, d in rows]


def test_no_consent_records_at_all_still_refuses_a_named_participant(tmp_path: Path) -> None:
    with _project(tmp_path / "p") as project:
        assert project.consents() == []
        with pytest.raises(ImportFailed, match=r"SWU-P01 \(no consent is recorded\).*--override-consent"):
            project.import_bytes(INTERVIEW.encode(), "a.txt", track="SWU", wp=2, participants=["SWU-P01"])
        with pytest.raises(ImportFailed, match=r"SWU-P01 \(no consent is recorded\)"):  # the speaker's pseudonym
            project.import_bytes(INTERVIEW.encode(), "b.txt", track="SWU", wp=2)
        front = "---\nparticipants: [SWU-P02]\n---\n" + FIELD_NOTE
        with pytest.raises(ImportFailed, match=r"SWU-P02 \(no consent is recorded\)"):  # named in the file
            project.import_bytes(front.encode(), "c.md", track="SWU", wp=2)
        # material naming no registered participant is not affected
        assert project.import_bytes(FIELD_NOTE.encode(), "d.txt", track="SWU", wp=2).status == "imported"
        assert len(project.sources()) == 1 and _overrides(project) == []


def test_consent_for_one_participant_does_not_let_another_through(tmp_path: Path) -> None:
    with _project(tmp_path / "p") as project:
        project.add_consent("SWU-P02", "Informationsark v1", "2026-02-01", wps=[2])
        with pytest.raises(ImportFailed, match=r"SWU-P01 \(no consent is recorded\)"):
            project.import_bytes(INTERVIEW.encode(), "a.txt", track="SWU", wp=2)
        project.add_consent("SWU-P01", "Informationsark v1", "2026-02-01", wps=[3])
        with pytest.raises(ImportFailed, match="covers WP3, not WP2"):
            project.import_bytes(INTERVIEW.encode(), "a.txt", track="SWU", wp=2)
        project.add_consent("SWU-P01", "Informationsark v2", "2026-03-01", wps=[2, 3])  # the newest counts
        assert project.import_bytes(INTERVIEW.encode(), "a.txt", track="SWU", wp=2).status == "imported"


def test_override_is_recorded_in_consent_overrides_and_the_audit_log(tmp_path: Path) -> None:
    with _project(tmp_path / "p") as project:
        p01 = project.participant("SWU-P01").id
        done = project.import_bytes(
            INTERVIEW.encode(), "a.txt", track="SWU", wp=2, consent_override="samtykke givet på papir, indtastes senere"
        )
        assert done.status == "imported"
        assert any("override recorded" in w and "SWU-P01" in w for w in done.warnings)
        assert _overrides(project) == [(p01, 2, "samtykke givet på papir, indtastes senere", "Projektleder Åse")]
        events = project.audit_events(action="consent.override")
        assert [(e.action, e.target, e.details) for e in events] == [
            ("consent.override", "wp:2", {"participants": [p01]})
        ]
        with pytest.raises(ValidationError, match="needs a reason"):
            project.import_bytes(INTERVIEW.encode(), "b.txt", track="SWU", wp=3, consent_override="  ")


def test_a_withdrawn_participant_is_refused_even_with_an_override(tmp_path: Path) -> None:
    with _project(tmp_path / "p") as project:
        project.withdraw_participant("SWU-P01")
        with pytest.raises(ImportFailed, match="SWU-P01, who withdrew"):
            project.import_bytes(INTERVIEW.encode(), "a.txt", track="SWU", wp=2, consent_override="vigtigt materiale")
        assert project.sources() == [] and _overrides(project) == []


def test_cli_refuses_without_consent_and_records_the_leads_override(tmp_path: Path) -> None:
    root = tmp_path / "p"
    _project(root).close()
    (tmp_path / "interview.txt").write_text(INTERVIEW, encoding="utf-8")
    runner = CliRunner()
    base = ["-p", str(root), "--user", "Projektleder Åse", "import", str(tmp_path / "interview.txt")]
    refused = runner.invoke(cli, [*base, "--track", "SWU", "--wp", "2", "--participant", "SWU-P01"])
    assert refused.exit_code != 0
    assert "SWU-P01 (no consent is recorded)" in " ".join(refused.output.split())
    with aia.open_project(root) as project:
        assert project.sources() == []
    reason = ["--override-consent", "samtykke på papir"]
    done = runner.invoke(cli, [*base, "--track", "SWU", "--wp", "2", "--participant", "SWU-P01", *reason])
    assert done.exit_code == 0, done.output
    with aia.open_project(root) as project:
        assert len(project.sources()) == 1
        assert [o[1:3] for o in _overrides(project)] == [(2, "samtykke på papir")]


def test_ai_log_import_naming_a_participant_is_refused_without_consent(tmp_path: Path) -> None:
    data = (AILOGS / "probe_log.ailog.jsonl").read_bytes()
    with _project(tmp_path / "p") as project:
        refused = project.import_ai_log_bytes(data, "log.ailog.jsonl", track="SWU", wp=1, participants=["SWU-P01"])
        assert refused and all(r.status == "failed" for r in refused)  # one result per conversation, each refused
        assert all("SWU-P01 (no consent is recorded)" in r.message for r in refused)
        assert project.sources() == []
        project.add_consent("SWU-P01", "Informationsark v1", "2026-02-01", wps=[1])
        results = project.import_ai_log_bytes(data, "log.ailog.jsonl", track="SWU", wp=1, participants=["SWU-P01"])
        assert results and all(r.status == "imported" for r in results)


def test_refi_import_checks_matched_cases_strictly_and_reports_new_ones(tmp_path: Path) -> None:
    reason = "samtykke på papir"
    with _project(tmp_path / "a") as first:
        first.import_bytes(
            INTERVIEW.encode(), "a.txt", track="SWU", wp=2, participants=["SWU-P01"], consent_override=reason
        )
        first.export_qdpx(tmp_path / "en.qdpx")
        first.import_bytes(
            FIELD_NOTE.encode(), "b.txt", track="SWU", wp=2, participants=["SWU-P01"], consent_override=reason
        )
        first.export_qdpx(tmp_path / "to.qdpx")
    with aia.init_project(tmp_path / "b", user="Projektleder Åse") as second:
        summary = second.import_qdpx(tmp_path / "en.qdpx")  # SWU-P01 is new to this project: reported
        assert summary.sources == 1
        assert any("new from this file have no consent recorded: SWU-P01" in w for w in summary.warnings)
        with pytest.raises(ImportFailed, match=r"SWU-P01 \(no consent is recorded\)"):  # now registered: refused
            second.import_qdpx(tmp_path / "to.qdpx")
        assert len(second.sources()) == 1
        done = second.import_qdpx(tmp_path / "to.qdpx", consent_override=reason)
        assert done.sources == 1 and [o[1:3] for o in _overrides(second)] == [(2, reason)]


def test_the_service_refuses_an_override_from_anyone_but_the_lead(tmp_path: Path) -> None:
    """The role check is in the service, so every face (CLI, web, Python API) gets it, not only the CLI."""
    from aia.errors import NotAllowedError

    root = tmp_path / "p"
    with _project(root) as project:
        project.add_account("åse", "et langt kodeord til lederen", "lead")
        project.add_account("bo", "et langt kodeord til kodøren", "coder")
        field_note = project.import_bytes(FIELD_NOTE.encode(), "d.txt", track="SWU", wp=2).source_id
        activity = project.add_activity("SWU", 3, "workshop", "Workshop om AI-forordningen").id
    assert field_note is not None
    with aia.open_project(root, user="bo") as coder:
        with pytest.raises(NotAllowedError, match=r"for the project lead.*'bo' is a coder"):
            coder.import_bytes(INTERVIEW.encode(), "a.txt", track="SWU", wp=2, consent_override="papirsamtykke")
        with pytest.raises(NotAllowedError, match="moving a source without covering consent"):
            coder.move_source(field_note, activity, consent_override="papirsamtykke")
        assert len(coder.sources()) == 1 and _overrides(coder) == []
    with aia.open_project(root, user="åse") as lead:
        done = lead.import_bytes(INTERVIEW.encode(), "a.txt", track="SWU", wp=2, consent_override="papirsamtykke")
        assert done.status == "imported" and len(_overrides(lead)) == 1
