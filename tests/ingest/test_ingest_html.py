"""Web pages: sanitised, blocks become paragraphs, headings become heading segments."""

from __future__ import annotations

from ingest_helpers import Checker, segment_texts

from aia.ingest import html

PAGE = """<!DOCTYPE html>
<html lang="da"><head><meta charset="utf-8"><title>Tråd: AI &amp; tests</title>
<style>p { color: red }</style><script>alert("stjæl cookies")</script></head>
<body onload="evil()">
<h1>Diskussion</h1>
<p>Første indlæg med <b>fed</b> tekst &amp; æøå&nbsp;&lt;3</p>
<!-- skjult kommentar -->
<div>Linje et<br>Linje to</div>
<ul><li>punkt a</li><li>punkt b</li></ul>
<table><tr><td>celle 1</td><td>celle 2</td></tr></table>
<script>document.write("ondt")</script>
<img src=x onerror="alert(1)">
</body></html>"""


def test_sanitised_blocks_and_title(check: Checker) -> None:
    source = check(html.parse(PAGE.encode(), "traad.html"))
    assert source.importer == "html"
    assert source.title == "Tråd: AI & tests"
    assert source.language == "da"
    for bad in ("alert", "stjæl", "ondt", "color: red", "skjult", "evil", "<b>"):
        assert bad not in source.text
    texts = segment_texts(source)
    assert texts[0] == "Diskussion" and source.segments[0].kind == "heading"
    assert texts[1] == "Første indlæg med fed tekst & æøå\xa0<3".replace("\xa0", " ")
    assert texts[2:] == ["Linje et", "Linje to", "punkt a", "punkt b", "celle 1 celle 2"]


def test_title_from_h1_and_cp1252_charset(check: Checker) -> None:
    data = '<html><head><meta charset="windows-1252"></head>'
    data += "<body><h1>Overskrift æø</h1><p>tekst</p></body></html>"
    source = check(html.parse(data.encode("cp1252"), "side.htm"))
    assert source.title == "Overskrift æø"


def test_sniff() -> None:
    assert html.sniff(b"\xef\xbb\xbf<!DOCTYPE html><html>", "x")
    assert html.sniff(b"  <html lang='da'>", "x")
    assert not html.sniff(b"Just text <html>", "x")
