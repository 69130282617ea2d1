"""GitHub: REST issues and issue comments (array, JSONL, paginated responses incl. recorded fixtures) and
Discussions from GraphQL JSON (discussion + comments + replies)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from aia.netnography.model import DumpError, Post, Thread, utc_from_iso
from aia.netnography.reddit import iter_json_lines


def _objects(path: Path) -> list[dict[str, Any]]:
    if path.is_dir():
        out: list[dict[str, Any]] = []
        for p in sorted(path.iterdir()):
            if p.suffix.lower() in (".json", ".jsonl", ".ndjson"):
                out.extend(_objects(p))
        return out
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        return [o for _n, o in iter_json_lines(path)]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        line = getattr(exc, "lineno", "?")
        raise DumpError(f"{path.name} is not valid JSON at line {line}; give GitHub API JSON.") from exc
    return _flatten(data)


def _flatten(data: Any) -> list[dict[str, Any]]:
    """Issue/comment/discussion objects from arrays, paginated pages, recorded fixtures or search results."""
    if isinstance(data, list):
        return [o for d in data for o in _flatten(d)]
    if not isinstance(data, dict):
        return []
    if "response" in data and "status" in data:  # recorded exchange (nock fixture)
        return _flatten(data["response"])
    if "items" in data and isinstance(data["items"], list):  # search API
        return _flatten(data["items"])
    if "data" in data:  # GraphQL
        return _flatten_graphql(data["data"])
    return [data]


def _flatten_graphql(data: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "comments" in node and ("title" in node or "number" in node):
                found.append({"_discussion": node})
                return
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(data)
    return found


def _nodes(conn: Any) -> list[dict[str, Any]]:
    if isinstance(conn, dict):
        if "nodes" in conn:
            return [n for n in conn["nodes"] if isinstance(n, dict)]
        if "edges" in conn:
            return [e["node"] for e in conn["edges"] if isinstance(e, dict) and isinstance(e.get("node"), dict)]
    return []


def _login(obj: dict[str, Any]) -> str | None:
    user = obj.get("user") or obj.get("author")
    return user.get("login") if isinstance(user, dict) else None


def _issue_number(url: str | None) -> str | None:
    m = re.search(r"/(?:issues|pull)/(\d+)$", url or "")
    return m.group(1) if m else None


def read_github(path: Path) -> Iterator[Thread]:
    objs = _objects(path)
    issues: dict[str, dict[str, Any]] = {}
    comments: dict[str, list[dict[str, Any]]] = {}
    discussions: list[dict[str, Any]] = []
    for o in objs:
        if "_discussion" in o:
            discussions.append(o["_discussion"])
        elif "issue_url" in o:
            key = o["issue_url"]
            comments.setdefault(key, []).append(o)
        elif "number" in o and "title" in o:
            issues[str(o.get("url") or o["number"])] = o
    for key in sorted(set(issues) | set(comments), key=lambda k: (_repo(k), int(_issue_number(k) or 0), k)):
        yield _issue_thread(key, issues.get(key), comments.get(key, []))
    for d in discussions:
        yield _discussion_thread(d)


def _repo(url: str) -> str:
    m = re.search(r"repos/([^/]+/[^/]+)/", url)
    return m.group(1) if m else ""


def _reactions(obj: dict[str, Any]) -> int | None:
    r = obj.get("reactions")
    if isinstance(r, dict) and isinstance(r.get("total_count"), int):
        return int(r["total_count"])
    up = obj.get("upvoteCount")
    return int(up) if isinstance(up, int) else None


def _issue_thread(key: str, issue: dict[str, Any] | None, comments: list[dict[str, Any]]) -> Thread:
    number = _issue_number(key) or (str(issue["number"]) if issue else key)
    if issue is not None:
        opener = Post(
            str(issue["number"]),
            "pull_request" if "pull_request" in issue else "issue",
            _login(issue),
            utc_from_iso(issue.get("created_at")),
            _reactions(issue),
            issue.get("body") or "",
            title=issue.get("title"),
        )
        labels = [lb["name"] if isinstance(lb, dict) else str(lb) for lb in issue.get("labels", [])]
    else:
        opener, labels = Post(number, "issue", None, None, None, ""), []
    posts = [opener]
    for c in sorted(comments, key=lambda c: (c.get("created_at") or "", c.get("id") or 0)):
        posts.append(
            Post(
                str(c.get("id")),
                "comment",
                _login(c),
                utc_from_iso(c.get("created_at")),
                _reactions(c),
                c.get("body") or "",
                0,
                1,
            )
        )
    repo = _repo(key)
    return Thread("github", f"{repo}#{number}", posts, labels, repo or None, f"{repo}/issues/{number}")


def _discussion_thread(d: dict[str, Any]) -> Thread:
    opener = Post(
        str(d.get("number") or d.get("id")),
        "discussion",
        _login(d),
        utc_from_iso(d.get("createdAt")),
        _reactions(d),
        d.get("body") or "",
        title=d.get("title"),
    )
    posts = [opener]
    for c in _nodes(d.get("comments")):
        pos = len(posts)
        posts.append(
            Post(
                str(c.get("id")),
                "comment",
                _login(c),
                utc_from_iso(c.get("createdAt")),
                _reactions(c),
                c.get("body") or "",
                0,
                1,
                accepted=bool(c.get("isAnswer")),
            )
        )
        for r in _nodes(c.get("replies")):
            posts.append(
                Post(
                    str(r.get("id")),
                    "reply",
                    _login(r),
                    utc_from_iso(r.get("createdAt")),
                    _reactions(r),
                    r.get("body") or "",
                    pos,
                    2,
                )
            )
    repo = d.get("repository", {}).get("nameWithOwner", "") if isinstance(d.get("repository"), dict) else ""
    cat = d.get("category", {}).get("name") if isinstance(d.get("category"), dict) else None
    return Thread("github", f"{repo}#D{opener.platform_id}", posts, [cat] if cat else [], repo or None, d.get("url"))
