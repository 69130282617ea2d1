"""Pattern detectors for direct identifiers in Danish text: e-mail, personal URL, @handle, phone, CPR, IBAN.

Every detector is a pure function ``text -> list[Finding]``. Offsets are code-point offsets into ``text``, end
exclusive, so ``text[f.start:f.end] == f.text`` always holds.
"""

from __future__ import annotations

import codecs
import datetime
import re
from bisect import bisect_right
from dataclasses import dataclass

import phonenumbers
from stdnum import iban as _iban
from stdnum.dk import cpr as _cpr
from stdnum.exceptions import ValidationError as _StdnumError

KINDS = ("PER", "ORG", "EMAIL", "URL", "HANDLE", "PHONE", "CPR", "IBAN")


@dataclass(frozen=True)
class Finding:
    """A candidate identifier. ``needs_review`` findings are shown to a person instead of being replaced."""

    start: int
    end: int
    kind: str
    text: str
    confidence: float
    needs_review: bool = False


# --- e-mail -------------------------------------------------------------------------------------------------------

_EMAIL_DOMAIN = re.compile(r"@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])")
_EMAIL_LOCAL = re.compile(r"(?<![\w.+-])[\w+-][\w.+-]*$")


def find_emails(text: str) -> list[Finding]:
    out: list[Finding] = []
    if "@" not in text:
        return out  # fast path: every e-mail has an "@"
    # Search from the literal "@" (fast), then extend backwards over the local part.
    for m in _EMAIL_DOMAIN.finditer(text):
        local = _EMAIL_LOCAL.search(text, max(0, m.start() - 64), m.start())
        if local is None:
            continue
        value = text[local.start() : m.end()]
        if ".." in value or value.startswith("."):
            continue
        out.append(Finding(local.start(), m.end(), "EMAIL", value, 0.99))
    return out


# --- URLs ---------------------------------------------------------------------------------------------------------

_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"”»]+")
_BARE_PROFILE = re.compile(r"\.(?:com|net|app)/[^\s<>\"”»]*")
_HOST_BEFORE = re.compile(r"(?<![\w@/.-])[\w-]+(?:\.[\w-]+)*$")
_TRAILING = ".,;:!?)]}'’"
_PROFILE_HOSTS = {
    "linkedin.com": re.compile(r"^/(?:in|pub)/[^/?#]+", re.I),
    "github.com": re.compile(
        r"^/(?!(?:features|about|orgs|topics|marketplace|pricing|enterprise|login|join|settings"
        r"|collections|sponsors|trending|explore|security|customer-stories|readme)(?:[/?#]|$))"
        r"[A-Za-z0-9-]+",
        re.I,
    ),
    "gitlab.com": re.compile(r"^/(?!(?:explore|help|users/sign_in)(?:[/?#]|$))[A-Za-z0-9_.-]+", re.I),
    "facebook.com": re.compile(
        r"^/(?!(?:help|policies|business|privacy|watch|marketplace|gaming)(?:[/?#]|$))[^/?#]+", re.I
    ),
    "fb.com": re.compile(r"^/[^/?#]+", re.I),
    "instagram.com": re.compile(r"^/(?!(?:explore|about|accounts)(?:[/?#]|$))[^/?#]+", re.I),
    "twitter.com": re.compile(r"^/(?!(?:home|explore|search|i|settings|tos|privacy)(?:[/?#]|$))[^/?#]+", re.I),
    "x.com": re.compile(r"^/(?!(?:home|explore|search|i|settings|tos|privacy)(?:[/?#]|$))[^/?#]+", re.I),
    "tiktok.com": re.compile(r"^/@[^/?#]+", re.I),
    "youtube.com": re.compile(r"^/(?:@|c/|user/|channel/)[^/?#]+", re.I),
    "medium.com": re.compile(r"^/@[^/?#]+", re.I),
    "threads.net": re.compile(r"^/@[^/?#]+", re.I),
    "bsky.app": re.compile(r"^/profile/[^/?#]+", re.I),
}
#: literals one of which every match of _URL_RE or _BARE_PROFILE contains (a cheap test before the regexes)
_URL_MARKERS: tuple[str, ...] = ("http://", "https://", "www.", ".com/", ".net/", ".app/")
_ANY_HOST_PERSONAL = re.compile(r"^/(?:@|~)[^/?#]+")
_SPLIT_URL = re.compile(r"^(?:https?://)?([^/?#]+)(.*)$", re.I)


