"""WebVTT subtitles and transcripts (.vtt), e.g. from Teams, Zoom and YouTube.

Cues with a voice (``<v Name>``) or a ``Name:`` label become speaker turns; consecutive cues of the same
speaker are merged into one turn. Cues without a speaker stay separate ``cue`` segments.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from aia.errors import ImportFailed
from aia.ingest.base import ImportedSource, Importer, register
from aia.ingest.blocks import Block, assemble, stem
from aia.ingest.encoding import decode
from aia.ingest.speakers import find_labels
from aia.model import SegmentKind

NAME = "vtt"

_TS = r"(?:(\d{1,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_TIMING = re.compile(rf"^\s*{_TS}[ \t]+-->[ \t]+{_TS}(?:[ \t]+(.*))?$")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:[ \t]+([^>\n]*))?>")
_OPEN_VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+(?=[^>\n]*$)", re.MULTILINE)
_TAG = re.compile(r"<[^>\n]*>")
_HEADER_KEY = re.compile(r"^([A-Za-z][\w-]*)[ \t]*:[ \t]*(\S.*)$")
EXAMPLE_TIMING = "00:00:07.000 --> 00:00:11.890"


@dataclass
class Cue:
    start_ms: int
    end_ms: int
    text: str
    line: int
    speaker: str | None = None
    identifier: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def to_ms(hours: str | None, minutes: str, seconds: str, millis: str) -> int:
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)


def sniff(data: bytes, filename: str) -> bool:
    head = data[:16].removeprefix(b"\xef\xbb\xbf")
    return head.startswith(b"WEBVTT") and (len(head) == 6 or head[6:7] in (b" ", b"\t", b"\n", b"\r"))


def _clean(text: str) -> str:
    """Tags removed, entities decoded, lines stripped and empty lines dropped."""
    text = html.unescape(_TAG.sub("", text))
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


def split_voices(raw: str, cue: Cue, warnings: list[str]) -> list[Cue]:
    """Split a cue's raw text at voice tags; text after ``</v>`` stays with the last voice."""
    if _OPEN_VOICE.search(raw) and not _VOICE.search(raw):
        warnings.append(f"line {cue.line + 1}: a voice tag has no closing '>'; its text was kept without a speaker")
        raw = _OPEN_VOICE.sub("", raw)
    pieces: list[Cue] = []
    matches = list(_VOICE.finditer(raw))
    starts = [0, *(m.start() for m in matches)]
    speakers = [None, *((" ".join((m.group(1) or "").split()) or None) for m in matches)]
    ends = [m.start() for m in matches] + [len(raw)]
    for start, end, speaker in zip(starts, ends, speakers, strict=True):
        text = _clean(_VOICE.sub("", raw[start:end], count=1))
        if text:
            pieces.append(Cue(cue.start_ms, cue.end_ms, text, cue.line, speaker, cue.identifier, dict(cue.meta)))
    return pieces


def cues_to_blocks(cues: list[Cue]) -> list[Block]:
    """Label detection for cues without a voice, then merging of consecutive same-speaker cues into turns."""
    unvoiced = [i for i, cue in enumerate(cues) if cue.speaker is None]
    labels = find_labels([cues[i].text for i in unvoiced])
    spoken: list[tuple[Cue, str]] = [(cue, cue.text) for cue in cues]  # (cue, utterance without label)
    for index, label in zip(unvoiced, labels, strict=True):
        if label is not None:
            cue = cues[index]
            cue.speaker = label.speaker
            spoken[index] = (cue, cue.text.lstrip()[label.length :].strip())
    blocks: list[Block] = []
    current: Block | None = None
    for cue, utterance in spoken:
        if cue.speaker is None:
            current = None
            meta = {"identifier": cue.identifier} if cue.identifier else {}
            blocks.append(Block(cue.text, SegmentKind.CUE.value, None, cue.start_ms, cue.end_ms, meta))
            continue
        flat = " ".join(utterance.split())
        if current is not None and current.speaker == cue.speaker:
            current.text = f"{current.text} {flat}".rstrip()
            current.end_ms = max(current.end_ms or 0, cue.end_ms)
            current.meta["cues"] += 1
            continue
        current = Block(f"{cue.speaker}: {flat}".rstrip(), SegmentKind.TURN.value, cue.speaker)
        current.start_ms, current.end_ms, current.meta = cue.start_ms, cue.end_ms, {"cues": 1}
        blocks.append(current)
    return blocks


