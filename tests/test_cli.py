"""Every CLI command, in-process: output, --json, and 'error: <sentence>' with exit status 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from aia.cli import cli


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AIA_USER", "Forsker A")
    monkeypatch.setenv("AIA_KEYSTORE_PASSPHRASE", "korrekt hest batteri hæfteklamme")
    project = tmp_path / "projekt"
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True, stdin: str | None = None) -> Result:
        result = runner.invoke(cli, ["--project", str(project), *args], input=stdin, catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output + result.stderr
        return result

    invoke("init", str(project))
    return invoke


@pytest.fixture
def filled(run, interview_file: Path):  # type: ignore[no-untyped-def]
    run("track", "add", "Softwareudviklere", "--prefix", "SWU", "--description", "Udviklere i SMV'er")
    run("organisation", "add", "Kodehuset ApS", "--sector", "Software", "--size", "12 ansatte")
    run(
        "participant",
        "add",
        "--track",
        "SWU",
        "--role",
        "AI-champion",
        "--organisation",
        "ORG-01",
        "--attr",
        "erfaring=8 år",
    )
    run("consent", "add", "SWU-P01", "--sheet-version", "Informationsark v1", "--date", "2026-02-01", "--wp", "2")
    run(
        "activity",
        "add",
        "--track",
        "SWU",
        "--wp",
        "2",
        "--kind",
        "interview",
        "--title",
        "Interview med Mette",
        "--date",
        "2026-03-12",
        "--researcher",
        "Forsker A",
        "--participant",
        "SWU-P01",
    )
    run("import", str(interview_file), "--activity", "1", "--participant", "SWU-P01")
    run("code", "add", "Læring og kompetence", "--description", "Hvordan kompetencer opstår")
    run("code", "add", "Læring gennem fejl", "--parent", "Læring og kompetence")
    return run


def test_init_twice_is_an_error(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("init", str(tmp_path / "projekt"), ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and "is a project already" in result.stderr


def test_command_outside_a_project_explains(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--project", str(tmp_path / "nope"), "track", "list"])
    assert result.exit_code == 1
    assert "error:" in result.stderr and "aia init" in result.stderr


def test_project_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(tmp_path / "p"), "--no-keystore"]).exit_code == 0
    monkeypatch.setenv("AIA_PROJECT", str(tmp_path / "p"))
    assert runner.invoke(cli, ["track", "add", "Sygeplejersker"]).exit_code == 0
    assert "Sygeplejersker" in runner.invoke(cli, ["track", "list"]).output


def test_structure_listings(filled) -> None:  # type: ignore[no-untyped-def]
    assert "SWU    Softwareudviklere" in filled("track", "list").output
    tracks = json.loads(filled("track", "list", "--json").output)
    assert tracks[0]["prefix"] == "SWU"
    wps = json.loads(filled("wp", "list", "--track", "SWU", "--json").output)
    assert [w["number"] for w in wps] == [1, 2, 3, 4, 5]
    assert "WP4 Netnografi" in filled("wp", "list").output
    acts = json.loads(filled("activity", "list", "--json").output)
    assert acts[0]["title"] == "Interview med Mette" and acts[0]["wp"] == 2
    assert "Interview med Mette" in filled("activity", "list", "--track", "SWU", "--wp", "2").output
    people = json.loads(filled("participant", "list", "--json").output)
    assert people[0]["pseudonym"] == "SWU-P01" and people[0]["attributes"] == {"erfaring": "8 år"}
    assert "SWU-P01" in filled("participant", "list", "--track", "SWU").output
    assert json.loads(filled("organisation", "list", "--json").output)[0]["code"] == "ORG-01"
    assert "Kodehuset ApS" in filled("organisation", "list").output


def test_status(filled) -> None:  # type: ignore[no-untyped-def]
    cells = json.loads(filled("status", "--json").output)
    wp2 = next(c for c in cells if c["wp"] == 2)
    assert (wp2["activities"], wp2["sources"]) == (1, 1) and wp2["segments"] > 0
    assert "Softwareudviklere" in filled("status").output


def test_import_skip_force_and_failure(filled, interview_file: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    again = filled("import", str(interview_file), "--activity", "1")
    assert "skipped" in again.output and "--force" in again.output
    forced = json.loads(filled("import", str(interview_file), "--activity", "1", "--force", "--json").output)
    assert forced[0]["status"] == "imported"
    bad = tmp_path / "brud.vtt"
    bad.write_text("WEBVTT\n\n00:01.000 --> banan\nHej\n", encoding="utf-8")
    result = filled("import", str(bad), "--track", "SWU", "--wp", "3", ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot import brud.vtt, line 3")
    assert len(json.loads(filled("sources", "list", "--json").output)) == 2


def test_sources_and_source_show(filled) -> None:  # type: ignore[no-untyped-def]
    listed = json.loads(filled("sources", "list", "--track", "SWU", "--json").output)
    assert listed[0]["original_filename"] == "interview_mette.txt" and "text" not in listed[0]
    assert "interview_mette" in filled("sources", "list").output
    shown = json.loads(filled("source", "show", "1", "--json").output)
    assert shown["participants"] == ["SWU-P01"]
    first = shown["segments"][0]
    assert first["speaker"] == "Interviewer"
    assert first["text"] == shown["source"]["text"][first["start"] : first["end"]]
    text = filled("source", "show", "1").output
    assert "[1]" in text and "Mette" not in text and "[PERSON-" in text  # pseudonymised at import


def test_codebook_commands(filled) -> None:  # type: ignore[no-untyped-def]
    filled("code", "add", "Fejl", "--color", "#123456", "--why", "ny idé")
    filled("code", "rename", "Fejl", "Fejl og mangler")
    filled("code", "describe", "Fejl og mangler", "--description", "Når AI tager fejl")
    filled("code", "move", "Fejl og mangler", "--parent", "Læring og kompetence")
    tree = json.loads(filled("code", "list", "--json").output)
    assert [n["path"] for n in tree] == [
        "Læring og kompetence",
        "Læring og kompetence/Fejl og mangler",
        "Læring og kompetence/Læring gennem fejl",
    ]
    filled("coding", "segment", "1", "3", "Fejl og mangler")
    merged = filled("code", "merge", "Fejl og mangler", "Læring gennem fejl", "--why", "overlap")
    assert "1 codings moved" in merged.output
    refused = filled("code", "delete", "Læring gennem fejl", ok=False)
    assert refused.exit_code == 1 and "--force" in refused.stderr
    assert "and 1 codings" in filled("code", "delete", "Læring gennem fejl", "--force").output
    filled("code", "add", "Top")
    filled("code", "move", "Top", "--parent", "Læring og kompetence")
    filled("code", "move", "Top", "--top")
    usage = filled("code", "move", "Top", ok=False)
    assert usage.exit_code == 2
    history = json.loads(filled("code", "history", "--json").output)
    assert [e["action"] for e in history].count("merge") == 1
    assert "ny idé" in filled("code", "history").output
    assert "Top" in filled("code", "list").output


def test_coding_and_retrieval_commands(filled) -> None:  # type: ignore[no-untyped-def]
    text = json.loads(filled("source", "show", "1", "--json").output)["source"]["text"]
    start = text.index("stolede blindt")
    added = filled("coding", "add", "1", str(start), str(start + 14), "Læring gennem fejl", "--comment", "tillid")
    assert "'stolede blindt'" in added.output
    codings = json.loads(filled("coding", "list", "--source", "1", "--json").output)
    assert codings[0]["start"] == start and codings[0]["comment"] == "tillid"
    assert "Læring gennem fejl" in filled("coding", "list", "--code", "Læring og kompetence", "--subcodes").output
    got = json.loads(filled("code", "retrieve", "Læring gennem fejl", "--json").output)
    assert got[0]["text"] == "stolede blindt" and got[0]["speaker"].startswith("[PERSON-")  # pseudonymised
    shown = filled("code", "retrieve", "Læring og kompetence", "--subcodes").output
    assert "1 coded passages" in shown and "WP2" in shown
    bad = filled("coding", "add", "1", "5", "2", "Læring gennem fejl", ok=False)
    assert bad.exit_code == 1 and "not inside source 1" in bad.stderr
    filled("coding", "remove", str(codings[0]["id"]))
    assert json.loads(filled("coding", "list", "--json").output) == []


def test_memo_commands(filled) -> None:  # type: ignore[no-untyped-def]
    filled("memo", "add", "--title", "Spor fra litteraturen", "--body", "Becker: *becoming*")
    filled("memo", "add", "--title", "Om koden", "--on", "code:Læring gennem fejl", stdin="Fra stdin\n")
    filled("memo", "add", "--title", "Om Mette", "--on", "participant:SWU-P01", "--body", "x")
    memos = json.loads(filled("memo", "list", "--json").output)
    assert [m["target_type"] for m in memos] == ["project", "code", "participant"]
    assert memos[1]["body"] == "Fra stdin\n"
    assert "Om koden" in filled("memo", "list", "--on", "code:Læring gennem fejl").output
    bad = filled("memo", "add", "--title", "x", "--body", "y", "--on", "source:99", ok=False)
    assert bad.exit_code == 1 and "no source 99" in bad.stderr
    assert filled("memo", "add", "--title", "x", "--body", "y", "--on", "banan", ok=False).exit_code == 2


def test_search_command(filled) -> None:  # type: ignore[no-untyped-def]
    out = filled("search", "udvikleren").output
    assert "segments match 'udvikleren'" in out and "[udvikler]" in out
    page = json.loads(filled("search", "kodegennemgangen", "--track", "SWU", "--wp", "2", "--json").output)
    assert page["total"] == 1 and page["hits"][0]["speaker"].startswith("[PERSON-")
    none = json.loads(filled("search", "kodegennemgang", "--wp", "3", "--json").output)
    assert none["total"] == 0
    for hostile in ['"', "(", "NEAR(", "a:b", "*", "AND OR"]:
        result = filled("search", hostile, ok=False)
        assert result.exit_code in (0, 1)
        if result.exit_code == 1:
            assert result.stderr.startswith("error: ")


def test_version_and_help(run) -> None:  # type: ignore[no-untyped-def]
    assert "aia, version" in run("--version").output
    assert "import" in run("--help").output
