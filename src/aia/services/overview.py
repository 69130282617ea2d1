"""Project overview (counts per forløb × WP) and full-text search over segments."""

from __future__ import annotations

from collections.abc import Sequence

from aia.search import SearchFilters, SearchPage
from aia.search import search as run_search
from aia.services.codebook import CodebookService
from aia.services.structure import check_date
from aia.store import status as db
from aia.store.database import read
from aia.store.status import CellCounts


class OverviewService(CodebookService):
    def status(self) -> list[CellCounts]:
        """Counts of activities, sources, segments and codings for every forløb × WP."""
        with read(self.engine) as conn:
            return db.counts(conn)

    def search(
        self,
        query: str,
        track: Sequence[str | int] = (),
        wp: Sequence[int] = (),
        activity: Sequence[int] = (),
        participant: Sequence[str | int] = (),
        code: Sequence[str | int] = (),
        source: Sequence[int] = (),
        date_from: str | None = None,
        date_to: str | None = None,
        limit: int = 20,
        offset: int = 0,
        include_subcodes: bool = True,
    ) -> SearchPage:
        """Search segments: Danish stemming, "phrases", prefix*, -exclusion; filters narrow the results.

        Names are resolved here (forløb by name/prefix, participants by pseudonym, codes by path/name);
        a code filter includes its subcodes unless ``include_subcodes`` is false.
        """
        code_ids: list[int] = []
        for ref in code:
            c = self.code(ref)
            code_ids.append(c.id)
            if include_subcodes:
                code_ids.extend(self.descendants(c.id))
        filters = SearchFilters(
            track_ids=[self.track(t).id for t in track] or None,
            wp_numbers=list(wp) or None,
            activity_ids=[self.activity(a).id for a in activity] or None,
            participant_ids=[self.participant(p).id for p in participant] or None,
            code_ids=code_ids or None,
            source_ids=list(source) or None,
            date_from=check_date(date_from, "--from"),
            date_to=check_date(date_to, "--to"),
        )
        with read(self.engine) as conn:
            return run_search(conn, query, filters, limit=limit, offset=offset)
