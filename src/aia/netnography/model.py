"""The common thread model: a thread is its opening post followed by its replies in thread order."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aia.errors import AiaError
from aia.privacy.pseudonymise import trie_regex

#: progress of reading a dump: called now and then with the number of rows (posts, comments) read so far
Tick = Callable[[int], None]
#: turns HTML bodies into text, in order: ``map(html_to_text, bodies)``, or a worker process that works ahead
Convert = Callable[[Iterable[str]], Iterable[str]]


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


#: profile links: Stack Exchange sites (``/users/ID[/slug]``), Reddit (``/u/`` or ``/user/``), GitHub, Hacker News
_SE_PROFILE = re.compile(
    r"(?i)\b((?:https?://)?(?:[\w-]+\.)*(?:stackexchange|stackoverflow|serverfault|superuser|askubuntu|mathoverflow)"
    r"\.(?:com|net)/users/)(\d+)(?:/[\w%-]+)?"
)
_REDDIT_PROFILE = re.compile(r"(?i)\b((?:https?://)?(?:[\w-]+\.)?reddit\.com/u(?:ser)?/)([A-Za-z0-9_-]{3,20})")
_GITHUB_PROFILE = re.compile(
    r"(?i)\b((?:https?://)?(?:www\.)?github\.com/)([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))(?![\w/.-])"
)
_HN_PROFILE = re.compile(r"(?i)\b((?:https?://)?news\.ycombinator\.com/user\?id=)([\w-]{2,15})")
_U_NAME = re.compile(r"(?<![\w/])(?:/?u/)([A-Za-z0-9_-]{3,20})")
_MENTION = re.compile(r"(?<![\w@])@(\w[\w.-]{0,38}\w|\w)")
#: characters a case-insensitive regex matches to an ASCII letter although ``lower()`` does not give that letter
#: (dotless i, long s, capital I with dot; the Kelvin sign lower-cases to k)
_ODD_CASE = ("\u0131", "\u017f", "\u0130")
#: pseudonyms kept in memory before the cache is emptied (memory stays flat on dumps with millions of authors)
_CACHE = 100_000
#: a thread with more authors than this finds their names in its texts with one regex built for the thread (a trie:
#: one pass over each text) instead of looking for every name in every text (posts x authors: slow for big threads)
_MANY_NAMES = 24


class Pseudonymiser:
    """Authors become ``user_xxxxxx`` from HMAC-SHA256 with the project's secret; names in text are replaced.

    Names are keyed without case and spaces (``Gary Ray`` = ``@garyray``). In a text: ``@name`` (resolved to the
    thread's author it addresses where unambiguous), ``u/name`` and profile links (Stack Exchange
    ``/users/ID/slug``, Reddit, GitHub, Hacker News) anywhere, and the display names of the thread's own authors
    where they stand as words. A Stack Exchange profile link is pseudonymised by its user id (the dump's link gives
    no name), so it gets a pseudonym of its own. Names of people who wrote nothing in the thread and are not
    mentioned with ``@`` are left to the project's own pseudonymiser (names it knows, detected person names)."""

    def __init__(self, secret: bytes, platform: str) -> None:
        self._secret = secret
        self._platform = platform
        self._names: dict[str, str] = {}

    def author(self, name: str | None) -> str | None:
        if name is None or name in ("[deleted]", "[removed]"):
            return name
        code = self._names.get(name)
        if code is None:
            key = _fold(name)
            digest = hmac.new(self._secret, f"NET:{self._platform}:{key}".encode(), hashlib.sha256)
            code = f"user_{digest.hexdigest()[:6]}"
            if len(self._names) >= _CACHE:
                self._names.clear()
            self._names[name] = code
        return code

    def text(self, text: str, names: list[str] | None = None) -> str:
        """Replace mentions, profile links and the given display ``names`` inside a text by their pseudonyms."""
        return self._text(text, names or [], [n for n in dict.fromkeys(names or ()) if len(n) >= 3])

    def _text(self, text: str, names: list[str], long_names: list[str], names_re: re.Pattern[str] | None = None) -> str:
        """:meth:`text`, with the names of three or more characters (the ones replaced as words) given once, and
        for a thread of many authors their regex (:func:`_names_regex`)."""
        if "/" in text:
            # each link pattern needs its literal: test that on the lower-cased text before running the (slow,
            # case-insensitive) regex; unless the text has one of the few characters that match an ASCII letter
            # case-insensitively without lower-casing to it (then every regex runs, as a plain search would)
            low = text.lower()
            every = any(ch in text for ch in _ODD_CASE)
            if every or "/users/" in low:
                text = _SE_PROFILE.sub(lambda m: m.group(1) + str(self.author(f"#{m.group(2)}")), text)
            if every or "reddit.com/u" in low:
                text = _REDDIT_PROFILE.sub(lambda m: m.group(1) + str(self.author(m.group(2))), text)
            if every or "github.com/" in low:
                text = _GITHUB_PROFILE.sub(self._github, text)
            if every or "news.ycombinator.com/user?id=" in low:
                text = _HN_PROFILE.sub(lambda m: m.group(1) + str(self.author(m.group(2))), text)
        if "u/" in text:
            text = _U_NAME.sub(lambda m: "u/" + str(self.author(m.group(1))), text)
        if "@" in text:
            folded = {_fold(n): n for n in names}
            text = _MENTION.sub(lambda m: "@" + str(self.author(_addressee(m.group(1), folded))), text)
        if names_re is not None:
            return names_re.sub(lambda m: str(self.author(m.group(1))), text)
        # longest first (names of one length cannot both match at one place, so their order does not matter)
        present = sorted([n for n in long_names if n in text], key=len, reverse=True)
        if present:
            pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in present) + r")(?!\w)")
            text = pattern.sub(lambda m: str(self.author(m.group(1))), text)
        return text

    def _github(self, m: re.Match[str]) -> str:
        name = m.group(2)
        if name.casefold() in _GITHUB_PATHS:
            return m.group(0)
        return m.group(1) + str(self.author(name))

    def apply(self, thread: Thread) -> Thread:
        """Pseudonymise a thread in place: its authors, and in every text and title the names above."""
        names = sorted({p.author for p in thread.posts if p.author and p.author not in ("[deleted]", "[removed]")})
        for post in thread.posts:
            post.author = self.author(post.author)
        long_names = [n for n in names if len(n) >= 3]
        many = len(long_names) > _MANY_NAMES and max(map(len, long_names)) <= 200  # (the trie nests per character)
        names_re = _names_regex(long_names) if many else None
        for post in thread.posts:
            post.text = self._text(post.text, names, long_names, names_re)
            if post.title:
                post.title = self._text(post.title, names, long_names, names_re)
        return thread


