"""Word documents built in the test with python-docx, plus damaged and hostile ones."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import docx
import pytest
from ingest_helpers import Checker, segment_texts

from aia.errors import ImportFailed
from aia.ingest import docx as docx_importer

TURNS = [
    "Interviewer: Hvordan bruger I AI i jeres team?",
    "Mette: Vi bruger Copilot hver dag, især til tests.",
    "Nogle gange også til dokumentation.",
    "Interviewer: Hvad gør I, når den tager fejl?",
    "Mette: Så skriver vi det i vores fejllog – æøå.",
]


def make_docx() -> bytes:
    document = docx.Document()
    document.core_properties.title = "Interview med Mette"
    document.core_properties.created = dt.datetime(2024, 5, 3, 10, 0, tzinfo=dt.UTC)
    document.add_heading("Del 1: Brug af AI", level=1)
    for text in TURNS:
        document.add_paragraph(text)
    document.add_paragraph("")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Dato"
    table.cell(0, 1).text = "3. maj"
    table.cell(1, 0).text = "Sted"
    table.cell(1, 1).text = "København"
    document.add_heading("Overskrift 2", level=2)
    document.add_paragraph("Afslutning uden taler.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_paragraphs_headings_tables_and_turns(check: Checker) -> None:
    source = check(docx_importer.parse(make_docx(), "interview.docx"))
    assert source.importer == "docx"
    assert source.title == "Interview med Mette"
    assert source.date == "2024-05-03"
    texts = segment_texts(source)
    assert texts[0] == "Del 1: Brug af AI" and source.segments[0].kind == "heading"
    assert texts[1:6] == TURNS
    speakers = [s.speaker for s in source.segments[1:6]]
    assert speakers == ["Interviewer", "Mette", "Mette", "Interviewer", "Mette"]
    assert source.segments[3].kind == "paragraph" and source.segments[3].meta["continued"] is True
    assert texts[6:10] == ["Dato", "3. maj", "Sted", "København"]
    assert all(s.speaker is None and s.meta["table"] for s in source.segments[6:10])
    assert source.segments[10].kind == "heading" and source.segments[10].meta["level"] == 2
    assert source.segments[11].speaker is None


def test_merged_table_cells_are_read_once(check: Checker) -> None:
    document = docx.Document()
    table = document.add_table(rows=1, cols=3)
    merged = table.cell(0, 0).merge(table.cell(0, 1))
    merged.text = "Fælles celle"
    table.cell(0, 2).text = "Sidste"
    buffer = io.BytesIO()
    document.save(buffer)
    source = check(docx_importer.parse(buffer.getvalue(), "tabel.docx"))
    assert segment_texts(source) == ["Fælles celle", "Sidste"]
    assert source.title == "tabel"


def test_sniff() -> None:
    assert docx_importer.sniff(make_docx(), "whatever.bin")
    assert not docx_importer.sniff(b"PK\x03\x04rest", "x.docx")


def test_truncated_docx_is_refused() -> None:
    data = make_docx()
    with pytest.raises(ImportFailed) as err:
        docx_importer.parse(data[: len(data) // 2], "halv.docx")
    assert "halv.docx" in str(err.value)
    assert "not a valid Word document (.docx)" in str(err.value)


def test_not_a_zip_is_refused() -> None:
    with pytest.raises(ImportFailed, match=r"not a valid Word document \(\.docx\)"):
        docx_importer.parse(b"This is plain text pretending to be Word", "fake.docx")


def test_zip_bomb_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\x00" * (8 * 1024 * 1024))
    with pytest.raises(ImportFailed) as err:
        docx_importer.parse(buffer.getvalue(), "bombe.docx")
    assert "bombe.docx" in str(err.value) and "zip bomb" in str(err.value)


def test_unsafe_member_name_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("../../evil.txt", "x")
    with pytest.raises(ImportFailed, match="unsafe path"):
        docx_importer.parse(buffer.getvalue(), "evil.docx")


def test_zip_without_word_parts_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hej")
    with pytest.raises(ImportFailed, match=r"odd\.docx"):
        docx_importer.parse(buffer.getvalue(), "odd.docx")
