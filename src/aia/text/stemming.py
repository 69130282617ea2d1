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


def words(text: str) -> list[str]:
    """The lower-cased words of a text (one regex pass over the lower-cased text)."""
    return WORD_RE.findall(text.lower())


def tokens_with_offsets(text: str) -> Iterator[tuple[str, int, int]]:
    """(lower-cased word, start, end) in code points."""
    for m in WORD_RE.finditer(text):
        yield m.group(0).lower(), m.start(), m.end()


def stem_text(text: str) -> str:
    """The text as a space-separated string of stems: what the full-text index holds."""
    return " ".join(_stemmer().stemWords(words(text)))


def index_columns(text: str) -> tuple[str, str]:
    """The two columns of the full-text index, tokenising once.

    ``stem`` holds the stem of every word (exact words and phrases are searched there). ``plain`` holds only
    the words that differ from their stem, as written: a prefix search looks in both, so ``bilern*`` still
    finds "bilerne" (stem "bil") while the index stays about a third smaller than with every word twice.
    """
    tokens = words(text)
    stems = _stemmer().stemWords(tokens)
    # the words that differ from their stem, selected in C (compress/map) rather than by a generator per word
    return " ".join(stems), " ".join(compress(tokens, map(ne, tokens, stems)))
