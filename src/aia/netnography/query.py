"""Filtering whole threads and reproducible (optionally stratified) sampling, with counts for provenance."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from aia.netnography.model import Convert, DumpError, Thread, Tick
from aia.store.netnography_spill import SPILL_AFTER


@dataclass
class Query:
    match: str | None = None
    keywords: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    subreddits: list[str] = field(default_factory=list)
    since: datetime | None = None
    until: datetime | None = None
    min_score: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "match": self.match,
            "keywords": self.keywords,
            "tags": self.tags,
            "subreddits": self.subreddits,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "min_score": self.min_score,
        }


def _any_post(thread: Thread, test: Any) -> bool:
    return any(test(p) for p in thread.posts)


def steps(query: Query) -> list[tuple[str, Any]]:
    """The active filters in order, each a (name, predicate over a thread)."""
    out: list[tuple[str, Any]] = []
    if query.subreddits:
        wanted = {s.casefold().removeprefix("r/") for s in query.subreddits}
        out.append(("subreddit", lambda t: (t.community or "").casefold() in wanted))
    if query.tags:
        tags = {t.casefold() for t in query.tags}
        out.append(("tag", lambda t: bool(tags & {x.casefold() for x in t.tags})))
    if query.since or query.until:
        since, until = query.since, query.until

        def in_range(t: Thread) -> bool:
            return _any_post(
                t,
                lambda p: (
                    p.created is not None
                    and (since is None or p.created >= since)
                    and (until is None or p.created < until)
                ),
            )

        out.append(("time", in_range))
    if query.min_score is not None:
        n = query.min_score
        out.append(("min_score", lambda t: _any_post(t, lambda p: p.score is not None and p.score >= n)))
    if query.keywords:
        words = [re.compile(r"(?<!\w)" + re.escape(w) + r"(?!\w)", re.IGNORECASE) for w in query.keywords]
        out.append(("keyword", lambda t: _any_post(t, lambda p: any(w.search(_text(p)) for w in words))))
    if query.match:
        try:
            rx = re.compile(query.match, re.IGNORECASE)
        except re.error as exc:
            raise DumpError(f"The --match pattern {query.match!r} is not a valid regular expression: {exc}.") from exc
        out.append(("match", lambda t: _any_post(t, lambda p: bool(rx.search(_text(p))))))
    return out


def _text(post: Any) -> str:
    return f"{post.title or ''}\n{post.text}"


def apply_filters(threads: Iterable[Thread], query: Query, counts: dict[str, int]) -> Iterator[Thread]:
    """Threads passing every filter; ``counts`` gets ``read`` and the number left after each filter."""
    active = steps(query)
    counts["read"] = 0
    for name, _ in active:
        counts[name] = 0
    for thread in threads:
        counts["read"] += 1
        ok = True
        for name, test in active:
            if not test(thread):
                ok = False
                break
            counts[name] += 1
        if ok:
            yield thread


def stratum(thread: Thread, by: str | None) -> str:
    if by is None:
        return ""
    if by == "year":
        return str(thread.created.year) if thread.created else "?"
    if by == "tag":
        return thread.tags[0] if thread.tags else "?"
    if by == "subreddit":
        return thread.community or "?"
    raise DumpError(f"Unknown stratification {by!r}; use year, tag or subreddit.")


def _rank(seed: int, thread: Thread) -> str:
    return hashlib.sha256(f"{seed}:{thread.platform}:{thread.thread_id}".encode()).hexdigest()


def sample(threads: Iterable[Thread], n: int, seed: int, stratify: str | None = None) -> list[Thread]:
    """A reproducible sample of ``n`` threads: the same input set and seed give the same sample, whatever the input
    order. Stratified: each stratum gets a share proportional to its size (largest remainders), at least... none
    forced. Memory holds at most ``n`` threads per stratum (bottom-k by seeded hash)."""
    if n < 0:
        raise DumpError("The sample size must be zero or more.")
    pools: dict[str, list[tuple[str, Thread]]] = {}
    sizes: dict[str, int] = {}
    for t in threads:
        key = stratum(t, stratify)
        sizes[key] = sizes.get(key, 0) + 1
        pool = pools.setdefault(key, [])
        pool.append((_rank(seed, t), t))
        if len(pool) > 2 * n + 16:
            pool.sort(key=lambda x: x[0])
            del pool[n:]
    total = sum(sizes.values())
    if total <= n:
        quotas = dict(sizes)
    elif stratify is None:
        quotas = {"": n}
    else:
        exact = {k: n * s / total for k, s in sizes.items()}
        quotas = {k: int(v) for k, v in exact.items()}
        rest = n - sum(quotas.values())
        for k in sorted(exact, key=lambda k: (-(exact[k] - quotas[k]), k))[:rest]:
            quotas[k] += 1
    chosen: list[tuple[str, Thread]] = []
    for key, pool in pools.items():
        pool.sort(key=lambda x: x[0])
        chosen.extend(pool[: quotas.get(key, 0)])
    chosen.sort(key=lambda x: (x[1].created.timestamp() if x[1].created else 0.0, x[1].thread_id))
    return [t for _, t in chosen]


def detect(path: Path) -> str:
    """The platform of a dump, from its shape."""
    if path.is_dir():
        if (path / "Posts.xml").is_file():
            return "stackexchange"
        return "github"
    name = path.name.lower()
    if name.endswith(".7z") or name.endswith(".xml"):
        return "stackexchange"
    if name.endswith(".zst"):
        return "reddit"
    with path.open("rb") as f:
        head = f.read(65536).decode("utf-8", "replace")
    if '"subreddit"' in head or '"kind": "Listing"' in head or '"kind":"Listing"' in head or '"link_id"' in head:
        return "reddit"
    if '"api.github.com' in head or '"html_url"' in head or '"issue_url"' in head or '"discussion' in head:
        return "github"
    if '"hits"' in head or '"by"' in head or '"kids"' in head or '"objectID"' in head:
        return "hackernews"
    raise DumpError(f"{path.name} is not a recognised dump (Stack Exchange, Reddit, Hacker News or GitHub).")


def read_dump(
    path: Path,
    platform: str | None = None,
    spill_after: int = SPILL_AFTER,
    tick: Tick | None = None,
    convert: Convert | None = None,
) -> Iterator[Thread]:
    """The threads of a dump. Stack Exchange and Reddit dumps (the big ones) are grouped through a spill file beyond
    ``spill_after`` rows; ``tick`` gets the number of rows read now and then; ``convert`` turns a Stack Exchange
    dump's HTML bodies into text (by default in this process)."""
    from aia.netnography.github import read_github
    from aia.netnography.hackernews import read_hackernews
    from aia.netnography.reddit import read_reddit
    from aia.netnography.stackexchange import convert_here, read_stackexchange

    if not path.exists():
        raise DumpError(f"{path} does not exist; give the path of a dump file or folder.")
    kind = platform or detect(path)
    if kind == "stackexchange":
        folder = path.parent if path.is_file() and path.suffix.lower() == ".xml" else path
        return read_stackexchange(folder, spill_after=spill_after, tick=tick, convert=convert or convert_here)
    if kind == "reddit":
        return read_reddit(path, spill_after=spill_after, tick=tick)
    return {"hackernews": read_hackernews, "github": read_github}[kind](path)
