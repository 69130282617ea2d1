"""What a search can be narrowed to, and the records a search returns."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from aia.errors import ValidationError

_DATE_RE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


@dataclass(frozen=True)
class SearchFilters:
    """Restrictions on a search; each one left as None (or empty) does not restrict.

    Filters combine with AND; the ids within one filter with OR. ``date_from``/``date_to`` are ISO dates
    (``2024``, ``2024-05`` or ``2024-05-01``), inclusive, compared with the source's date or else its
    activity's; ``date_to="2024-05"`` includes all of May. Segments without any date are left out when a date
    filter is set. ``participant_ids`` matches segments spoken by the participant and every segment of a
    source linked to them;
    ``code_ids`` matches segments that overlap a coding with one of the codes; ``activity_kinds`` sources whose
    activity is of one of the kinds (interview, workshop …; sources without an activity are left out).
    """

    track_ids: Sequence[int] | None = None
    wp_numbers: Sequence[int] | None = None
    activity_ids: Sequence[int] | None = None
    participant_ids: Sequence[int] | None = None
    code_ids: Sequence[int] | None = None
    source_ids: Sequence[int] | None = None
    date_from: str | None = None
    date_to: str | None = None
    activity_kinds: Sequence[str] | None = None

    def __post_init__(self) -> None:
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if value is not None and not _DATE_RE.fullmatch(value):
                raise ValidationError(
                    f"{name.replace('_', ' ')} {value!r} is not a date: write it as YYYY-MM-DD, YYYY-MM or YYYY."
                )

    @property
    def is_empty(self) -> bool:
        return not any(
            (
                self.track_ids,
                self.wp_numbers,
                self.activity_ids,
                self.participant_ids,
                self.code_ids,
                self.source_ids,
                self.date_from,
                self.date_to,
                self.activity_kinds,
            )
        )


Part = tuple[str, bool]
Span = tuple[int, int]


@dataclass(frozen=True)
class SearchHit:
    """One matching segment: ``text`` is its original text, ``start``/``end`` its span in the source.

    ``snippet`` is the keyword-in-context as ``(text, is_hit)`` parts and ``hits`` the matched words' offsets
    relative to the segment (code points); both are filled in by :func:`aia.search.search`.
    """

    segment_id: int
    source_id: int
    source_title: str
    track_id: int
    track_name: str
    wp_number: int
    activity_id: int | None
    activity_title: str | None
    activity_date: str | None
    date: str | None
    ordinal: int
    kind: str
    speaker: str | None
    participant_id: int | None
    start: int
    end: int
    text: str
    rank: float
    snippet: tuple[Part, ...] = ()
    hits: tuple[Span, ...] = ()


@dataclass(frozen=True)
class SearchPage:
    """A page of hits, best first; ``total`` counts all matching segments (for paging)."""

    query: str
    total: int
    limit: int
    offset: int
    hits: tuple[SearchHit, ...]

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.hits) < self.total
