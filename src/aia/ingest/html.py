"""Web pages (.html, .htm): sanitised with nh3, then block elements become paragraphs and headings."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

from aia.ingest.base import ImportedSource, Importer, register
from aia.ingest.blocks import Block, assemble, first_heading, stem
from aia.ingest.encoding import decode
from aia.ingest.speakers import apply_speakers
from aia.model import SegmentKind

NAME = "html"

#: elements whose content is dropped entirely, not just their tags
_DROP = {
    "script",
    "style",
    "title",
    "template",
    "noscript",
    "iframe",
    "object",
    "svg",
    "math",
    "textarea",
    "select",
}
_BLOCK = {
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section",
    "summary", "table", "tbody", "thead", "tfoot", "tr", "ul",
}  # fmt: skip
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_CELLS = {"td", "th"}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_SNIFF = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE | re.DOTALL)


def sniff(data: bytes, filename: str) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf")
    return bool(_SNIFF.match(head))


class _HeadReader(HTMLParser):
    """Reads <title>, <html lang> and date <meta> from the raw page (before sanitising drops them)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: list[str] = []
        self.in_title = False
        self.lang: str | None = None
        self.date: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "title":
            self.in_title = True
        elif tag == "html" and values.get("lang"):
            self.lang = values["lang"].strip() or None
        elif tag == "meta":
            key = (values.get("name") or values.get("property") or "").lower()
            if key in {"date", "dc.date", "dcterms.date", "article:published_time"} and values.get("content"):
                self.date = values["content"].strip()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)


class _TextWriter(HTMLParser):
    """Turns sanitised HTML into blocks: block elements end a paragraph, h1–h6 become headings."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.parts: list[str] = []
        self.heading: int | None = None
        self.pre = 0

    def flush(self) -> None:
        raw = "".join(self.parts)
        text = raw if self.pre else " ".join(raw.split())
        if text.strip():
            if self.heading is not None:
                self.blocks.append(Block(text, SegmentKind.HEADING.value, meta={"level": self.heading}))
            else:
                self.blocks.append(Block(text))
        self.parts = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK or tag in _HEADINGS:
            self.flush()
            if tag in _HEADINGS:
                self.heading = int(tag[1])
            if tag == "pre":
                self.pre += 1
        elif tag in _CELLS:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK or tag in _HEADINGS:
            self.flush()
            if tag in _HEADINGS:
                self.heading = None
            if tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _decode(data: bytes, filename: str) -> str:
    match = _CHARSET.search(data[:4096])
    if match and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        charset = match.group(1).decode("ascii").lower()
        if charset not in {"utf-8", "utf8"} and b"\x00" not in data:
            try:
                return decode(data.decode(charset).encode("utf-8"), filename)
            except (LookupError, UnicodeDecodeError):
                pass
    return decode(data, filename)


def parse(data: bytes, filename: str) -> ImportedSource:
    raw = _decode(data, filename)
    head = _HeadReader()
    head.feed(raw)
    head.close()
    clean = nh3.clean(raw, clean_content_tags=_DROP, strip_comments=True, link_rel=None)
    writer = _TextWriter()
    writer.feed(clean)
    writer.close()
    writer.flush()
    blocks = apply_speakers(writer.blocks)
    plain, segments = assemble(blocks)
    title = " ".join("".join(head.title).split()) or first_heading(blocks) or stem(filename)
    return ImportedSource(
        text=plain,
        segments=segments,
        importer=NAME,
        title=title,
        date=head.date,
        language=head.lang,
        metadata={"paragraphs": len(segments)},
    )


IMPORTER = register(
    Importer(name=NAME, extensions=(".html", ".htm"), parse=parse, sniff=sniff, description="Web pages (.html)")
)
