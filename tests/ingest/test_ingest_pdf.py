"""PDF: the shared interview transcripts, page clean-up, and broken, empty, encrypted and slow PDFs."""

from __future__ import annotations

import io
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from ingest_helpers import TRANSCRIPTS, check_source, segment_texts
from pypdf import PdfWriter

from aia.errors import ImportFailed
from aia.ingest import pdf
from aia.ingest.base import ImportedSource

NAMES = ("P1", "P2", "P3", "P4")


@pytest.fixture(scope="module")
def interviews() -> dict[str, ImportedSource]:
    folder = TRANSCRIPTS / "pdpilot_interviews"
    if not folder.is_dir():
        pytest.fail(f"the shared PDF interviews are missing: expected them at {folder}")

    def parse(name: str) -> ImportedSource:
        return pdf.parse((folder / f"{name}.pdf").read_bytes(), f"{name}.pdf")

    with ThreadPoolExecutor(max_workers=4) as pool:  # each parse runs in its own worker process
        return dict(zip(NAMES, pool.map(parse, NAMES), strict=True))


@pytest.mark.parametrize("name", NAMES)
def test_interview_turns(interviews: dict[str, ImportedSource], name: str) -> None:
    source = check_source(interviews[name])
    assert source.importer == "pdf"
    turns = [s for s in source.segments if s.kind == "turn"]
    assert {s.speaker for s in turns} == {"Dan", "Participant"}
    assert sum(s.speaker == "Dan" for s in turns) > 10
    assert sum(s.speaker == "Participant" for s in turns) > 10
    assert all(source.text[s.start : s.end].startswith(f"{s.speaker}: ") for s in turns)
    assert source.metadata["pages"] == {"P1": 5, "P2": 8, "P3": 6, "P4": 6}[name]
    assert source.title == f"{name}-{'transcript' if name == 'P1' else 'audio'}"
    assert source.date == "2024-10-30"
    pages = [s.meta["page"] for s in source.segments]
    assert pages == sorted(pages) and pages[-1] == source.metadata["pages"]
    # no page headers ("2/5"), no line-number columns, no tabs
    assert "\t" not in source.text
    texts = segment_texts(source)
    assert not any(text.isdigit() for text in texts)
    assert " 1 2 3 4 5 6" not in source.text and "1/" not in source.text


def test_p1_phrases_and_page_breaks(interviews: dict[str, ImportedSource]) -> None:
    source = interviews["P1"]
    texts = segment_texts(source)
    by_text = dict(zip(texts, source.segments, strict=True))
    first_turn = next(s for s in source.segments if s.kind == "turn")
    assert source.text[first_turn.start : first_turn.end].startswith("Dan: Okay. So now you can stop sharing")
    hit = [t for t in texts if "earth mover’s distance" in t and t.startswith("Participant:")]
    assert hit
    assert any("ICE plots in your work?" in t and t.startswith("Dan:") for t in texts)
    # a turn that runs from page 3 onto page 4 is one segment, and the repeated line is not duplicated
    spanning = [t for t in texts if "highlighting those and seeing what was happening" in t]
    assert len(spanning) == 1 and by_text[spanning[0]].meta == {"page": 3, "page_end": 4}
    assert source.text.count("I was able to drill down a little bit more") == 1
    # wrapped lines are joined with a space
    assert any("we tend to use ICE plots." in t for t in texts)


def test_p3_overlapping_page_is_deduplicated(interviews: dict[str, ImportedSource]) -> None:
    text = interviews["P3"].text
    assert text.count("So you don't have to manually resize every time in code") == 1


def test_clean_page_and_overlap() -> None:
    page = "2/5\nDan:\t\n\tOkay.\tSo\nthen we go on.\n1\n2\n3\n"
    assert pdf.clean_page(page) == ["Dan:", "\tOkay.\tSo", "then we go on."]
    previous = ["Mette: Vi bruger Copilot hver dag, især til", "tests og dokumentation"]
    current = ["tests og dokumentation", "Interviewer: Hvorfor?"]
    assert pdf.drop_overlap(previous, current) == ["Interviewer: Hvorfor?"]
    assert pdf.drop_overlap(["Ja."], ["Ja.", "Nej."]) == ["Ja.", "Nej."]  # too short to be an overlap


def test_build_blocks_danish_turns_across_pages() -> None:
    pages = [
        ["Interviewer:", "\tHvordan bruger I AI i jeres", "team?", "Mette: Vi bruger Copilot hver dag, især"],
        ["til tests og auto-", "matisk dokumentation.", "Interviewer: Tak.", "Mette: Selv tak."],
    ]
    blocks = pdf.build_blocks(pages)
    assert [b.text for b in blocks] == [
        "Interviewer: Hvordan bruger I AI i jeres team?",
        "Mette: Vi bruger Copilot hver dag, især til tests og auto-matisk dokumentation.",
        "Interviewer: Tak.",
        "Mette: Selv tak.",
    ]
    assert blocks[1].meta == {"page": 1, "page_end": 2}


def _blank_pdf(password: str | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if password is not None:
        writer.encrypt(password, algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_pdf_without_text_layer() -> None:
    with pytest.raises(ImportFailed) as err:
        pdf.parse(_blank_pdf(), "scan.pdf")
    assert str(err.value) == (
        "cannot import scan.pdf: the PDF has no text layer (it is probably scanned); "
        "run OCR on it first or import a transcript."
    )


def test_encrypted_pdf() -> None:
    with pytest.raises(ImportFailed, match="password") as err:
        pdf.parse(_blank_pdf("hemmelig"), "locked.pdf")
    assert "locked.pdf" in str(err.value)


def test_garbage_pdf() -> None:
    with pytest.raises(ImportFailed, match="not a readable PDF") as err:
        pdf.parse(b"%PDF-1.7\n" + bytes(range(256)) * 8, "garbage.pdf")
    assert "garbage.pdf" in str(err.value)
    with pytest.raises(ImportFailed, match="not a PDF"):
        pdf.parse(b"hello", "fake.pdf")
    with pytest.raises(ImportFailed, match="empty"):
        pdf.parse(b"", "empty.pdf")


def test_timeout_kills_the_worker(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(pdf.WorkerTimeout):
        pdf.call_with_timeout(time.sleep, (30,), 0.5)
    assert time.monotonic() - started < 10
    monkeypatch.setattr(pdf, "PDF_TIMEOUT_S", 0.001)
    with pytest.raises(ImportFailed, match="took too long"):
        pdf.parse(_blank_pdf(), "slow.pdf")
