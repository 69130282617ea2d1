"""Plain text and the shared decoding rules (encodings, BOMs, line endings, binary input)."""

from __future__ import annotations

import pytest
from ingest_helpers import Checker, segment_texts

from aia.errors import ImportFailed
from aia.ingest import text as text_importer
from aia.ingest.encoding import decode

DANISH = "Interviewer: Hvordan bruger I AI?\n\nMette: Vi bruger Copilot – især til tests, æøå ÆØÅ.\n\n"
DANISH += "Interviewer: Og hvad så?\n\nMette: Så går vi i gang."


@pytest.mark.parametrize(
    "data",
    [
        DANISH.encode("utf-8"),
        DANISH.encode("utf-8-sig"),
        DANISH.encode("utf-16"),  # with BOM, native order
        b"\xfe\xff" + DANISH.encode("utf-16-be"),
        DANISH.replace("–", "-").encode("cp1252"),
        DANISH.replace("\n", "\r\n").encode("utf-8"),
        DANISH.replace("\n", "\r").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "utf16", "utf16-be", "cp1252", "crlf", "cr"],
)
def test_encodings_give_the_same_text(data: bytes, check: Checker) -> None:
    source = check(text_importer.parse(data, "interview.txt"))
    assert source.importer == "text"
    assert source.title == "interview"
    assert "\r" not in source.text and "\ufeff" not in source.text
    assert "æøå ÆØÅ" in source.text
    assert [s.speaker for s in source.segments] == ["Interviewer", "Mette", "Interviewer", "Mette"]
    assert {s.kind for s in source.segments} == {"turn"}
    assert segment_texts(source)[0] == "Interviewer: Hvordan bruger I AI?"


def test_paragraph_lines_are_kept_and_labelled_lines_split(check: Checker) -> None:
    data = "Noter fra mødet\nanden linje\n\nI: Hej\nR: Hej selv\nfortsat her\nI: Farvel".encode()
    source = check(text_importer.parse(data, "noter.txt"))
    assert segment_texts(source) == [
        "Noter fra mødet\nanden linje",
        "I: Hej",
        "R: Hej selv\nfortsat her",
        "I: Farvel",
    ]
    assert [s.speaker for s in source.segments] == [None, "I", "R", "I"]
    assert source.segments[2].meta["line"] == 5


def test_plain_prose_is_not_a_transcript(check: Checker) -> None:
    data = "Bemærk: dette er noter.\n\nKl. 10:30 mødtes vi.\n\nSe https://example.org\n\nMette: hej".encode()
    source = check(text_importer.parse(data, "noter.txt"))
    assert all(s.kind == "paragraph" and s.speaker is None for s in source.segments)


def test_binary_garbage_is_refused_with_the_line() -> None:
    with pytest.raises(ImportFailed) as err:
        text_importer.parse(b"first line\nsecond\x00\x01\x02\xff", "data.txt")
    assert "data.txt, line 2" in str(err.value)
    assert "binary" in str(err.value)


def test_empty_and_blank_files_are_refused() -> None:
    with pytest.raises(ImportFailed, match="empty"):
        text_importer.parse(b"", "empty.txt")
    with pytest.raises(ImportFailed, match="empty"):
        text_importer.parse(b"\n \r\n\t", "blank.txt")


def test_undecodable_bytes_name_the_line() -> None:
    # 0x81 is undefined in Windows-1252 and invalid as UTF-8
    with pytest.raises(ImportFailed) as err:
        decode(b"ok\nok\nbad \x81 byte", "odd.txt")
    assert err.value.line == 3
    assert str(err.value).startswith("cannot import odd.txt, line 3:")


def test_broken_utf16_is_refused() -> None:
    with pytest.raises(ImportFailed, match="UTF-16"):
        decode(b"\xff\xfeA\x00\x00\xd8", "half.txt")  # lone surrogate
