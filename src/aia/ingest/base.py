"""What every importer returns, and the registry that picks an importer for a file.

An importer is a pure function ``parse(data: bytes, filename: str) -> ImportedSource``. It never touches the
project; it either returns a normalized source or raises :class:`aia.errors.ImportFailed` naming the file,
the problem and, where there is one, the line. Storing the result is the service layer's job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aia.errors import UnsupportedFormat


@dataclass
class SegmentDraft:
    """A structural unit of the imported text, by code-point offsets (end exclusive) into ``ImportedSource.text``."""

    kind: str
    start: int
    end: int
    speaker: str | None = None
    start_ms: int | None = None
    end_ms: int | None = None
    author: str | None = None
    parent: int | None = None  # ordinal (index in the segment list) of the parent segment
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportedSource:
    """A normalized source: plain text plus its segments and metadata, ready to be stored."""

    text: str
    segments: list[SegmentDraft]
    importer: str
    title: str | None = None
    date: str | None = None  # ISO 8601 date or datetime
    language: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    #: names/pseudonyms of participants the file itself names (e.g. in Markdown front matter)
    participants: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


Parser = Callable[[bytes, str], ImportedSource]
Sniffer = Callable[[bytes, str], bool]


@dataclass(frozen=True)
class Importer:
    name: str
    extensions: tuple[str, ...]
    parse: Parser
    #: content sniffer, consulted when the extension is unknown or ambiguous
    sniff: Sniffer | None = None
    description: str = ""


_REGISTRY: dict[str, Importer] = {}


def register(importer: Importer) -> Importer:
    if importer.name in _REGISTRY:
        raise ValueError(f"importer {importer.name!r} registered twice")
    _REGISTRY[importer.name] = importer
    return importer


def importers() -> list[Importer]:
    from aia.ingest import load_all

    load_all()
    return list(_REGISTRY.values())


def get_importer(name: str) -> Importer:
    for imp in importers():
        if imp.name == name:
            return imp
    raise UnsupportedFormat(name, f"there is no importer called {name!r}")


def choose_importer(data: bytes, filename: str) -> Importer:
    """Pick the importer for a file: a content sniff first, then the extension."""
    all_importers = importers()
    for imp in all_importers:
        if imp.sniff is not None and imp.sniff(data, filename):
            return imp
    lower = filename.lower()
    for imp in all_importers:
        if any(lower.endswith(ext) for ext in imp.extensions):
            return imp
    known = ", ".join(sorted({ext for imp in all_importers for ext in imp.extensions}))
    raise UnsupportedFormat(filename, f"this file type is not supported (supported: {known})")


def parse_file(data: bytes, filename: str) -> ImportedSource:
    return choose_importer(data, filename).parse(data, filename)
