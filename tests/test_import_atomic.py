"""A broken file of every supported kind is refused with one sentence and leaves the project as it was."""

from __future__ import annotations

import io
import sqlite3
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aia
from aia.project import DB_NAME, Project
from aia.store import fts5
from aia.store.database import write


def _dump(project: Project) -> tuple[list[tuple[object, ...]], list[str]]:
    """Every row of every table (FTS shadow tables included) and every stored file."""
    con = sqlite3.connect(project.path / DB_NAME)
    tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    rows: list[tuple[object, ...]] = []
    for table in tables:
        rows.extend((table, *r) for r in con.execute(f'SELECT * FROM "{table}"'))
    con.close()
    stored = sorted(str(p.relative_to(project.path)) for p in project.files_dir.rglob("*"))
    return rows, stored


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


BROKEN: dict[str, bytes] = {
    "interview.txt": b"Interviewer: Hej\x00\x00\x00 binary\x00",
    "feltnote.md": b"---\ntitle: [ikke lukket\ndate: 2026-05-04\n---\n\nVi sad ved bordet.\n",
    "interview.docx": b"PK\x03\x04 not really a zip archive at all",
    "noter.odt": _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office:doc"}),
    "interview.pdf": b"%PDF-1.7\n this is not a PDF body at all \n%%EOF",
    "side.html": b"",
    "optagelse.vtt": b"WEBVTT\n\n00:00:01.000 --> 00:00:0x.000\n<v Mette>Hej med dig\n",
    "optagelse.srt": b"1\n00:00:01,000 --> banan\nMette: Hej\n",
}


@pytest.mark.parametrize("filename", sorted(BROKEN))
def test_broken_file_is_refused_and_nothing_changes(swu: Project, interview_file: Path, filename: str) -> None:
    swu.import_files([interview_file], activity=1)
    before = _dump(swu)
    with pytest.raises(aia.ImportFailed) as info:
        swu.import_bytes(BROKEN[filename], filename, activity=1)
    message = str(info.value)
    assert message.startswith(f"cannot import {filename}")
    assert message.endswith(".") and "\n" not in message
    assert _dump(swu) == before


def test_broken_files_among_good_ones_in_one_batch(swu: Project, interview_file: Path, tmp_path: Path) -> None:
    paths = []
    for name, data in sorted(BROKEN.items()):
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(path)
    results = swu.import_files([*paths, interview_file], activity=1)
    assert [r.status for r in results] == ["failed"] * len(BROKEN) + ["imported"]
    assert len(swu.sources()) == 1
    assert len(list(swu.files_dir.rglob("*"))) == 2  # the one original and its folder
    with write(swu.engine) as conn:
        fts5.check(conn)  # the search index holds exactly the stored segments


pieces = st.sampled_from([*"abcæøå ÆØÅ\n\r\t.,:!?-", "🙂", "é", "Interviewer: ", "Mette: ", "\n\n", "bilerne "])
texts = st.lists(pieces, min_size=1, max_size=120).map("".join)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts, spans=st.lists(st.tuples(st.integers(0, 400), st.integers(1, 60)), max_size=5))
def test_stored_offsets_always_slice_the_stored_text(
    tmp_path_factory: pytest.TempPathFactory, text: str, spans: list[tuple[int, int]]
) -> None:
    root = tmp_path_factory.mktemp("offsets") / "p"
    with aia.init_project(root, user="Forsker A") as project:
        project.add_track("Softwareudviklere", prefix="SWU")
        project.add_code("Kode")
        try:
            result = project.import_bytes(text.encode("utf-8"), "tekst.txt", track="SWU", wp=5)
        except aia.ImportFailed:
            return  # e.g. only whitespace: refused, and nothing to check
        source_id = result.source_id or 0
        stored = project.source(source_id).text
        for seg in project.segments(source_id):
            piece = stored[seg.start : seg.end]
            assert piece == piece.strip() and piece
        for start, length in spans:
            if start < len(stored):
                end = min(len(stored), start + length)
                if end > start:
                    project.add_coding(source_id, start, end, "Kode")
    with aia.open_project(root) as reopened:
        stored = reopened.source(source_id).text
        for coding in reopened.codings():
            assert 0 <= coding.start < coding.end <= len(stored)
        passages = reopened.retrieve("Kode")
        assert sorted(p.text for p in passages) == sorted(stored[c.start : c.end] for c in reopened.codings())
