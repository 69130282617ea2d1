"""Danish stemming (Snowball ``danish`` via PyStemmer) and the tokeniser used by indexing and search.

Indexing and querying must tokenise and stem the same way, so both go through this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import compress
from operator import ne

import Stemmer

#: a word: letters/digits, with inner apostrophes or hyphens kept out (they split words, as FTS5 unicode61 does)
WORD_RE = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("danish")


def stem(word: str) -> str:
    """The Snowball Danish stem of one (lower-cased) word."""
    return str(_stemmer().stemWord(word.lower()))


#: punctuation that often clings to a word ("ord," "(ord)"); none of it is a word character
_CLINGING = ".,!?;:()\"'[]{}«»“”‘’*`"


def words(text: str) -> list[str]:
    """The lower-cased words of a text: ``WORD_RE.findall(text.lower())``, computed faster.

    White space never belongs to a word, so the words are those of each white-space separated piece; a piece that
    is letters and digits only (``str.isalnum`` is exactly "every character is ``\\w``", ``_`` aside), once
    clinging punctuation is stripped, is one word, and only the other pieces go through the regex."""
    out: list[str] = []
    add = out.append
    for piece in text.lower().split():
        if piece.isalnum():
            add(piece)
            continue
        stripped = piece.strip(_CLINGING)
        if stripped.isalnum():
            add(stripped)
        else:
            out.extend(WORD_RE.findall(piece))
    return out


def tokens_with_offsets(text: str) -> Iterator[tuple[str, int, int]]:
    """(lower-cased word, start, end) in code points."""
    for m in WORD_RE.finditer(text):
        yield m.group(0).lower(), m.start(), m.end()


def stem_text(text: str) -> str:
    """The text as a space-separated string of stems: what the full-text index holds."""
    return " ".join(_stemmer().stemWords(words(text)))


#: stems of words seen, shared by every call: a word's stem never changes, and looking it up in a dict is several
#: times faster than PyStemmer's own cache; emptied when it holds this many words, so memory stays bounded
_STEM_CACHE_SIZE = 100_000
_stems: dict[str, str] = {}


def stem_words(tokens: list[str]) -> list[str]:
    """The stems of (lower-cased) words, as ``Stemmer.stemWords`` gives them, through the shared cache."""
    stems: list[str | None] = list(map(_stems.get, tokens))
    if None not in stems:
        return stems  # type: ignore[return-value]  # no None left
    missing = [t for t, s in zip(tokens, stems, strict=True) if s is None]
    if len(_stems) + len(missing) > _STEM_CACHE_SIZE:
        _stems.clear()
    _stems.update(zip(missing, _stemmer().stemWords(missing), strict=True))
    return [_stems[t] if s is None else s for t, s in zip(tokens, stems, strict=True)]


#: the two index columns' parts of each white-space separated piece of text seen (as written), shared by every call
#: like the stems; both emptied when they hold this many pieces
_PIECE_CACHE_SIZE = 30_000


class _PieceParts(dict[str, str]):
    """Piece -> its part of one index column; a piece not seen yet is worked out (for both columns) on lookup, so
    that :func:`index_columns` looks pieces up with ``map`` in C rather than in a Python loop."""

    def __missing__(self, piece: str) -> str:
        tokens = words(piece)
        stems = stem_words(tokens)
        if len(_stem_parts) >= _PIECE_CACHE_SIZE:
            _stem_parts.clear()
            _plain_parts.clear()
        _stem_parts[piece] = stem = " ".join(stems)
        _plain_parts[piece] = " ".join(compress(tokens, map(ne, tokens, stems)))
        return stem if self is _stem_parts else _plain_parts[piece]


_stem_parts = _PieceParts()
_plain_parts = _PieceParts()


def index_columns(text: str) -> tuple[str, str]:
    """The two columns of the full-text index, tokenising once.

    ``stem`` holds the stem of every word (exact words and phrases are searched there). ``plain`` holds only
    the words that differ from their stem, as written: a prefix search looks in both, so ``bilern*`` still
    finds "bilerne" (stem "bil") while the index stays about a third smaller than with every word twice.

    White space never belongs to a word, so the columns are the joined parts of the text's white-space separated
    pieces; those repeat a lot ("og", "AI,"), and each piece's parts are computed once and cached."""
    pieces = text.split()
    return (
        " ".join(filter(None, map(_stem_parts.__getitem__, pieces))),
        " ".join(filter(None, map(_plain_parts.__getitem__, pieces))),
    )
