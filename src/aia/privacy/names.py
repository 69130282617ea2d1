"""Person names from a shipped gazetteer of Danish first names and surnames, without any NER model.

Rules (Danish capitalises only proper nouns, so capitalisation carries most of the signal):

* Only capitalised tokens are candidates (all-caps tokens such as ``AI`` or ``IT`` are not).
* Consecutive capitalised name tokens separated by one space form one person span ("Mette Hansen",
  "Karl Johan Nørgaard"); hyphenated names ("Anne-Sofie", "Niels-Erik") are one token.
* A Danish genitive ``s`` (or an apostrophe after s/x/z) stays outside the span: "Mettes" -> span "Mette".
* A span of two or more tokens that starts with a first name is replaced.
* A single first name is replaced mid-sentence. At a sentence start (text start, after ``. ! ? : ;``, quotes,
  list bullets or a speaker label like ``Interviewer:``) it is replaced unless it is also a common word
  (``ambiguous_da.txt``: Hans, Per, Bo, Mark, Tage, ...), in which case it is flagged for review.
* A surname alone is replaced after a title (hr., fru, dr.) or when it has a typical surname ending (-sen,
  -gaard); other lone surnames (Lund, Holm, Skov: also places and words) are flagged for review.
* A candidate next to a company form (``A/S``, ``ApS``, ``&``, ...) is not a person and is skipped.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from aia.privacy.detect import Finding

#: a capitalised token not preceded by a word character, "@" or "."; the look-behind comes after the first letter
#: (the same matches as in front of it) so that the regex engine skips ahead to capitals
_TOKEN_RE = re.compile(r"[A-ZÀ-ÖØ-Þ](?<![\w@.][A-ZÀ-ÖØ-Þ])[^\W\d_]*(?:[-'’][^\W\d_]+)*")
_SURNAME_ENDINGS = ("sen", "gaard", "gård", "strup", "skov", "holm", "berg", "bjerg", "lund", "høj")
_COMPANY_AFTER = re.compile(
    r"\s*(?:[&+]|(?:A/S|ApS|I/S|IVS|K/S|P/S|a\.m\.b\.a|amba|Group|Holding|Bank|GmbH|Ltd|Inc)\b)"
)
_COMPANY_BEFORE = re.compile(r"(?:&|\+)\s*$")
_TITLE_BEFORE = re.compile(r"(?:\b(?:hr|fru|frk|dr|prof|direktør|mester)\.?)\s+$", re.IGNORECASE)
_SENTENCE_END = set('.!?:;"“”„«»(–—*•')


@lru_cache(maxsize=1)
def gazetteer() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(first names, surnames, ambiguous words), all lower-cased, from ``aia/privacy/data``."""

    def load(name: str) -> frozenset[str]:
        raw = resources.files("aia.privacy").joinpath("data", name).read_text(encoding="utf-8")
        return frozenset(line.strip().lower() for line in raw.splitlines() if line.strip() and not line.startswith("#"))

    return load("first_names_da.txt"), load("surnames_da.txt"), load("ambiguous_da.txt")


def is_sentence_start(text: str, pos: int) -> bool:
    """True when only spaces separate ``pos`` from the text start, a line start or sentence punctuation."""
    i = pos - 1
    while i >= 0 and text[i] in " \t\u00a0":
        i -= 1
    if i < 0 or text[i] in "\n\r":
        return True
    if text[i] == "." and i >= 1 and text[i - 1].isdigit():
        # "1. Mette Hansen" (a numbered list) starts a sentence; "kl. 10" does not reach here.
        return True
    return text[i] in _SENTENCE_END


def _classify(word: str, listed_only: bool = False) -> str:
    """'F' first name, 'S' surname, '' neither. ``listed_only`` ignores the surname-ending rule (for genitives)."""
    first, last, _ = gazetteer()
    low = word.lower()
    if low in first:
        return "F"
    if low in last:
        return "S"
    if "-" in low:
        parts = low.split("-")
        if all(p in first for p in parts):
            return "F"
        if all(p in first or p in last for p in parts) and parts[-1] in last:
            return "S"
        return ""
    if not listed_only and len(low) >= 6 and low.endswith(_SURNAME_ENDINGS) and word[1:].islower():
        return "S"
    return ""


