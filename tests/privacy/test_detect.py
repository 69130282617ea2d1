"""Pattern detectors: CPR, phones vs order numbers, e-mails, URLs, handles, IBAN."""

from __future__ import annotations

import pytest

from aia.privacy.detect import (
    Finding,
    cpr_mod11_ok,
    find_company_forms,
    find_cpr,
    find_emails,
    find_handles,
    find_ibans,
    find_patterns,
    find_phones,
    find_urls,
    is_personal_url,
)


def _texts(findings: list[Finding]) -> list[str]:
    return [f.text for f in findings]


def _check_offsets(text: str, findings: list[Finding]) -> None:
    for f in findings:
        assert text[f.start : f.end] == f.text


def test_cpr_valid_dates_found_and_mod11_not_required() -> None:
    text = "CPR 070761-4285 og 010203-4005, personnummer 2110625629."
    found = find_cpr(text)
    assert _texts(found) == ["070761-4285", "010203-4005", "2110625629"]
    assert not cpr_mod11_ok("0102034005")  # fails modulus-11 but is still found
    assert all(not f.needs_review for f in found)
    _check_offsets(text, found)


def test_cpr_invalid_date_is_not_found() -> None:
    assert find_cpr("Nummeret 311399-1234 er forkert, og 290290-3218 (ingen skuddag) også.") == []


def test_cpr_bare_without_context_or_mod11_is_flagged_not_dropped() -> None:
    found = find_cpr("Tallet 0102034005 stod i filen.")
    assert len(found) == 1 and found[0].needs_review


def test_cpr_future_birth_date_rejected() -> None:
    assert find_cpr("010199-5123")[0].text == "010199-5123"  # digit 5 with year 99 means 1899
    assert find_cpr("CPR 010180-4000")[0].text == "010180-4000"
    assert find_cpr("CPR 010136-4000") == []  # 2036: not born yet


@pytest.mark.parametrize(
    "text",
    [
        "ordre 48151623 er sendt",
        "faktura nr. 12345678",
        "Ordrenr. 52 61 98 77 skal krediteres",
        "CVR 12345678",
        "Kundenummer 44556677",
        "kl. 10.30 den 12.03.2024",
        "12.500.000 kr.",
        "Fødselsdato 24.12.1987",
        "CPR 070761-4285",
    ],
)
def test_not_phones(text: str) -> None:
    assert find_phones(text) == []


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("ring på 28 91 44 50 i dag", "28 91 44 50"),
        ("+45 28914450", "+45 28914450"),
        ("tlf. 33 12 34 56, mail", "33 12 34 56"),
        ("Hotline: (+45) 33 12 34 56", "(+45) 33 12 34 56"),
        ("mobil 0045 22 33 44 55.", "0045 22 33 44 55"),
        ("UK: +44 20 7946 0958", "+44 20 7946 0958"),
    ],
)
def test_phones(text: str, phone: str) -> None:
    found = find_phones(text)
    assert _texts(found) == [phone]
    assert not found[0].needs_review
    _check_offsets(text, found)


def test_phone_without_context_is_flagged() -> None:
    found = find_phones("Vi talte om 28 91 44 50 i går.")
    assert len(found) == 1 and found[0].needs_review


def test_emails() -> None:
    text = "Skriv til mette.hansen@kodehuset.dk eller søren+ai@bageriet-tine.dk. Ikke @handle eller a@b."
    assert _texts(find_emails(text)) == ["mette.hansen@kodehuset.dk", "søren+ai@bageriet-tine.dk"]
    _check_offsets(text, find_emails(text))


def test_personal_urls_only() -> None:
    text = (
        "Se https://www.linkedin.com/in/mette-hansen-4a2b1c og https://github.com/soerenp, ikke "
        "https://www.dr.dk/nyheder eller https://github.com/features/copilot; profil linkedin.com/in/susannebak."
    )
    found = find_urls(text)
    assert _texts(found) == [
        "https://www.linkedin.com/in/mette-hansen-4a2b1c",
        "https://github.com/soerenp",
        "linkedin.com/in/susannebak",
    ]
    _check_offsets(text, found)
    assert not is_personal_url("https://www.dr.dk/nyheder")
    assert is_personal_url("https://www.tiktok.com/@frisorhelle")
    assert is_personal_url("https://www.facebook.com/tine.moeller.92")
    assert len(find_urls(text, all_urls=True)) == 5


def test_handles_not_email_parts() -> None:
    text = "Tak til @mettehansen og @jonas_dev! Mail: jonas@firma.dk"
    assert _texts(find_handles(text)) == ["@mettehansen", "@jonas_dev"]


def test_ibans() -> None:
    text = "Konto DK50 0040 0440 1162 43 og DK5000400440116243, ikke DK50 0040 0440 1162 44."
    assert _texts(find_ibans(text)) == ["DK50 0040 0440 1162 43", "DK5000400440116243"]


def test_find_patterns_offsets() -> None:
    text = "Mette (mette@x.dk, tlf. 28 91 44 50, CPR 070761-4285) @mette https://github.com/mette DK5000400440116243"
    found = find_patterns(text)
    assert {f.kind for f in found} == {"EMAIL", "PHONE", "CPR", "HANDLE", "URL", "IBAN"}
    _check_offsets(text, found)


def test_company_forms_are_review_flags() -> None:
    text = "Hos Tømrer Lund ApS og Bruun & Co. ApS, ikke hos tømrer ApS."
    found = find_company_forms(text)
    assert [(f.text, f.kind, f.needs_review) for f in found] == [
        ("Tømrer Lund ApS", "ORG", True),
        ("Bruun & Co. ApS", "ORG", True),
    ]
    _check_offsets(text, found)
