"""Search with filters given as ids (the web's search page), and "apply a code to all results": a preview that says
how many segments will be coded and how many already are, then all of them coded in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from aia.search import SearchFilters, SearchPage
from aia.search import search as run_search
from aia.services.codebook import CodebookService
from aia.store import retrieval as store
from aia.store.database import read, write

#: at most this many search results are coded at once
APPLY_LIMIT = 1000


@dataclass(frozen=True)
class SearchCoding:
    """What applying a code to a search's results does (``preview``) or did: of ``total`` matching segments the
    first ``considered`` (at most :data:`APPLY_LIMIT`) are looked at; ``already`` of them lie wholly inside a
    coding with the code already and are skipped; ``to_code`` are (or were) coded."""

    code_id: int
    code_name: str
    total: int
    considered: int
    already: int
    to_code: int


class CodeSearchService(CodebookService):
    def search_filtered(
        self, query: str, filters: SearchFilters | None = None, limit: int = 50, offset: int = 0
    ) -> SearchPage:
        """A page of search hits, best first, with keyword-in-context snippets; filters name things by id."""
        with read(self.engine) as conn:
            return run_search(conn, query, filters, limit=limit, offset=offset)

    def code_search_results(
        self, query: str, code: str | int, filters: SearchFilters | None = None, preview: bool = False
    ) -> SearchCoding:
        """Code every segment the (filtered) search finds, up to :data:`APPLY_LIMIT`, with ``code``; segments that
        a coding with that code covers already are skipped. With ``preview`` nothing is stored. The search and the
        check run in the same write transaction as the inserts, so a colleague's coding in between is seen."""
        c = self.code(code)
        if preview:
            with read(self.engine) as conn:
                result, _ = self._search_coding_plan(conn, query, c.id, c.name, filters)
            return result
        with write(self.engine) as conn:
            result, todo = self._search_coding_plan(conn, query, c.id, c.name, filters)
            if todo:
                rows = [
                    {"source_id": s, "code_id": c.id, "start": a, "end": b, "coder": self.user, "comment": None}
                    for s, a, b in todo
                ]
                store.insert_codings(conn, rows)
        return result

    def _search_coding_plan(
        self, conn: sa.Connection, query: str, code_id: int, code_name: str, filters: SearchFilters | None
    ) -> tuple[SearchCoding, list[tuple[int, int, int]]]:
        page = run_search(conn, query, filters, limit=APPLY_LIMIT)
        source_ids = sorted({hit.source_id for hit in page.hits})
        existing = store.coded_spans(conn, code_id, source_ids) if source_ids else {}
        todo: list[tuple[int, int, int]] = []
        already = 0
        for span in dict.fromkeys((hit.source_id, hit.start, hit.end) for hit in page.hits if hit.end > hit.start):
            source_id, start, end = span
            if any(s <= start and end <= e for s, e in existing.get(source_id, ())):
                already += 1
            else:
                todo.append(span)
        return SearchCoding(code_id, code_name, page.total, len(page.hits), already, len(todo)), todo
