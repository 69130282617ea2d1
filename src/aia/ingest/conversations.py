"""What the AI-interaction log importers share: turns → text + one ``turn`` segment each, and files that hold
several conversations.

One conversation is one source. The registry in :mod:`aia.ingest.base` returns one :class:`ImportedSource` per
file, so an AI-log importer registers two things: an ordinary :class:`~aia.ingest.base.Importer` (so that
the registry recognises the file), and a ``parse_many`` here (:func:`register_many`) that returns every
conversation of the file. :func:`parse_many_file` picks the importer like the registry does and returns a list
for any file (a one-element list for the ordinary importers). The registry's ``parse`` of an AI-log importer refuses
the file with a pointer to ``aia ailog import``: only that path keeps the marked spans right under pseudonymisation.

Layout of the text: turns are separated by a blank line; each turn is ``role: content``. A content piece of
code (or tool output) is written as a Markdown fence; the code itself (inside the fence) is marked in the turn's
``meta["code_blocks"]`` as ``{start, end, language, kind}`` with offsets into the source text (code points, end
exclusive). Fenced code that the text itself contains is marked the same way. Claude's ``thinking`` blocks are
marked in ``meta["thinking"]``. Turns that belong to a branch (an edited or regenerated message) follow the shown
thread and carry ``meta["branch"]``; the first turn of a branch names the turn it is an alternative of in
``meta["alternative_of"]`` (a segment ordinal). ``SegmentDraft.parent`` is the ordinal of the turn replied to.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NoReturn

from aia.errors import ImportFailed
from aia.ingest.base import ImportedSource, SegmentDraft, choose_importer

ROLES = ("user", "assistant", "system", "tool")
TURN_SEPARATOR = "\n\n"
#: span lists in a turn's meta that hold offsets into the source text (kept right through pseudonymisation)
SPAN_KEYS = ("code_blocks", "thinking")

_FENCE = re.compile(r"^[ \t]*```[ \t]*([^\s`]*)[^\n`]*\n(.*?)^[ \t]*```[ \t]*$", re.MULTILINE | re.DOTALL)

ParseMany = Callable[[bytes, str], list[ImportedSource]]
_MANY: dict[str, ParseMany] = {}


def register_many(name: str, parse_many: ParseMany) -> None:
    """Register the several-conversations parser of importer ``name``."""
    _MANY[name] = parse_many


def parse_many_file(data: bytes, filename: str) -> list[ImportedSource]:
    """Every source in a file: one per conversation for AI-log files, else the one source the importer returns."""
    importer = choose_importer(data, filename)
    many = _MANY.get(importer.name)
    return many(data, filename) if many is not None else [importer.parse(data, filename)]


def parse_conversations(data: bytes, filename: str) -> list[ImportedSource]:
    """The conversations of an AI-interaction log; any other file is refused, naming the command that imports it."""
    importer = choose_importer(data, filename)
    many = _MANY.get(importer.name)
    if many is None:
        raise ImportFailed(
            filename,
            f"the file is not an AI-interaction log (it reads as {importer.description}); import it with 'aia import'",
        )
    return many(data, filename)


def only_one(sources: list[ImportedSource], filename: str) -> NoReturn:
    """The registry's one-source ``parse`` for AI logs: refused, with the command that imports them.

    ``aia ailog import`` (:meth:`aia.services.ailogs.AiLogService.import_ai_logs`) makes one source per
    conversation and moves the code-block and thinking spans with the text when it is pseudonymised; the generic
    import path would store those spans unmoved."""
    raise ImportFailed(
        filename,
        f"the file is an AI-interaction log with {len(sources)} conversation(s); import it with "
        "'aia ailog import' (one source per conversation)",
    )


@dataclass
class Piece:
    """Part of a turn's content: ``text`` (Markdown, may contain fences), ``code``, ``output`` or ``thinking``."""

    text: str
    kind: str = "text"
    language: str | None = None


@dataclass
class Turn:
    role: str
    pieces: list[Piece]
    model: str | None = None
    time: str | None = None
    attachments: list[str] = field(default_factory=list)
    #: index (in the turn list) of the turn this one replies to; None: the first turn
    parent: int | None = None
    #: index of the shown-thread turn this one is an alternative of (first turn of a branch)
    alternative_of: int | None = None
    branch: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def iso_from_epoch(value: Any) -> str | None:
    """An epoch time (seconds, int/float/str) as ISO 8601 UTC, or None."""
    if value is None or value == "":
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    except (OverflowError, OSError, ValueError):
        return None


