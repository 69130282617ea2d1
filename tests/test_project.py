"""Project directories: create, open, refuse what is not ours, migrate older projects with a backup."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

import aia
from aia.errors import ProjectError, ProjectTooNewError
from aia.project import DB_NAME
from aia.store import migrations
from aia.store.database import read, sqlite_engine


def test_init_creates_database_and_files_dir(tmp_path: Path) -> None:
    with aia.init_project(tmp_path / "p", name="AiA") as project:
        assert project.name == "AiA"
    assert (tmp_path / "p" / DB_NAME).is_file()
    assert (tmp_path / "p" / "files").is_dir()
    con = sqlite3.connect(tmp_path / "p" / DB_NAME)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_connection_settings(project: aia.Project) -> None:
    with read(project.engine) as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000


def test_init_refuses_existing_project_and_non_empty_dir(tmp_path: Path) -> None:
    aia.init_project(tmp_path / "p").close()
    with pytest.raises(ProjectError, match="is a project already"):
        aia.init_project(tmp_path / "p")
    (tmp_path / "q").mkdir()
    (tmp_path / "q" / "noter.txt").write_text("hej")
    with pytest.raises(ProjectError, match="not empty"):
        aia.init_project(tmp_path / "q")


def test_open_refuses_a_directory_that_is_not_a_project(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="not an aia project"):
        aia.open_project(tmp_path)
    (tmp_path / DB_NAME).write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(ProjectError, match="not a readable SQLite database"):
        aia.open_project(tmp_path)


def test_open_refuses_a_project_from_a_newer_aia(tmp_path: Path) -> None:
    aia.init_project(tmp_path / "p").close()
    con = sqlite3.connect(tmp_path / "p" / DB_NAME)
    con.execute("INSERT INTO schema_migrations VALUES (?, 'from the future', '2030-01-01')", (migrations.HEAD + 1,))
    con.commit()
    con.close()
    with pytest.raises(ProjectTooNewError, match="newer version of aia"):
        aia.open_project(tmp_path / "p")


def test_older_project_is_backed_up_then_migrated(tmp_path: Path) -> None:
    """A project at schema 1 (before the search index) opens in this version: backup first, then upgrade."""
    root = tmp_path / "gammel"
    (root / "files").mkdir(parents=True)
    engine = sqlite_engine(root / DB_NAME)
    migrations.apply(engine, target=1)
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO tracks VALUES (1, 'g1', 'Softwareudviklere', 'SWU', '', '2026-01-01')")
        conn.exec_driver_sql("INSERT INTO work_packages VALUES (1, 1, 2, 'Interviews', 'CIT', '')")
        conn.exec_driver_sql("INSERT INTO files VALUES ('abc', 3, '2026-01-01')")
        conn.exec_driver_sql(
            "INSERT INTO sources (id, guid, wp_id, title, importer, original_filename, sha256, size, text, "
            "metadata, created_at, imported_by) VALUES (1, 's1', 1, 'Gammelt interview', 'text', 'a.txt', 'abc',"
            " 3, 'Bilerne holdt stille.', '{}', '2026-01-01', 'A')"
        )
        conn.exec_driver_sql(
            'INSERT INTO segments (source_id, ordinal, kind, start, "end", meta, stem, plain) '
            "VALUES (1, 0, 'paragraph', 0, 21, '{}', 'bil hold stil', 'bilerne holdt stille')"
        )
    engine.dispose()

    with aia.open_project(root) as project:
        assert project.upgrade_notice is not None
        backups = sorted(root.glob(f"{DB_NAME}.backup-v1-*"))
        assert len(backups) == 1
        assert str(backups[0]) in project.upgrade_notice
        with read(project.engine) as conn:
            assert migrations.current_version(conn) == migrations.HEAD
        # the new search index covers what was there before the upgrade
        assert project.search("bilen").total == 1
    backup = sqlite3.connect(backups[0])
    assert backup.execute("SELECT max(number) FROM schema_migrations").fetchone()[0] == 1
    assert backup.execute("SELECT title FROM sources").fetchone()[0] == "Gammelt interview"
    backup.close()
    # opening again does not back up again
    aia.open_project(root).close()
    assert len(list(root.glob(f"{DB_NAME}.backup-*"))) == 1


def test_current_project_opens_without_backup(tmp_path: Path) -> None:
    aia.init_project(tmp_path / "p").close()
    with aia.open_project(tmp_path / "p") as project:
        assert project.upgrade_notice is None
    assert not list((tmp_path / "p").glob("*.backup-*"))


def test_schema_has_no_sqlite_only_types(project: aia.Project) -> None:
    """The core tables compile for PostgreSQL too (search is the one backend-specific part)."""
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateTable

    from aia.store.schema import metadata

    for table in metadata.sorted_tables:
        ddl = str(CreateTable(table).compile(dialect=postgresql.dialect()))
        assert "CREATE TABLE" in ddl
    assert isinstance(project.engine, sa.Engine)


def test_open_removes_temp_files_of_dead_imports_only(tmp_path: Path) -> None:
    import os
    import subprocess

    from aia.project import remove_stale_temp_files

    with aia.init_project(tmp_path / "p"):
        pass
    folder = tmp_path / "p" / "files" / "ab"
    folder.mkdir(parents=True)
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = folder / f".tmp-{dead.pid}-ab12"
    live = folder / f".tmp-{os.getpid()}-ab34"
    stale.write_bytes(b"halvt skrevet")
    live.write_bytes(b"skrives lige nu")
    with aia.open_project(tmp_path / "p"):
        pass
    assert not stale.exists() and live.exists()
    assert remove_stale_temp_files(tmp_path / "p" / "files") == 0
