"""Plain text (.txt): paragraphs separated by blank lines, speaker turns where the text is a transcript."""

from __future__ import annotations

from aia.ingest.base import ImportedSource, Importer, register
from aia.ingest.blocks import Block, assemble, stem
from aia.ingest.encoding import decode
from aia.ingest.speakers import apply_speakers

NAME = "text"


def split_paragraphs(text: str, first_line: int = 1) -> list[Block]:
    """Blocks of non-blank lines (right-stripped, joined with ``\\n``); ``meta["line"]`` is the first line."""
    blocks: list[Block] = []
    group: list[str] = []
    start = first_line
    for number, line in enumerate(text.split("\n"), start=first_line):
        if line.strip():
            if not group:
                start = number
            group.append(line.rstrip())
        elif group:
            blocks.append(Block("\n".join(group), meta={"line": start}))
            group = []
    if group:
        blocks.append(Block("\n".join(group), meta={"line": start}))
    return blocks


def parse(data: bytes, filename: str) -> ImportedSource:
    text = decode(data, filename)
    blocks = apply_speakers(split_paragraphs(text))
    plain, segments = assemble(blocks)
    return ImportedSource(text=plain, segments=segments, importer=NAME, title=stem(filename))


IMPORTER = register(Importer(name=NAME, extensions=(".txt", ".text"), parse=parse, description="Plain text (.txt)"))
