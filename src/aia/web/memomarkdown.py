"""Memo Markdown to safe HTML: markdown-it-py with raw HTML off, then nh3 with a short list of tags; links only to
http(s) addresses and to local paths of the workbench."""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("strikethrough")

_TAGS = {
    "p", "br", "em", "strong", "del", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "a",
}  # fmt: skip


def _allowed_href(value: str) -> bool:
    v = value.strip()
    low = v.lower()
    if low.startswith(("http://", "https://")):
        return True
    return (v.startswith("/") and not v.startswith("//") and "\\" not in v) or v.startswith("#")


def _filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return value if _allowed_href(value) else None
    return value


@lru_cache(maxsize=2048)
def render_markdown(text: str) -> str:
    """The memo text as sanitised HTML (safe to insert unescaped into a page)."""
    html = _MD.render(text)
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href", "title"}, "ol": {"start"}},
        url_schemes={"http", "https"},
        attribute_filter=_filter,
        link_rel="noopener noreferrer",
    )
