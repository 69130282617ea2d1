"""The pseudonymisation review page (issue 6, item 2; lead only): every replacement and flagged candidate of a source
with its context; accept, reject, or assign the value to a person or organisation in the key store.

The original values are stored encrypted and need the key store. The page asks for its passphrase in a form field
when the server has none ($AIA_KEYSTORE_PASSPHRASE) and the store is not open already; the passphrase is used for that
one request only: the key store is opened on the request's own copy of the project and locked again before the
response is rendered. It is never put in the session, a cookie, a log or the page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.responses import Response

from aia.errors import ValidationError
from aia.privacy.keystore import passphrase_from_env
from aia.project import Project
from aia.web.core import Ctx, route

STATUSES = ("replaced", "flagged", "accepted", "rejected")


def parse_decisions(fields: Sequence[tuple[str, str]]) -> list[tuple[int, str, str]]:
    """Form fields ``item_ID`` = ``accept`` | ``reject`` | ``assign:PSEUDONYM`` (empty: no decision) as
    (item id, action, pseudonym)."""
    out = []
    for name, value in fields:
        if not name.startswith("item_") or not value:
            continue
        item = name.removeprefix("item_")
        action, _, pseudonym = value.partition(":")
        if (
            not item.isdigit()
            or action not in ("accept", "reject", "assign")
            or (action == "assign") != bool(pseudonym)
        ):
            raise ValidationError(f"the decision {value!r} for review item {item!r} is unknown; reload the page")
        out.append((int(item), action, pseudonym))
    return out


def review_data(
    project: Project, source_id: int, status: str, passphrase: str = "", decisions: Sequence[tuple[int, str, str]] = ()
) -> dict[str, Any]:
    """Apply the decisions (if any) and list the source's review items, with originals when the key store can be
    opened. ``project`` is the request's own copy: a key store opened here is locked again before returning."""
    if status and status not in STATUSES:
        raise ValidationError(f"the review status is one of {', '.join(STATUSES)}, not {status!r}")
    source = project.view_source(source_id, with_text=False)
    was_open = project.keys_unlocked()
    try:
        if passphrase and not was_open and project.has_keystore():
            project.unlock_keys(passphrase)
        can_unlock = project.keys_unlocked() or (project.has_keystore() and passphrase_from_env() is not None)
        if decisions:
            mine = {i.id for i in project.review_items(source_id, with_originals=False)}
            for item_id, _, _ in decisions:
                if item_id not in mine:
                    raise ValidationError(f"review item {item_id} is not in source {source_id}; reload the page")
            if not can_unlock:
                raise ValidationError(
                    "deciding needs the key store: type its passphrase in the passphrase field and send again"
                )
            for item_id, action, pseudonym in decisions:
                if action == "accept":
                    project.review_accept(item_id)
                elif action == "reject":
                    project.review_reject(item_id)
                else:
                    project.review_assign(item_id, pseudonym)
        items = project.review_items(source_id, status or None, with_originals=can_unlock)
    finally:
        if not was_open and project.keys_unlocked():
            project.lock_keys()
    return {
        "source": source,
        "items": items,
        "chosen_status": status,
        "statuses": STATUSES,
        "has_keystore": project.has_keystore(),
        "needs_passphrase": project.has_keystore() and not can_unlock,
        "originals_shown": can_unlock,
        "people": project.participants(),
        "organisations": project.organisations(),
        "decided": len(decisions),
    }


@route("/sources/{source_id:int}/review", "lead")
async def review_page(ctx: Ctx) -> Response:
    status = ctx.request.query_params.get("status", "")
    return ctx.render("review.html", **await ctx.call(review_data, ctx.project, ctx.int_param("source_id"), status))


@route("/sources/{source_id:int}/review", "lead", ("POST",))
async def review_post(ctx: Ctx) -> Response:
    assert ctx.form is not None
    fields = [(k, v) for k, v in ctx.form.multi_items() if isinstance(v, str)]
    decisions = parse_decisions(fields)
    data = await ctx.call(
        review_data, ctx.project, ctx.int_param("source_id"), ctx.field("status"), ctx.field("passphrase"), decisions
    )
    return ctx.render("review.html", **data)
