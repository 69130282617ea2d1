"""The registry picks importers by content first, then by extension."""

from __future__ import annotations

import pytest

from aia.errors import UnsupportedFormat
from aia.ingest.base import choose_importer, importers, parse_file


def test_all_modules_register() -> None:
    names = {imp.name for imp in importers()}
    core = {"text", "markdown", "docx", "odt", "pdf", "html", "vtt", "srt"}
    assert names == core | {"chatgpt", "claude", "devgpt", "ailog"}


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (b"WEBVTT\n\n00:01.000 --> 00:02.000\nhej\n", "upload.txt", "vtt"),
        (b"\xef\xbb\xbfWEBVTT\n", "noname", "vtt"),
        (b"%PDF-1.7\n...", "scan", "pdf"),
        (b"<!DOCTYPE html><html><body>x</body></html>", "page.txt", "html"),
        (b"1\n00:00:01,000 --> 00:00:02,000\nhej\n", "subs.txt", "srt"),
        (b"1\r\n00:00:01,000 --> 00:00:02,000\r\nhej\r\n", "noname", "srt"),
        (b"Almindelig tekst", "notes.TXT", "text"),
        (b"# Overskrift", "note.md", "markdown"),
        (b"# Overskrift", "note.markdown", "markdown"),
        (b"<p>fragment</p>", "frag.htm", "html"),
        (b"PK\x03\x04junk", "x.docx", "docx"),
        (b"PK\x03\x04junk", "x.odt", "odt"),
        (b"WEBVTTX", "x.srt", "srt"),
    ],
)
def test_choose_importer(data: bytes, filename: str, expected: str) -> None:
    assert choose_importer(data, filename).name == expected


def test_unknown_extension_lists_the_supported_ones() -> None:
    with pytest.raises(UnsupportedFormat) as err:
        choose_importer(b"\x00\x01binary", "video.mp4")
    message = str(err.value)
    assert message.startswith("cannot import video.mp4: this file type is not supported")
    for ext in (".docx", ".md", ".odt", ".pdf", ".srt", ".txt", ".vtt", ".html"):
        assert ext in message


def test_parse_file_runs_the_chosen_importer() -> None:
    source = parse_file(b"Mette: hej\n\nDan: hej\n\nMette: farvel", "t.txt")
    assert source.importer == "text"
    assert [s.speaker for s in source.segments] == ["Mette", "Dan", "Mette"]
