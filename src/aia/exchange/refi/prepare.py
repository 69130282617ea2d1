"""Step 1 of a REFI-QDA import, no project needed: choose how the file counts positions (:mod:`.positions`), turn
every selection into code-point spans on the stored (LF, no BOM) text, build the segments, and check that every
span and segment slices its text."""

from __future__ import annotations

from dataclasses import dataclass, field

from aia.errors import ImportFailed
from aia.exchange.refi.parsed import ParsedProject, PSource
from aia.exchange.refi.positions import Detection, Reading, TextMap, convert, detect
from aia.ingest.base import ImportedSource, SegmentDraft
from aia.services.importing import check_offsets


@dataclass
class PreparedCoding:
    guid: str
    code: str  # code guid in the file
    start: int
    end: int
    coder: str | None
    created: str | None
    comment: str | None
    notes: list[str]


@dataclass
class PreparedSource:
    parsed: PSource
    #: the text to store: LF line ends, no BOM; every span below slices it
    text: str
    segments: list[SegmentDraft]
    codings: list[PreparedCoding]
    #: Notes on selections that carry no coding: they become memos on the source
    selection_notes: list[str] = field(default_factory=list)


@dataclass
class PreparedProject:
    parsed: ParsedProject
    sources: list[PreparedSource]
    reading: Reading
    warnings: list[str] = field(default_factory=list)


def paragraphs(text: str) -> list[SegmentDraft]:
    """Segments for a text from another tool: its runs of non-blank lines, in place (offsets into ``text``)."""
    out: list[SegmentDraft] = []
    pos = 0
    start: int | None = None
    end = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            if start is None:
                start = pos + lead
            end = pos + len(line.rstrip())
        elif start is not None:
            out.append(SegmentDraft("paragraph", start, end))
            start = None
        pos += len(line) + 1
    if start is not None:
        out.append(SegmentDraft("paragraph", start, end))
    return out


def prepare(parsed: ParsedProject, filename: str, positions: str = "auto") -> PreparedProject:
    """Convert the file's positions to code points on the stored texts; check every span and segment."""
    maps = [TextMap(s.text) for s in parsed.sources]
    spans = [[(sel.start, sel.end) for sel in s.selections] for s in parsed.sources]
    detection: Detection = detect(maps, spans, positions, trusted=parsed.from_aia)
    warnings = list(parsed.warnings) + detection.warnings
    crlf = sum(1 for m in maps if m.has_crlf)
    if crlf:
        warnings.append(
            f"{crlf} source texts have Windows line ends (CRLF); stored with LF and every selection position "
            "converted accordingly"
        )
    out: list[PreparedSource] = []
    impossible: list[str] = []
    uncoded = 0
    for source, m in zip(parsed.sources, maps, strict=True):
        codings: list[PreparedCoding] = []
        note_only: list[str] = []
        for sel in source.selections:
            span = convert(m, sel.start, sel.end, detection.reading)
            if span is None:
                impossible.append(f"{source.name} {sel.start}–{sel.end}")
                continue
            if not sel.codings:
                uncoded += 1
                note_only.extend(sel.notes)
                continue
            for i, c in enumerate(sel.codings):
                notes = c.notes + (sel.notes if i == 0 else [])
                codings.append(
                    PreparedCoding(c.guid, c.code, span[0], span[1], c.user, c.created, sel.description or None, notes)
                )
        if source.codings and m.text:
            for whole in source.codings:
                codings.append(
                    PreparedCoding(whole.guid, whole.code, 0, len(m.text), whole.user, whole.created, None, whole.notes)
                )
        segments = paragraphs(m.text)
        check_offsets(ImportedSource(m.text, segments, "refi"), filename)
        for pc in codings:
            if not 0 <= pc.start < pc.end <= len(m.text):  # pragma: no cover - convert() guarantees it
                raise ImportFailed(filename, f"a selection of source {source.name!r} falls outside its text")
        out.append(PreparedSource(source, m.text, segments, codings, note_only))
    if impossible:
        warnings.append(
            f"{len(impossible)} selections lie outside their text or split a character under the positions used "
            f"({', '.join(impossible[:3])}{' …' if len(impossible) > 3 else ''}); they were left out, not moved"
        )
    if uncoded:
        warnings.append(
            f"{uncoded} selections carry no coding (aia keeps only coded text); they were left out (their notes "
            "became memos on the source)"
        )
    return PreparedProject(parsed, out, detection.reading, warnings)
