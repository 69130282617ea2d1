"""Consent as data, and retention (reliability.md acceptance test 10)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from dp_helpers import CHEAP, PASSPHRASE, canary_project, hits

import aia
from aia.cli import cli
from aia.errors import KeyStoreError, NotFoundError, ValidationError
from aia.project import Project


def test_consent_records_and_check(swu: Project, tmp_path: Path) -> None:
    swu.create_keystore(PASSPHRASE, kdf=CHEAP)
    form = tmp_path / "samtykke_underskrevet.pdf"
    form.write_bytes(b"%PDF-1.4 underskrevet af deltageren \xc3\xa6\xc3\xb8\xc3\xa5")
    person = swu.add_participant("SWU")  # SWU-P02: the fixture records consent for SWU-P01 only
    assert [str(p) for p in swu.check_consent([person.id], 2)] == ["SWU-P02: no consent is recorded"]
    record = swu.add_consent("SWU-P02", "v1.2", "2026-02-01", "consent", [2, 3], audio=True, quotes=True, form=form)
    assert record.wps == (2, 3) and record.audio and record.quotes and not record.reuse
    assert record.form_media_type == "application/pdf"
    assert swu.check_consent([person.id], 2) == []
    problems = swu.check_consent([person.id], 4)
    assert len(problems) == 1 and "covers WP2, WP3, not WP4" in problems[0].problem
    # the form is stored encrypted: its bytes are nowhere in the database
    assert b"underskrevet af deltageren" not in (swu.path / "aia.sqlite").read_bytes()
    assert swu.consent_form("SWU-P02") == ("application/pdf", form.read_bytes())
    # a newer record counts
    swu.add_consent("SWU-P02", "v2", "2026-05-01", "research", [4])
    assert swu.consent("SWU-P02").legal_basis == "research"
    assert swu.check_consent([person.id], 4) == [] and len(swu.check_consent([person.id], 2)) == 1
    swu.override_consent([person.id], 2, "aftalt mundtligt med deltageren")
    assert swu.audit_events(action="consent.override")[0].details == {"participants": [person.id]}


def test_consent_form_needs_the_key_store(swu: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIA_KEYSTORE_PASSPHRASE", raising=False)
    swu.add_participant("SWU")  # SWU-P02, without consent (the fixture records it for SWU-P01)
    form = tmp_path / "blanket.pdf"
    form.write_bytes(b"%PDF")
    with pytest.raises(KeyStoreError):
        swu.add_consent("SWU-P02", "v1", "2026-02-01", wps=[2], form=form)
    with pytest.raises(ValidationError, match="work package 7"):
        swu.add_consent("SWU-P02", "v1", "2026-02-01", wps=[7])
    with pytest.raises(ValidationError, match="legal basis"):
        swu.add_consent("SWU-P02", "v1", "2026-02-01", "samtykke", wps=[2])
    with pytest.raises(NotFoundError):
        swu.consent("SWU-P02")


def test_consent_cli(swu: Project) -> None:
    runner = CliRunner()
    base = ["-p", str(swu.path), "consent"]
    add = runner.invoke(cli, [*base, "add", "SWU-P01", "--sheet-version", "v1", "--date", "2026-02-01", "--wp", "2"])
    assert add.exit_code == 0, add.output
    shown = runner.invoke(cli, [*base, "show", "SWU-P01"])
    assert "informationsark v1" in shown.output and "WP2" in shown.output
    listed = runner.invoke(cli, [*base, "list"])
    assert "SWU-P01: consent, 2026-02-01" in listed.output


def test_retention_check_then_apply_deletes_everything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "projekt"
    project = canary_project(root)
    with pytest.raises(ValidationError, match="has not ended"):
        project.retention_apply("2030-01-01")
    project.set_retention("2027-12-31", 5)
    before = project.retention_check("2032-12-30")
    assert not before.due and before.due_date == "2032-12-31"
    report = project.retention_check("2033-01-01")
    assert report.due and report.counts["sources"] == 3
    assert hits(root)  # a dry run changes nothing
    project.retention_apply("2033-01-01")
    assert not (root / "keys.aia").exists()
    project.close()
    assert hits(root) == []
    with aia.open_project(root) as again:
        assert again.sources() == [] and again.participants() == [] and again.memos() == []
        assert again.verify_audit() == []
        assert [c.name for c in again.codes()] == ["Brug af AI", "Kvalitet"]


def test_retention_anonymise_blanks_identifiers_and_drops_the_key(tmp_path: Path) -> None:
    root = tmp_path / "projekt"
    project = canary_project(root)
    project.set_retention("2020-01-01", 1)
    project.retention_apply("2026-01-01", mode="anonymise")
    project.close()
    assert hits(root) == []
    with aia.open_project(root) as again:
        assert len(again.sources()) == 3  # the material stays, without identifiers and without the key
        assert not again.has_keystore()


def test_retention_cli_dry_run(tmp_path: Path) -> None:
    root = tmp_path / "projekt"
    canary_project(root).close()
    runner = CliRunner()
    assert (
        runner.invoke(cli, ["-p", str(root), "retention", "set", "--end", "2027-06-30", "--years", "5"]).exit_code == 0
    )
    result = runner.invoke(cli, ["-p", str(root), "retention", "check", "--today", "2033-01-01"])
    assert result.exit_code == 0, result.output
    assert "due 2032-06-30: due" in result.output and "would: delete 3 sources" in result.output
    refused = runner.invoke(cli, ["-p", str(root), "retention", "apply", "--today", "2030-01-01", "--yes"])
    assert refused.exit_code == 1 and "has not ended" in refused.output
    assert hits(root)
