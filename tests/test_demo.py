"""The demo project builds from the shipped material, and `aia demo` prints what it built plus a search."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from aia.cli import cli
from aia.demo import build_demo


def test_demo_project_has_the_aia_structure(tmp_path: Path) -> None:
    project, summary = build_demo(tmp_path / "demo")
    with project:
        assert [t.prefix for t in project.tracks()] == ["SWU", "MMD"]
        assert summary.sources >= 8 and summary.codings >= 10 and summary.memos >= 1
        assert summary.warnings == []
        cells = {(c.track, c.wp): c for c in project.status()}
        assert cells[("Softwareudviklere", 2)].sources >= 1
        assert cells[("Multimediedesignere", 2)].sources >= 1
        assert any(c.sources for (t, wp), c in cells.items() if wp == 5)
        assert any(c.sources for (t, wp), c in cells.items() if wp == 3)
        # every demo coding is an exact span of its source
        for coding in project.codings():
            assert project.source(coding.source_id).text[coding.start : coding.end].strip()
        transcripts = [s for s, _, _ in project.sources() if s.importer in ("text", "vtt")]
        assert transcripts
        speakers = {seg.speaker for seg in project.segments(transcripts[0].id)}
        assert "Interviewer" in speakers and len(speakers) >= 2
        assert project.search("værktøjerne").total > 0


def test_demo_command_prints_summary_and_search(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["demo", "--path", str(target)])
    assert result.exit_code == 0, result.output + result.stderr
    assert "built the demo project" in result.output
    assert "segments match 'værktøjerne'" in result.output
    again = CliRunner().invoke(cli, ["demo", "--path", str(target), "--replace"])
    assert again.exit_code == 0
    refused = CliRunner().invoke(cli, ["demo", "--path", str(target)])
    assert refused.exit_code == 1 and "is a project already" in refused.stderr


def test_demo_database_holds_no_identity_from_its_key_store(tmp_path: Path) -> None:
    """The demo pseudonymises at import: the names in its key store appear in no file of the project but keys.aia."""
    project, summary = build_demo(tmp_path / "demo")
    with project:
        assert summary.replaced > 50
        identifiers = [
            value
            for identity in [*project.keys().people().values(), *project.keys().organisations().values()]
            for value in identity.identifiers()
        ]
        assert "Mette Lindholm" in identifiers and "Kodehuset" in identifiers
        speakers = {seg.speaker for s, _, _ in project.sources() for seg in project.segments(s.id)}
        assert "SWU-P01" in speakers  # "Mette:" turns are linked to her pseudonym
    raw = b"".join(f.read_bytes() for f in (tmp_path / "demo").rglob("*") if f.is_file() and f.name != "keys.aia")
    for value in identifiers:
        assert value.encode("utf-8") not in raw, value
