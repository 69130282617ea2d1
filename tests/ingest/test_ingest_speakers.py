"""Speaker-label detection: what counts as a label and when a document counts as a transcript."""

from __future__ import annotations

import pytest

from aia.ingest.blocks import Block
from aia.ingest.speakers import apply_speakers, find_labels, parse_label


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("Interviewer: Hvordan?", "Interviewer"),
        ("interviewer: hvordan?", "interviewer"),
        ("I: Hvordan?", "I"),
        ("R: Svar", "R"),
        ("P3: Ja", "P3"),
        ("Deltager 2: Nej", "Deltager 2"),
        ("Dan: Okay.", "Dan"),
        ("Participant: Yeah.", "Participant"),
        ("Mette: Ja", "Mette"),
        ("Mette Hansen: Ja", "Mette Hansen"),
        ("Søren Ø. Ærø: Ja", "Søren Ø. Ærø"),
        ("**Interviewer:** Hvordan?", "Interviewer"),
        ("**Mette**: Ja", "Mette"),
        ("Dan:\t", "Dan"),
        ("Dan:\nOkay", "Dan"),
    ],
)
def test_labels(text: str, speaker: str) -> None:
    label = parse_label(text)
    assert label is not None and label.speaker == speaker


@pytest.mark.parametrize(
    "text",
    [
        "Bemærk: det var koldt",
        "Kl. 10:30 mødtes vi",
        "https://example.org/x",
        "Det sagde hun: nej",
        "Vi talte om det: AI",
        "En Meget Lang Række Ord: nej",
        "Abcdefghijklmnopqrstuvwxyzæøåabcdef: nej",
        "Dato: 3. maj",
        "Fra: Mette",
        "10: ti",
        "Mette:nej",
        ": tom",
    ],
)
def test_not_labels(text: str) -> None:
    assert parse_label(text) is None


def test_transcript_rule_needs_two_labels_and_a_repeat() -> None:
    assert not any(find_labels(["Mette: hej", "Dan: hej"]))
    assert not any(find_labels(["Mette: hej", "tekst", "tekst"]))
    assert all(find_labels(["Mette: hej", "Mette: igen"]))
    labels = find_labels(["Mette: hej", "Dan: hej", "Mette: igen", "almindelig tekst"])
    assert [label.speaker if label else None for label in labels] == ["Mette", "Dan", "Mette", None]


def test_label_only_paragraph_joins_the_next_and_headings_end_turns() -> None:
    blocks = [
        Block("Interviewer:"),
        Block("Hvordan?"),
        Block("Mette: Godt."),
        Block("Mere tekst."),
        Block("Del 2", "heading"),
        Block("Efter overskriften."),
        Block("Interviewer: Tak."),
    ]
    out = apply_speakers(blocks)
    assert [(b.text, b.kind, b.speaker, b.meta.get("continued")) for b in out] == [
        ("Interviewer: Hvordan?", "turn", "Interviewer", None),
        ("Mette: Godt.", "turn", "Mette", None),
        ("Mere tekst.", "paragraph", "Mette", True),
        ("Del 2", "heading", None, None),
        ("Efter overskriften.", "paragraph", None, None),
        ("Interviewer: Tak.", "turn", "Interviewer", None),
    ]
