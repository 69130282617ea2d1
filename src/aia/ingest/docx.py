"""Word documents (.docx) via python-docx: paragraphs, headings and table cells in document order."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from aia.errors import ImportFailed
from aia.ingest.base import ImportedSource, Importer, register
from aia.ingest.blocks import Block, assemble, first_heading, stem
from aia.ingest.safezip import is_zip, open_zip
from aia.ingest.speakers import apply_speakers
from aia.model import SegmentKind

NAME = "docx"
WHAT = "Word document (.docx)"
_HEADING_STYLE = re.compile(r"^(heading|overskrift|title|titel)\s*(\d*)", re.IGNORECASE)
#: python-docx's own template carries this creation date; it says nothing about the document
_TEMPLATE_CREATED = dt.datetime(2013, 12, 23, 23, 15, tzinfo=dt.UTC)


def sniff(data: bytes, filename: str) -> bool:
    head = data[:65536]
    return is_zip(data) and b"word/document.xml" in head and b"[Content_Types].xml" in head


def _paragraph_block(paragraph: Any, meta: dict[str, Any]) -> Block | None:
    text = paragraph.text
    if not text or not text.strip():
        return None
    style = paragraph.style.name if paragraph.style is not None else ""
    match = _HEADING_STYLE.match(style or "")
    if match:
        level = int(match.group(2)) if match.group(2) else 0 if match.group(1).lower() in ("title", "titel") else 1
        return Block(text, SegmentKind.HEADING.value, meta={**meta, "level": level, "style": style})
    return Block(text, meta=dict(meta))


def _walk(container: Any, blocks: list[Block], meta: dict[str, Any]) -> None:
    """Paragraphs and tables of a document body or table cell, in order (tables recursively)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for item in container.iter_inner_content():
        if isinstance(item, Paragraph):
            block = _paragraph_block(item, meta)
            if block is not None:
                blocks.append(block)
        elif isinstance(item, Table):
            seen: set[Any] = set()  # the cell elements themselves: merged cells repeat them
            for r, row in enumerate(item.rows):
                for c, cell in enumerate(row.cells):
                    if cell._tc in seen:
                        continue
                    seen.add(cell._tc)
                    _walk(cell, blocks, {"table": True, "row": r + 1, "column": c + 1})


def _date(value: Any) -> str | None:
    if not isinstance(value, dt.datetime):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    if value == _TEMPLATE_CREATED:
        return None
    return str(value.date().isoformat())


def parse(data: bytes, filename: str) -> ImportedSource:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    open_zip(data, filename, WHAT).close()
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, OSError, SyntaxError) as exc:
        raise ImportFailed(
            filename,
            f"the file is not a valid {WHAT} ({type(exc).__name__}); open it in Word and save it as .docx again",
        ) from None
    except Exception as exc:  # lxml and zipfile raise many kinds for damaged parts
        raise ImportFailed(
            filename, f"the {WHAT} is damaged ({type(exc).__name__}); open it in Word and save it again"
        ) from None
    blocks: list[Block] = []
    try:
        _walk(document, blocks, {})
    except Exception as exc:
        raise ImportFailed(
            filename, f"the {WHAT} is damaged ({type(exc).__name__}); open it in Word and save it again"
        ) from None
    if not blocks:
        raise ImportFailed(filename, f"the {WHAT} contains no text")
    blocks = apply_speakers(blocks)
    plain, segments = assemble(blocks)
    props = document.core_properties
    metadata: dict[str, Any] = {"paragraphs": len(segments)}
    for key in ("author", "last_modified_by", "subject", "keywords", "category", "comments"):
        value = getattr(props, key, None)
        if value and not str(value).endswith("python-docx"):
            metadata[key] = str(value)
    created = _date(props.created)
    if created:
        metadata["created"] = created
    title = (props.title or "").strip()
    return ImportedSource(
        text=plain,
        segments=segments,
        importer=NAME,
        title=title or first_heading(blocks) or stem(filename),
        date=created,
        language=(props.language or "").strip() or None,
        metadata=metadata,
    )


IMPORTER = register(
    Importer(name=NAME, extensions=(".docx",), parse=parse, sniff=sniff, description="Word documents (.docx)")
)
