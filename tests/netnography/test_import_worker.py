"""A netnography import that shares its per-thread work with a worker process (issue 5, Performance) stores the
same rows as one that does it all in one process, and stores nothing when the work fails in the worker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from nn_helpers import PASSPHRASE, SE, keyed_project

from aia.netnography.model import DumpError, Thread
from aia.project import Project
from aia.services import netnography as service

_REAL_WORK = service._thread_work


def _failing_work(state: Any, thread: Thread) -> Any:
    """The per-thread work, failing on one thread (module level: the worker process imports it from here)."""
    if thread.thread_id == "41":
        raise ValueError("tråd 41 kunne ikke behandles")
    return _REAL_WORK(state, thread)


def _corpus_rows(project: Project, source_ids: list[int]) -> list[tuple[Any, ...]]:
    marks = ",".join("?" * len(source_ids))
    with project.engine.connect() as conn:
        sources = conn.exec_driver_sql(
            f"SELECT title, date, importer, original_filename, sha256, size, metadata, text FROM sources "
            f"WHERE id IN ({marks}) ORDER BY id",
            tuple(source_ids),
        ).all()
        segments = conn.exec_driver_sql(
            f'SELECT ordinal, kind, start, "end", speaker, author, parent_ordinal, meta, stem, plain FROM segments '
            f"WHERE source_id IN ({marks}) ORDER BY id",
            tuple(source_ids),
        ).all()
        findings = conn.exec_driver_sql(
            f'SELECT start, "end", kind, detector, status, replacement, value_enc IS NULL, confidence '
            f"FROM pseudonymisation_findings WHERE source_id IN ({marks}) ORDER BY id",
            tuple(source_ids),
        ).all()
    return [tuple(r) for r in [*sources, *segments, *findings]]


def test_worker_import_stores_what_a_one_process_import_stores(tmp_path: Path) -> None:
    project = keyed_project(tmp_path)
    project.unlock_keys(PASSPHRASE)
    alone = project.import_corpus(SE, "SWU", "Cykler i én proces", parallel=False)
    shared = project.import_corpus(SE, "SWU", "Cykler med arbejdsproces", parallel=True)
    assert alone.corpus.threads == shared.corpus.threads > 100
    assert alone.corpus.posts == shared.corpus.posts
    assert alone.findings == shared.findings
    assert _corpus_rows(project, alone.source_ids) == _corpus_rows(project, shared.source_ids)
    project.close()


def test_an_error_in_the_worker_stores_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = keyed_project(tmp_path)
    project.unlock_keys(PASSPHRASE)
    monkeypatch.setattr(service, "_thread_work", _failing_work)
    with pytest.raises(ValueError, match="tråd 41"):
        project.import_corpus(SE, "SWU", "Cykler der fejler", parallel=True)
    assert project.corpora() == []
    with project.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM sources").scalar() == 0
        assert conn.exec_driver_sql("SELECT count(*) FROM activities").scalar() == 0
    project.close()


def _index_settings(project: Project) -> dict[str, int]:
    with project.engine.connect() as conn:
        return dict(conn.exec_driver_sql("SELECT k, v FROM segments_fts_config WHERE k != 'version'").all())


def test_the_index_keeps_its_settings_after_an_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the import indexes with larger FTS5 flushes and merges, and puts the index's own settings back
    project = keyed_project(tmp_path)
    project.unlock_keys(PASSPHRASE)
    project.import_corpus(SE, "SWU", "Cykler", parallel=False)
    assert _index_settings(project) == {"hashsize": 1 << 20, "automerge": 4}
    with project.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO segments_fts(segments_fts, rank) VALUES ('automerge', 6)")
    seen: list[dict[str, int]] = []

    def work(state: Any, thread: Thread) -> Any:
        if not seen:  # a reader during the import sees the committed settings, not the import's
            seen.append(_index_settings(project))
        return _REAL_WORK(state, thread)

    monkeypatch.setattr(service, "_thread_work", work)
    project.import_corpus(SE, "SWU", "Cykler igen", parallel=False)
    assert seen == [{"hashsize": 1 << 20, "automerge": 6}]
    assert _index_settings(project) == {"hashsize": 1 << 20, "automerge": 6}
    with project.engine.connect() as conn:
        conn.exec_driver_sql("INSERT INTO segments_fts(segments_fts, rank) VALUES ('integrity-check', 1)")
    project.close()


def test_a_dump_malformed_midway_stores_nothing_while_the_worker_converts(tmp_path: Path) -> None:
    # the worker turns bodies into text while Posts.xml is read; the XML error midway still ends the import cleanly
    folder = tmp_path / "site"
    folder.mkdir()
    posts = (SE / "Posts.xml").read_bytes()
    (folder / "Posts.xml").write_bytes(posts[: len(posts) * 2 // 3])
    project = keyed_project(tmp_path)
    project.unlock_keys(PASSPHRASE)
    with pytest.raises(DumpError, match=r"Posts\.xml is not well-formed XML at line \d+"):
        project.import_corpus(folder, "SWU", "Halve cykler", parallel=True)
    assert project.corpora() == []
    with project.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM sources").scalar() == 0
    shared = project.import_corpus(SE, "SWU", "Hele cykler", parallel=True)  # the next import works
    assert shared.corpus.threads > 100
    project.close()
