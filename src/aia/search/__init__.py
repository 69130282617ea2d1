"""Full-text search over segments with Danish stemming, filters and keyword-in-context snippets.

``search(conn, "bilerne -cykel", SearchFilters(track_ids=[1]))`` parses the query (:mod:`aia.search.query`),
runs it (:mod:`aia.store.search`) and adds a snippet to each hit (:mod:`aia.search.kwic`).
The only error a query string can cause is :class:`aia.errors.SearchSyntaxError` (nothing to search for);
bad filters or paging raise :class:`aia.errors.ValidationError`.
"""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa

from aia.search.filters import SearchFilters, SearchHit, SearchPage
from aia.search.kwic import Snippet, find_hits, snippet
from aia.search.query import ParsedQuery, Term, parse_query

__all__ = [
    "ParsedQuery",
    "SearchFilters",
    "SearchHit",
    "SearchPage",
    "Snippet",
    "Term",
    "find_hits",
    "parse_query",
    "search",
    "snippet",
    "with_snippets",
]


def with_snippets(page: SearchPage, parsed: ParsedQuery) -> SearchPage:
    """The page with each hit's ``snippet`` parts and ``hits`` offsets filled in."""
    hits = []
    for hit in page.hits:
        kwic = snippet(hit.text, parsed)
        hits.append(dataclasses.replace(hit, snippet=kwic.parts, hits=kwic.hits))
    return dataclasses.replace(page, hits=tuple(hits))


def search(
    conn: sa.Connection,
    query: str,
    filters: SearchFilters | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchPage:
    """Search the segments for ``query``: one page of hits, best first, with snippets and the total count."""
    # imported here: aia.store.search imports this package's modules
    from aia.store.search import search_segments

    parsed = parse_query(query)
    return with_snippets(search_segments(conn, parsed, filters, limit=limit, offset=offset), parsed)
