"""Speaker labels (``Interviewer: …``, ``P3: …``, ``Mette Hansen: …``) at the start of paragraphs.

A document counts as a transcript only when at least two paragraphs start with a label and at least one
label is used twice; otherwise nothing is treated as a speaker, so a lone ``Bemærk: …`` stays a paragraph.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aia.ingest.blocks import Block
from aia.model import SegmentKind

MAX_LABEL_CHARS = 30
MAX_LABEL_WORDS = 3

ROLE_WORDS = frozenset(
    {
        "interviewer",
        "intervieweren",
        "interviewee",
        "interviewperson",
        "deltager",
        "deltageren",
        "informant",
        "informanten",
        "participant",
        "respondent",
        "respondenten",
        "moderator",
        "moderatoren",
        "facilitator",
        "facilitatoren",
        "speaker",
        "taler",
        "forsker",
        "researcher",
        "i",
        "r",
    }
)

#: capitalised words that introduce ordinary text, not a speaker ("Bemærk: …", "Dato: …", e-mail headers …)
NOT_SPEAKERS = frozenset(
    {
        "action", "advarsel", "agenda", "analyse", "analysis", "author", "background", "baggrund", "bemærk",
        "cc", "comment", "conclusion", "dagsorden", "date", "dato", "deltagere", "duration", "edit",
        "eksempel", "emne", "example", "forfatter", "formål", "fra", "from", "fwd", "fx", "husk", "kilde",
        "kl", "kommentar", "konklusion", "link", "location", "minutes", "nb", "n.b", "note", "noter",
        "notes", "obs", "observation", "observationer", "opdatering", "opfølgning", "optaget", "participants",
        "place", "purpose", "re", "referat", "reflection", "refleksion", "refleksioner", "resume", "resumé",
        "sendt", "sent", "source", "status", "sted", "subject", "summary", "tema", "theme", "til", "tilstede",
        "time", "tid", "tip", "title", "titel", "to", "todo", "type", "update", "url", "varighed", "version",
        "warning",
    }
)  # fmt: skip

_LABEL = re.compile(
    r"(?P<open>\*\*|__|\*|_)?(?P<label>[^\s:*_][^:\n]{0,40}?)(?:\*\*|__|\*|_)?:(?:\*\*|__|\*|_)?"
    r"(?P<after>[ \t]+|[ \t]*\n|[ \t]*$)"
)
_NAME_WORD = re.compile(r"[^\W\d_][\w.'’-]*")
_CODED = re.compile(r"[pdir]\d{1,3}|[a-zæøå]+\d{1,3}", re.IGNORECASE)


@dataclass(frozen=True)
class Label:
    speaker: str
    #: length of the label including the colon (and Markdown emphasis), from the start of the stripped text
    length: int
    #: True when nothing but the label is in the text
    alone: bool


def _word_ok(word: str, first: bool) -> bool:
    lower = word.lower().rstrip(".")
    if lower in ROLE_WORDS or _CODED.fullmatch(lower):
        return True
    if not first and word.isdigit() and len(word) <= 3:
        return True
    return bool(_NAME_WORD.fullmatch(word)) and word[0].isupper()


def parse_label(text: str) -> Label | None:
    """The speaker label at the start of ``text`` (leading white space ignored), or None."""
    stripped = text.lstrip()
    match = _LABEL.match(stripped)
    if match is None:
        return None
    name = " ".join(match.group("label").split())
    words = name.split(" ")
    if not name or len(name) > MAX_LABEL_CHARS or len(words) > MAX_LABEL_WORDS:
        return None
    if name.lower().rstrip(".") in NOT_SPEAKERS or words[0].lower().rstrip(".") in NOT_SPEAKERS:
        return None
    if not all(_word_ok(word, i == 0) for i, word in enumerate(words)):
        return None
    length = match.end() - len(match.group("after"))
    return Label(speaker=name, length=length, alone=not stripped[match.end() :].strip())


def find_labels(texts: Sequence[str]) -> list[Label | None]:
    """Labels of ``texts`` when they read as a transcript (≥ 2 labelled, one repeated), else Nones."""
    labels = [parse_label(text) for text in texts]
    counts = Counter(label.speaker for label in labels if label is not None)
    if sum(counts.values()) >= 2 and counts and max(counts.values()) >= 2:
        return labels
    return [None] * len(labels)


def _is_candidate(block: Block) -> bool:
    return block.kind == SegmentKind.PARAGRAPH and block.speaker is None


def _line_meta(meta: dict[str, Any], offset: int) -> dict[str, Any]:
    out = dict(meta)
    if isinstance(out.get("line"), int):
        out["line"] += offset
    return out


def _split_at_labels(blocks: list[Block]) -> list[Block]:
    """Split multi-line paragraphs so that every labelled line starts its own block."""
    out: list[Block] = []
    for block in blocks:
        if not _is_candidate(block) or "\n" not in block.text:
            out.append(block)
            continue
        group: list[str] = []
        first = 0
        for number, line in enumerate(block.text.strip().split("\n")):
            if group and parse_label(line) is not None:
                out.append(Block("\n".join(group), meta=_line_meta(block.meta, first)))
                group, first = [], number
            group.append(line)
        out.append(Block("\n".join(group), meta=_line_meta(block.meta, first)))
    return out


def apply_speakers(blocks: list[Block], *, split_lines: bool = True) -> list[Block]:
    """Mark speaker turns in ``blocks`` (a new list is returned; headings end the current turn).

    A labelled paragraph becomes a ``turn`` whose text still starts with the label; unlabelled paragraphs
    after it keep their kind but get the same speaker and ``meta["continued"] = True``. A paragraph that is
    only a label (``Interviewer:``) is joined with the paragraph after it.
    """
    lines = [
        line
        for block in blocks
        if _is_candidate(block)
        for line in (block.text.strip().split("\n") if split_lines else [block.text])
    ]
    if not any(find_labels(lines)):
        return blocks
    work = _split_at_labels(blocks) if split_lines else list(blocks)
    labels = [parse_label(b.text) if _is_candidate(b) else None for b in work]
    out: list[Block] = []
    current: str | None = None
    i = 0
    while i < len(work):
        block, label = work[i], labels[i]
        if block.kind == SegmentKind.HEADING:
            current = None
            out.append(block)
        elif label is not None:
            text = block.text.strip()
            nxt = i + 1
            if label.alone and nxt < len(work) and _is_candidate(work[nxt]) and labels[nxt] is None:
                text = f"{text} {work[nxt].text.strip()}"
                i = nxt
            current = label.speaker
            out.append(
                Block(
                    text,
                    SegmentKind.TURN.value,
                    label.speaker,
                    block.start_ms,
                    block.end_ms,
                    dict(block.meta),
                )
            )
        elif current is not None and _is_candidate(block) and not block.meta.get("table"):
            meta = {**block.meta, "continued": True}
            out.append(Block(block.text, block.kind, current, block.start_ms, block.end_ms, meta))
        else:
            if block.meta.get("table"):  # a table is not part of the turn before it
                current = None
            out.append(block)
        i += 1
    return out
