"""Markdown with YAML front matter."""

from __future__ import annotations

import pytest
from ingest_helpers import Checker, segment_texts

from aia.errors import ImportFailed
from aia.ingest import markdown

NOTE = """---
title: Feltnote, Aarhus
date: 2024-05-03
place: Aarhus
activity: Besøg hos SoftHus
participants: [Mette, P3]
researcher: Anna Jensen
language: da
---
# Formiddag

Vi mødtes **kl. 9:30** i kantinen. Bemærk: stemningen var god.

## Samtale

**Interviewer:** Hvordan bruger I AI i jeres team?

**Mette:** Vi bruger Copilot hver dag, især til tests.
Det sparer tid 🙂

Interviewer: Og fejl?

Mette: Dem fanger vi i review.
"""


def test_front_matter_and_body(check: Checker) -> None:
    source = check(markdown.parse(NOTE.encode(), "note.md"))
    assert source.importer == "markdown"
    assert source.title == "Feltnote, Aarhus"
    assert source.date == "2024-05-03"
    assert source.language == "da"
    assert source.participants == ["Mette", "P3"]
    assert source.metadata["place"] == "Aarhus"
    assert source.metadata["activity"] == "Besøg hos SoftHus"
    assert source.metadata["researchers"] == ["Anna Jensen"]
    texts = segment_texts(source)
    assert texts[0] == "Formiddag" and source.segments[0].kind == "heading"
    assert source.segments[0].meta["level"] == 1
    assert texts[1].startswith("Vi mødtes **kl. 9:30**") and source.segments[1].speaker is None
    assert texts[2] == "Samtale" and source.segments[2].meta["level"] == 2
    turns = [s for s in source.segments if s.kind == "turn"]
    assert [s.speaker for s in turns] == ["Interviewer", "Mette", "Interviewer", "Mette"]
    assert source.text[turns[1].start : turns[1].end].endswith("Det sparer tid 🙂")
    assert "---" not in source.text and "title:" not in source.text


def test_without_front_matter_title_is_first_heading(check: Checker) -> None:
    source = check(markdown.parse(b"Indledning\n\n# Overskrift #\n\ntekst", "x.md"))
    assert source.title == "Overskrift"
    assert segment_texts(source) == ["Indledning", "Overskrift", "tekst"]


def test_setext_headings_and_code_fences(check: Checker) -> None:
    data = b"Titel\n=====\n\n```\n# ikke en overskrift\n\nstadig kode\n```\n\nslut"
    source = check(markdown.parse(data, "x.md"))
    assert source.segments[0].kind == "heading"
    assert segment_texts(source)[1] == "```\n# ikke en overskrift\n\nstadig kode\n```"


def test_invalid_yaml_names_the_line() -> None:
    data = b"---\ntitle: ok\nparticipants: [Mette,\ndate: 2024-01-01\n---\nbody\n"
    with pytest.raises(ImportFailed) as err:
        markdown.parse(data, "bad.md")
    assert err.value.line is not None and 2 <= err.value.line <= 5
    assert str(err.value).startswith(f"cannot import bad.md, line {err.value.line}: the front matter is not valid")


def test_unclosed_and_non_mapping_front_matter() -> None:
    with pytest.raises(ImportFailed, match="never closed"):
        markdown.parse(b"---\ntitle: x\nbody", "open.md")
    with pytest.raises(ImportFailed, match="key: value"):
        markdown.parse(b"---\n- a\n- b\n---\nbody", "list.md")


def test_non_iso_date_is_a_warning(check: Checker) -> None:
    source = check(markdown.parse(b"---\ndate: 3. maj 2024\n---\nhej", "d.md"))
    assert source.date is None
    assert source.metadata["date"] == "3. maj 2024"
    assert source.warnings and "ISO" in source.warnings[0]
