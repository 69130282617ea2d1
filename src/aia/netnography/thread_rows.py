"""A netnography thread as the rows of one source: the per-thread work of an import.

Author pseudonyms, the project's own text pseudonymiser, the thread's text with one segment per post, and the
search-index columns. This is what an import's worker process runs (:mod:`aia.netnography.parallel`), so the module
stays free of the database layer: the worker imports it alone, and is smaller and starts sooner for it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aia.model import NewSource, SegmentKind
from aia.netnography.html import html_to_text
from aia.netnography.model import Pseudonymiser, Thread
from aia.privacy.imported import PseudonymContext, pseudonymise_post
from aia.text.stemming import index_columns

IMPORTER = "netnography"
#: stands in for "@" before our own pseudonyms while the project's pseudonymiser runs (a private-use character)
_MASK = "\ue000"
#: the project's text pseudonymiser for one text: the new text and its review-list findings
TextHook = Callable[[str], tuple[str, list[dict[str, Any]]]]


def thread_source(thread: Thread, wp_id: int, activity_id: int | None, user: str) -> NewSource:
    """A thread as one source: posts in thread order, one segment each (title line before the opener's text)."""
    parts: list[str] = []
    rows: list[dict[str, Any]] = []
    pos = 0
    for ordinal, post in enumerate(thread.posts):
        body = post.text if ordinal or not post.title else f"{post.title}\n\n{post.text}"
        if ordinal:
            parts.append("\n\n")
            pos += 2
        start = pos
        parts.append(body)
        pos += len(body)
        stems, plain = index_columns(body)
        top = post.parent is None or post.kind in ("answer", "submission", "story", "issue", "discussion")
        rows.append(
            {
                "ordinal": ordinal,
                "kind": SegmentKind.POST.value if top else SegmentKind.COMMENT.value,
                "start": start,
                "end": pos,
                "speaker": post.author,
                "participant_id": None,
                "start_ms": None,
                "end_ms": None,
                "author": post.author,
                "parent_ordinal": post.parent,
                "meta": {
                    "platform": thread.platform,
                    "id": post.platform_id,
                    "post_kind": post.kind,
                    "time": post.created.isoformat() if post.created else None,
                    "score": post.score,
                    "depth": post.depth,
                    "accepted": post.accepted,
                },
                "stem": stems,
                "plain": plain,
            }
        )
    text = "".join(parts)
    canonical = json.dumps(
        {"platform": thread.platform, "thread": thread.thread_id, "text": text, "rows": [r["meta"] for r in rows]},
        sort_keys=True,
        ensure_ascii=False,
    ).encode()
    created = thread.created
    values = {
        "wp_id": wp_id,
        "activity_id": activity_id,
        "title": (thread.title or f"{thread.platform} {thread.thread_id}")[:500],
        "date": created.date().isoformat() if created else None,
        "language": None,
        "importer": IMPORTER,
        "original_filename": f"{thread.platform}-{thread.thread_id}"[:500],
        "sha256": hashlib.sha256(canonical).hexdigest(),
        "size": len(canonical),
        "text": text,
        "metadata": {
            "platform": thread.platform,
            "thread_id": thread.thread_id,
            "community": thread.community,
            "tags": thread.tags,
            "link": thread.link,
            "posts": len(thread.posts),
        },
        "imported_by": user,
    }
    return NewSource(values, rows)


def text_hook(ctx: PseudonymContext | None) -> TextHook:
    """The project's own text pseudonymiser (known names from the key store, identifiers), run on every post and
    title after the author names were replaced: the new text and its review-list findings (offsets in the new
    text); identity when the project's pseudonymisation is off (no context)."""
    if ctx is None:
        return lambda text: (text, [])
    context = ctx

    def hook(text: str) -> tuple[str, list[dict[str, Any]]]:
        # our "@user_xxxxxx" mentions stay as they are (the project's pseudonymiser would see new @handles);
        # the mask has the length of "@", so the findings' offsets hold for the unmasked text
        if _MASK in text:
            return pseudonymise_post(text, context)
        masked = text.replace("@user_", _MASK + "user_")
        new, found = pseudonymise_post(masked, context)
        return new.replace(_MASK + "user_", "@user_"), found

    return hook


@dataclass(frozen=True)
class ThreadJob:
    """What the per-thread work of an import needs; picklable, since it may go to the worker process."""

    secret: bytes
    platform: str
    context: PseudonymContext | None
    wp_id: int
    user: str


ThreadState = tuple[ThreadJob, Pseudonymiser, TextHook]


def thread_state(job: ThreadJob) -> ThreadState:
    """The state :func:`thread_work` needs, made once per import in each process that does the work."""
    return job, Pseudonymiser(job.secret, job.platform), text_hook(job.context)


def thread_work(state: ThreadState, thread: Thread) -> tuple[NewSource, list[dict[str, Any]], int, int]:
    """One thread pseudonymised (authors, then the project's pseudonymiser) and turned into its source (activity id
    left for the caller to set): the source, its review-list findings, its number of posts and of findings."""
    job, authors, hook = state
    authors.apply(thread)
    found = _pseudonymise_posts(thread, hook)
    source = thread_source(thread, job.wp_id, None, job.user)
    return source, _in_source(found, thread, source), len(thread.posts), sum(len(rows) for rows in found)


def no_state(_arg: object) -> None:
    """The state of work that needs none."""
    return None


def body_text(_state: None, html: str) -> str:
    """An HTML body's text: the worker's part while a Stack Exchange dump is read."""
    return html_to_text(html)


def html_weight(html: str) -> int:
    """An HTML body's weight when chunks of bodies go to the worker process: one per KiB begun."""
    return 1 + len(html) // 1024


def post_count(thread: Thread) -> int:
    """A thread's weight when chunks of threads go to the worker process: its posts."""
    return len(thread.posts)


def _pseudonymise_posts(thread: Thread, hook: TextHook) -> list[list[dict[str, Any]]]:
    """Run the project's pseudonymiser over every post's title and text, in place; per post, the findings of its
    body as it will stand in the source (the opener's title line first, see :func:`thread_source`)."""
    found: list[list[dict[str, Any]]] = []
    for ordinal, post in enumerate(thread.posts):
        rows: list[dict[str, Any]] = []
        if post.title:
            post.title, title_rows = hook(post.title)
            if ordinal == 0:  # only the opener's title is part of the source text
                rows = title_rows
        post.text, text_rows = hook(post.text)
        if text_rows:
            shift = len(post.title) + 2 if ordinal == 0 and post.title else 0
            rows = [*rows, *({**r, "start": r["start"] + shift, "end": r["end"] + shift} for r in text_rows)]
        found.append(rows)
    return found


def _in_source(found: list[list[dict[str, Any]]], thread: Thread, source: NewSource) -> list[dict[str, Any]]:
    """Per-post findings moved to offsets in the thread's source text (each post starts where its segment does)."""
    rows: list[dict[str, Any]] = []
    for post_rows, segment in zip(found, source.segment_rows, strict=True):
        start = segment["start"]
        rows.extend({**r, "start": r["start"] + start, "end": r["end"] + start} for r in post_rows)
    return rows
