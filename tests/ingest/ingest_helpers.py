"""Helpers for the importer tests (imported by name: tests/ingest is on sys.path in pytest's prepend mode)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from aia.ingest.base import ImportedSource

SHARED = Path(__file__).resolve().parents[3] / "shared"
TRANSCRIPTS = SHARED / "data" / "transcripts"

Checker = Callable[[ImportedSource], ImportedSource]


def check_source(source: ImportedSource) -> ImportedSource:
    """Assert the offset invariants every importer promises, and return the source."""
    text = source.text
    previous_end = 0
    for segment in source.segments:
        assert 0 <= segment.start < segment.end <= len(text), segment
        assert segment.start >= previous_end, "segments overlap or are out of order"
        piece = text[segment.start : segment.end]
        assert piece == piece.strip() and piece, repr(piece)
        previous_end = segment.end
    return source


def segment_texts(source: ImportedSource) -> list[str]:
    return [source.text[s.start : s.end] for s in source.segments]
