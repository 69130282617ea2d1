"""SubRip subtitles (.srt): numbered cues; ``Name:`` at the start of a cue makes it a speaker turn."""

from __future__ import annotations

import re

from aia.errors import ImportFailed
from aia.ingest.base import ImportedSource, Importer, register
from aia.ingest.blocks import assemble, stem
from aia.ingest.encoding import decode
from aia.ingest.vtt import Cue, cues_to_blocks, to_ms

NAME = "srt"
EXAMPLE_TIMING = "00:00:07,000 --> 00:00:11,890"

_TS = r"(\d{1,3}):([0-5]\d):([0-5]\d),(\d{3})"
_TIMING = re.compile(rf"^\s*{_TS}[ \t]+-->[ \t]+{_TS}(?:[ \t]+.*)?$")
_SNIFF = re.compile(rb"^(?:\xef\xbb\xbf)?\s*\d+[ \t]*\r?\n\d{1,3}:\d\d:\d\d,\d{3}[ \t]+-->")
_TAG = re.compile(r"</?(?:i|b|u|s|font)\b[^>\n]*>|\{\\[^}\n]*\}", re.IGNORECASE)


def sniff(data: bytes, filename: str) -> bool:
    return bool(_SNIFF.match(data[:200]))


def parse_cues(text: str, filename: str) -> tuple[list[Cue], list[str]]:
    lines = text.split("\n")
    cues: list[Cue] = []
    warnings: list[str] = []
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        start = i
        identifier = None
        if "-->" not in lines[i]:
            if not lines[i].strip().isdigit():
                raise ImportFailed(
                    filename, "a cue must start with its number followed by a timing line such as "
                    f"{EXAMPLE_TIMING!r}; add the missing number or timing", i + 1,
                )  # fmt: skip
            identifier = lines[i].strip()
            i += 1
        timing = _TIMING.match(lines[i]) if i < len(lines) else None
        if timing is None:
            shown = lines[i].strip() if i < len(lines) else ""
            problem = f"the cue timing {shown!r} is not valid" if "-->" in shown else "the cue has no timing line"
            raise ImportFailed(filename, f"{problem}; it must look like {EXAMPLE_TIMING!r}", min(i, len(lines) - 1) + 1)
        g = timing.groups()
        start_ms, end_ms = to_ms(*g[0:4]), to_ms(*g[4:8])
        i += 1
        body: list[str] = []
        while i < len(lines) and lines[i].strip():
            body.append(lines[i])
            i += 1
        cleaned = "\n".join(line.strip() for line in _TAG.sub("", "\n".join(body)).split("\n") if line.strip())
        if not cleaned:
            warnings.append(f"line {start + 1}: cue {identifier or ''} has no text and was skipped".replace("  ", " "))
            continue
        if end_ms < start_ms:
            warnings.append(f"line {start + 1}: the cue ends before it starts")
        cues.append(Cue(start_ms, end_ms, cleaned, start + 1, identifier=identifier))
    return cues, warnings


def parse(data: bytes, filename: str) -> ImportedSource:
    text = decode(data, filename)
    cues, warnings = parse_cues(text, filename)
    if not cues:
        raise ImportFailed(filename, "the subtitle file contains no cues with text")
    plain, segments = assemble(cues_to_blocks(cues))
    for segment in segments:
        segment.meta.pop("identifier", None)
    return ImportedSource(
        text=plain,
        segments=segments,
        importer=NAME,
        title=stem(filename),
        metadata={"cues": len(cues)},
        warnings=warnings,
    )


IMPORTER = register(
    Importer(name=NAME, extensions=(".srt",), parse=parse, sniff=sniff, description="SubRip subtitles (.srt)")
)
