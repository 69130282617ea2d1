"""Docs that cannot rot: the CLI reference is generated and must match the commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from aia.cli import cli
from aia.docs_cli import render

REPO = Path(__file__).resolve().parents[1]


def test_cli_reference_is_current() -> None:
    written = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert written == render(), "docs/cli.md is stale: run 'make docs' (python -m aia.docs_cli > docs/cli.md)"


def test_cli_reference_covers_every_command() -> None:
    text = render()
    for command in [
        "aia init",
        "aia import",
        "aia search",
        "aia code merge",
        "aia coding add",
        "aia memo add",
        "aia status",
        "aia sources list",
        "aia source show",
        "aia participant add",
    ]:
        assert f"`{command}`" in text


def test_readme_has_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme


def _full_example() -> list[list[str]]:
    """The commands of the guide's "A full example" block, as argument lists (continuations joined)."""
    import shlex

    guide = (REPO / "docs" / "guide.md").read_text(encoding="utf-8")
    block = guide.split("## 7. A full example", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands, pending = [], ""
    for line in block.splitlines():
        line = pending + line.split("  #", 1)[0].rstrip()
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        pending = ""
        if line.strip():
            commands.append(shlex.split(line))
    return commands


def test_guide_full_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every command of the guide's walk-through works as written (on a generated interview.docx)."""
    import docx as python_docx

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AIA_USER", "Forsker A")
    monkeypatch.setenv("AIA_KEYSTORE_PASSPHRASE", "korrekt hest batteri hæfteklamme")  # asked for on a terminal
    document = python_docx.Document()
    for i in range(6):
        document.add_paragraph(f"Interviewer: Hvordan bruger I værktøjerne i kodegennemgang, runde {i}?")
        document.add_paragraph("Mette: Vi prøver os frem med Copilot og lærer af de forslag, værktøjet giver os.")
    document.save(str(tmp_path / "interview.docx"))
    runner = CliRunner()
    commands = _full_example()
    assert len(commands) >= 10
    outputs: dict[str, str] = {}
    for argv in commands:
        if argv[0] == "export":
            name, value = argv[1].split("=", 1)
            monkeypatch.setenv(name, value.replace("$PWD", str(tmp_path)))
            continue
        assert argv[0] == "aia", argv
        result = runner.invoke(cli, argv[1:])
        assert result.exit_code == 0, f"{' '.join(argv)}: {result.output}{result.stderr}"
        outputs[" ".join(argv[1:3])] = result.output
    assert "imported interview.docx" in outputs["import interview.docx"]
    assert "1 coded passages" in outputs["code retrieve"]
    assert "segments match 'værktøjerne'" in outputs["search værktøjerne"]
