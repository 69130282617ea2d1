"""Pseudonymise Danish text: known participants and organisations first, then patterns, then the name gazetteer.

Order and priority (an earlier source wins where spans overlap):

1. pattern identifiers that contain other text: e-mail, URL (all URLs protect their inside; only personal URLs and
   URLs on a known organisation's site are replaced), @handle, IBAN, CPR, phone. E-mails, phones and CPR
   numbers of known people are replaced by their pseudonym (``source="known"``).
2. known names: ONE combined, case-insensitive regex (a trie of all identifiers, longest first, word
   boundaries, an optional genitive ``s`` left outside the span): ``Mettes`` -> ``[SWU-P03]s``.
3. company names before a company form (``Tømrer Lund ApS``): review flags only, never replaced.
4. the gazetteer (:mod:`aia.privacy.names`).

Unknown identifiers become ``[KIND-xxxxxx]``: the first 6 hex digits of HMAC-SHA256(secret, "KIND:" + normalised
value), so the same value gets the same pseudonym under the same secret, and another secret gives another one.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from aia.privacy import detect
from aia.privacy.detect import Finding
from aia.privacy.names import find_names, gazetteer, is_sentence_start
from aia.privacy.offsets import OffsetMap, Replacement, Result, apply

__all__ = [
    "Known",
    "KnownIndex",
    "KnownOrganisation",
    "KnownPerson",
    "OffsetMap",
    "Replacement",
    "Result",
    "apply",
    "compile_known",
    "pseudonym",
    "pseudonymise",
]

PREFIX = {
    "PER": "PERSON",
    "ORG": "ORG",
    "EMAIL": "EMAIL",
    "PHONE": "PHONE",
    "CPR": "CPR",
    "URL": "URL",
    "HANDLE": "HANDLE",
    "IBAN": "IBAN",
}


@dataclass(frozen=True)
class KnownPerson:
    """A participant (or another person the project knows) and every way they may be written."""

    pseudonym: str
    names: tuple[str, ...] = ()
    first_name: str | None = None
    surname: str | None = None
    aliases: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    cprs: tuple[str, ...] = ()


@dataclass(frozen=True)
class KnownOrganisation:
    """A participating organisation: its names/aliases, e-mail addresses and web sites (hosts or URLs)."""

    pseudonym: str
    names: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    websites: tuple[str, ...] = ()


Known = KnownPerson | KnownOrganisation


def normalise(kind: str, value: str) -> str:
    """The canonical form of a value that its pseudonym is computed from."""
    text = unicodedata.normalize("NFC", value).strip()
    if kind == "PHONE":
        return detect.phone_key(text)
    if kind in ("CPR", "IBAN"):
        return re.sub(r"[\s-]", "", text).upper()
    if kind == "URL":
        host, path = detect.url_host_path(text)
        return (host + path).rstrip("/").casefold()
    return " ".join(text.casefold().split())


def pseudonym(kind: str, value: str, secret: bytes) -> str:
    """``[PREFIX-xxxxxx]`` with the first 6 hex digits of HMAC-SHA256(secret, "PREFIX:" + normalised value)."""
    prefix = PREFIX[kind]
    digest = hmac.new(secret, f"{prefix}:{normalise(kind, value)}".encode(), hashlib.sha256).hexdigest()
    return f"[{prefix}-{digest[:6]}]"


@dataclass(frozen=True)
class _Entry:
    pseudonyms: frozenset[str]
    kind: str
    single: bool  # one token that is a first name, surname or short alias: ambiguity rules apply


@dataclass(frozen=True)
class KnownIndex:
    """Compiled known identifiers: one regex for names, dictionaries for e-mails, phones, CPR and web hosts."""

    regex: re.Pattern[str] | None
    names: dict[str, _Entry]
    emails: dict[str, str]
    phones: dict[str, str]
    cprs: dict[str, str]
    hosts: dict[str, str]


def _key(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).casefold().split())


class _Node(dict[str, "_Node"]):
    """A character trie node; the key ``""`` marks the end of a word."""


def trie_regex(words: Iterable[str], space: str = r"\s+") -> str:
    """One regex alternation for all words, as a trie so that matching does not try every word in turn; where one
    word ends and others go on, the longer ones are tried first (what an alternation sorted longest first does). A
    space in a word matches ``space`` (by default any run of white space)."""
    trie = _Node()
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, _Node())
        node[""] = _Node()

    def emit(node: _Node) -> str:
        ends = "" in node
        branches = []
        for ch in sorted(k for k in node if k):
            atom = space if ch == " " else re.escape(ch)
            branches.append(atom + emit(node[ch]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return "(?:" + body + ")?" if len(branches) > 1 or len(body) > 1 else body + "?"
        return body

    return emit(trie)


def compile_known(known: Iterable[Known]) -> KnownIndex:
    collected: dict[str, tuple[set[str], str, bool]] = {}
    emails: dict[str, str] = {}
    phones: dict[str, str] = {}
    cprs: dict[str, str] = {}
    hosts: dict[str, str] = {}

    def add(value: str | None, code: str, kind: str, single: bool) -> None:
        if not value or not value.strip():
            return
        key = _key(value)
        codes, _, was_single = collected.get(key, (set(), kind, single))
        codes.add(code)
        collected[key] = (codes, kind, was_single and single and " " not in key)

    for item in known:
        code = f"[{item.pseudonym}]"
        if isinstance(item, KnownPerson):
            for name in item.names:
                add(name, code, "PER", " " not in name.strip())
            add(item.first_name, code, "PER", True)
            add(item.surname, code, "PER", True)
            for alias in item.aliases:
                add(alias, code, "PER", " " not in alias.strip())
            for cpr in item.cprs:
                cprs[re.sub(r"\D", "", cpr)] = code
        else:
            for name in (*item.names, *item.aliases):
                add(name, code, "ORG", False)
            for site in item.websites:
                host, _ = detect.url_host_path(site)
                if host:
                    hosts[host] = code
        for email in item.emails:
            emails[email.strip().casefold()] = code
        for phone in item.phones:
            phones[detect.phone_key(phone)] = code
    names = {k: _Entry(frozenset(c), kind, single) for k, (c, kind, single) in collected.items()}
    regex = None
    if names:
        body = trie_regex(sorted(names))
        regex = re.compile(r"(?<![\w@])(" + body + r")(?=(?:s|'s?|’s?)?(?![\w@]))", re.IGNORECASE)
    return KnownIndex(regex, names, emails, phones, cprs, hosts)


@lru_cache(maxsize=8)
def _compile_cached(known: tuple[Known, ...]) -> KnownIndex:
    return compile_known(known)


class _Occupied:
    """Non-overlapping accepted spans, for priority resolution.

    Spans taken during one detector pass (which yields spans in text order) are kept in a pending list and merged
    into the sorted base list by :meth:`flush`, so that taking n spans costs O(n log n), not O(n²).
    """

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.pending: list[tuple[int, int]] = []
        self.pending_end = 0

    def free(self, start: int, end: int) -> bool:
        k = bisect_left(self.ends, start + 1)  # first base span ending after start
        if k < len(self.starts) and self.starts[k] < end:
            return False
        if not self.pending:
            return True
        if start >= self.pending[-1][0]:
            # Pending spans are in text order, so the one reaching furthest overlaps [start, end) iff it reaches
            # past start (its own start is <= start < end).
            return start >= self.pending_end
        return not any(s < end and start < e for s, e in self.pending)

    def take(self, start: int, end: int) -> None:
        self.pending.append((start, end))
        self.pending_end = max(self.pending_end, end)

    def flush(self) -> None:
        if self.pending:
            merged = sorted([*zip(self.starts, self.ends, strict=True), *self.pending])
            self.starts = [s for s, _ in merged]
            self.ends = [e for _, e in merged]
            self.pending = []
            self.pending_end = 0


def _known_names(text: str, index: KnownIndex) -> list[tuple[Finding, str]]:
    """(finding, pseudonym) for known names; ambiguous ones come back as review flags with pseudonym ''."""
    if index.regex is None:
        return []
    _, _, ambiguous = gazetteer()
    out: list[tuple[Finding, str]] = []
    for m in index.regex.finditer(text):
        value = m.group(1)
        entry = index.names.get(_key(value))
        if entry is None:
            continue
        start, end = m.span(1)
        word = value.casefold()
        if entry.single and word in ambiguous:
            if value.islower():
                continue
            if is_sentence_start(text, start):
                out.append((Finding(start, end, entry.kind, value, 0.4, True), ""))
                continue
        if len(entry.pseudonyms) > 1:
            out.append((Finding(start, end, entry.kind, value, 0.5, True), ""))
            continue
        out.append(
            (Finding(start, end, entry.kind, value, 0.99 if not entry.single else 0.9), next(iter(entry.pseudonyms)))
        )
    return out


def _link_names(findings: Sequence[Finding]) -> dict[str, str]:
    """Single first names/surnames that belong to exactly one full name found in the same text."""
    owners: dict[str, set[str]] = {}
    for f in findings:
        words = f.text.split()
        if len(words) >= 2:
            for w in (words[0], words[-1]):
                owners.setdefault(_key(w), set()).add(_key(f.text))
    return {w: next(iter(full)) for w, full in owners.items() if len(full) == 1}


def _numbers(
    text: str, index: KnownIndex, secret: bytes, accept: Callable[[Finding, str, str], None], occupied: _Occupied
) -> None:
    """IBANs, then CPR numbers, then phone numbers (in that priority), known ones replaced by their pseudonym."""
    for f in detect.find_ibans(text):
        accept(f, pseudonym("IBAN", f.text, secret), "pattern")
    occupied.flush()
    for f in detect.find_cpr(text):
        code = index.cprs.get(re.sub(r"\D", "", f.text))
        accept(f, code or pseudonym("CPR", f.text, secret), "known" if code else "pattern")
    occupied.flush()
    for f in detect.find_phones(text):
        code = index.phones.get(detect.phone_key(f.text))
        if code:
            f = Finding(f.start, f.end, f.kind, f.text, 0.99)
        accept(f, code or pseudonym("PHONE", f.text, secret), "known" if code else "pattern")
    occupied.flush()


def pseudonymise(text: str, known: Iterable[Known] | KnownIndex | None, secret: bytes) -> Result:
    """Replace identifiers in ``text``; see the module docstring. Flags are not replaced (offsets in new text)."""
    index = known if isinstance(known, KnownIndex) else _compile_cached(tuple(known or ()))
    occupied = _Occupied()
    replacements: list[Replacement] = []
    flags: list[Finding] = []

    def accept(f: Finding, replacement: str, source: str) -> None:
        if not occupied.free(f.start, f.end):
            return
        occupied.take(f.start, f.end)
        if f.needs_review or not replacement:
            flags.append(f)
        else:
            replacements.append(Replacement(f.start, f.end, f.text, replacement, f.kind, source))

    for f in detect.find_emails(text):
        code = index.emails.get(f.text.casefold())
        accept(f, code or pseudonym("EMAIL", f.text, secret), "known" if code else "pattern")
    occupied.flush()
    for f in detect.find_urls(text, all_urls=True):
        host, _ = detect.url_host_path(f.text)
        code = index.hosts.get(host)
        if code or detect.is_personal_url(f.text):
            accept(
                Finding(f.start, f.end, "URL", f.text, 0.95),
                code or pseudonym("URL", f.text, secret),
                "known" if code else "pattern",
            )
        elif occupied.free(f.start, f.end):
            occupied.take(f.start, f.end)  # a non-personal URL: protect its inside from name detection
    occupied.flush()
    for f in detect.find_handles(text):
        accept(f, pseudonym("HANDLE", f.text, secret), "pattern")
    occupied.flush()
    # IBANs, CPR and phone numbers all contain a digit: one scan for a digit instead of one in each detector
    if detect.has_digit(text):
        _numbers(text, index, secret, accept, occupied)
    for f, code in _known_names(text, index):
        accept(f, code, "known")
    occupied.flush()
    for f in detect.find_company_forms(text):
        accept(f, "", "pattern")
    occupied.flush()
    names = [f for f in find_names(text) if occupied.free(f.start, f.end)]
    links = _link_names([f for f in names if not f.needs_review])
    for f in names:
        value = links.get(_key(f.text), f.text)
        accept(f, pseudonym("PER", value, secret), "gazetteer")
    if not replacements and not flags:
        return Result(text, [], [], OffsetMap([], len(text)), [])  # what apply() gives for nothing to apply
    return apply(text, replacements, flags)
