"""Importing through the service layer: placement, duplicates, atomicity, stored originals."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa

from aia.errors import ImportFailed, ValidationError
from aia.project import Project
from aia.store import fts5
from aia.store import sources as sources_db
from aia.store.database import read, write
from aia.store.schema import files, segments, sources


def _counts(project: Project) -> tuple[int, int, int, int]:
    with read(project.engine) as conn:
        n = [conn.execute(sa.select(sa.func.count()).select_from(t)).scalar() for t in (sources, segments, files)]
    stored = sum(1 for p in project.files_dir.rglob("*") if p.is_file())
    return (int(n[0] or 0), int(n[1] or 0), int(n[2] or 0), stored)


def test_import_stores_text_segments_speakers_and_original(swu: Project, interview_file: Path) -> None:
    [result] = swu.import_files([interview_file], activity=1, participants=["SWU-P01"])
    assert result.status == "imported", result.message
    source = swu.source(result.source_id or 0)
    assert source.importer == "text"
    assert source.original_filename == "interview_mette.txt"
    assert source.sha256 == hashlib.sha256(interview_file.read_bytes()).hexdigest()
    assert swu.original(source.id) == interview_file.read_bytes()
    assert swu.file_path(source.sha256).parent.name == source.sha256[:2]
    segs = swu.segments(source.id)
    assert [s.speaker for s in segs][:2] == ["Interviewer", "Mette"]
    for seg in segs:
        assert source.text[seg.start : seg.end].strip() == source.text[seg.start : seg.end]
    assert "Copilot" in source.text[segs[1].start : segs[1].end]
    assert swu.source_participants(source.id) == ["SWU-P01"]
    (_, track, wp) = swu.sources()[0]
    assert (track, wp) == ("Softwareudviklere", 2)


def test_same_file_in_same_activity_is_skipped_unless_forced(swu: Project, interview_file: Path) -> None:
    first = swu.import_files([interview_file], activity=1)[0]
    again = swu.import_files([interview_file], activity=1)[0]
    assert again.status == "skipped"
    assert f"source {first.source_id}" in again.message and "--force" in again.message
    forced = swu.import_files([interview_file], activity=1, force=True)[0]
    assert forced.status == "imported" and forced.source_id != first.source_id
    # the same file elsewhere (directly in WP5) is not a duplicate; the original is stored once
    other = swu.import_files([interview_file], track="SWU", wp=5)[0]
    assert other.status == "imported"
    assert _counts(swu)[2:] == (1, 1)


def test_placement_must_be_given_and_consistent(swu: Project, interview_file: Path) -> None:
    with pytest.raises(ValidationError, match="--track and --wp"):
        swu.import_files([interview_file], track="SWU")
    with pytest.raises(ValidationError, match="WP2, not WP3"):
        swu.import_files([interview_file], wp=3, activity=1)
    with pytest.raises(ValidationError, match="another forløb"):
        swu.import_files([interview_file], track="MMD", activity=1)


def test_a_broken_file_leaves_nothing_and_the_others_go_on(swu: Project, interview_file: Path, tmp_path: Path) -> None:
    bad = tmp_path / "ødelagt.docx"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip file")
    missing = tmp_path / "findes-ikke.txt"
    results = swu.import_files([bad, missing, interview_file], track="SWU", wp=2)
    assert [r.status for r in results] == ["failed", "failed", "imported"]
    assert results[0].message.startswith("cannot import ødelagt.docx")
    assert "findes-ikke.txt" in results[1].message
    assert _counts(swu)[0] == 1


def test_failure_while_storing_rolls_back_everything(
    swu: Project, interview_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database failure after every row of the source was written leaves no trace at all."""
    before = _counts(swu)
    original_insert = sources_db.insert_sources

    def insert_then_explode(conn: sa.Connection, items: list[sources_db.NewSource]) -> list[int]:
        original_insert(conn, items)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(sources_db, "insert_sources", insert_then_explode)
    with pytest.raises(RuntimeError):
        swu.import_bytes(interview_file.read_bytes(), "interview.txt", activity=1)
    assert _counts(swu) == before