def _names_regex(names: list[str]) -> re.Pattern[str]:
    """The names as whole words, the longest that fits at a place winning: what an alternation of the names sorted
    longest first matches, written as a character trie so that a text is scanned once, not once per name."""
    return re.compile(r"(?<!\w)(" + trie_regex(names, space=" ") + r")(?!\w)")


def _fold(name: str) -> str:
    """The key of a name: case and white space do not matter (Stack Exchange mentions drop the spaces)."""
    return "".join(name.casefold().split())


def _addressee(mention: str, folded: dict[str, str]) -> str:
    """The thread author an ``@mention`` means: the same name, or (as Stack Exchange allows) the only author whose
    name starts with the mention's at least three characters; else the mention itself."""
    key = _fold(mention)
    if key in folded:
        return folded[key]
    if len(key) >= 3:
        hits = {n for k, n in folded.items() if k.startswith(key)}
        if len(hits) == 1:
            return hits.pop()
    return mention


#: first path segments of github.com that are not user names
_GITHUB_PATHS = {
    "about",
    "apps",
    "collections",
    "contact",
    "enterprise",
    "events",
    "explore",
    "features",
    "login",
    "marketplace",
    "new",
    "notifications",
    "orgs",
    "pricing",
    "pulls",
    "issues",
    "search",
    "settings",
    "site",
    "sponsors",
    "topics",
    "trending",
}