def _parse_timing(line: str, number: int, filename: str) -> tuple[int, int, str]:
    match = _TIMING.match(line)
    if match is None:
        raise ImportFailed(
            filename,
            f"the cue timing {line.strip()!r} is not valid; it must look like {EXAMPLE_TIMING!r}",
            number,
        )
    g = match.groups()
    return to_ms(g[0], g[1], g[2], g[3]), to_ms(g[4], g[5], g[6], g[7]), (g[8] or "").strip()


def parse_cues(text: str, filename: str) -> tuple[list[Cue], dict[str, Any], list[str]]:
    lines = text.split("\n")
    first = lines[0]
    if not first.startswith("WEBVTT") or first[6:7] not in ("", " ", "\t"):
        raise ImportFailed(filename, "the file does not start with 'WEBVTT', so it is not a WebVTT file", 1)
    metadata: dict[str, Any] = {}
    headers: dict[str, str] = {}
    if first[6:].strip(" \t-"):
        metadata["header"] = first[6:].strip(" \t-")
    i = 1
    while i < len(lines) and lines[i].strip() and "-->" not in lines[i]:
        match = _HEADER_KEY.match(lines[i].strip())
        if match:
            headers[match.group(1)] = match.group(2).strip()
        i += 1
    if headers:
        metadata["headers"] = headers
    cues: list[Cue] = []
    warnings: list[str] = []
    seen_cue = False
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        start = i
        word = lines[i].strip().split(maxsplit=1)[0] if lines[i].strip() else ""
        if word == "NOTE" or (word in ("STYLE", "REGION") and not seen_cue and "-->" not in lines[i]):
            while i < len(lines) and lines[i].strip():
                i += 1
            continue
        identifier = None
        if "-->" not in lines[i]:
            identifier = lines[i].strip()
            i += 1
            if i >= len(lines) or "-->" not in lines[i]:
                raise ImportFailed(
                    filename,
                    "this block has text but no cue timing line; add a timing such as "
                    f"{EXAMPLE_TIMING!r} above the text, or delete the block",
                    start + 1,
                )
        start_ms, end_ms, settings = _parse_timing(lines[i], i + 1, filename)
        seen_cue = True
        i += 1
        body: list[str] = []
        while i < len(lines) and lines[i].strip() and "-->" not in lines[i]:
            body.append(lines[i])
            i += 1
        cue = Cue(start_ms, end_ms, "", start + 1, identifier=identifier)
        if settings:
            cue.meta["settings"] = settings
        if end_ms < start_ms:
            warnings.append(f"line {start + 1}: the cue ends before it starts")
        pieces = split_voices("\n".join(body), cue, warnings)
        if not pieces:
            warnings.append(f"line {start + 1}: an empty cue was skipped")
        cues.extend(pieces)
    return cues, metadata, warnings


def parse(data: bytes, filename: str) -> ImportedSource:
    text = decode(data, filename)
    cues, metadata, warnings = parse_cues(text, filename)
    if not cues:
        raise ImportFailed(filename, "the WebVTT file contains no cues with text")
    metadata["cues"] = len(cues)
    plain, segments = assemble(cues_to_blocks(cues))
    headers = metadata.get("headers", {})
    language = headers.get("Language") or headers.get("language")
    return ImportedSource(
        text=plain,
        segments=segments,
        importer=NAME,
        title=stem(filename),
        language=language,
        metadata=metadata,
        warnings=warnings,
    )


IMPORTER = register(
    Importer(name=NAME, extensions=(".vtt",), parse=parse, sniff=sniff, description="WebVTT subtitles (.vtt)")
)
