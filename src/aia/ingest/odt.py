"""OpenDocument text (.odt): ``content.xml`` read with a parser that never resolves entities or DTDs."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from aia.errors import ImportFailed
from aia.ingest.base import ImportedSource, Importer, register
from aia.ingest.blocks import Block, assemble, first_heading, stem
from aia.ingest.safezip import is_zip, open_zip, read_member
from aia.ingest.speakers import apply_speakers
from aia.model import SegmentKind

NAME = "odt"
WHAT = "OpenDocument text (.odt)"
MIMETYPE = b"application/vnd.oasis.opendocument.text"

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
DC = "http://purl.org/dc/elements/1.1/"
META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"

_P, _H = f"{{{TEXT}}}p", f"{{{TEXT}}}h"
_SPACE, _TAB, _BREAK = f"{{{TEXT}}}s", f"{{{TEXT}}}tab", f"{{{TEXT}}}line-break"
#: inline content that is not part of the running text (comments, footnotes, tracked deletions)
_SKIP = {
    f"{{{OFFICE}}}annotation",
    f"{{{OFFICE}}}annotation-end",
    f"{{{TEXT}}}note",
    f"{{{TEXT}}}tracked-changes",
}
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


def sniff(data: bytes, filename: str) -> bool:
    return is_zip(data) and data[30:38] == b"mimetype" and MIMETYPE in data[38:120]


def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _parse_xml(raw: bytes, part: str, filename: str) -> Any:
    if _DOCTYPE.search(raw[:4096]) or b"<!ENTITY" in raw:
        raise ImportFailed(
            filename,
            f"{part} declares a DTD or entities, which OpenDocument files never need, so it was refused",
        )
    try:
        return etree.fromstring(raw, safe_parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if part == "content.xml" else None
        raise ImportFailed(
            filename, f"{part} in the {WHAT} is not well-formed XML; open it and save it again", line
        ) from None


def inline_text(element: Any) -> str:
    """The running text of a paragraph: spans, links, ``text:s`` spaces, tabs and line breaks."""
    parts: list[str] = [element.text or ""]
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == _SPACE:
            count = child.get(f"{{{TEXT}}}c", "1")
            parts.append(" " * (int(count) if count.isdigit() else 1))
        elif tag == _TAB:
            parts.append("\t")
        elif tag == _BREAK:
            parts.append("\n")
        elif tag and tag not in _SKIP:
            parts.append(inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def collect_blocks(body: Any) -> list[Block]:
    blocks: list[Block] = []
    for element in body.iter(_P, _H):
        if any(ancestor.tag in (_P, _H) or ancestor.tag in _SKIP for ancestor in element.iterancestors()):
            continue  # text boxes and notes inside a paragraph
        text = inline_text(element)
        if not text.strip():
            continue
        if element.tag == _H:
            level = element.get(f"{{{TEXT}}}outline-level", "1")
            meta = {"level": int(level) if level.isdigit() else 1}
            blocks.append(Block(text, SegmentKind.HEADING.value, meta=meta))
        else:
            in_table = any(a.tag.endswith("}table-cell") for a in element.iterancestors() if isinstance(a.tag, str))
            blocks.append(Block(text, meta={"table": True} if in_table else {}))
    return blocks


def _meta_value(meta_root: Any, path: str) -> str | None:
    found = meta_root.find(path, {"dc": DC, "meta": META, "office": OFFICE})
    if found is None or not (found.text or "").strip():
        return None
    return str(found.text).strip()


def parse(data: bytes, filename: str) -> ImportedSource:
    archive = open_zip(data, filename, WHAT)
    with archive:
        content = read_member(archive, "content.xml", filename, WHAT)
        meta_raw = read_member(archive, "meta.xml", filename, WHAT) if "meta.xml" in archive.namelist() else None
    root = _parse_xml(content, "content.xml", filename)
    body = root.find(f"{{{OFFICE}}}body")
    if body is None:
        raise ImportFailed(filename, f"content.xml has no document body, so it is not a valid {WHAT}")
    blocks = apply_speakers(collect_blocks(body))
    if not blocks:
        raise ImportFailed(filename, f"the {WHAT} contains no text")
    plain, segments = assemble(blocks)
    source = ImportedSource(text=plain, segments=segments, importer=NAME, metadata={"paragraphs": len(segments)})
    title = None
    if meta_raw is not None:
        try:
            meta_root = _parse_xml(meta_raw, "meta.xml", filename)
        except ImportFailed as exc:
            source.warnings.append(f"meta.xml was ignored: {exc.problem}")
        else:
            title = _meta_value(meta_root, ".//dc:title")
            created = _meta_value(meta_root, ".//meta:creation-date") or _meta_value(meta_root, ".//dc:date")
            if created:
                source.date = created[:10]
                source.metadata["created"] = created
            source.language = _meta_value(meta_root, ".//dc:language")
            author = _meta_value(meta_root, ".//meta:initial-creator") or _meta_value(meta_root, ".//dc:creator")
            if author:
                source.metadata["author"] = author
    source.title = title or first_heading(blocks) or stem(filename)
    return source


IMPORTER = register(
    Importer(name=NAME, extensions=(".odt",), parse=parse, sniff=sniff, description="OpenDocument text (.odt)")
)
