"""HTML bodies to safe plain text that keeps paragraphs, lists, quotes, code blocks (fenced) and link URLs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape as html_unescape
from html.entities import html5 as html5_entities

import lxml.html
import nh3
from lxml import etree

_BLOCK = {"p", "div", "pre", "blockquote", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "hr"}


def html_to_text(html: str) -> str:
    """Safe plain text of an HTML body; see the module docstring.

    Well-formed bodies made of the common tags (paragraphs, lists, quotes, headings, code, links, emphasis, line
    breaks, images), as Stack Exchange stores them, go through a fast converter (:func:`simple_html_to_text`)
    that gives exactly what sanitising with nh3 and walking lxml's tree gives; anything else takes that path."""
    if not html or ("<" not in html and "&" not in html):
        return html or ""
    fast = simple_html_to_text(html)
    if fast is not None:
        return fast
    return sanitised_html_to_text(html)


def sanitised_html_to_text(html: str) -> str:
    """The general path: nh3 sanitises (script/style dropped with their content, only harmless tags and
    attributes kept), lxml parses the result, and the tree is walked into text."""
    if not html or ("<" not in html and "&" not in html):
        return html or ""
    clean = nh3.clean(html)
    try:
        root = lxml.html.fragment_fromstring(clean, create_parent="div")
    except (etree.ParserError, ValueError):
        return clean
    out: list[str] = []
    _walk(root, out)
    return tidy("".join(out))


_TRAILING_BLANKS = re.compile(r"[ \t]+\n")


def tidy(text: str) -> str:
    """No blanks before a line end, at most one empty line, no outer white space. Each regex runs only when its
    literal can occur (the regexes have no literal prefix, so they would try every space of the text)."""
    if " \n" in text or "\t\n" in text:
        text = _TRAILING_BLANKS.sub("\n", text)
    while "\n\n\n" in text:  # as re.sub(r"\n{3,}", "\n\n", text): runs only shrink, so none merge
        text = text.replace("\n\n\n", "\n\n")
    return text.strip()


def _walk(el: lxml.html.HtmlElement | _Node, out: list[str]) -> None:
    """The text of an element and its tail: lxml's (the general path) or the fast path's :class:`_Node`."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag == "pre":
        out.append("\n\n```\n" + el.text_content().rstrip("\n") + "\n```\n\n")
        out.append(el.tail or "")
        return
    if tag == "br":
        out.append("\n")
    elif tag in _BLOCK:
        out.append("\n\n" if tag not in ("li", "tr") else "\n")
    if tag == "li":
        out.append("- ")
    if tag == "code":
        out.append("`" + el.text_content() + "`")
        out.append(el.tail or "")
        return
    inner: list[str] = [el.text or ""]
    for child in el:
        _walk(child, inner)
    body = "".join(inner)
    if tag == "blockquote":
        body = "\n".join("> " + line if line.strip() else line for line in body.strip().split("\n"))
    if tag == "a" and el.get("href") and el.get("href") != body:
        body = f"{body} ({el.get('href')})"
    out.append(body)
    if tag in _BLOCK and tag not in ("li", "tr"):
        out.append("\n\n")
    out.append(el.tail or "")


# --- the fast path ------------------------------------------------------------------------------------------------
#
# Most bodies (Stack Exchange's are generated from Markdown) are well-formed HTML made of a handful of tags. For those,
# sanitising and parsing give a tree that is simply the tags as written, so it is built here from the tags directly
# and walked like lxml's; anything that a parser would repair or a sanitiser would change (another tag, a comment, a
# DTD, an unclosed or misnested tag, a block inside a paragraph, an unusual entity or control character, a link with
# another scheme) makes :func:`simple_html_to_text` return None, and the body takes the general path. Tests compare
# both paths on real dumps and on generated HTML.

_INLINE = frozenset({"a", "b", "i", "em", "strong", "code", "kbd", "sup", "sub", "s", "strike", "del", "ins", "span"})
_VOID = frozenset({"br", "hr", "img"})
_FLOW = frozenset({"div", "blockquote", "ul", "ol", "li"})
_PHRASING = frozenset({"p", "pre", "h1", "h2", "h3", "h4", "h5", "h6"})
#: elements that may hold only text and inline elements (a block inside them is moved by a parser)
_INLINE_ONLY = _PHRASING | _INLINE
_LISTS = frozenset({"ul", "ol"})
_TAG_RE = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9]*)((?:\s+[^\s\"'<>/=]+(?:\s*=\s*(?:\"[^\"<>]*\"|'[^'<>]*'|[^\s\"'=<>`]+))?)*)\s*(/?)>"
)
_ATTR_RE = re.compile(r"([^\s\"'<>/=]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'=<>`]+)))?")
_ENTITY_RE = re.compile(r"&(?:#([0-9]{1,7});|#[xX]([0-9a-fA-F]{1,6});|([A-Za-z][A-Za-z0-9]{0,31});)?")
#: characters a parser drops, replaces or refuses (controls, C1 controls, noncharacters): the general path decides
_ODD_CHAR_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff]")
#: link targets nh3 keeps as they are: http(s) URLs and site-relative paths, printable ASCII without spaces
_PLAIN_HREF = re.compile(r"(?:https?://|/(?!/))[!-~]*")


class _Node:
    """An element of the fast path's tree: the parts of lxml's element that :func:`_walk` reads."""

    __slots__ = ("children", "href", "tag", "tail", "text")

    def __init__(self, tag: str, href: str | None = None) -> None:
        self.tag = tag
        self.href = href
        self.text = ""
        self.tail = ""
        self.children: list[_Node] = []

    def __iter__(self) -> Iterator[_Node]:
        return iter(self.children)

    def get(self, name: str) -> str | None:
        return self.href if name == "href" else None

    def text_content(self) -> str:
        return self.text + "".join(child.text_content() + child.tail for child in self.children)


def _good_codepoint(cp: int) -> bool:
    if cp in (0x09, 0x0A):
        return True
    if cp < 0x20 or 0x7F <= cp <= 0x9F or 0xD800 <= cp <= 0xDFFF or 0xFDD0 <= cp <= 0xFDEF or cp > 0x10FFFF:
        return False
    return (cp & 0xFFFE) != 0xFFFE


def _decode(chunk: str) -> str | None:
    """Text with its character references decoded as an HTML parser does, or None for any reference that is not
    plainly valid (named with ``;``, or a numeric one for an ordinary character); a bare ``&`` before white space or
    at the end stays as it is."""
    if "&" not in chunk:
        return chunk
    for m in _ENTITY_RE.finditer(chunk):
        dec, hexa, name = m.groups()
        if dec is not None or hexa is not None:
            if not _good_codepoint(int(dec, 10) if dec is not None else int(hexa, 16)):
                return None
        elif name is not None:
            if name + ";" not in html5_entities:
                return None
        elif m.end() < len(chunk) and not chunk[m.end()].isspace():
            return None
    return html_unescape(chunk)


def _href(attributes: str) -> tuple[bool, str | None]:
    """(usable, href) of a link's attributes: unusable when nh3 would change or drop the href."""
    href: str | None = None
    for m in _ATTR_RE.finditer(attributes):
        if m.group(1).lower() != "href":
            continue
        if href is not None:
            return False, None
        value = m.group(2) if m.group(2) is not None else m.group(3) if m.group(3) is not None else m.group(4)
        decoded = _decode(value or "")
        if not decoded or not _PLAIN_HREF.fullmatch(decoded):
            return False, None
        href = decoded
    return True, href


