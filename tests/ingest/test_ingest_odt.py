"""OpenDocument text built in the test as a minimal zip, plus hostile XML."""

from __future__ import annotations

import io
import zipfile

import pytest
from ingest_helpers import Checker, segment_texts

from aia.errors import ImportFailed
from aia.ingest import odt

NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
)
BODY = """
<text:h text:outline-level="1">Interview <text:span>med Mette</text:span></text:h>
<text:p>Interviewer: Hvordan bruger I AI i jeres team?</text:p>
<text:p>Mette: Vi bruger<text:s text:c="2"/>Copilot hver dag,<text:tab/>især til tests.<text:line-break
/>Ny linje.</text:p>
<text:p/>
<text:p>Interviewer: Og fejl?<office:annotation><text:p>en kommentar</text:p></office:annotation></text:p>
<text:list><text:list-item><text:p>Mette: Dem fanger vi – æøå.</text:p></text:list-item></text:list>
"""
META = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0">
<office:meta><dc:title>Interview 7</dc:title><meta:creation-date>2024-06-01T10:00:00</meta:creation-date>
<dc:language>da-DK</dc:language></office:meta></office:document-meta>"""


def make_odt(body: str = BODY, *, prolog: str = "", meta: str | None = META) -> bytes:
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<office:document-content {NS}>'
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
        if meta is not None:
            archive.writestr("meta.xml", meta)
        archive.writestr("META-INF/manifest.xml", '<manifest:manifest xmlns:manifest="urn:x"/>')
    return buffer.getvalue()


def test_headings_paragraphs_spaces_and_turns(check: Checker) -> None:
    source = check(odt.parse(make_odt(), "interview.odt"))
    assert source.importer == "odt"
    assert source.title == "Interview 7"
    assert source.date == "2024-06-01"
    assert source.language == "da-DK"
    texts = segment_texts(source)
    assert texts[0] == "Interview med Mette" and source.segments[0].kind == "heading"
    assert texts[2] == "Mette: Vi bruger  Copilot hver dag,\tinsær til tests.\nNy linje.".replace("insær", "især")
    assert texts[3] == "Interviewer: Og fejl?"  # the comment is not part of the text
    assert texts[4] == "Mette: Dem fanger vi – æøå."
    assert [s.speaker for s in source.segments] == [None, "Interviewer", "Mette", "Interviewer", "Mette"]
    assert "kommentar" not in source.text


def test_title_falls_back_to_first_heading(check: Checker) -> None:
    source = check(odt.parse(make_odt(meta=None), "x.odt"))
    assert source.title == "Interview med Mette"


def test_sniff() -> None:
    assert odt.sniff(make_odt(), "noname")


def test_xxe_is_refused() -> None:
    prolog = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    body = "<text:p>&xxe;</text:p>"
    with pytest.raises(ImportFailed) as err:
        odt.parse(make_odt(body, prolog=prolog), "xxe.odt")
    assert "xxe.odt" in str(err.value) and "root:" not in str(err.value)


def test_billion_laughs_is_refused() -> None:
    entities = '<!ENTITY a "hahahahaha">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)
    )
    with pytest.raises(ImportFailed, match="DTD"):
        odt.parse(make_odt("<text:p>&i;</text:p>", prolog=f"<!DOCTYPE x [{entities}]>"), "lol.odt")


def test_safe_parser_does_not_read_files_even_without_the_doctype_check() -> None:
    from lxml import etree

    raw = b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><x>&xxe;</x>'
    root = etree.fromstring(raw, odt.safe_parser())
    assert "root:" not in etree.tostring(root).decode()


def test_malformed_content_names_the_line() -> None:
    data = make_odt("<text:p>åben\n<text:p>mangler</text:p>")
    with pytest.raises(ImportFailed) as err:
        odt.parse(data, "broken.odt")
    assert err.value.line is not None and "content.xml" in str(err.value)


def test_missing_content_and_not_a_zip() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    with pytest.raises(ImportFailed, match=r"no content\.xml"):
        odt.parse(buffer.getvalue(), "tom.odt")
    with pytest.raises(ImportFailed, match=r"not a valid OpenDocument text \(\.odt\)"):
        odt.parse(b"\x00\x01 garbage", "garbage.odt")