def url_host_path(url: str) -> tuple[str, str]:
    """Lower-cased host without ``www.``/``m.``/port, and the path (with query) of a URL."""
    m = _SPLIT_URL.match(url)
    if m is None:
        return "", ""
    host = m.group(1).lower().split(":")[0]
    for prefix in ("www.", "m.", "mobile.", "da-dk.", "dk."):
        if host.startswith(prefix):
            host = host[len(prefix) :]
    return host, m.group(2)


def is_personal_url(url: str) -> bool:
    host, path = url_host_path(url)
    rule = _PROFILE_HOSTS.get(host)
    if rule is not None and rule.search(path):
        return True
    return bool(_ANY_HOST_PERSONAL.search(path))


def find_urls(text: str, *, all_urls: bool = False) -> list[Finding]:
    """URLs that point at a person (profiles, user pages). With ``all_urls`` every URL is returned.

    URLs start with ``http(s)://`` or ``www.``; a bare ``linkedin.com/in/...``-style profile address is also found.
    """
    spans: list[tuple[int, int]] = []
    if not any(marker in text for marker in _URL_MARKERS):
        return []  # fast path: neither pattern can match without one of these literals
    for m in _URL_RE.finditer(text):
        if m.start() > 0 and (text[m.start() - 1].isalnum() or text[m.start() - 1] in "@/."):
            continue
        spans.append((m.start(), m.end()))
    starts = [s for s, _ in spans]
    for m in _BARE_PROFILE.finditer(text):
        host = _HOST_BEFORE.search(text, max(0, m.start() - 40), m.start())
        k = bisect_right(starts, m.start()) - 1
        if host is None or (k >= 0 and spans[k][1] > m.start()):
            continue  # not a host, or inside an http(s)/www URL already found
        if url_host_path(text[host.start() : m.end()])[0] in _PROFILE_HOSTS:
            spans.append((host.start(), m.end()))
    out: list[Finding] = []
    for start, end in sorted(spans):
        value = text[start:end].rstrip(_TRAILING)
        if not value or "." not in value:
            continue
        personal = is_personal_url(value)
        if personal or all_urls:
            out.append(Finding(start, start + len(value), "URL", value, 0.95 if personal else 0.3))
    return out


# --- @handles ------------------------------------------------------------------------------------------------------

_HANDLE_RE = re.compile(r"@(?<![\w@./+-]@)[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?(?![\w@-]|\.[A-Za-z])")


def find_handles(text: str) -> list[Finding]:
    if "@" not in text:
        return []
    return [Finding(m.start(), m.end(), "HANDLE", m.group(0), 0.9) for m in _HANDLE_RE.finditer(text)]


# --- phone numbers -------------------------------------------------------------------------------------------------

_PHONE_CANDIDATE = re.compile(r"(?<![\w+.,/-])(?:\(?(?:\+|00)\d{1,3}\)?[ .-]?)?\d(?:[ .-]?\d){6,13}(?![\w/-]|[.,]\d)")
_PHONE_CONTEXT = re.compile(
    r"(?:tlf|telefon\w*|ring\w*|mobil\w*|sms|mob|hotline|kontakt\w*|nummer|nr|phone|tel|opkald|fax|hverdage|"
    r"kundeservice|vagttelefon|direkte|ringe)\W{0,3}(?:\w+\W+){0,3}$",
    re.IGNORECASE,
)
_NOT_PHONE_CONTEXT = re.compile(
    r"(?:ordre\w*|faktura\w*|sag\w*|kunde\s*nr|kundenummer|varenummer|varenr|vare|cvr|se-nr|reg\w*|konto\w*|bilag"
    r"|lokale\w*|id|ean|isbn|serie\w*|nr\.?\s*ordre|ordrenr|postnummer|journal\w*|bestilling\w*|pakke\w*|track\w*"
    r"|kr|dkk|beløb\w*|pris\w*|cpr\w*|personn\w*)\W{0,6}(?:nr\.?|nummer)?\W{0,3}$",
    re.IGNORECASE,
)