def clean(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def _fence(code: str, language: str | None) -> tuple[str, int, int]:
    """A fenced block for ``code``: (block text, start, end of the code inside it)."""
    head = f"```{language or ''}\n"
    return f"{head}{code}\n```", len(head), len(head) + len(code)


def render_turn(turn: Turn, offset: int) -> tuple[str, dict[str, Any]] | None:
    """The turn's text (``role: content``) and its span meta with offsets from ``offset``; None if it is empty."""
    prefix = f"{turn.role}: "
    parts: list[str] = []
    code_blocks: list[dict[str, Any]] = []
    thinking: list[dict[str, int]] = []
    pos = offset + len(prefix)
    for piece in turn.pieces:
        body = clean(piece.text).strip("\n")
        body = body.rstrip() if piece.kind in ("code", "output") else body.strip()
        if not body:
            continue
        if parts:
            parts.append(TURN_SEPARATOR)
            pos += len(TURN_SEPARATOR)
        if piece.kind in ("code", "output"):
            block, start, end = _fence(body, piece.language if piece.kind == "code" else None)
            code_blocks.append({"start": pos + start, "end": pos + end, "language": piece.language, "kind": piece.kind})
            parts.append(block)
            pos += len(block)
            continue
        for match in _FENCE.finditer(body) if "```" in body else ():
            inner = match.group(2)
            if inner.endswith("\n"):
                inner = inner[:-1]
            if inner:
                start = pos + match.start(2)
                code_blocks.append(
                    {"start": start, "end": start + len(inner), "language": match.group(1) or None, "kind": "code"}
                )
        if piece.kind == "thinking":
            thinking.append({"start": pos, "end": pos + len(body)})
        parts.append(body)
        pos += len(body)
    if not parts:
        return None
    meta: dict[str, Any] = {"model": turn.model, "time": turn.time, "code_blocks": code_blocks}
    if turn.attachments:
        meta["attachments"] = list(turn.attachments)
    if thinking:
        meta["thinking"] = thinking
    meta.update(turn.meta)
    return prefix + "".join(parts), meta


def build_source(
    turns: list[Turn],
    importer: str,
    title: str | None,
    date: str | None,
    metadata: dict[str, Any],
    warnings: list[str] | None = None,
) -> ImportedSource:
    """Text and turn segments from ``turns``; empty turns are left out (counted in ``metadata["empty_turns"]``)."""
    chunks: list[str] = []
    segments: list[SegmentDraft] = []
    ordinal_of: dict[int, int] = {}
    pos = 0
    empty = 0
    for index, turn in enumerate(turns):
        start = pos + (len(TURN_SEPARATOR) if chunks else 0)
        rendered = render_turn(turn, start)
        if rendered is None:
            empty += 1
            continue
        text, meta = rendered
        if chunks:
            chunks.append(TURN_SEPARATOR)
        chunks.append(text)
        pos = start + len(text)
        parent = _nearest(turn.parent, turns, ordinal_of)
        if turn.alternative_of is not None:
            meta["alternative_of"] = _nearest(turn.alternative_of, turns, ordinal_of)
        if turn.branch is not None:
            meta["branch"] = turn.branch
        ordinal_of[index] = len(segments)
        segments.append(SegmentDraft(kind="turn", start=start, end=pos, speaker=turn.role, parent=parent, meta=meta))
    metadata = dict(metadata)
    metadata["turns"] = len(segments)
    if empty:
        metadata["empty_turns"] = empty
    return ImportedSource(
        text="".join(chunks),
        segments=segments,
        importer=importer,
        title=title,
        date=date,
        metadata=metadata,
        warnings=list(warnings or []),
    )


def _nearest(index: int | None, turns: list[Turn], ordinal_of: dict[int, int]) -> int | None:
    """The segment ordinal of turn ``index``, or of its nearest ancestor that has a segment."""
    seen: set[int] = set()
    while index is not None and index not in ordinal_of and index not in seen:
        seen.add(index)
        index = turns[index].parent
    return ordinal_of.get(index) if index is not None else None


def normalise_role(value: Any, filename: str, where: str) -> str:
    role = str(value or "").strip().lower()
    role = {"human": "user", "ai": "assistant", "bot": "assistant", "model": "assistant", "function": "tool"}.get(
        role, role
    )
    if role not in ROLES:
        raise ImportFailed(
            filename, f"{where} has the role {value!r}; a role must be one of {', '.join(ROLES)} (or human)"
        )
    return role
