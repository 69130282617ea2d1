"""Reddit: Pushshift NDJSON (submissions and comments, plain or .zst) and Reddit's own JSON listing of a post page."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from aia.netnography.html import html_to_text
from aia.netnography.model import DumpError, Post, Thread, Tick, order_tree, utc_from_epoch
from aia.store.netnography_spill import SPILL_AFTER, Grouper


def iter_json_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Objects of an NDJSON file (plain or .zst), streamed; a bad line raises :class:`DumpError` naming it."""
    with path.open("rb") as raw:
        stream: IO[bytes] = raw
        if path.suffix.lower() == ".zst":
            import zstandard

            stream = io.BufferedReader(zstandard.ZstdDecompressor(max_window_size=2**31).stream_reader(raw))
        lineno = 0
        try:
            for lineno, raw_line in enumerate(stream, 1):
                try:
                    line = raw_line.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise DumpError(
                        f"{path.name} line {lineno} is not valid UTF-8; re-export the dump as UTF-8."
                    ) from exc
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except (json.JSONDecodeError, RecursionError) as exc:
                    raise DumpError(f"{path.name} line {lineno} is not valid JSON; fix or remove that line.") from exc
                if not isinstance(obj, dict):
                    raise DumpError(f"{path.name} line {lineno} is not a JSON object; fix or remove that line.")
                yield lineno, obj
        except zstandard_error() as exc:
            raise DumpError(f"{path.name} is a damaged zstd file near line {lineno + 1}; download it again.") from exc


def zstandard_error() -> type[Exception]:
    import zstandard

    return zstandard.ZstdError


def _strip(name: object) -> str:
    s = str(name or "")
    return s[3:] if s[:3] in ("t1_", "t3_") else s


def _post(obj: dict[str, Any]) -> tuple[Post, str, str | None]:
    is_sub = "title" in obj or obj.get("name", "").startswith("t3_")
    pid = str(obj.get("id") or _strip(obj.get("name")))
    score = obj.get("score")
    text = obj.get("selftext", "") if is_sub else obj.get("body", "")
    post = Post(
        pid,
        "submission" if is_sub else "comment",
        obj.get("author"),
        utc_from_epoch(obj.get("created_utc")),
        int(score) if isinstance(score, int | float) else None,
        html_to_text(text) if "<" in (text or "") else text or "",
        title=obj.get("title") if is_sub else None,
    )
    parent = None if is_sub else _strip(obj.get("parent_id"))
    return post, pid, parent


def read_reddit(path: Path, spill_after: int = SPILL_AFTER, tick: Tick | None = None) -> Iterator[Thread]:
    """Threads grouped by ``link_id``, in id order; a thread without its submission in the dump gets a placeholder
    opener. The whole file is read (and a malformed one refused) before the first thread comes out; rows are
    grouped in a :class:`Grouper` that spills to a temporary file beyond ``spill_after`` rows."""
    if path.suffix.lower() == ".json":
        with path.open("rb") as f:
            try:
                data = json.load(f)
            except (json.JSONDecodeError, RecursionError) as exc:
                raise DumpError(f"{path.name} is not valid JSON (line {getattr(exc, 'lineno', '?')}).") from exc
        if isinstance(data, list | dict) and _is_listing(data):
            yield from _from_listing(data, path.name)
            return
    with Grouper(spill_after) as groups:
        rows = 0
        for rows, obj in iter_json_lines(path):
            if "title" in obj:
                groups.add(str(obj.get("id")), _keep(obj))
            else:
                groups.add(_strip(obj.get("link_id")), _keep(obj))
            if tick is not None and rows % 1000 == 0:
                tick(rows)
        if tick is not None:
            tick(rows)
        for link, items in groups.groups():
            assert isinstance(link, str)
            subs = [o for o in items if "title" in o]
            yield _build(link, subs[-1] if subs else None, [o for o in items if "title" not in o])


_KEYS = (
    "id",
    "name",
    "title",
    "selftext",
    "body",
    "author",
    "created_utc",
    "score",
    "parent_id",
    "link_id",
    "subreddit",
)


def _keep(obj: dict[str, Any]) -> dict[str, Any]:
    """The fields a thread needs (a Pushshift object has dozens), as plain JSON values."""
    return {k: obj[k] for k in _KEYS if k in obj}


def _build(link: str, sub: dict[str, Any] | None, comments: list[dict[str, Any]]) -> Thread:
    subreddit = (sub or (comments[0] if comments else {})).get("subreddit")
    if sub is not None:
        opener, _, _ = _post(sub)
    else:
        opener = Post(link, "submission", None, None, None, "", title=None)
    items, ids = [opener], [link]
    parents: list[str | None] = [None]
    keys: list[tuple[float, ...]] = [(0.0, 0.0)]
    for c in comments:
        post, pid, parent = _post(c)
        items.append(post)
        ids.append(pid)
        parents.append(parent)
        keys.append((post.created.timestamp() if post.created else 0.0, float(int(pid, 36)) if pid.isalnum() else 0.0))
    ordered = order_tree(items, ids, parents, keys)
    return Thread("reddit", link, ordered, [], str(subreddit) if subreddit else None, f"comments/{link}")


def _is_listing(data: Any) -> bool:
    first = data[0] if isinstance(data, list) and data else data
    return isinstance(first, dict) and first.get("kind") == "Listing"


def _from_listing(data: Any, name: str) -> Iterator[Thread]:
    listings = data if isinstance(data, list) else [data]
    things: list[dict[str, Any]] = []

    def walk(listing: Any) -> None:
        if not isinstance(listing, dict):
            return
        for child in listing.get("data", {}).get("children", []):
            if child.get("kind") in ("t1", "t3"):
                d = dict(child.get("data", {}))
                replies = d.pop("replies", None)
                if child["kind"] == "t3":
                    d.setdefault("title", "")
                things.append(d)
                walk(replies)

    for listing in listings:
        walk(listing)
    subs = {str(t["id"]): t for t in things if "title" in t}
    groups: dict[str, list[dict[str, Any]]] = {}
    for t in things:
        if "title" not in t:
            groups.setdefault(_strip(t.get("link_id")), []).append(t)
    if not subs and not groups:
        raise DumpError(f"{name} is a Reddit listing without posts or comments.")
    for link in sorted(set(subs) | set(groups)):
        yield _build(link, subs.get(link), groups.get(link, []))
