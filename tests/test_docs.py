"""Docs that cannot rot: the CLI reference is generated and must match the commands."""

from __future__ import annotations

from pathlib import Path

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