def _classify_token(token: str) -> tuple[str, int]:
    """Class of a token and the length of the name part (a genitive ``s`` is left out); cached for word-sized tokens
    (texts repeat the same capitalised words over and over)."""
    if len(token) <= 40:
        return _classify_cached(token)
    return _classify_uncached(token)


@lru_cache(maxsize=65536)
def _classify_cached(token: str) -> tuple[str, int]:
    return _classify_uncached(token)


def _classify_uncached(token: str) -> tuple[str, int]:
    kind = _classify(token)
    if kind:
        return kind, len(token)
    if len(token) > 2 and token.endswith("s"):
        kind = _classify(token[:-1], listed_only=True)
        if kind:
            return kind, len(token) - 1
    return "", 0


#: white-space separated pieces of text whose answer :class:`_NamePieces` keeps; emptied when it holds this many
_PIECE_CACHE_SIZE = 30_000


class _NamePieces(dict[str, bool]):
    """Piece of text (white-space separated, as written) -> whether a token in it could start a name; worked out on
    first lookup, so that :func:`find_names` looks a text's pieces up with ``map`` in C.

    Tokens never hold white space, and the character before a piece is white space or nothing, so a piece has the
    same tokens alone as inside its text: a text none of whose pieces has a name token has no name."""

    def __missing__(self, piece: str) -> bool:
        found = any(_classify_token(m.group())[0] for m in _TOKEN_RE.finditer(piece))
        if len(self) >= _PIECE_CACHE_SIZE:
            self.clear()
        self[piece] = found
        return found


_name_pieces = _NamePieces()


def find_names(text: str) -> list[Finding]:
    """Person-name candidates from the gazetteer; ambiguous ones have ``needs_review`` set."""
    if not any(map(_name_pieces.__getitem__, text.split())):
        return []  # fast path: most texts have no token that is a name
    _, _, ambiguous = gazetteer()
    tokens = [m.span() for m in _TOKEN_RE.finditer(text)]
    out: list[Finding] = []
    i = 0
    while i < len(tokens):
        start, end = tokens[i]
        word = text[start:end]
        if len(word) < 2 or word.isupper():
            i += 1
            continue
        kind, length = _classify_token(word)
        if not kind:
            i += 1
            continue
        span_end = start + length
        kinds = [kind]
        full = length == end - start
        j = i + 1
        while full and j < len(tokens):
            nstart, nend = tokens[j]
            nword = text[nstart:nend]
            if text[span_end:nstart] != " " or nword.isupper():
                break
            nkind, nlength = _classify_token(nword)
            if not nkind:
                break
            kinds.append(nkind)
            span_end = nstart + nlength
            full = nlength == nend - nstart
            j += 1
        i = j
        if _COMPANY_AFTER.match(text, span_end) or _COMPANY_BEFORE.search(text, max(0, start - 4), start):
            continue
        finding = _decide(text, start, span_end, kinds, ambiguous)
        if finding is not None:
            out.append(finding)
    return out


def _decide(text: str, start: int, end: int, kinds: list[str], ambiguous: frozenset[str]) -> Finding | None:
    value = text[start:end]
    low = value.lower()
    initial = is_sentence_start(text, start)
    if len(kinds) >= 2:
        confidence = 0.9 if kinds[0] == "F" else 0.75
        if kinds[0] == "S" and any(w.lower() in ambiguous for w in value.split()):
            return Finding(start, end, "PER", value, 0.5, True)
        return Finding(start, end, "PER", value, confidence)
    if kinds[0] == "F":
        if initial and low in ambiguous:
            return Finding(start, end, "PER", value, 0.4, True)
        return Finding(start, end, "PER", value, 0.75 if initial else 0.85)
    if _TITLE_BEFORE.search(text, max(0, start - 15), start):
        return Finding(start, end, "PER", value, 0.8)
    if low in ambiguous or not low.endswith(("sen", "gaard", "gård")):
        return Finding(start, end, "PER", value, 0.4, True)
    return Finding(start, end, "PER", value, 0.6 if initial else 0.7)
