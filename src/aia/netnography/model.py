"""The common thread model: a thread is its opening post followed by its replies in thread order."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aia.errors import AiaError


class DumpError(AiaError):
    """A dump that cannot be read; the message names the file and the line or element."""


@dataclass
class Post:
    """One post or comment. ``parent`` is the index of the parent post within the thread (None for the opener)."""

    platform_id: str
    kind: str
    author: str | None
    created: datetime | None
    score: int | None
    text: str
    parent: int | None = None
    depth: int = 0
    accepted: bool = False
    title: str | None = None


@dataclass
class Thread:
    platform: str
    thread_id: str
    posts: list[Post]
    tags: list[str] = field(default_factory=list)
    community: str | None = None
    link: str | None = None

    @property
    def created(self) -> datetime | None:
        return self.posts[0].created if self.posts else None

    @property
    def title(self) -> str:
        return (self.posts[0].title or "") if self.posts else ""


def utc_from_epoch(value: object) -> datetime | None:
    """An epoch time given as int, float or numeric string, as an aware UTC datetime."""
    if value is None or value is False or value == "":
        return None
    try:
        return datetime.fromtimestamp(float(str(value)), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None


def utc_from_iso(value: str | None) -> datetime | None:
    """An ISO time; a time without zone is UTC."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def order_tree(
    items: list[Post], ids: list[str], parents: list[str | None], key: list[tuple[float, ...]]
) -> list[Post]:
    """Arrange posts depth-first from the root (index 0), siblings sorted by ``key``; set parent index and depth.

    Posts whose parent is not in the thread hang under the root."""
    children: dict[str, list[int]] = {}
    known = set(ids)
    for i in range(1, len(items)):
        parent = parents[i] if parents[i] in known and parents[i] != ids[i] else ids[0]
        children.setdefault(parent or ids[0], []).append(i)
    ordered: list[Post] = []
    seen: set[int] = set()
    stack: list[tuple[int, int | None, int]] = [(0, None, 0)]
    while stack:
        i, parent_pos, depth = stack.pop()
        if i in seen:
            continue
        seen.add(i)
        post = items[i]
        post.parent, post.depth = parent_pos, depth
        pos = len(ordered)
        ordered.append(post)
        kids = sorted(children.get(ids[i], []), key=lambda k: key[k])
        for k in reversed(kids):
            stack.append((k, pos, depth + 1))
    return ordered


class Pseudonymiser:
    """Authors become ``user_xxxxxx`` from HMAC-SHA256 with the project's secret; names in text are replaced."""

    def __init__(self, secret: bytes, platform: str) -> None:
        self._secret = secret
        self._platform = platform
        self._names: dict[str, str] = {}

    def author(self, name: str | None) -> str | None:
        if name is None or name in ("[deleted]", "[removed]"):
            return name
        code = self._names.get(name)
        if code is None:
            digest = hmac.new(self._secret, f"NET:{self._platform}:{name.casefold()}".encode(), hashlib.sha256)
            code = f"user_{digest.hexdigest()[:6]}"
            self._names[name] = code
        return code

    def text(self, text: str) -> str:
        """Replace ``@name``, ``u/name`` and known author names inside a text by their pseudonyms."""
        text = re.sub(r"(?<![\w/])(?:/?u/)([A-Za-z0-9_-]{3,20})", lambda m: "u/" + str(self.author(m.group(1))), text)
        text = re.sub(r"(?<![\w@])@([A-Za-z0-9_][\w.-]{0,38}[A-Za-z0-9_]|[A-Za-z0-9_])", self._mention, text)
        names = sorted((n for n in self._names if len(n) >= 3), key=len, reverse=True)
        if names:
            pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in names) + r")(?!\w)")
            text = pattern.sub(lambda m: self._names[m.group(1)], text)
        return text

    def _mention(self, m: re.Match[str]) -> str:
        return "@" + str(self.author(m.group(1)))

    def apply(self, thread: Thread) -> Thread:
        for post in thread.posts:
            post.author = self.author(post.author)
        for post in thread.posts:
            post.text = self.text(post.text)
            if post.title:
                post.title = self.text(post.title)
        return thread
