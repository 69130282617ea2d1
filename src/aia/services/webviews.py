"""Reads the web workbench needs beyond the general services: the source viewer's segments and codings in one
consistent snapshot, fetched lean."""

from __future__ import annotations

from aia.services.base import ProjectBase
from aia.store import webviews as db
from aia.store.database import read
from aia.store.webviews import CodingSpan, SegmentBounds


class WebViewService(ProjectBase):
    def viewer_data(self, source_id: int) -> tuple[list[SegmentBounds], list[CodingSpan]]:
        """The segments (bounds, speaker, time) and codings of one source, in one read transaction."""
        with read(self.engine) as conn:
            return db.segment_bounds(conn, source_id), db.coding_spans(conn, source_id)
