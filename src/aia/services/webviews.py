"""Reads the web workbench needs beyond the general services: the source viewer's segments and codings (a chunk at a
time, in one consistent snapshot, fetched lean) and one coding's details."""

from __future__ import annotations

from dataclasses import dataclass

from aia.errors import NotFoundError
from aia.model import Memo
from aia.services.base import ProjectBase
from aia.store import memos as memos_db
from aia.store import webviews as db
from aia.store.database import read
from aia.store.webviews import CodingDetail, CodingSpan, SegmentBounds

#: code points of segment text the viewer sends at a time (the first load and each "more" fragment)
CHUNK_BUDGET = 100_000


@dataclass(frozen=True)
class ViewerChunk:
    """Consecutive segments of a source with the text they cover and the codings overlapping it."""

    segments: list[SegmentBounds]
    codings: list[CodingSpan]
    start: int  # code-point offset of ``text`` in the source
    text: str
    next_ordinal: int | None  # first ordinal of the next chunk; None at the end


class WebViewService(ProjectBase):
    def viewer_chunk(self, source_id: int, first: int = 0, budget: int = CHUNK_BUDGET) -> ViewerChunk:
        """The segments from ordinal ``first`` on until their text reaches ``budget`` code points (at least one),
        the text they cover and the codings overlapping it, in one read transaction. A source without segments is
        one chunk of its whole text (with no segments)."""
        with read(self.engine) as conn:
            segs, more = db.segment_chunk(conn, source_id, first, budget)
            if segs:
                start, end = segs[0].start, segs[-1].end
                text = db.text_slice(conn, source_id, start, end)
            else:
                start = 0
                text = db.text_slice(conn, source_id, 0, 2**62) if first == 0 else None
                end = len(text) if text is not None else 0
            if text is None:
                raise NotFoundError(f"there is no source {source_id} (or no segment {first} in it); reload the page")
            spans = db.coding_spans(conn, source_id, start, max(end, start + 1))
        return ViewerChunk(segs, spans, start, text, segs[-1].ordinal + 1 if more else None)

    def coding_details(self, coding_id: int) -> tuple[CodingDetail, list[Memo]]:
        """A coding with its code, the coded text and the memos written about it."""
        with read(self.engine) as conn:
            detail = db.coding_detail(conn, coding_id)
            if detail is None:
                raise NotFoundError(f"there is no coding {coding_id}; reload the page")
            return detail, memos_db.list_memos(conn, "coding", coding_id)
