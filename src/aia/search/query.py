"""Parsing a researcher's search query into a safe SQLite FTS5 ``MATCH`` expression.

Syntax (everything else is plain text, so no input can cause an FTS5 syntax error):

* ``word word`` – all words must occur (AND is the default; a literal ``AND`` between two terms is allowed).
* ``"a phrase"`` – the words in this order; an unbalanced quote is ignored.
* ``udvikl*`` – words starting with ``udvikl`` (prefix search on the unstemmed words).
* ``-word``, ``-"a phrase"``, ``NOT word`` – exclude segments containing it.
* ``bil OR bus`` – either term; OR binds tighter than the implicit AND:
  ``bil OR bus el`` = ``(bil OR bus) AND el``.

The keywords ``AND``/``OR``/``NOT`` count only in upper case and only where they make sense; anywhere else
(``AND`` at the start, ``OR OR``, a trailing ``NOT``) they are searched for as ordinary words.

A word ``t`` is searched as its Danish stem, ``stem : "stem(t)"``, so inflections match ("bilerne" finds "bilen"
and "biler"). That also covers the word as written — the index stems every word the same way, English words and
names included — so a second search of the unstemmed words would only repeat the work. Prefixes are the one
case that needs the unstemmed words (the ``plain`` column holds those that differ from their stem):
``udvikl*`` becomes ``(stem : "udvikl"* OR plain : "udvikl"*)``; a prefix made of several words, ``ai-værk*``,
becomes the stems followed by the prefix, ``stem : "ai værk"*``. A term that tokenises into several words
("e-mail", "AI-værktøj") is searched as a phrase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aia.errors import SearchSyntaxError
from aia.text.stemming import WORD_RE, stem

#: one lexical chunk: a quoted phrase (possibly unterminated) or a run of anything but space and quotes
_CHUNK_RE = re.compile(r'(-?)"([^"]*)("?)|([^\s"]+)')
_KEYWORDS = frozenset({"AND", "OR", "NOT"})


@dataclass(frozen=True)
class Term:
    """A search term: one word, or a phrase of several; ``prefix`` means the last word is a prefix."""

    words: tuple[str, ...]
    prefix: bool = False

    @property
    def stems(self) -> tuple[str, ...]:
        return tuple(stem(w) for w in self.words)

    def to_fts(self) -> str:
        if self.prefix:
            # the stem column has words that are their own stem, the plain column the others as written
            stems_then_prefix = _quote(" ".join((*self.stems[:-1], self.words[-1])))
            if len(self.words) > 1:
                return f"stem : {stems_then_prefix}*"
            return f"(stem : {stems_then_prefix}* OR plain : {_quote(self.words[-1])}*)"
        return f"stem : {_quote(' '.join(self.stems))}"

    def __str__(self) -> str:
        text = " ".join(self.words)
        if self.prefix:
            text += "*"
        return f'"{text}"' if len(self.words) > 1 else text


@dataclass(frozen=True)
class ParsedQuery:
    """The result of :func:`parse_query`.

    ``match`` is the FTS5 expression (bind it as a parameter); ``groups`` are the positive terms as an AND of
    ORs; ``excluded`` the negative terms. ``stems``, ``plain`` and ``prefixes`` are what a text's words are
    compared against for highlighting (see :mod:`aia.search.kwic`).
    """

    text: str
    match: str
    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()
    stems: frozenset[str] = field(default_factory=frozenset)
    plain: frozenset[str] = field(default_factory=frozenset)
    prefixes: tuple[str, ...] = ()

    @property
    def terms(self) -> tuple[Term, ...]:
        """All positive terms, in query order."""
        return tuple(t for group in self.groups for t in group)


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _words(text: str) -> tuple[str, ...]:
    """The searchable words of ``text``, tokenised exactly as the index is (see :mod:`aia.text.stemming`)."""
    found = (m.group(0).lower() for m in WORD_RE.finditer(text))
    # FTS5 treats "_" as a separator: a word made only of underscores would be an empty phrase
    return tuple(w for w in found if w.strip("_"))


@dataclass(frozen=True)
class _Lexeme:
    """A term (possibly negated) or, when ``term`` is None, an upper-case keyword."""

    term: Term | None
    negated: bool = False
    keyword: str = ""

    def is_term(self, positive: bool = False) -> bool:
        return self.term is not None and not (positive and self.negated)


def _lex(text: str) -> list[_Lexeme]:
    items: list[_Lexeme] = []
    for m in _CHUNK_RE.finditer(text):
        minus, phrase, closing, bare = m.groups()
        if bare is None:
            if not closing:  # an unbalanced quote is ignored: the rest is read as ordinary words
                items.extend(_lex(phrase))
                continue
            words = _words(phrase)
            if words:
                items.append(_Lexeme(Term(words), negated=bool(minus)))
            continue
        if bare in _KEYWORDS:
            items.append(_Lexeme(None, keyword=bare))
            continue
        negated = bare.startswith("-") and len(bare) > 1
        body = bare[1:] if negated else bare
        prefix = body.endswith("*")
        words = _words(body.rstrip("*") if prefix else body)
        if words:
            items.append(_Lexeme(Term(words, prefix=prefix), negated=negated))
    return items


def _resolve_keywords(items: list[_Lexeme]) -> list[_Lexeme]:
    """Keep NOT/AND/OR only where they are operators; anywhere else they are the words "not", "and", "or".

    Returns terms and "OR" keywords only.
    """

    def at(i: int) -> _Lexeme | None:
        return items[i] if 0 <= i < len(items) else None

    def term_at(i: int, positive: bool = False) -> Term | None:
        item = at(i)
        return item.term if item is not None and item.is_term(positive) else None

    out: list[_Lexeme] = []
    i = 0
    while i < len(items):
        item = items[i]
        after_term = bool(out) and out[-1].term is not None
        if item.term is not None:
            out.append(item)
        elif item.keyword == "NOT" and (negated := term_at(i + 1, positive=True)) is not None:
            out.append(_Lexeme(negated, negated=True))
            i += 1
        elif item.keyword == "AND" and after_term and (term_at(i + 1) is not None or _not_term_at(items, i + 1)):
            pass  # AND is the default
        elif item.keyword == "OR" and after_term and not out[-1].negated and term_at(i + 1, True) is not None:
            out.append(item)
        else:
            out.append(_Lexeme(Term((item.keyword.lower(),))))
        i += 1
    return out


def _not_term_at(items: list[_Lexeme], i: int) -> bool:
    """``NOT x`` starts at ``i`` (so a preceding ``AND`` is redundant)."""
    return i + 1 < len(items) and items[i].keyword == "NOT" and items[i + 1].is_term(positive=True)


def parse_query(text: str) -> ParsedQuery:
    """Parse ``text``; raises :class:`SearchSyntaxError` only when there is nothing to search for."""
    items = _resolve_keywords(_lex(text))
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = False
    for item in items:
        term = item.term
        if term is None:  # OR
            join_next = True
            continue
        if item.negated:
            excluded.append(term)
        elif join_next and groups:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    if not groups:
        if excluded:
            shown = " ".join(f"-{t}" for t in excluded)
            raise SearchSyntaxError(
                f"the search {shown} only excludes words: add a word to find in front of it, e.g. 'kunde {shown}'."
            )
        raise SearchSyntaxError(
            "the search has no words to find: type at least one word of letters or digits "
            '(use "quotes" for phrases, word* for prefixes and -word to exclude).'
        )
    groups = _dedupe(groups)
    positive = " AND ".join(_render_group(g) for g in groups)
    match = positive
    if excluded:
        negative = " OR ".join(t.to_fts() for t in dict.fromkeys(excluded))
        match = f"({positive}) NOT ({negative})"
    stems: set[str] = set()
    plain: set[str] = set()
    prefixes: list[str] = []
    for group in groups:
        for term in group:
            whole = term.words[:-1] if term.prefix else term.words
            plain.update(whole)
            stems.update(stem(w) for w in whole)
            if term.prefix:
                prefixes.append(term.words[-1])
    return ParsedQuery(
        text=text,
        match=match,
        groups=tuple(tuple(g) for g in groups),
        excluded=tuple(excluded),
        stems=frozenset(stems),
        plain=frozenset(plain),
        prefixes=tuple(dict.fromkeys(prefixes)),
    )


def _dedupe(groups: list[list[Term]]) -> list[list[Term]]:
    seen: set[tuple[Term, ...]] = set()
    out: list[list[Term]] = []
    for group in groups:
        key = tuple(dict.fromkeys(group))
        if key not in seen:
            seen.add(key)
            out.append(list(key))
    return out


def _render_group(group: list[Term]) -> str:
    if len(group) == 1:
        return group[0].to_fts()
    return "(" + " OR ".join(t.to_fts() for t in group) + ")"
