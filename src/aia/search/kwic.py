"""Keyword in context: where a search's words occur in a segment's original text, and a snippet around them.

No markup is produced: a snippet is a sequence of ``(text, is_hit)`` parts, which the CLI and the web render
(and escape) their own way. Offsets are code points relative to the start of the segment text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aia.search.query import ParsedQuery
from aia.text.stemming import stem, tokens_with_offsets

ELLIPSIS = "…"
#: about this many characters of context either side of the first hit
CONTEXT = 60

Part = tuple[str, bool]
Span = tuple[int, int]

_SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class Snippet:
    """``parts`` to show (hit parts are the original words), ``hits`` every matched word's (start, end)."""

    parts: tuple[Part, ...]
    hits: tuple[Span, ...]

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.parts)


def find_hits(text: str, parsed: ParsedQuery) -> list[Span]:
    """(start, end) of every word of ``text`` that a positive term of the query matches.

    A word matches when its Danish stem is a query stem, it equals a query word, or it starts with a query
    prefix. The words of a phrase are highlighted wherever they occur.
    """
    hits: list[Span] = []
    stems, plain, prefixes = parsed.stems, parsed.plain, parsed.prefixes
    for token, start, end in tokens_with_offsets(text):
        if token in plain or token.startswith(prefixes) or (stems and stem(token) in stems):
            hits.append((start, end))
    return hits


def snippet(text: str, parsed: ParsedQuery, context: int = CONTEXT) -> Snippet:
    """The text around the first hit (the start of the text when nothing matches), cut at word boundaries."""
    hits = find_hits(text, parsed)
    tokens = [(start, end) for _, start, end in tokens_with_offsets(text)]
    anchor = hits[0] if hits else (0, 0)
    begin, finish = _window(text, tokens, anchor, context, extra=0 if hits else context)
    return Snippet(parts=_parts(text, begin, finish, hits), hits=tuple(hits))


def _window(text: str, tokens: list[Span], anchor: Span, context: int, extra: int) -> Span:
    first, last = anchor
    begin = first - context
    if begin <= 0:
        begin = 0
    else:  # start at the first word that begins inside the window
        begin = min((s for s, _ in tokens if s >= begin), default=first)
        begin = min(begin, first)
    finish = last + context + extra
    if finish >= len(text):
        finish = len(text)
    else:  # end with the last word that ends inside the window, and the punctuation right after it
        finish = max((e for _, e in tokens if e <= finish), default=last)
        finish = max(finish, last)
        while finish < len(text) and not text[finish].isspace() and not text[finish].isalnum():
            finish += 1
    if not text[:begin].strip():
        begin = 0
    if not text[finish:].strip():
        finish = len(text)
    return begin, finish


def _parts(text: str, begin: int, finish: int, hits: list[Span]) -> tuple[Part, ...]:
    raw: list[Part] = []
    if begin > 0:
        raw.append((ELLIPSIS, False))
    position = begin
    for start, end in hits:
        if start < begin or end > finish:
            continue
        raw.append((_SPACE_RE.sub(" ", text[position:start]), False))
        raw.append((text[start:end], True))
        position = end
    raw.append((_SPACE_RE.sub(" ", text[position:finish]), False))
    if finish < len(text):
        raw.append((ELLIPSIS, False))
    # strip the outer whitespace, drop empty parts and merge neighbouring plain parts
    merged: list[Part] = []
    for index, (piece, is_hit) in enumerate(raw):
        if not is_hit:
            if index == 0 or (index == 1 and raw[0][0] == ELLIPSIS):
                piece = piece.lstrip()
            if index == len(raw) - 1 or (index == len(raw) - 2 and raw[-1][0] == ELLIPSIS):
                piece = piece.rstrip()
        if not piece:
            continue
        if merged and not is_hit and not merged[-1][1]:
            merged[-1] = (merged[-1][0] + piece, False)
        else:
            merged.append((piece, is_hit))
    return tuple(merged)