def test_import_bytes_raises_a_one_sentence_error(swu: Project) -> None:
    with pytest.raises(ImportFailed) as info:
        swu.import_bytes(b"", "tom.txt", track="SWU", wp=5)
    message = str(info.value)
    assert message.startswith("cannot import tom.txt") and message.endswith(".")
    assert message.count(". ") == 0


def test_front_matter_participants_are_linked_and_unknown_ones_reported(swu: Project) -> None:
    note = (
        "---\ntitle: Feltnote fra Kodehuset\ndate: 2026-05-04\nparticipants: [SWU-P01, Jonas]\n---\n\n"
        "Vi sad ved kaffemaskinen, og udviklerne talte om værktøjerne.\n"
    )
    result = swu.import_bytes(note.encode(), "feltnote.md", track="SWU", wp=5)
    assert result.status == "imported"
    assert swu.source_participants(result.source_id or 0) == ["SWU-P01"]
    assert any("Jonas" in w for w in result.warnings)
    source = swu.source(result.source_id or 0)
    assert source.title == "Feltnote fra Kodehuset"
    assert source.date == "2026-05-04"


def test_speaker_named_by_pseudonym_links_the_segment(swu: Project) -> None:
    text = (
        "Interviewer: Hvad bruger du?\n\nSWU-P01: Copilot, hver dag.\n\nInterviewer: Og ellers?\n\nSWU-P01: ChatGPT.\n"
    )
    result = swu.import_bytes(text.encode(), "t.txt", activity=1)
    segs = swu.segments(result.source_id or 0)
    p1 = swu.participant("SWU-P01").id
    assert [s.participant_id for s in segs if s.speaker == "SWU-P01"] == [p1, p1]
    with read(swu.engine) as conn:
        assert sources_db.get_segment(conn, result.source_id or 0, 0) is not None


def test_database_failure_mid_batch_rolls_back_the_batch_and_its_files(
    swu: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure that is not the file's fault (here: the database) aborts the uncommitted batch as a whole:
    no source of it stays, no original of it stays on disk, and the search index still matches."""
    paths = []
    for i in range(3):
        path = tmp_path / f"noter_{i}.txt"
        path.write_text(f"Feltnote {i}: udviklerne prøvede værktøjet igen.\n", encoding="utf-8")
        paths.append(path)
    original_index = fts5.index_segments_after

    def fail(conn: sa.Connection, last_id: int) -> None:
        raise RuntimeError("disk I/O error")

    monkeypatch.setattr(fts5, "index_segments_after", fail)  # after the batch's rows were inserted
    reported: list[str] = []
    with pytest.raises(RuntimeError, match="disk I/O"):
        swu.import_files(paths, track="SWU", wp=5, on_result=lambda r: reported.append(r.filename))
    assert reported == []  # nothing was committed, so nothing was reported as imported
    assert _counts(swu) == (0, 0, 0, 0)
    monkeypatch.setattr(fts5, "index_segments_after", original_index)
    assert [r.status for r in swu.import_files(paths, track="SWU", wp=5)] == ["imported"] * 3
    with write(swu.engine) as conn:
        fts5.check(conn)
    assert swu.search("værktøjer").total == 3


def test_the_same_file_twice_in_one_import(swu: Project, interview_file: Path, tmp_path: Path) -> None:
    copy = tmp_path / "kopi.txt"
    copy.write_bytes(interview_file.read_bytes())
    first, second = swu.import_files([interview_file, copy], activity=1)
    assert (first.status, second.status) == ("imported", "skipped")
    assert "interview_mette.txt" in second.message and "--force" in second.message
    both = swu.import_files([interview_file, copy], track="SWU", wp=3, force=True)
    assert [r.status for r in both] == ["imported", "imported"]
