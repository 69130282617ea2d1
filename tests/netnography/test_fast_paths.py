"""The import fast paths give exactly what the plain code gives: cheap prefilters before the pattern detectors,
regexes with the look-behind moved after the first character, the name-class cache, the stem/plain selection.

Each test compares with a reference: the original regexes and code, restored for the comparison."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from aia.netnography.html import tidy
from aia.privacy import detect, names
from aia.privacy.pseudonymise import KnownPerson, Result, compile_known, pseudonymise
from aia.text import stemming

#: the regexes as they were before the look-behind was moved
OLD_CPR = re.compile(r"(?<![\w.,/-])(\d{2})(\d{2})(\d{2})([- ]?)(\d{4})(?![\w/-]|[.,]\d)")
OLD_IBAN = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![\w])")
OLD_TOKEN = re.compile(r"(?<![\w@.])[A-ZÀ-ÖØ-Þ][^\W\d_]*(?:[-'’][^\W\d_]+)*")

PIECES = [
    "Mette",
    "Mettes",
    "Hansen",
    "Søren Kjærgaard",
    "Anne-Sofie Østergaard",
    "Hans",
    "Per",
    "hr. Lund",
    "Tømrer Lund ApS",
    "Bager Ø A/S",
    "mette.hansen@firma.dk",
    "@soren_k",
    "@mette",
    "tlf. 20 12 34 56",
    "+45 20123456",
    "ordrenr. 12345678",
    "CPR 070761-4285",
    "0707614285",
    "DK5000400440116243",
    "DK50 0040 0440 1162 43",
    "https://linkedin.com/in/mette-hansen",
    "www.kodehuset.dk/om",
    "github.com/mettehansen",
    "Vi brugte ChatGPT i går.",
    "Det virkede ikke, så Jørgen skrev koden om.",
    "1. Mette Hansen",
    "kl. 10.30",
    "år 2023",
    "AI",
    "IT-afdelingen",
    "Århus",
    "Ærø",
    "amba",
    "I/S",
    "x.Mette",
    "§ 7",
]
SEPARATORS = [" ", ", ", ". ", "\n", ": ", " - ", "(", ")", "'", "’s ", "/"]
ALPHABET = "aæøåbcdeAÆØÅBCDEMHS0123456789 .,:;/-_@+()'’\n"

danish = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(alphabet=ALPHABET, max_size=12)),
    max_size=25,
).flatmap(
    lambda parts: st.lists(st.sampled_from(SEPARATORS), min_size=len(parts), max_size=len(parts)).map(
        lambda seps: "".join(p + s for p, s in zip(parts, seps, strict=True))
    )
)
noise = st.text(alphabet=ALPHABET, max_size=60)
texts = st.one_of(danish, noise, st.text(max_size=40))


def _spans(rx: re.Pattern[str], text: str) -> list[tuple[int, int, tuple[str | Any, ...]]]:
    return [(m.start(), m.end(), m.groups()) for m in rx.finditer(text)]


@settings(max_examples=400, deadline=None)
@given(texts)
def test_moved_lookbehinds_match_exactly_the_same(text: str) -> None:
    assert _spans(detect._CPR_RE, text) == _spans(OLD_CPR, text)
    assert _spans(detect._IBAN_RE, text) == _spans(OLD_IBAN, text)
    assert _spans(names._TOKEN_RE, text) == _spans(OLD_TOKEN, text)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_prefilters_never_skip_a_text_the_regexes_would_match(text: str) -> None:
    if not detect.has_digit(text):
        assert not OLD_CPR.search(text) and not OLD_IBAN.search(text) and not detect._PHONE_CANDIDATE.search(text)
    if not any(marker in text for marker in detect._URL_MARKERS):
        assert not detect._URL_RE.search(text) and not detect._BARE_PROFILE.search(text)
    if not any(marker in text for marker in detect._COMPANY_MARKERS):
        assert not detect._COMPANY_FORM.search(text)
    if "@" not in text:
        assert not detect._EMAIL_DOMAIN.search(text) and not detect._HANDLE_RE.search(text)


@settings(max_examples=400, deadline=None)
@given(st.one_of(texts, st.text(), st.text(alphabet="aø’–٣߀०１²¼ \ud800", max_size=20)))
def test_has_digit_is_a_search_for_a_unicode_digit(text: str) -> None:
    assert detect.has_digit(text) == (re.search(r"\d", text) is not None)


class _EveryPiece(dict[str, bool]):
    def __missing__(self, piece: str) -> bool:
        return True


@settings(max_examples=400, deadline=None)
@given(texts)
def test_name_prefilter_never_skips_a_name(text: str) -> None:
    fast = names.find_names(text)
    with _reference_code():
        assert names.find_names(text) == fast


@contextmanager
def _reference_code() -> Iterator[None]:
    """The detectors as they were: no prefilters, the original regexes, no cache of name classes."""
    saved = {
        (detect, "_CPR_RE"): detect._CPR_RE,
        (detect, "_IBAN_RE"): detect._IBAN_RE,
        (detect, "has_digit"): detect.has_digit,
        (detect, "_URL_MARKERS"): detect._URL_MARKERS,
        (detect, "_COMPANY_MARKERS"): detect._COMPANY_MARKERS,
        (names, "_TOKEN_RE"): names._TOKEN_RE,
        (names, "_classify_token"): names._classify_token,
        (names, "_name_pieces"): names._name_pieces,
    }
    detect._CPR_RE = OLD_CPR
    detect._IBAN_RE = OLD_IBAN
    detect.has_digit = lambda text: True  # never skips
    detect._URL_MARKERS = ("",)
    detect._COMPANY_MARKERS = ("",)
    names._TOKEN_RE = OLD_TOKEN
    names._classify_token = names._classify_uncached
    names._name_pieces = _EveryPiece()  # every piece may hold a name: the full search always runs
    try:
        yield
    finally:
        for (module, attr), value in saved.items():
            setattr(module, attr, value)


KNOWN = compile_known(
    [
        KnownPerson(
            "SWU-P01",
            names=("Mette Hansen",),
            first_name="Mette",
            surname="Hansen",
            emails=("mette.hansen@firma.dk",),
            phones=("20 12 34 56",),
            cprs=("070761-4285",),
        )
    ]
)
SECRET = "hemmelig nøgle til prøven".encode()


def _view(result: Result) -> tuple[object, ...]:
    return result.text, result.replacements, result.flags, result.original_flags


@settings(max_examples=300, deadline=None)
@given(texts)
def test_fast_pseudonymise_equals_the_reference(text: str) -> None:
    fast = pseudonymise(text, KNOWN, SECRET)
    fast_unknown = pseudonymise(text, [], SECRET)
    with _reference_code():
        slow = pseudonymise(text, KNOWN, SECRET)
        slow_unknown = pseudonymise(text, [], SECRET)
    assert _view(fast) == _view(slow)
    assert _view(fast_unknown) == _view(slow_unknown)


def test_fast_pseudonymise_still_replaces_every_kind() -> None:
    text = (
        "Mette Hansen (mette.hansen@firma.dk, tlf. 20 12 34 56, CPR 070761-4285) skrev til @soren_k om "
        "DK5000400440116243 og https://linkedin.com/in/jens-jørgensen; Søren Kjærgaard svarede."
    )
    result = pseudonymise(text, KNOWN, SECRET)
    kinds = {r.kind for r in result.replacements}
    assert {"PER", "EMAIL", "PHONE", "CPR", "HANDLE", "IBAN", "URL"} <= kinds
    for secret in ("Mette", "mette.hansen", "20 12 34 56", "070761-4285", "soren_k", "DK50", "jens-jørgensen"):
        assert secret not in result.text
    assert "Kjærgaard" not in result.text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_cached_name_classes_equal_uncached(token: str) -> None:
    assert names._classify_token(token) == names._classify_uncached(token)
    assert names._classify_token(token * 20) == names._classify_uncached(token * 20)  # long: not cached


@settings(max_examples=300, deadline=None)
@given(texts)
def test_index_columns_equal_the_per_word_selection(text: str) -> None:
    tokens = stemming.words(text)
    stems = [stemming.stem(w) for w in tokens]
    expected = " ".join(stems), " ".join(w for w, s in zip(tokens, stems, strict=True) if w != s)
    assert stemming.index_columns(text) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=" \t\nab\r", max_size=40))
def test_html_tidy_equals_the_plain_regexes(text: str) -> None:
    expected = re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+\n", "\n", text)).strip()
    assert tidy(text) == expected
