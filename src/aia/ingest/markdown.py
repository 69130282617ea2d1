"""Markdown (.md): YAML front matter for facts about the material; headings and paragraphs as the body."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml

from aia.errors import ImportFailed
from aia.ingest.base import ImportedSource, Importer, register
from aia.ingest.blocks import Block, assemble, first_heading, stem
from aia.ingest.encoding import decode
from aia.ingest.speakers import apply_speakers
from aia.model import SegmentKind

NAME = "markdown"

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_BREAK = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_FM_END = re.compile(r"^(---|\.\.\.)[ \t]*$")


def _json_safe(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _names(value: Any) -> list[str]:
    """A list of names from a YAML list, a comma-separated string or a list of {name: …} mappings."""
    items = value if isinstance(value, list) else str(value).split(",") if value is not None else []
    names: list[str] = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("name") or item.get("pseudonym") or item.get("navn")
        if item is not None and str(item).strip():
            names.append(str(item).strip())
    return names


def split_front_matter(text: str, filename: str) -> tuple[dict[str, Any], str, int]:
    """Front matter as a dict, the body, and the 1-based line number where the body starts."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return {}, text, 1
    for index in range(1, len(lines)):
        if _FM_END.match(lines[index]):
            break
    else:
        raise ImportFailed(filename, "the front matter that starts here is never closed with a '---' line", 1)
    source = "\n".join(lines[1:index])
    try:
        loaded = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or "it cannot be read"
        raise ImportFailed(
            filename, f"the front matter is not valid YAML ({problem}); correct it or remove it", line
        ) from None
    if loaded is None:
        loaded = {}
    if not isinstance(loaded, dict):
        raise ImportFailed(filename, "the front matter must be 'key: value' lines, such as 'title: Interview 3'", 2)
    return {str(k): v for k, v in loaded.items()}, "\n".join(lines[index + 1 :]), index + 2


def parse_body(body: str, first_line: int) -> list[Block]:
    blocks: list[Block] = []
    para: list[str] = []
    para_line = first_line
    lines = body.split("\n")

    def flush() -> None:
        nonlocal para
        if para:
            blocks.append(Block("\n".join(para), meta={"line": para_line}))
            para = []

    i = 0
    while i < len(lines):
        line, number = lines[i].rstrip(), first_line + i
        fence = _FENCE.match(line)
        if fence:
            flush()
            end = i + 1
            while end < len(lines) and not lines[end].strip().startswith(fence.group(1)):
                end += 1
            blocks.append(Block("\n".join(lines[i : end + 1]), meta={"line": number, "code": True}))
            i = end + 1
            continue
        heading = _ATX.match(line)
        if heading:
            flush()
            title = (heading.group(2) or "").strip()
            if title:
                meta = {"line": number, "level": len(heading.group(1))}
                blocks.append(Block(title, SegmentKind.HEADING.value, meta=meta))
        elif para and _SETEXT.match(line):
            level = 1 if line.strip().startswith("=") else 2
            meta = {"line": para_line, "level": level}
            blocks.append(Block(" ".join(para), SegmentKind.HEADING.value, meta=meta))
            para = []
        elif not line.strip() or _BREAK.match(line):
            flush()
        else:
            if not para:
                para_line = number
            para.append(line)
        i += 1
    flush()
    return blocks


def _iso_date(value: Any, source: ImportedSource) -> str | None:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if value is None:
        return None
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        try:
            return dt.datetime.fromisoformat(text).isoformat()
        except ValueError:
            source.warnings.append(f"the front-matter date {text!r} is not an ISO date (YYYY-MM-DD); it was ignored")
            return None


def parse(data: bytes, filename: str) -> ImportedSource:
    text = decode(data, filename)
    front, body, body_line = split_front_matter(text, filename)
    blocks = apply_speakers(parse_body(body, body_line))
    plain, segments = assemble(blocks)
    metadata: dict[str, Any] = {k: _json_safe(v) for k, v in front.items()}
    researchers = _names(front.get("researchers", front.get("researcher")))
    if researchers:
        metadata["researchers"] = researchers
    source = ImportedSource(text=plain, segments=segments, importer=NAME, metadata=metadata)
    title = front.get("title")
    source.title = str(title).strip() if title else first_heading(blocks) or stem(filename)
    source.date = _iso_date(front.get("date"), source)
    language = front.get("language") or front.get("lang")
    source.language = str(language).strip() if language else None
    source.participants = _names(front.get("participants", front.get("deltagere")))
    return source


IMPORTER = register(
    Importer(name=NAME, extensions=(".md", ".markdown"), parse=parse, description="Markdown with YAML front matter")
)
