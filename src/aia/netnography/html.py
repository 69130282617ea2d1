"""HTML bodies to safe plain text that keeps paragraphs, lists, quotes, code blocks (fenced) and link URLs."""

from __future__ import annotations

import re

import lxml.html
import nh3
from lxml import etree

_BLOCK = {"p", "div", "pre", "blockquote", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "hr"}


def html_to_text(html: str) -> str:
    if not html or ("<" not in html and "&" not in html):
        return html or ""
    clean = nh3.clean(html)
    try:
        root = lxml.html.fragment_fromstring(clean, create_parent="div")
    except (etree.ParserError, ValueError):
        return clean
    out: list[str] = []
    _walk(root, out, quote=0)
    return tidy("".join(out))


_TRAILING_BLANKS = re.compile(r"[ \t]+\n")
_BLANK_LINES = re.compile(r"\n{3,}")


def tidy(text: str) -> str:
    """No blanks before a line end, at most one empty line, no outer white space. Each regex runs only when its
    literal can occur (the regexes have no literal prefix, so they would try every space of the text)."""
    if " \n" in text or "\t\n" in text:
        text = _TRAILING_BLANKS.sub("\n", text)
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def _walk(el: lxml.html.HtmlElement, out: list[str], quote: int) -> None:
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
        _walk(child, inner, quote + (tag == "blockquote"))
    body = "".join(inner)
    if tag == "blockquote":
        body = "\n".join("> " + line if line.strip() else line for line in body.strip().split("\n"))
    if tag == "a" and el.get("href") and el.get("href") != body:
        body = f"{body} ({el.get('href')})"
    out.append(body)
    if tag in _BLOCK and tag not in ("li", "tr"):
        out.append("\n\n")
    out.append(el.tail or "")
