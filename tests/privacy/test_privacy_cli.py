"""The key store and review commands: aia init (with key store), aia keys …, aia import, aia pseudonymise …"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from aia.cli import cli

PASSPHRASE = "korrekt hest batteri hæfteklamme"
TEXT = """Interviewer: Hvem hjalp dig med Copilot?
Mette Kjærgaard: Det gjorde Jonas. Skriv til mette@kodehuset.dk eller ring 22 33 44 55.
"""


@pytest.fixture
def aia_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AIA_USER", "Forsker A")
    monkeypatch.setenv("AIA_KEYSTORE_PASSPHRASE", PASSPHRASE)
    project = tmp_path / "projekt"
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True) -> Result:
        result = runner.invoke(cli, ["--project", str(project), *args], catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output + result.stderr
        return result

    out = invoke("init", str(project)).output
    assert "keys.aia" in out and (project / "keys.aia").is_file()
    invoke("track", "add", "Softwareudviklere", "--prefix", "SWU")
    invoke("participant", "add", "--track", "SWU", "--role", "AI-champion")
    invoke("keys", "person", "SWU-P01", "--name", "Mette Kjærgaard", "--email", "mette@kodehuset.dk")
    (tmp_path / "interview.txt").write_text(TEXT, encoding="utf-8")
    return invoke


def test_import_reports_replacements_and_review_lists_them(aia_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = aia_cli("import", str(tmp_path / "interview.txt"), "--track", "SWU", "--wp", "2").output
    assert "identifiers replaced" in out and "aia pseudonymise review 1" in out
    listing = aia_cli("pseudonymise", "review", "1").output
    assert "(was 'mette@kodehuset.dk')" in listing and "[SWU-P01]" in listing
    items = json.loads(aia_cli("pseudonymise", "review", "1", "--json").output)
    email = next(i for i in items if i["kind"] == "EMAIL")
    phone = next(i for i in items if i["kind"] == "PHONE")
    assert email["status"] == "replaced" and phone["replacement"].startswith("[PHONE-")
    assert f"rejected {phone['id']}" in aia_cli("pseudonymise", "review", "1", "--reject", str(phone["id"])).output
    shown = json.loads(aia_cli("source", "show", "1", "--json").output)["source"]["text"]
    assert "22 33 44 55" in shown and "mette@kodehuset.dk" not in shown and "Kjærgaard" not in shown


def test_keys_list_hides_values_unless_asked(aia_cli) -> None:  # type: ignore[no-untyped-def]
    hidden = aia_cli("keys", "list").output
    assert "SWU-P01" in hidden and "Kjærgaard" not in hidden
    assert "Kjærgaard" in aia_cli("keys", "list", "--reveal").output


def test_locked_key_store_is_a_clear_error(aia_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("AIA_KEYSTORE_PASSPHRASE")
    result = aia_cli("import", str(tmp_path / "interview.txt"), "--track", "SWU", "--wp", "2", ok=False)
    assert result.exit_code == 1
    assert "is locked; set AIA_KEYSTORE_PASSPHRASE" in result.stderr
    assert json.loads(aia_cli("sources", "list", "--json").output) == []


def test_settings_and_no_pseudonymise(aia_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = aia_cli("pseudonymise", "settings", "--originals", "none").output
    assert "pseudonymisation at import: on" in out and "originals: none" in out
    aia_cli("import", str(tmp_path / "interview.txt"), "--track", "SWU", "--wp", "5", "--no-pseudonymise")
    shown = json.loads(aia_cli("source", "show", "1", "--json").output)["source"]["text"]
    assert "Kjærgaard" in shown


def test_init_without_passphrase_on_a_pipe_explains(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIA_KEYSTORE_PASSPHRASE", raising=False)
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "p")])
    assert result.exit_code == 1
    assert "set AIA_KEYSTORE_PASSPHRASE, or pass --no-keystore" in result.stderr
    assert not (tmp_path / "p").exists()
