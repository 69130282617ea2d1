"""WP2 critical incidents through the API: records from spans and codings, filters, categories with history,
independent classification, agreement, disagreements and their resolution, exports."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from aia.analysis.agreement import cohen_kappa
from aia.errors import ConflictError, NotFoundError, ValidationError
from aia.project import Project


@pytest.fixture
def interviews(swu: Project, interview_file: Path) -> Project:
    swu.import_files([interview_file], activity=1, pseudonymise=False)
    swu.add_code("Kritisk hændelse")
    return swu


def _span(p: Project, phrase: str) -> tuple[int, int, int]:
    text = p.source(1).text
    start = text.index(phrase)
    return 1, start, start + len(phrase)


def _four(p: Project) -> list[int]:
    coding = p.add_coding(*_span(p, "en kunde fik en fejl i produktion"), "Kritisk hændelse")
    ids = [
        p.add_incident(
            "Fejl i produktion efter ChatGPT-forslag",
            codings=[coding.id],
            spans=[_span(p, "Vi indførte kodegennemgang af alt AI-genereret kode")],
            situation="En kunde fik en fejl i produktion.",
            action="Teamet indførte kodegennemgang.",
            outcome="Klogere på værktøjet.",
            valence="hindering",
            ai_tools=["ChatGPT"],
            competence="Kritisk vurdering af AI-forslag",
            reporter="SWU-P01",
        ).id
    ]
    for title, phrase, valence, tool in (
        ("Copilot blev en vane", "Det startede med Copilot", "helpful", "Copilot"),
        ("Skeptiske udviklere", "Udviklerne var skeptiske", "hindering", "Copilot"),
        ("Kodegennemgang gjorde os klogere", "Det har gjort os klogere på værktøjet", "helpful", "ChatGPT"),
    ):
        ids.append(p.add_incident(title, spans=[_span(p, phrase)], valence=valence, ai_tools=[tool]).id)
    return ids


def test_record_from_spans_and_codings(interviews: Project) -> None:
    first, *_ = _four(interviews)
    incident = interviews.incident(first)
    assert incident.reporter == "SWU-P01" and incident.recorded_by == "Forsker A"
    assert [s.text for s in incident.spans] == [
        "en kunde fik en fejl i produktion",
        "Vi indførte kodegennemgang af alt AI-genereret kode",
    ]
    assert incident.spans[0].coding_id is not None and incident.spans[1].coding_id is None
    assert {(s.track, s.wp) for s in incident.spans} == {("SWU", 2)}
    assert [i.title for i in interviews.incidents(valence="helpful")] == [
        "Copilot blev en vane",
        "Kodegennemgang gjorde os klogere",
    ]
    assert len(interviews.incidents(track="SWU", wp=2)) == 4 and interviews.incidents(wp=4) == []
    assert len(interviews.incidents(tool="copilot")) == 2 and len(interviews.incidents(reporter="SWU-P01")) == 1
    changed = interviews.update_incident(
        first, outcome="Ny praksis for kodegennemgang.", ai_tools=["ChatGPT", "Copilot"]
    )
    assert changed.outcome == "Ny praksis for kodegennemgang." and changed.ai_tools == ["ChatGPT", "Copilot"]
    linked = interviews.add_incident_span(first, span=_span(interviews, "Hvad gjorde I så bagefter?"))
    assert len(linked.spans) == 3


def test_refusals_name_the_problem(interviews: Project) -> None:
    with pytest.raises(ValidationError, match="at least one span"):
        interviews.add_incident("Uden kilde")
    with pytest.raises(ValidationError, match=r"the span 5–99999 is not inside source 1"):
        interviews.add_incident("For lang", spans=[(1, 5, 99999)])
    with pytest.raises(NotFoundError, match="there is no source 7"):
        interviews.add_incident("Forkert kilde", spans=[(7, 0, 3)])
    with pytest.raises(ValidationError, match="helpful or hindering, not 'neutral'"):
        interviews.add_incident("X", spans=[(1, 0, 3)], valence="neutral")
    with pytest.raises(NotFoundError, match="there is no coding 42"):
        interviews.add_incident("X", codings=[42])
    assert interviews.incidents() == []


def test_classification_agreement_and_resolution(interviews: Project) -> None:
    ids = _four(interviews)
    for name in ("Tillid", "Læring", "Kontrol"):
        interviews.add_incident_category(name)
    a = ["Kontrol", "Tillid", "Tillid", "Læring"]
    b = ["Kontrol", "Tillid", "Læring", "Tillid"]
    for incident_id, x, y in zip(ids, a, b, strict=True):
        interviews.classify_incident(incident_id, x, classifier="Forsker A")
        interviews.classify_incident(incident_id, y, classifier="Forsker B")
    report = interviews.incident_agreement()
    assert report.classifiers == ["Forsker A", "Forsker B"] and report.incidents == 4 and report.complete == 4
    assert report.percent == pytest.approx(0.5)
    assert report.kappa == pytest.approx(cohen_kappa(a, b))
    # by hand: p_o 0.5; p_e (1*1 + 2*2 + 1*1)/16 = 6/16 -> kappa 0.2
    assert report.kappa == pytest.approx(0.2)
    per = {c.category: c for c in report.per_category}
    assert per["Kontrol"].percent == 1.0 and per["Kontrol"].kappa == pytest.approx(1.0)
    # Tillid: A [0,1,1,0], B [0,1,0,1]: p_o 0.5, p_e (2*2+2*2)/16 0.5 -> 0
    assert per["Tillid"].kappa == pytest.approx(0.0)
    disagreements = interviews.incident_disagreements()
    assert [d.incident_id for d in disagreements] == ids[2:]
    assert disagreements[0].categories == {"Forsker A": "Tillid", "Forsker B": "Læring"}
    resolution = interviews.resolve_incident(ids[2], "Læring", note="Enige efter drøftelse")
    assert resolution.category == "Læring" and resolution.resolved_by == "Forsker A"
    assert [d.incident_id for d in interviews.incident_disagreements(unresolved=True)] == [ids[3]]
    # a third classifier with a missing value: alpha still defined, kappa not reported
    interviews.classify_incident(ids[0], "Kontrol", classifier="Forsker C")
    three = interviews.incident_agreement()
    assert three.kappa is None and three.alpha is not None and three.complete == 1
    assert len(three.pairs) == 3
    with pytest.raises(ValidationError, match="at least two classifiers"):
        interviews.incident_agreement(["Forsker A"])


def test_merge_and_split_keep_history(interviews: Project) -> None:
    ids = _four(interviews)
    interviews.add_incident_category("Tillid", rationale="Første runde")
    interviews.add_incident_category("Tiltro")
    for i in ids:
        interviews.classify_incident(i, "Tiltro" if i % 2 else "Tillid", classifier="Forsker A")
    merged = interviews.merge_incident_categories("Tiltro", "Tillid", rationale="Samme begreb")
    assert merged.name == "Tillid"
    assert {c.category for c in interviews.incident_classifications()} == {"Tillid"}
    assert [c.name for c in interviews.incident_categories()] == ["Tillid"]
    assert [c.status for c in interviews.incident_categories(include_merged=True)] == ["active", "merged"]
    new = interviews.split_incident_category("Tillid", "Tillid til kollegaer", ids[:2], rationale="For bred")
    by_incident = {c.incident_id: c.category for c in interviews.incident_classifications()}
    assert by_incident == {ids[0]: new.name, ids[1]: new.name, ids[2]: "Tillid", ids[3]: "Tillid"}
    history = interviews.category_history()
    assert [e["action"] for e in history] == ["create", "create", "merge", "split"]
    assert history[2]["details"]["classifications"] == 2 and history[2]["rationale"] == "Samme begreb"
    assert history[3]["details"]["incidents"] == ids[:2]
    assert [i.id for i in interviews.incidents(category="Tillid til kollegaer")] == ids[:2]
    with pytest.raises(ConflictError, match="there is an incident category 'Tillid' already"):
        interviews.add_incident_category("tillid")
    with pytest.raises(NotFoundError, match="no active incident category 'Tiltro'"):
        interviews.classify_incident(ids[0], "Tiltro")


def test_exports_neutralise_formulas(interviews: Project, tmp_path: Path) -> None:
    ids = _four(interviews)
    interviews.update_incident(ids[1], title='=HYPERLINK("http://x")', competence="+kritisk sans")
    interviews.add_incident_category("Læring")
    interviews.classify_incident(ids[0], "Læring", classifier="Forsker A")
    interviews.classify_incident(ids[0], "Læring", classifier="Forsker B")
    target = tmp_path / "hændelser.csv"
    text = interviews.export_incidents_csv(target)
    assert target.read_bytes().decode("utf-8") == text and text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header = rows[0]
    assert header[-2:] == ["category: Forsker A", "category: Forsker B"]
    second = dict(zip(header, rows[2], strict=True))
    assert second["title"] == '\'=HYPERLINK("http://x")' and second["competence"] == "'+kritisk sans"
    first = dict(zip(header, rows[1], strict=True))
    assert first["category: Forsker B"] == "Læring" and first["tracks"] == "SWU" and first["wps"] == "WP2"
    report = interviews.incident_category_report()
    assert "## Læring" in report and "Hændelser: 1 (fremmende: 0, hæmmende: 1)" in report
    assert "> en kunde fik en fejl i produktion" in report
    assert "Uden enig kategori: 3 hændelser" in report


def test_xlsx_export_and_html_report(interviews: Project, tmp_path: Path) -> None:
    import zipfile

    from lxml import etree

    ids = _four(interviews)
    interviews.update_incident(ids[1], title="@SUM(A1:A9) <farlig> & \x07", competence="-1")
    interviews.add_incident_category("Tillid & tiltro")
    interviews.classify_incident(ids[1], "Tillid & tiltro", classifier="Forsker A")
    target = tmp_path / "hændelser.xlsx"
    assert interviews.export_incidents(target) == "xlsx"
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(target) as zf:
        assert zf.testzip() is None
        names = set(zf.namelist())
        assert {
            "[Content_Types].xml",
            "xl/workbook.xml",
            "xl/worksheets/sheet1.xml",
            "xl/worksheets/sheet2.xml",
        } <= names
        workbook = etree.fromstring(zf.read("xl/workbook.xml"))
        assert [s.get("name") for s in workbook.iterfind(".//m:sheet", ns)] == ["Hændelser", "Klassifikationer"]
        sheet = etree.fromstring(zf.read("xl/worksheets/sheet1.xml"))
    rows = [
        [c.findtext(".//m:t", namespaces=ns) for c in row.iterfind("m:c", ns)] for row in sheet.iterfind(".//m:row", ns)
    ]
    header = rows[0]
    second = dict(zip(header, rows[2], strict=True))
    # the text is kept as it is, and the cell is marked as text (quote prefix), so it is never a formula
    assert second["title"] == "@SUM(A1:A9) <farlig> & " and second["competence"] == "-1"
    styled = {c.findtext(".//m:t", namespaces=ns): c.get("s") for c in sheet.iterfind(".//m:c", ns)}
    assert styled["@SUM(A1:A9) <farlig> & "] == "1" and styled["-1"] == "1" and styled["Tillid & tiltro"] is None
    assert second["category: Forsker A"] == "Tillid & tiltro"
    assert [c.get("r") for c in sheet.find(".//m:row", ns).iterfind("m:c", ns)][:3] == ["A1", "B1", "C1"]
    assert sheet.find(".//m:f", ns) is None  # no formulas at all
    with pytest.raises(ValidationError, match=r"name the file \.csv or \.xlsx"):
        interviews.export_incidents(tmp_path / "x.ods")
    page = interviews.incident_category_report("html")
    assert page.startswith("<!DOCTYPE html>") and "<h2>Tillid &amp; tiltro</h2>" in page
    assert "&lt;farlig&gt;" in page and "<farlig>" not in page


FORMULA_CELLS = [
    '=HYPERLINK("http://ondt.example";"klik")',
    "\r\n=1+1",
    "-1+1",
    "@SUM(A1:A9)",
    "\tskjult=1+1",
    "+45 sagde Søren",
    "=cmd|' /C calc'!A0",
]


def test_formula_injection_is_neutralised_in_csv_and_xlsx(interviews: Project, tmp_path: Path) -> None:
    """Every cell that a spreadsheet would run as a formula is text in both exports: in the CSV it gets a leading
    apostrophe; in the XLSX it is an inline string (never <f>) marked with the quote-prefix style, text unchanged."""
    import zipfile

    from lxml import etree

    ids = _four(interviews)
    for n, incident_id in enumerate(ids):
        more = FORMULA_CELLS[n + 4] if n + 4 < len(FORMULA_CELLS) else "kompetence"
        interviews.update_incident(
            incident_id, title=FORMULA_CELLS[n].strip(), situation=FORMULA_CELLS[n], competence=more
        )
    interviews.add_incident_category("=Kategori")
    interviews.classify_incident(ids[0], "=Kategori", classifier="@Forsker")
    text = interviews.export_incidents_csv()
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    cells = [cell for row in rows for cell in row]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells), cells
    header = rows[0]
    situations = [dict(zip(header, row, strict=True))["situation"] for row in rows[1:]]
    assert situations[:4] == ["'" + v for v in FORMULA_CELLS[:4]]
    assert "category: @Forsker" in header and "'=Kategori" in cells

    target = tmp_path / "hændelser.xlsx"
    interviews.export_incidents_xlsx(target)
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(target) as zf:
        styles = etree.fromstring(zf.read("xl/styles.xml"))
        xfs = styles.findall("m:cellXfs/m:xf", ns)
        assert xfs[1].get("quotePrefix") == "1"
        for name in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"):
            sheet = etree.fromstring(zf.read(name))
            assert sheet.find(".//m:f", ns) is None
            for cell in sheet.iterfind(".//m:c", ns):
                assert cell.get("t") == "inlineStr"
                value = "".join(cell.itertext())
                starts_like_formula = value.startswith(("=", "+", "-", "@", "\t", "\r"))
                assert (cell.get("s") == "1") == starts_like_formula, value
    first = etree.fromstring(zipfile.ZipFile(target).read("xl/worksheets/sheet1.xml"))
    values = ["".join(c.itertext()) for c in first.iterfind(".//m:c", ns)]
    assert "\r\n=1+1" in values  # the CR survives the XML (written as &#13;)


def test_edit_can_blank_fields(interviews: Project) -> None:
    ids = _four(interviews)
    before = interviews.incident(ids[0])
    assert before.valence and before.ai_tools and before.situation
    interviews.update_incident(ids[0], reporter="SWU-P01")
    changed = interviews.update_incident(ids[0], situation="", valence="", ai_tools=[], reporter="", competence="")
    assert (changed.situation, changed.valence, changed.ai_tools, changed.reporter, changed.competence) == (
        "",
        None,
        [],
        None,
        "",
    )
    assert changed.title == before.title and changed.action == before.action  # None leaves a field alone
    with pytest.raises(ValidationError, match=f"incident {ids[0]} needs a title"):
        interviews.update_incident(ids[0], title="  ")


def test_exports_and_reports_are_registered_with_their_names(interviews: Project, tmp_path: Path) -> None:
    _four(interviews)
    data, name = interviews.download_incidents("xlsx")
    assert data.startswith(b"PK") and name == "hændelser.xlsx"
    for fmt in ("csv", "md", "html"):
        interviews.download_incidents(fmt)
    interviews.write_incident_report(tmp_path / "kategorier.md")
    rows = [(e["kind"], e["path"]) for e in interviews.exports()]
    assert rows == [
        ("incidents-xlsx", "download:hændelser.xlsx"),
        ("incidents-csv", "download:hændelser.csv"),
        ("incidents-report", "download:kategorier.md"),
        ("incidents-report", "download:kategorier.html"),
        ("incidents-report", str((tmp_path / "kategorier.md").resolve())),
    ]
    with pytest.raises(ValidationError, match="use csv, xlsx, md or html"):
        interviews.download_incidents("ods")


def test_xlsx_sheet_names_are_valid() -> None:
    from aia.analysis.xlsx import sheet_names

    names = sheet_names(["Hændelser: [udkast]/v2?", "'Citat'", "HÆNDELSER_ [UDKAST]_V2_", "history", "x" * 40, ""])
    for name in names:
        assert 1 <= len(name) <= 31 and not any(c in name for c in "[]:*?/\\") and not name.startswith("'")
    assert len({n.casefold() for n in names}) == len(names) and "history" not in {n.casefold() for n in names}
    assert names[0] == "Hændelser_ _udkast__v2_" and names[1] == "Citat"
