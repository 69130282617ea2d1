"""DevGPT JSON (MSR 2024 challenge): ``Sources`` → ``ChatgptSharing`` → ``Conversations``; one source per sharing.

Each conversation entry is a ``Prompt`` (user) and an ``Answer`` (assistant). DevGPT cut code blocks out and left
``[CODE_BLOCK_n]`` placeholders; they are filled back in from ``ListOfCode`` as fenced code (marked in
``meta["code_blocks"]``). The GitHub or Hacker News context of the sharing (the issue, pull request, commit, file or
story that mentioned it) is kept in the source's metadata. Sharings whose link could not be fetched (``Status`` other
than 200, no conversation) are skipped and counted.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from aia.errors import ImportFailed
from aia.ingest.base import ImportedSource, Importer, register
from aia.ingest.chatgpt import load_json
from aia.ingest.conversations import Piece, Turn, build_source, only_one, register_many

NAME = "devgpt"
_PLACEHOLDER = re.compile(r"\[CODE_BLOCK_\d+\]")
#: context fields left out of the metadata (the sharings themselves, and base64 file contents)
_LEAVE_OUT = frozenset({"ChatgptSharing", "Content"})


def sniff(data: bytes, filename: str) -> bool:
    """``{"Sources": …`` with a ``ChatgptSharing`` in the first MB, or DevGPT's own file name (``…_sharings.json``:
    a first source with a large base64 file content can push the first sharing further in)."""
    head = data[:1_048_576].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] != b"{" or b'"Sources"' not in head[:256]:
        return False
    return b'"ChatgptSharing"' in head or filename.lower().endswith("_sharings.json")


def _date(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    for fmt in ("%B %d, %Y", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d"):
        try:
            return datetime.strptime(value.strip(), fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _pieces(text: str, codes: dict[str, dict[str, Any]], used: set[str]) -> list[Piece]:
    """Text with its placeholders replaced by code pieces."""
    pieces: list[Piece] = []
    pos = 0
    for match in _PLACEHOLDER.finditer(text):
        code = codes.get(match.group(0))
        if code is None:
            continue
        used.add(match.group(0))
        pieces.append(Piece(text[pos : match.start()]))
        language = code.get("Type")
        pieces.append(Piece(str(code.get("Content") or ""), "code", str(language) if language else None))
        pos = match.end()
    pieces.append(Piece(text[pos:]))
    return pieces


def _sharing(sharing: dict[str, Any], context: dict[str, Any], where: str, filename: str) -> ImportedSource:
    conversations = sharing.get("Conversations")
    if not isinstance(conversations, list):
        raise ImportFailed(filename, f"{where} has no list 'Conversations'")
    model = str(sharing["Model"]) if sharing.get("Model") else None
    date = _date(sharing.get("DateOfConversation"))
    turns: list[Turn] = []
    warnings: list[str] = []
    for i, conv in enumerate(conversations, start=1):
        if not isinstance(conv, dict):
            raise ImportFailed(filename, f"{where}, conversation entry {i} is not a JSON object")
        codes: dict[str, dict[str, Any]] = {}
        for code in conv.get("ListOfCode") or []:
            if isinstance(code, dict) and isinstance(code.get("ReplaceString"), str):
                codes[code["ReplaceString"]] = code
        used: set[str] = set()
        prompt = _pieces(str(conv.get("Prompt") or ""), codes, used)
        answer = _pieces(str(conv.get("Answer") or ""), codes, used)
        missing = [
            p
            for text in (conv.get("Prompt"), conv.get("Answer"))
            for p in _PLACEHOLDER.findall(str(text or ""))
            if p not in codes
        ]
        if missing:
            warnings.append(f"{where}, entry {i}: no code for {', '.join(sorted(set(missing)))}; left as written")
        unplaced = sorted(set(codes) - used)
        for key in unplaced:
            code = codes[key]
            language = code.get("Type")
            answer.append(Piece(str(code.get("Content") or ""), "code", str(language) if language else None))
        index = {"conv_index": conv.get("ConvIndex", i - 1)}
        turns.append(Turn("user", prompt, None, date, parent=len(turns) - 1 if turns else None, meta=dict(index)))
        turns.append(Turn("assistant", answer, model, date, parent=len(turns) - 1, meta=dict(index)))
    title = str(sharing.get("Title") or "").strip() or str(sharing.get("URL") or "DevGPT-samtale")
    mention = sharing.get("Mention") if isinstance(sharing.get("Mention"), dict) else {}
    metadata: dict[str, Any] = {
        "format": "DevGPT",
        "sharing_url": sharing.get("URL"),
        "conversation_key": f"{NAME}:{sharing.get('URL')}",
        "model": model,
        "date_of_conversation": sharing.get("DateOfConversation"),
        "date_of_access": sharing.get("DateOfAccess"),
        "number_of_prompts": sharing.get("NumberOfPrompts"),
        "tokens_of_prompts": sharing.get("TokensOfPrompts"),
        "tokens_of_answers": sharing.get("TokensOfAnswers"),
        "mention": mention,
        "context": context,
    }
    return build_source(turns, NAME, title, date, metadata, warnings)


def parse_many(data: bytes, filename: str) -> list[ImportedSource]:
    document = load_json(data, filename)
    if not isinstance(document, dict) or not isinstance(document.get("Sources"), list):
        raise ImportFailed(filename, "the file has no list 'Sources'; it is not a DevGPT sharing file")
    sources: list[ImportedSource] = []
    skipped = 0
    for s, item in enumerate(document["Sources"], start=1):
        if not isinstance(item, dict):
            raise ImportFailed(filename, f"Sources entry {s} is not a JSON object")
        context = {k: v for k, v in item.items() if k not in _LEAVE_OUT}
        for c, sharing in enumerate(item.get("ChatgptSharing") or [], start=1):
            where = f"Sources entry {s}, sharing {c} ({sharing.get('URL') if isinstance(sharing, dict) else None})"
            if not isinstance(sharing, dict):
                raise ImportFailed(filename, f"{where} is not a JSON object")
            if not sharing.get("Conversations"):
                skipped += 1
                continue
            sources.append(_sharing(sharing, context, where, filename))
    if not sources:
        raise ImportFailed(filename, f"the DevGPT file holds no shared conversation with text ({skipped} without)")
    if skipped:
        sources[0].warnings.append(f"{skipped} sharings without a conversation (link not fetched) were skipped")
    return sources


def parse(data: bytes, filename: str) -> ImportedSource:
    return only_one(parse_many(data, filename), filename)


register_many(NAME, parse_many)
IMPORTER = register(
    Importer(name=NAME, extensions=(".devgpt.json",), parse=parse, sniff=sniff, description="DevGPT sharings (JSON)")
)
