"""Which unit a REFI-QDA file counts its selection positions in, and their conversion to aia's code points.

The standard says Unicode code points; NVivo for Windows writes UTF-16 code units (an emoji or 𝔘 counts twice).
Source texts may also have Windows line ends (CRLF), which aia stores as LF. A *reading* is a pair
(unit, line ends): ``codepoints``/``utf16`` × ``raw`` (positions count the CR of every CRLF) / ``lf`` (they count
CRLF as one). Every reading maps a file position to an index in the stored (LF) text, or to nothing when the
position is impossible under it (beyond the text, or between the two halves of a surrogate pair).

Detection (``auto``) reads every selection under every reading that can differ for the file: a reading with
fewer impossible positions wins; among equals the standard's reading (code points, raw) stays unless the UTF-16
reading puts clearly more boundaries (5 % of them, at least one) on sensible places (not inside a word, not inside
a character sequence such as an emoji with a skin tone). Whether CRLF counts as one is decided by impossible
positions only. The result is reported as a warning whenever it is not the standard reading, and
impossible selections are never moved: they are left out and reported.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field

UNITS = ("codepoints", "utf16")
POSITION_CHOICES = ("auto", "utf16", "codepoints")


@dataclass(frozen=True)
class Reading:
    unit: str  # codepoints | utf16
    newlines: str  # raw | lf

    def describe(self) -> str:
        unit = "UTF-16 code units" if self.unit == "utf16" else "Unicode code points"
        return unit + (", with CRLF counted as one character" if self.newlines == "lf" else "")


STANDARD = Reading("codepoints", "raw")


class TextMap:
    """One source text: its stored (LF) form and the conversions from file positions to stored indices."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.crs = _find_all(raw, "\r\n")  # index of the CR of every CRLF
        #: lone CRs (old Mac line ends) become LF too, one for one, as aia's own text importer does
        self.text = raw.replace("\r\n", "\n").replace("\r", "\n") if "\r" in raw else raw
        self._astral: dict[str, list[int]] = {}

    @property
    def has_crlf(self) -> bool:
        return bool(self.crs)

    def _astral_units(self, basis: str) -> list[int]:
        """UTF-16 unit index where each astral (two-unit) character of ``basis`` text starts."""
        key = "raw" if basis is self.raw else "lf"
        if key not in self._astral:
            starts: list[int] = []
            extra = 0
            for i, ch in enumerate(basis):
                if ord(ch) > 0xFFFF:
                    starts.append(i + extra)
                    extra += 1
            self._astral[key] = starts
        return self._astral[key]

    def has_astral(self) -> bool:
        return any(ord(ch) > 0xFFFF for ch in self.raw)

    def index(self, position: int, reading: Reading) -> int | None:
        """The index in the stored text of a file position under ``reading``, or None when it is impossible."""
        basis = self.raw if reading.newlines == "raw" else self.text
        if position < 0:
            return None
        if reading.unit == "utf16":
            starts = self._astral_units(basis)
            if starts:
                k = bisect_left(starts, position)  # astral characters starting before the position
                if k and starts[k - 1] + 1 == position:  # between the halves of a surrogate pair
                    return None
                position -= k
        if position > len(basis):
            return None
        if reading.newlines == "raw" and self.crs:
            # every CR before the position goes; a position between CR and LF lands on the stored LF
            position -= bisect_left(self.crs, position)
        return position


def _find_all(text: str, needle: str) -> list[int]:
    out: list[int] = []
    i = text.find(needle)
    while i != -1:
        out.append(i)
        i = text.find(needle, i + len(needle))
    return out


def _joins(ch: str) -> bool:
    """Characters that continue the character before them (combining marks, skin tones, joiners, selectors)."""
    o = ord(ch)
    return (
        0x1F3FB <= o <= 0x1F3FF
        or o in (0x200D, 0xFE0F, 0xFE0E, 0x20E3)
        or 0xE0020 <= o <= 0xE007F
        or unicodedata.category(ch).startswith("M")
    )


def sensible(text: str, i: int) -> bool:
    """Whether a selection boundary at ``i`` is a place a person would choose: not inside a word or a character
    sequence (an emoji with a skin tone, a letter with a combining accent)."""
    if i <= 0 or i >= len(text):
        return True
    before, after = text[i - 1], text[i]
    if _joins(after) or before == "\u200d":
        return False
    return not (before.isalnum() and after.isalnum())


@dataclass
class Detection:
    reading: Reading
    warnings: list[str] = field(default_factory=list)


def candidate_readings(maps: Sequence[TextMap]) -> list[Reading]:
    """The readings that can differ for these texts, the standard first."""
    astral = any(m.has_astral() for m in maps)
    crlf = any(m.has_crlf for m in maps)
    units = ["codepoints", "utf16"] if astral else ["codepoints"]
    lines = ["raw", "lf"] if crlf else ["raw"]
    return [Reading(u, n) for u in units for n in lines]


def _score(maps: Sequence[TextMap], spans: Sequence[Sequence[tuple[int, int]]], reading: Reading) -> tuple[int, int]:
    """(impossible selections, boundaries on sensible places) of a reading."""
    impossible = good = 0
    for m, selections in zip(maps, spans, strict=True):
        for start, end in selections:
            a, b = m.index(start, reading), m.index(end, reading)
            if a is None or b is None or b <= a:
                impossible += 1
                continue
            good += sensible(m.text, a) + sensible(m.text, b)
    return impossible, good


def detect(
    maps: Sequence[TextMap], spans: Sequence[Sequence[tuple[int, int]]], forced: str = "auto", trusted: bool = False
) -> Detection:
    """Choose the reading for a whole file (one tool wrote every selection in it).

    ``forced``: ``auto``, ``utf16`` or ``codepoints`` (the unit; line ends are still detected). ``trusted``: the
    file comes from aia itself, which writes the standard reading; it is kept unless it is impossible."""
    if forced not in POSITION_CHOICES:
        raise ValueError(forced)
    readings = candidate_readings(maps)
    if forced != "auto":
        readings = [r for r in readings if r.unit == forced] or [Reading(forced, "raw")]
    if len(readings) == 1:
        return Detection(readings[0], _describe(readings[0], forced))
    if trusted and forced == "auto" and _score(maps, spans, STANDARD)[0] == 0:
        return Detection(STANDARD, [])
    scores = {r: _score(maps, spans, r) for r in readings}
    fewest = min(s[0] for s in scores.values())
    best = next(r for r in readings if scores[r][0] == fewest)
    total = sum(len(s) for s in spans) * 2
    margin = max(1, total // 20)
    for r in readings:  # line ends are only ever decided by impossible positions, the unit also by sense
        if r.newlines == best.newlines and scores[r][0] == fewest and scores[r][1] >= scores[best][1] + margin:
            best = r
    return Detection(best, _describe(best, forced))


def _describe(reading: Reading, forced: str) -> list[str]:
    if reading == STANDARD:
        return []
    how = "as requested" if forced != "auto" else "detected from where the selections start and end"
    out = [f"selection positions were read as {reading.describe()} ({how}) and converted to code points"]
    if reading.unit == "utf16" and forced == "auto":
        out[0] += "; use --positions codepoints if the codings look shifted"
    return out


def convert(m: TextMap, start: int, end: int, reading: Reading) -> tuple[int, int] | None:
    """A selection as (start, end) in the stored text, or None when it is impossible or empty."""
    a, b = m.index(start, reading), m.index(end, reading)
    if a is None or b is None or b <= a:
        return None
    return a, b


__all__ = ["POSITION_CHOICES", "UNITS", "Detection", "Reading", "TextMap", "convert", "detect"]
