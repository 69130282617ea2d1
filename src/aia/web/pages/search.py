"""Full-text search with keyword-in-context, filters (forløb, WP, participant, kind of activity, code), paging, and
"apply code to all results" with a confirmation that says how many segments will be coded and how many already are."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from aia.model import ActivityKind
from aia.project import Project
from aia.search import SearchFilters
from aia.services.codesearch import SearchCoding
from aia.web.core import Ctx, route

PAGE_SIZE = 50
FILTER_FIELDS = ("track", "wp", "participant", "kind", "code")


def _int(params: Mapping[str, str], name: str) -> int | None:
    value = params.get(name, "").strip()
    return int(value) if value.isdigit() else None


def chosen(params: Mapping[str, str]) -> dict[str, Any]:
    """The filter values of a query string or form (ids as ints; anything malformed is ignored)."""
    kind = params.get("kind", "").strip()
    return {
        "track": _int(params, "track"),
        "wp": _int(params, "wp"),
        "participant": _int(params, "participant"),
        "kind": kind if kind in {k.value for k in ActivityKind} else "",
        "code": _int(params, "code"),
    }


def search_filters(values: Mapping[str, Any]) -> SearchFilters:
    return SearchFilters(
        track_ids=[values["track"]] if values["track"] else None,
        wp_numbers=[values["wp"]] if values["wp"] else None,
        participant_ids=[values["participant"]] if values["participant"] else None,
        activity_kinds=[values["kind"]] if values["kind"] else None,
        code_ids=[values["code"]] if values["code"] else None,
    )


def choices(project: Project) -> dict[str, Any]:
    return {
        "tracks": project.tracks(),
        "participants": project.participants(),
        "kinds": [k.value for k in ActivityKind],
        "codes": project.code_tree(with_counts=False),
    }


def search(project: Project, q: str, values: Mapping[str, Any], page_no: int) -> dict[str, Any]:
    page = project.search_filtered(q, search_filters(values), limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE)
    kept = {"q": q, **{k: v for k, v in values.items() if v}}

    def page_url(n: int) -> str:
        return "/search?" + urlencode({**kept, "page": n})

    return {
        "results": page.hits,
        "total": page.total,
        "first": page.offset + 1,
        "last": page.offset + len(page.hits),
        "prev_url": page_url(page_no - 1) if page_no > 1 else None,
        "next_url": page_url(page_no + 1) if page.has_more else None,
    }


def search_page_data(project: Project, q: str, values: Mapping[str, Any], page_no: int) -> dict[str, Any]:
    data: dict[str, Any] = {"results": None, "total": 0, "prev_url": None, "next_url": None}
    if q:
        data = search(project, q, values, page_no)
    return {**data, **choices(project), "q": q, "filters": values}


def apply_preview(project: Project, q: str, values: Mapping[str, Any], code_id: int) -> SearchCoding:
    return project.code_search_results(q, code_id, search_filters(values), preview=True)


def apply(project: Project, q: str, values: Mapping[str, Any], code_id: int) -> SearchCoding:
    return project.code_search_results(q, code_id, search_filters(values))


@route("/search", "reader")
async def search_page(ctx: Ctx) -> Response:
    params = ctx.request.query_params
    q = params.get("q", "").strip()
    page_no = max(1, _int(params, "page") or 1)
    data = await ctx.call(search_page_data, ctx.project, q, chosen(params), page_no)
    return ctx.render("search.html", applied=None, **data)


@route("/search/apply", "coder", ("POST",))
async def search_apply(ctx: Ctx) -> Response:
    q = ctx.field("q").strip()
    code_id = int(ctx.field("code_id"))
    values = chosen({name: ctx.field(name) for name in FILTER_FIELDS})
    if ctx.field("confirm") != "yes":
        plan = await ctx.call(apply_preview, ctx.project, q, values, code_id)
        return ctx.render("confirm_apply.html", q=q, plan=plan, filters=values)
    done = await ctx.call(apply, ctx.project, q, values, code_id)
    data = await ctx.call(search_page_data, ctx.project, q, values, 1)
    return ctx.render("search.html", applied=done, **data)