def _add_text(node: _Node, text: str) -> None:
    if node.children:
        node.children[-1].tail += text
    else:
        node.text += text


def _simple_tree(html: str) -> _Node | None:
    """The tree of a body in the simple subset (see above), or None."""
    if _ODD_CHAR_RE.search(html):
        return None
    if "\r" in html:
        html = html.replace("\r\n", "\n").replace("\r", "\n")
    root = _Node("div")
    stack = [root]
    pos = 0
    after_pre = False  # right after a <pre> start tag, where a parser drops one line feed
    for m in _TAG_RE.finditer(html):
        start = m.start()
        if start > pos:
            text = _text_chunk(html[pos:start], after_pre)
            if text is None:
                return None
            parent = stack[-1]
            if parent.tag in _LISTS and text.strip():
                return None
            _add_text(parent, text)
        after_pre = False
        pos = m.end()
        closing, name, attributes, self_closing = m.groups()
        name = name.lower()
        parent = stack[-1]
        if closing:
            if attributes or self_closing or len(stack) == 1 or parent.tag != name:
                return None
            stack.pop()
            continue
        if parent.tag in _LISTS and name != "li":
            return None
        if name in _VOID:
            if name == "hr" and parent.tag in _INLINE_ONLY:
                return None
            parent.children.append(_Node(name))
            continue
        if self_closing:
            return None
        href = None
        if name in _INLINE:
            if name == "a":
                if any(n.tag == "a" for n in stack):
                    return None
                usable, href = _href(attributes)
                if not usable:
                    return None
        elif name in _FLOW or name in _PHRASING:
            if parent.tag in _INLINE_ONLY or (name == "li" and parent.tag not in _LISTS):
                return None
            after_pre = name == "pre"
        else:
            return None
        node = _Node(name, href)
        parent.children.append(node)
        stack.append(node)
    if len(stack) != 1:
        return None
    if pos < len(html):
        text = _text_chunk(html[pos:], after_pre)
        if text is None:
            return None
        _add_text(root, text)
    return root


def _text_chunk(chunk: str, after_pre: bool) -> str | None:
    """The text between two tags, decoded; None if it holds a stray ``<`` or a reference a parser would repair.
    Right after ``<pre>`` one leading line feed is dropped, as a parser does."""
    if "<" in chunk:
        return None
    text = _decode(chunk)
    if text is not None and after_pre and text.startswith("\n"):
        text = text[1:]
    return text


def simple_html_to_text(html: str) -> str | None:
    """The text :func:`sanitised_html_to_text` gives, for a body in the simple subset; None for any other body."""
    if not html or ("<" not in html and "&" not in html):
        return html or ""  # no markup: as it is (as on the general path)
    root = _simple_tree(html)
    if root is None:
        return None
    out: list[str] = []
    _walk(root, out)
    return tidy("".join(out))
