"""Shared helpers of the REFI-QDA export tests: schemas, reading an export back, a rich test project."""

from __future__ import annotations

import zipfile
from functools import cache
from pathlib import Path

from lxml import etree

import aia
from aia.project import Project

SHARED = Path(__file__).resolve().parents[3] / "shared"
REFI = SHARED / "refi-qda"
NS = "urn:QDA-XML:project:1.0"
Q = f"{{{NS}}}"


@cache
def project_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(REFI / "Project-mrt2019.xsd")))


@cache
def codebook_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(REFI / "Codebook-mrt2019.xsd")))


def read_qde(qdpx: Path) -> etree._Element:
    """The export's ``project.qde``, validated against the Project schema."""
    with zipfile.ZipFile(qdpx) as zf:
        doc = etree.fromstring(zf.read("project.qde"))
    schema = project_schema()
    assert schema.validate(doc.getroottree()), schema.error_log
    return doc


def check_selections(qdpx: Path, project: Project) -> int:
    """Every PlainTextSelection slices the exported .txt (in code points) to exactly the stored coded text, and
    carries the stored coding; returns how many selections there are."""
    doc = read_qde(qdpx)
    stored = {c.guid: c for c in project.codings()}
    code_guids = {c.id: c.guid for c in project.codes()}
    texts: dict[int, str] = {}
    seen = 0
    with zipfile.ZipFile(qdpx) as zf:
        for holder in doc.iter(f"{Q}TextSource", f"{Q}Representation"):
            path = holder.get("plainTextPath")
            assert path is not None and path.startswith("internal://")
            text = zf.read("sources/" + path.removeprefix("internal://")).decode("utf-8")
            for sel in holder.findall(f"{Q}PlainTextSelection"):
                codings = sel.findall(f"{Q}Coding")
                assert len(codings) == 1
                coding = stored[codings[0].get("guid", "")]
                if coding.source_id not in texts:
                    texts[coding.source_id] = project.source(coding.source_id).text
                start, end = int(sel.get("startPosition", "-1")), int(sel.get("endPosition", "-1"))
                assert (start, end) == (coding.start, coding.end)
                assert text[start:end] == texts[coding.source_id][coding.start : coding.end]
                code_ref = codings[0].find(f"{Q}CodeRef")
                assert code_ref is not None and code_ref.get("targetGUID") == code_guids[coding.code_id]
                seen += 1
    assert seen == len(stored)
    return seen


def guids_by_tag(doc: etree._Element) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for el in doc.iter():
        if isinstance(el.tag, str) and el.get("guid"):
            out.setdefault(etree.QName(el).localname, set()).add(el.get("guid", ""))
    return out


def span(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def rich_project(root: Path) -> Project:
    """Danish letters, emoji, overlapping codings, nested codes, memos on everything, cases with attributes."""
    p = aia.init_project(root, user="Forsker A")
    p.add_track("Softwareudviklere", prefix="SWU", description="Forløb med udviklere.")
    org = p.add_organisation(
        "Kodehuset ApS", sector="IT", size="10-49", attributes={"grundlagt": 2015, "remote": True, "note": "x\x0cy"}
    )
    p.add_participant(
        "SWU",
        role="AI-champion",
        job_function="Backend-udvikler",
        organisation=org.code,
        attributes={"alder": 34, "erfaring": 7.5, "startdato": "2020-01-15", "sprog": ["da", "en"]},
    )
    p.add_participant("SWU", role="Udvikler", attributes={"alder": "ukendt", "erfaring": 3})
    for person in ("SWU-P01", "SWU-P02"):  # material naming them needs covering consent
        p.add_consent(person, "v1", "2026-01-10", wps=(1, 2, 3, 4, 5))
    act = p.add_activity("SWU", 2, "interview", "Interview om Copilot", date="2026-03-12", participants=["SWU-P01"])
    raw = (
        "Interviewer: Hvordan går det med AI? 😀\n\n"
        "SWU-P01: Rigtig godt 👍🏽 med Copilot 🤖 — æøå ÆØÅ, især når 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 dukker op.\n\n"
        "Interviewer: Og bagsiden?\n\n"
        "SWU-P01: Jeg stoler ikke blindt på den. 🙈\n"
    )
    result = p.import_bytes(raw.encode("utf-8"), "interview_swu.txt", activity=act.id, participants=["SWU-P01"])
    assert result.source_id is not None
    sid = result.source_id
    p.import_bytes("Feltnote: kaffe ☕ og kode.\n".encode(), "felt.md", track="SWU", wp=5)
    text = p.source(sid).text
    p.add_code("Værktøjer", description="AI-værktøjer i brug.")
    p.add_code("Copilot 🤖", parent="Værktøjer", color="#ABCDEF")
    p.add_code("Tillid", parent="Værktøjer/Copilot 🤖")
    p.add_code("Følelser")
    first = p.add_coding(sid, *span(text, "Rigtig godt 👍🏽 med Copilot 🤖"), "Værktøjer/Copilot 🤖", comment="godt ☺")
    p.add_coding(sid, *span(text, "👍🏽 med Copilot 🤖 — æøå"), "Følelser")  # overlaps the first
    p.user = "Forsker B"
    p.add_coding(sid, *span(text, "😀"), "Følelser")
    p.add_coding(sid, *span(text, "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"), "Værktøjer")
    p.add_coding(sid, *span(text, "Jeg stoler ikke blindt på den. 🙈"), "Tillid")
    p.add_memo("Projektmemo", "# Overblik\n\nMarkdown med **fed** og emoji 🎉.")
    p.add_memo("Om koden", "Copilot-koden dækker også Cursor.", "code", "Værktøjer/Copilot 🤖")
    p.add_memo("Om kilden", "Lang og god.\x0c Side to.", "source", sid)
    p.add_memo("Om kodningen", "Overlapper med Følelser.", "coding", first.id)
    p.add_memo("Om deltageren", "Erfaren.", "participant", "SWU-P01")
    p.add_memo("Om forløbet", "Godt i gang.", "track", "SWU")
    p.add_memo("Om aktiviteten", "Afholdt online.", "activity", act.id)
    p.user = "Forsker A"
    return p