_DATE_LIKE = re.compile(r"\d{1,2}[./-]\d{1,2}[./-](?:19|20)?\d{2}")


class _WideDigit(Exception):
    """Raised by the ``aia-digit`` codec error handler: the text has a digit outside Latin-1."""


def _wide_digit(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler for :func:`has_digit`: looks at each run of characters beyond Latin-1 and drops it."""
    assert isinstance(exc, UnicodeEncodeError)
    if any(ch.isdecimal() for ch in exc.object[exc.start : exc.end]):
        raise _WideDigit
    return "", exc.end


codecs.register_error("aia-digit", _wide_digit)


def has_digit(text: str) -> bool:
    """True if the text has a (Unicode) digit (what ``\\d`` matches: category Nd): without one, no phone, CPR or
    IBAN detector can find anything.

    Ten substring searches find an ASCII digit; Latin-1 has no other, so only the characters beyond it are looked
    at one by one, by the Latin-1 encoder's error handler (a regex search costs ten times as much)."""
    if (
        "0" in text or "1" in text or "2" in text or "3" in text or "4" in text
        or "5" in text or "6" in text or "7" in text or "8" in text or "9" in text
    ):  # fmt: skip
        return True
    try:
        text.encode("latin-1", "aia-digit")
    except _WideDigit:
        return True
    return False


def _phone_spans(chunk: str) -> list[tuple[int, int]]:
    """Valid phone numbers inside a digit chunk: the whole chunk if it parses (fast path), else the matcher's."""
    try:
        number = phonenumbers.parse(chunk, "DK")
        if phonenumbers.is_valid_number(number):
            return [(0, len(chunk))]
    except phonenumbers.NumberParseException:
        pass
    matcher = phonenumbers.PhoneNumberMatcher(chunk, "DK", leniency=phonenumbers.Leniency.VALID)
    return [(m.start, m.end) for m in matcher]


def find_phones(text: str) -> list[Finding]:
    """Phone numbers valid for DK (or in international form). Order/invoice/case numbers are excluded by context."""
    out: list[Finding] = []
    if not has_digit(text):
        return out
    for cand in _PHONE_CANDIDATE.finditer(text):
        chunk = cand.group(0)
        if sum(c.isdigit() for c in chunk) < 8:
            continue
        base = cand.start()
        if _NOT_PHONE_CONTEXT.search(text, max(0, base - 40), base):
            continue
        for rel_start, rel_end in _phone_spans(chunk):
            start, end = base + rel_start, base + rel_end
            raw = text[start:end]
            if _DATE_LIKE.fullmatch(raw):
                continue
            before = text[max(0, start - 40) : start]
            if _NOT_PHONE_CONTEXT.search(before):
                continue
            international = raw.lstrip("(").startswith(("+", "00"))
            context = bool(_PHONE_CONTEXT.search(before))
            confident = international or context
            out.append(Finding(start, end, "PHONE", raw, 0.95 if confident else 0.6, not confident))
    return out


def phone_key(value: str) -> str:
    """E.164 form of a phone number (DK default region), or its digits when it cannot be parsed."""
    try:
        number = phonenumbers.parse(value, "DK")
    except phonenumbers.NumberParseException:
        return re.sub(r"\D", "", value)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# --- CPR numbers ---------------------------------------------------------------------------------------------------

#: the look-behind comes after the first digit (same matches as in front of it) so that the regex engine can skip
#: ahead to digits instead of trying the look-behind at every position
_CPR_RE = re.compile(r"(\d(?<![\w.,/-]\d)\d)(\d{2})(\d{2})([- ]?)(\d{4})(?![\w/-]|[.,]\d)")
_CPR_CONTEXT = re.compile(r"(?:cpr|personn\w*|person\s*nr|pers\.?\s*nr)\W{0,6}(?:\w+\W+){0,2}$", re.IGNORECASE)


def cpr_birth_date(digits: str) -> datetime.date | None:
    """Birth date of a 10-digit CPR number by the date and century rule, or None. Modulus-11 is NOT checked."""
    try:
        born = _cpr.get_birth_date(digits)
    except (_StdnumError, ValueError):
        return None
    if born > datetime.date.today():
        return None
    return born


def cpr_mod11_ok(digits: str) -> bool:
    """Modulus-11 check. Only a confidence hint: CPR numbers issued since 2007 may fail it."""
    return bool(_cpr.checksum(digits) == 0)


def find_cpr(text: str) -> list[Finding]:
    """CPR numbers ``DDMMYY-NNNN`` / ``DDMMYYNNNN`` with a valid date; never requires modulus-11."""
    out: list[Finding] = []
    if not has_digit(text):
        return out
    for m in _CPR_RE.finditer(text):
        digits = m.group(1) + m.group(2) + m.group(3) + m.group(5)
        if cpr_birth_date(digits) is None:
            continue
        context = bool(_CPR_CONTEXT.search(text[max(0, m.start() - 30) : m.start()]))
        mod11 = cpr_mod11_ok(digits)
        separated = bool(m.group(4))
        confidence = 0.6 + 0.2 * context + 0.1 * mod11 + 0.1 * separated
        confident = context or separated or mod11
        out.append(Finding(m.start(), m.end(), "CPR", m.group(0), round(confidence, 2), not confident))
    return out


# --- IBAN ----------------------------------------------------------------------------------------------------------

#: look-behind after the first letter (same matches; lets the engine skip ahead to capitals)
_IBAN_RE = re.compile(r"[A-Z](?<!\w[A-Z])[A-Z]\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![\w])")


def find_ibans(text: str) -> list[Finding]:
    out: list[Finding] = []
    if not has_digit(text):
        return out
    for m in _IBAN_RE.finditer(text):
        value = m.group(0)
        # Shorten from the right until valid, in case a following word was swallowed.
        while value and not _iban.is_valid(value):
            cut = value.rfind(" ")
            if cut <= 4:
                value = ""
                break
            value = value[:cut]
        if value:
            out.append(Finding(m.start(), m.start() + len(value), "IBAN", value, 0.99))
    return out


# --- company forms ------------------------------------------------------------------------------------------------

_COMPANY_FORM = re.compile(r"(?<=\s)(?:A/S|ApS|I/S|IVS|K/S|P/S|a\.m\.b\.a\.?|amba)(?![\w/])")
#: literals one of which every match of _COMPANY_FORM contains
_COMPANY_MARKERS: tuple[str, ...] = ("/S", "ApS", "IVS", "a.m.b.a", "amba")
_COMPANY_WORDS = re.compile(r"(?<![\w&])(?:[A-ZÆØÅ][\w'’.-]*\s+(?:&\s+)?){1,4}$")
_NOT_COMPANY_WORD = frozenset(
    {"Hos", "Fra", "Til", "Med", "Vi", "Det", "Den", "De", "Og", "I", "På", "For", "Hun", "Han", "Jeg", "Er", "Som"}
    | {"Hvor", "Når", "Hvis", "Men", "Både", "Om", "Efter", "Ved", "Af"}
)


def find_company_forms(text: str) -> list[Finding]:
    """Capitalised words before a Danish company form (``Tømrer Lund ApS``): ORG candidates, flagged for review.

    Public companies are not secret, so these are not replaced automatically; the project's own organisations
    are given as known organisations instead.
    """
    out: list[Finding] = []
    if not any(marker in text for marker in _COMPANY_MARKERS):
        return out  # fast path: no company form can match
    for form in _COMPANY_FORM.finditer(text):
        m = _COMPANY_WORDS.search(text, max(0, form.start() - 80), form.start())
        if m is None:
            continue
        start = m.start()
        words = m.group(0).split()
        while words and words[0] in _NOT_COMPANY_WORD:
            start = text.index(words[1], start + len(words[0])) if len(words) > 1 else form.start()
            words.pop(0)
        out.append(Finding(start, form.end(), "ORG", text[start : form.end()], 0.5, True))
    return out


def find_patterns(text: str) -> list[Finding]:
    """All pattern detectors, in priority order (earlier kinds win overlaps)."""
    return [
        *find_emails(text),
        *find_urls(text),
        *find_handles(text),
        *find_ibans(text),
        *find_cpr(text),
        *find_phones(text),
    ]
