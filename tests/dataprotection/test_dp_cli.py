"""The data-protection commands: withdraw, erasure list/report, exports."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from dp_helpers import PASSPHRASE, canary_project, hits

from aia.cli import cli


def test_withdraw_cli_prints_the_report_with_earlier_exports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "projekt"
    canary_project(root).close()
    monkeypatch.setenv("AIA_KEYSTORE_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("AIA_USER", "Projektleder Åse")
    runner = CliRunner()
    p = ["-p", str(root)]
    assert runner.invoke(cli, [*p, "export", "qdpx", str(tmp_path / "før.qdpx")]).exit_code == 0
    listed = runner.invoke(cli, [*p, "exports"])
    assert "qdpx" in listed.output and "før.qdpx" in listed.output
    refused = runner.invoke(cli, [*p, "participant", "withdraw", "SWU-P01"], input="n\n")
    assert refused.exit_code == 1 and hits(root)
    result = runner.invoke(cli, [*p, "participant", "withdraw", "SWU-P01", "--yes"])
    assert result.exit_code == 0, result.output
    assert "erasure 1 of SWU-P01: done" in result.output
    assert "earlier export: qdpx" in result.output and "key store entry: done" in result.output
    assert hits(root) == []
    jobs = runner.invoke(cli, [*p, "erasure", "list"])
    assert "1: SWU-P01 (withdrawal) by Projektleder Åse" in jobs.output
    report = runner.invoke(cli, [*p, "erasure", "report", "1"])
    assert "earlier export: qdpx" in report.output
    audit = runner.invoke(cli, [*p, "audit", "list", "--action", "participant.erase"])
    assert "participant.erase participant:SWU-P01" in audit.output
    verify = runner.invoke(cli, [*p, "audit", "verify"])
    assert verify.exit_code == 0 and "intact" in verify.output
