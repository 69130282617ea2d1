"""Replacements, the old-to-new offset map, and applying an accepted subset of replacements.

Offset rule of :class:`OffsetMap` (old text -> new text, code points):

* An offset outside every replaced span, or exactly on a span boundary, keeps its distance to the text around
  it: it is shifted by the total length change of the replacements that end at or before it. So ``0 -> 0``,
  ``len(old) -> len(new)``, the start of a replaced span maps to the start of its replacement and the end to
  the end of the replacement.
* An offset strictly inside a replaced span snaps outwards, so that a coding that touched the identifier still
  covers the whole pseudonym: with ``side="start"`` (the default, for the start of a coding) it maps to the start
  of the replacement, with ``side="end"`` (for the end of a coding) to its end.

Both sides are monotone (non-decreasing) in the offset.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from aia.privacy.detect import Finding


@dataclass(frozen=True)
class Replacement:
    """``original`` at ``[start, end)`` of the old text becomes ``replacement``.

    ``source`` is ``known``, ``pattern`` or ``gazetteer``.
    """

    start: int
    end: int
    original: str
    replacement: str
    kind: str
    source: str


class OffsetMap:
    """Maps offsets of the old text to offsets of the new text; see the module docstring for the rule."""

    def __init__(self, replacements: Sequence[Replacement], old_length: int) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._new_starts: list[int] = []
        self._new_ends: list[int] = []
        self.old_length = old_length
        shift = 0
        for r in replacements:
            self._starts.append(r.start)
            self._ends.append(r.end)
            self._new_starts.append(r.start + shift)
            shift += len(r.replacement) - (r.end - r.start)
            self._new_ends.append(r.end + shift)
        self.new_length = old_length + shift

    def map(self, offset: int, side: Literal["start", "end"] = "start") -> int:
        if not 0 <= offset <= self.old_length:
            raise ValueError(f"offset {offset} outside 0..{self.old_length}")
        k = bisect_right(self._starts, offset) - 1  # last span starting at or before offset
        if k < 0:
            return offset
        if offset == self._starts[k]:
            return self._new_starts[k]
        if offset < self._ends[k]:
            return self._new_starts[k] if side == "start" else self._new_ends[k]
        return self._new_ends[k] + (offset - self._ends[k])

    def map_span(self, start: int, end: int) -> tuple[int, int]:
        """A coded span: its start snaps to the start, its end to the end of any replacement it cuts."""
        return self.map(start, "start"), self.map(end, "end")


@dataclass
class Result:
    """The pseudonymised ``text``, what was replaced, what needs review (offsets in the NEW text), and the map.

    ``original_flags`` are the same review flags with offsets in the OLD text (for evaluation and re-apply).
    """

    text: str
    replacements: list[Replacement]
    flags: list[Finding]
    offset_map: OffsetMap
    original_flags: list[Finding] = field(default_factory=list)


def apply(text: str, replacements: Iterable[Replacement], flags: Iterable[Finding] = ()) -> Result:
    """Apply replacements (e.g. the accepted subset of a previous result) to ``text``.

    Replacements must not overlap and must match the text they replace. ``flags`` (offsets in ``text``) are
    moved to the new text; flags that overlap an applied replacement are dropped.
    """
    ordered = sorted(replacements, key=lambda r: (r.start, r.end))
    parts: list[str] = []
    pos = 0
    for r in ordered:
        if r.start < pos:
            raise ValueError(f"overlapping replacements at {r.start}")
        if text[r.start : r.end] != r.original:
            raise ValueError(f"replacement at {r.start} does not match the text")
        parts.append(text[pos : r.start])
        parts.append(r.replacement)
        pos = r.end
    parts.append(text[pos:])
    new_text = "".join(parts)
    offset_map = OffsetMap(ordered, len(text))
    starts = [r.start for r in ordered]

    def overlaps(f: Finding) -> bool:
        k = bisect_right(starts, f.end - 1) - 1  # last replacement starting before the flag ends
        return k >= 0 and ordered[k].end > f.start

    kept = [f for f in flags if not overlaps(f)]
    moved = [
        Finding(
            offset_map.map(f.start, "start"),
            offset_map.map(f.end, "end"),
            f.kind,
            f.text,
            f.confidence,
            f.needs_review,
        )
        for f in kept
    ]
    return Result(new_text, ordered, moved, offset_map, kept)
