"""Pseudonymising an imported source before it is stored: its text (segments moved with it), speaker labels, title,
original file name and metadata.

Pure: no database. :func:`pseudonymise_source` returns the pseudonymised :class:`ImportedSource` and the findings
for the review list, each with its offsets in the new text and, for a replacement, the original value encrypted
with the review key (the database never holds it in clear).
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import Any

from aia.ingest.base import ImportedSource, SegmentDraft
from aia.privacy.detect import Finding
from aia.privacy.filecrypt import encrypt
from aia.privacy.offsets import OffsetMap, Replacement, Result, apply
from aia.privacy.pseudonymise import PREFIX, KnownIndex, pseudonym, pseudonymise

#: a speaker label that is nothing but one pseudonym: ``[SWU-P03]`` -> ``SWU-P03`` (links the turn to the participant)
_ONE_PSEUDONYM = re.compile(r"^\[([A-Z][A-Z0-9]{1,7}-P\d+|ORG-\d+)\]$")


@dataclass(frozen=True)
class PseudonymContext:
    """What pseudonymisation at import needs from the key store."""

    index: KnownIndex
    secret: bytes
    review_key: bytes
    #: the key originals are encrypted with; None: originals are not kept at all
    originals_key: bytes | None


@dataclass
class Pseudonymised:
    source: ImportedSource
    #: rows for ``pseudonymisation_findings`` without ``source_id``
    findings: list[dict[str, Any]]
    replaced: int
    flagged: int
    #: old -> new offsets of the text, for spans that came with the source (codings of an exchanged project)
    offset_map: OffsetMap


def _boundaries(segments: list[SegmentDraft]) -> list[int]:
    return sorted({b for s in segments for b in (s.start, s.end)})


def _crossing(r: Replacement, bounds: list[int]) -> bool:
    """True if a segment boundary lies strictly inside the replaced span."""
    k = bisect_left(bounds, r.start + 1)
    return k < len(bounds) and bounds[k] < r.end


def pseudonymise_short(value: str, ctx: PseudonymContext) -> str:
    """A short string (speaker, title, metadata value) with its identifiers replaced; flags are replaced too, since
    nobody reviews a metadata value."""
    if not value or not value.strip():
        return value
    result = pseudonymise(value, ctx.index, ctx.secret)
    if result.flags:
        extra = [
            Replacement(f.start, f.end, f.text, pseudonym("PER", f.text, ctx.secret), f.kind, "gazetteer")
            for f in result.original_flags
            if f.kind == "PER"
        ]
        result = apply(value, [*result.replacements, *extra])
    return result.text


def pseudonymise_post(value: str, ctx: PseudonymContext) -> tuple[str, list[dict[str, Any]]]:
    """A post of an online community (netnography): its text as :func:`pseudonymise_short` makes it (likely names
    the gazetteer flags are replaced too: nobody reads a corpus of thousands of posts before it is stored), and the
    findings for the review list with offsets in the NEW text. Every replacement keeps its original encrypted with
    the review key, so that the lead can reject it; flags of other kinds stay in the text, listed for review."""
    if not value or not value.strip():
        return value, []
    result = pseudonymise(value, ctx.index, ctx.secret)
    extra = [
        Replacement(f.start, f.end, f.text, pseudonym("PER", f.text, ctx.secret), f.kind, "gazetteer")
        for f in result.original_flags
        if f.kind == "PER"
    ]
    if extra:
        kept_flags = [f for f in result.original_flags if f.kind != "PER"]
        result = apply(value, [*result.replacements, *extra], kept_flags)
    if not result.replacements and not result.flags:
        return result.text, []
    return result.text, _finding_rows(result, ctx)


def _finding_rows(result: Result, ctx: PseudonymContext) -> list[dict[str, Any]]:
    """Review-list rows (without ``source_id``) for a pseudonymised text, offsets in its new text, sorted."""
    omap = result.offset_map
    findings: list[dict[str, Any]] = []
    for r in result.replacements:
        start, end = omap.map(r.start, "start"), omap.map(r.end, "end")
        findings.append(
            {
                "start": start,
                "end": end,
                "kind": r.kind,
                "detector": r.source,
                "status": "replaced",
                "replacement": r.replacement,
                "value_enc": encrypt(r.original.encode("utf-8"), ctx.review_key, b"finding"),
                "confidence": 1.0 if r.source == "known" else 0.9,
            }
        )
    for f in result.flags:
        findings.append(
            {
                "start": f.start,
                "end": f.end,
                "kind": f.kind,
                "detector": "gazetteer" if f.kind == "PER" else "pattern",
                "status": "flagged",
                "replacement": pseudonym(f.kind if f.kind in PREFIX else "PER", f.text, ctx.secret),
                "value_enc": None,
                "confidence": f.confidence,
            }
        )
    findings.sort(key=lambda row: (row["start"], row["end"]))
    return findings


def _metadata(value: Any, ctx: PseudonymContext) -> Any:
    if isinstance(value, str):
        return pseudonymise_short(value, ctx)
    if isinstance(value, list):
        return [_metadata(v, ctx) for v in value]
    if isinstance(value, dict):
        return {k: _metadata(v, ctx) for k, v in value.items()}
    return value


def speaker_label(value: str | None, ctx: PseudonymContext) -> str | None:
    if value is None:
        return None
    new = pseudonymise_short(value, ctx)
    match = _ONE_PSEUDONYM.match(new.strip())
    return match.group(1) if match else new


def pseudonymise_source(imported: ImportedSource, ctx: PseudonymContext) -> Pseudonymised:
    result: Result = pseudonymise(imported.text, ctx.index, ctx.secret)
    bounds = _boundaries(imported.segments)
    crossing = [r for r in result.replacements if _crossing(r, bounds)]
    if crossing:
        # an identifier that runs over a segment boundary is left for review rather than moving the boundary
        kept = [r for r in result.replacements if not _crossing(r, bounds)]
        flags = [*result.original_flags, *(Finding(r.start, r.end, r.kind, r.original, 0.5, True) for r in crossing)]
        result = apply(imported.text, kept, flags)
    omap = result.offset_map
    labels: dict[str | None, str | None] = {None: None}  # a transcript repeats a handful of labels many times

    def label(value: str | None) -> str | None:
        if value not in labels:
            labels[value] = speaker_label(value, ctx)
        return labels[value]

    segments = [
        dataclasses.replace(
            seg,
            start=omap.map(seg.start, "start"),
            end=omap.map(seg.end, "end"),
            speaker=label(seg.speaker),
            author=label(seg.author),
        )
        for seg in imported.segments
    ]
    findings = _finding_rows(result, ctx)
    new = dataclasses.replace(
        imported,
        text=result.text,
        segments=segments,
        title=pseudonymise_short(imported.title, ctx) if imported.title else imported.title,
        metadata=_metadata(imported.metadata, ctx),
    )
    return Pseudonymised(new, findings, len(result.replacements), len(result.flags), omap)


def stored_original(data: bytes, sha256: str, ctx: PseudonymContext | None) -> bytes | None:
    """What goes into ``files/``: the original as it is (pseudonymisation off), encrypted, or nothing."""
    if ctx is None:
        return data
    if ctx.originals_key is None:
        return None
    return encrypt(data, ctx.originals_key, sha256.encode("ascii"))


def pseudonymise_filename(filename: str, ctx: PseudonymContext) -> str:
    """A file name with its identifiers replaced; ``_`` counts as a word boundary (``2026-01-20_kodehuset.md``)."""
    spaced = filename.replace("_", " ")
    found = pseudonymise(spaced, ctx.index, ctx.secret)
    replacements = [
        dataclasses.replace(r, original=filename[r.start : r.end])
        for r in [
            *found.replacements,
            *(
                Replacement(f.start, f.end, f.text, pseudonym("PER", f.text, ctx.secret), f.kind, "gazetteer")
                for f in found.original_flags
                if f.kind == "PER"
            ),
        ]
    ]
    return apply(filename, replacements).text
