"""Hacker News: Firebase item JSON / JSONL and Algolia search API JSON (``hits``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from aia.netnography.html import html_to_text
from aia.netnography.model import DumpError, Post, Thread, order_tree, utc_from_epoch
from aia.netnography.reddit import iter_json_lines

_OPENERS = {"story", "ask", "poll", "job"}


def _load(path: Path) -> Iterator[dict[str, Any]]:
    with path.open("rb") as f:
        head = f.read(1).lstrip()
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
            raise DumpError(f"{path.name} is not valid JSON; give Firebase items or an Algolia response.") from exc
        if isinstance(data, dict) and "hits" in data:
            yield from (_from_algolia(h) for h in data["hits"])
        elif isinstance(data, list):
            yield from (d for d in data if isinstance(d, dict))
        elif isinstance(data, dict):
            yield data
        return
    del head
    for _n, obj in iter_json_lines(path):
        if "hits" in obj:
            yield from (_from_algolia(h) for h in obj["hits"])
        else:
            yield obj


def _from_algolia(hit: dict[str, Any]) -> dict[str, Any]:
    tags = hit.get("_tags") or []
    is_comment = "comment" in tags or hit.get("comment_text") is not None
    item: dict[str, Any] = {
        "id": int(hit["objectID"]),
        "type": "comment" if is_comment else "story",
        "by": hit.get("author"),
        "time": hit.get("created_at_i"),
        "score": hit.get("points"),
        "text": hit.get("comment_text") if is_comment else hit.get("story_text"),
        "title": hit.get("title"),
        "url": hit.get("url"),
    }
    if is_comment:
        item["parent"] = hit.get("parent_id")
        item["story"] = hit.get("story_id")
    return item


def read_hackernews(path: Path) -> Iterator[Thread]:
    """Threads rooted at stories/asks/polls/jobs; comments attach via ``parent`` (or Algolia ``story_id``);
    poll options stay with their poll. Items whose root is not in the file form a thread under a placeholder."""
    items: dict[int, dict[str, Any]] = {}
    for obj in _load(path):
        if "id" in obj:
            items[int(obj["id"])] = obj

    def root(i: int) -> int:
        seen = set()
        while i in items and i not in seen:
            seen.add(i)
            it = items[i]
            if it.get("type") in _OPENERS:
                return i
            nxt = it.get("story") or it.get("parent") or it.get("poll")
            if nxt is None:
                return i
            i = int(nxt)
        return i

    groups: dict[int, list[int]] = {}
    for i in items:
        groups.setdefault(root(i), []).append(i)
    for r in sorted(groups):
        members = sorted(set(groups[r]) - {r})
        opener = _post(items[r]) if r in items else Post(str(r), "story", None, None, None, "")
        posts, ids = [opener], [str(r)]
        parents: list[str | None] = [None]
        keys: list[tuple[float, ...]] = [(0.0,)]
        for m in members:
            it = items[m]
            posts.append(_post(it))
            ids.append(str(m))
            parent = it.get("parent") or it.get("poll")
            parents.append(str(parent) if parent is not None else None)
            kids = items.get(int(parent), {}).get("kids", []) if parent is not None else []
            keys.append((float(kids.index(m)) if m in kids else float(len(kids) + m),))
        yield Thread("hackernews", str(r), order_tree(posts, ids, parents, keys), [], None, f"item?id={r}")


def _post(it: dict[str, Any]) -> Post:
    text = html_to_text(str(it.get("text") or ""))
    if it.get("deleted"):
        text = text or "[deleted]"
    if it.get("dead"):
        text = text or "[dead]"
    score = it.get("score")
    return Post(
        str(it["id"]),
        str(it.get("type", "comment")),
        it.get("by"),
        utc_from_epoch(it.get("time")),
        int(score) if isinstance(score, int) else None,
        text,
        title=it.get("title"),
    )
