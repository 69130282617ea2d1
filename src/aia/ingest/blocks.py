"""Building blocks shared by the importers: a :class:`Block` list becomes text plus segments."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from aia.ingest.base import SegmentDraft

PARAGRAPH_SEPARATOR = "\n\n"


@dataclass
class Block:
    """One future segment before offsets are known; ``text`` is stripped when assembled."""

    text: str
    kind: str = "paragraph"
    speaker: str | None = None
    start_ms: int | None = None
    end_ms: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def assemble(blocks: list[Block]) -> tuple[str, list[SegmentDraft]]:
    """Join the blocks with blank lines; every segment covers exactly its block's stripped text."""
    parts: list[str] = []
    segments: list[SegmentDraft] = []
    pos = 0
    for block in blocks:
        text = block.text.strip()
        if not text:
            continue
        if parts:
            parts.append(PARAGRAPH_SEPARATOR)
            pos += len(PARAGRAPH_SEPARATOR)
        parts.append(text)
        segments.append(
            SegmentDraft(
                kind=str(block.kind),
                start=pos,
                end=pos + len(text),
                speaker=block.speaker,
                start_ms=block.start_ms,
                end_ms=block.end_ms,
                meta=dict(block.meta),
            )
        )
        pos += len(text)
    return "".join(parts), segments


def stem(filename: str) -> str:
    """The file name without folders and extension, as a fallback title."""
    name = PurePath(filename.replace("\\", "/")).name
    return PurePath(name).stem or name


def first_heading(blocks: list[Block]) -> str | None:
    for block in blocks:
        if block.kind == "heading" and block.text.strip():
            return " ".join(block.text.split())
    return None
