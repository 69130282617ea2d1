"""Backup and restore: consistent while the project is written to, reproduces it, refuses tampering."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from dp_helpers import CHEAP, PASSPHRASE, canary_project

import aia
from aia.cli import cli
from aia.errors import ValidationError
from aia.services.backup import BackupError, restore_backup

WRITER = """
import sys, aia
with aia.open_project(sys.argv[1], user="Skriver") as p:
    i = 0
    while True:
        p.import_bytes(f"Interviewer: Hvordan gik dag {i}?\\n\\nSWU-P01: Fint, tak. Vi prøvede Copilot igen.".encode(),
                       f"dag{i}.txt", "SWU", 2, pseudonymise=False)
        p.add_memo(f"memo {i}", "Ærlig snak om værktøjer.")
        i += 1
"""


def _state(root: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], list[str]]:
    conn = sqlite3.connect(root / "aia.sqlite")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        sources = conn.execute("SELECT id, title, sha256, text FROM sources ORDER BY id").fetchall()
        memos = conn.execute("SELECT title, body FROM memos ORDER BY id").fetchall()
        shas = [r[0] for r in conn.execute("SELECT sha256 FROM files ORDER BY sha256")]
    finally:
        conn.close()
    return sources, memos, shas


def test_backup_restore_reproduces_the_project_without_keys(tmp_path: Path) -> None:
    root = tmp_path / "projekt"
    canary_project(root).close()
    with aia.open_project(root) as project:
        summary = project.backup(tmp_path / "backup.tar")
        assert summary == {"files": 3, "missing_files": 0, "encrypted": False, "includes_keys": False}
    with tarfile.open(tmp_path / "backup.tar") as tar:
        assert "keys.aia" not in tar.getnames()
    restored = restore_backup(tmp_path / "backup.tar", tmp_path / "gendannet")
    assert _state(restored)[:2] == _state(root)[:2]
    assert sorted(p.name for p in (restored / "files").rglob("*") if p.is_file()) == sorted(_state(root)[2])
    with aia.open_project(restored) as again:
        assert len(again.sources()) == 3 and not again.has_keystore()
        assert again.verify_audit() == []
        assert [e["kind"] for e in again.exports()] == []  # the backup is registered after the snapshot
    with aia.open_project(root) as project:
        assert [e["kind"] for e in project.exports()] == ["backup"]


def test_encrypted_backup_with_keys_and_tampering(tmp_path: Path) -> None:
    root = tmp_path / "projekt"
    canary_project(root).close()
    archive = tmp_path / "backup.aiabak"
    with aia.open_project(root) as project:
        project.backup(archive, passphrase="backup-løsen 123", include_keys=True, kdf=CHEAP)
    data = archive.read_bytes()
    assert b"Kj\xc3\xa6rgaard" not in data and b"SQLite format 3" not in data
    with pytest.raises(BackupError, match="wrong passphrase"):
        restore_backup(archive, tmp_path / "forkert", "forkert løsen!")
    for position in (len(data) // 2, len(data) - 5, 40):
        tampered = tmp_path / f"ændret{position}.aiabak"
        tampered.write_bytes(data[:position] + bytes([data[position] ^ 1]) + data[position + 1 :])
        with pytest.raises(BackupError):
            restore_backup(tampered, tmp_path / f"ud{position}", "backup-løsen 123")
        assert not (tmp_path / f"ud{position}").exists()
    truncated = tmp_path / "afkortet.aiabak"
    truncated.write_bytes(data[: len(data) - 100])
    with pytest.raises(BackupError):
        restore_backup(truncated, tmp_path / "ud-afkortet", "backup-løsen 123")
    restored = restore_backup(archive, tmp_path / "gendannet", "backup-løsen 123")
    assert (restored / "keys.aia").read_bytes() == (root / "keys.aia").read_bytes()
    with aia.open_project(restored) as again:
        assert again.unlock_keys(PASSPHRASE).person("SWU-P01") is not None


def test_restore_refuses_a_non_empty_directory_and_foreign_tar(tmp_path: Path) -> None:
    root = tmp_path / "projekt"
    canary_project(root).close()
    with aia.open_project(root) as project:
        project.backup(tmp_path / "b.tar")
    (tmp_path / "optaget").mkdir()
    (tmp_path / "optaget" / "x").write_text("x")
    with pytest.raises(ValidationError, match="not empty"):
        restore_backup(tmp_path / "b.tar", tmp_path / "optaget")
    evil = tmp_path / "ond.tar"
    with tarfile.open(evil, "w") as tar:
        tar.add(root / "aia.sqlite", arcname="../aia.sqlite")
    with pytest.raises(BackupError, match="unexpected entry"):
        restore_backup(evil, tmp_path / "ud")


def test_backup_while_another_process_writes_is_consistent(tmp_path: Path) -> None:
    root = tmp_path / "projekt"
    with aia.init_project(root, user="Forsker A") as project:
        project.add_track("Softwareudviklere", prefix="SWU")
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(root)], stderr=subprocess.PIPE)
    try:
        time.sleep(1.5)
        with aia.open_project(root) as project:
            for i in range(4):
                project.backup(tmp_path / f"b{i}.tar")
                time.sleep(0.2)
    finally:
        writer.kill()
        writer.wait()
    counts = []
    for i in range(4):
        restored = restore_backup(tmp_path / f"b{i}.tar", tmp_path / f"r{i}")
        sources, memos, shas = _state(restored)
        # whole transactions only: every import has its memo or is the last one, titles are consecutive
        assert [m[0] for m in memos] == [f"memo {n}" for n in range(len(memos))]
        assert len(sources) in (len(memos), len(memos) + 1)
        on_disk = {p.name for p in (restored / "files").rglob("*") if p.is_file()}
        assert set(shas) <= on_disk
        counts.append(len(memos))
    assert counts == sorted(counts) and counts[-1] > 0


def test_backup_cli_encrypted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "projekt"
    canary_project(root).close()
    monkeypatch.setenv("AIA_BACKUP_PASSPHRASE", "backup-løsen 123")
    runner = CliRunner()
    out = tmp_path / "b.aiabak"
    made = runner.invoke(cli, ["-p", str(root), "backup", str(out), "--encrypt"])
    assert made.exit_code == 0, made.output
    restored = runner.invoke(cli, ["restore", str(out), str(tmp_path / "ny")])
    assert restored.exit_code == 0, restored.output
    assert (tmp_path / "ny" / "aia.sqlite").is_file() and not (tmp_path / "ny" / "keys.aia").exists()
