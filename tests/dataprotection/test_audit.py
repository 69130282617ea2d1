"""The hash-chained audit log (reliability.md acceptance test 14)."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import aia
from aia.cli import cli
from aia.project import Project
from aia.store import audit as audit_db


def _events(project: Project) -> None:
    project.add_track("Softwareudviklere", prefix="SWU")
    project.add_participant("SWU")
    project.audit("role.change", "user:Forsker B", {"old": "coder", "new": "lead"})
    project.audit("correction", "source:1", {"old": "Søren", "new": "[SWU-P01]"})
    project.audit("import", "source:1", {"file": "interview_æøå.txt"})


def test_audit_rows_chain_and_verify(project: Project) -> None:
    _events(project)
    events = project.audit_events()
    assert [e.action for e in events] == ["role.change", "correction", "import"]
    assert [e.id for e in events] == [1, 2, 3]
    assert events[1].details == {"old": "Søren", "new": "[SWU-P01]"}
    assert project.verify_audit() == []


def test_app_cannot_update_or_delete_audit_rows(project: Project) -> None:
    _events(project)
    conn = sqlite3.connect(project.path / "aia.sqlite")
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE audit_log SET actor = 'Mallory' WHERE id = 2")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM audit_log WHERE id = 2")
    finally:
        conn.close()
    assert project.verify_audit() == []


def _tamper(path: Path, sql: str) -> None:
    conn = sqlite3.connect(path / "aia.sqlite")
    try:
        conn.execute("DROP TRIGGER audit_log_only_redact")
        conn.execute("DROP TRIGGER audit_log_no_delete")
        conn.execute(sql)
        conn.commit()
    finally:
        conn.close()


def test_edited_row_is_named_by_verify_cli(project: Project) -> None:
    _events(project)
    _tamper(project.path, """UPDATE audit_log SET details = '{"new":"[SWU-P01]","old":"Ole"}' WHERE id = 2""")
    result = CliRunner().invoke(cli, ["-p", str(project.path), "audit", "verify"])
    assert result.exit_code == 1
    assert "audit row 2 was edited" in result.output
    assert "row 1 " not in result.output and "row 3 " not in result.output


@pytest.mark.parametrize("row", [1, 2, 3])
def test_removed_row_is_detected(project: Project, row: int) -> None:
    _events(project)
    _tamper(project.path, f"DELETE FROM audit_log WHERE id = {row}")
    problems = project.verify_audit()
    assert problems and any(str(row) in p for p in problems)


def test_redaction_keeps_the_chain(project: Project) -> None:
    _events(project)
    with aia.store.database.write(project.engine) as conn:
        assert audit_db.redact(conn, [2]) == 1
    assert project.verify_audit() == []
    event = project.audit_events(action="correction")[0]
    assert event.redacted and event.details is None


def test_list_filters_by_user_action_time(tmp_path: Path) -> None:
    with aia.init_project(tmp_path / "p", user="Forsker A") as a:
        a.audit("source.view", "source:1")
    with aia.open_project(tmp_path / "p", user="Forsker B") as b:
        b.audit("export.qdpx", "/tmp/x.qdpx")
        b.audit("source.view", "source:2")
        assert [e.target for e in b.audit_events(user="Forsker B")] == ["/tmp/x.qdpx", "source:2"]
        assert [e.target for e in b.audit_events(action="source.view")] == ["source:1", "source:2"]
        assert [e.action for e in b.audit_events(action="export")] == ["export.qdpx"]
        assert b.audit_events(until="2000-01-01") == []
        assert len(b.audit_events(since="2000-01-01")) == 3
    result = CliRunner().invoke(cli, ["-p", str(tmp_path / "p"), "audit", "list", "--user", "Forsker A"])
    assert result.exit_code == 0 and "source:1" in result.output and "source:2" not in result.output


def test_source_view_and_export_are_audited(swu: Project, interview_file: Path, tmp_path: Path) -> None:
    result = swu.import_files([interview_file], "SWU", 2, pseudonymise=False)[0]
    assert result.source_id is not None
    swu.view_source(result.source_id)
    swu.source(result.source_id)  # internal reads are not views
    swu.export_qdpx(tmp_path / "ud.qdpx")
    actions = [e.action for e in swu.audit_events()]
    assert actions.count("source.view") == 1
    assert "export.qdpx" in actions
    assert [e["kind"] for e in swu.exports()] == ["qdpx"]


@settings(max_examples=15, deadline=None)
@given(
    st.integers(1, 5),
    st.sampled_from(["at", "actor", "action", "target", "details"]),
    st.text(alphabet="abcæøå:-", min_size=1, max_size=8),
)
def test_any_edit_of_any_row_and_field_is_named(row: int, column: str, value: str) -> None:
    with tempfile.TemporaryDirectory() as tmp, aia.init_project(Path(tmp) / "p", user="Forsker A") as project:
        for i in range(5):
            project.audit(f"source.view.{i}", f"source:{i}", {"n": i})
        conn = sqlite3.connect(project.path / "aia.sqlite")
        try:
            old = conn.execute(f"SELECT {column} FROM audit_log WHERE id = ?", (row,)).fetchone()[0]
        finally:
            conn.close()
        new = f'"{value}"' if column == "details" else value
        if new == old:
            return
        _tamper(project.path, f"UPDATE audit_log SET {column} = '{new}' WHERE id = {row}")
        problems = project.verify_audit()
        assert any(f"audit row {row} " in p for p in problems), problems
