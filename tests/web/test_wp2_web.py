"""WP2 in the web workbench (issue 7): critical incidents from coded spans, filters, editing, categories,
classification per coder, the agreement view and the downloads, through the routes (in process)."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from webhelpers import INTERVIEW, client_for, csrf_of

from aia.analysis.agreement import krippendorff_alpha_nominal, pair_stats
from aia.project import Project


def _coding(project: Project, phrase: str, code: str = "Fejl") -> int:
    source = project.sources()[0][0]
    start = INTERVIEW.index(phrase)
    if code not in [c.name for c in project.codes()]:
        project.add_code(code)
    return project.add_coding(source.id, start, start + len(phrase), code).id


def test_create_incident_from_codings_of_an_interview(webproject: Project) -> None:
    coding = _coding(webproject, "En udvikler stolede blindt på et forslag fra ChatGPT.")
    source = webproject.sources()[0][0]
    client = client_for(webproject, "carl")
    form = client.get(f"/incidents/new?source={source.id}").text
    assert f'value="{coding}"' in form and "stolede blindt" in form
    r = client.post(
        "/incidents",
        data={
            "csrf": csrf_of(client),
            "title": "Blindt forslag på æøå-projektet",
            "coding": [str(coding)],
            "situation": "Travl sprint før en deadline.",
            "action": "Udvikleren accepterede forslaget uden at læse det.",
            "outcome": "En fejl nåede produktion; teamet indførte review af AI-kode.",
            "valence": "hindering",
            "tools": "ChatGPT, Copilot",
            "competence": "Kritisk læsning af genereret kode",
            "reporter": "SWU-P01",
        },
    )
    assert r.status_code == 303
    incident_id = int(r.headers["location"].rsplit("/", 1)[1])
    incident = webproject.incident(incident_id)
    assert incident.recorded_by == "carl" and incident.reporter == "SWU-P01"
    assert incident.ai_tools == ["ChatGPT", "Copilot"] and incident.valence == "hindering"
    assert [s.text for s in incident.spans] == ["En udvikler stolede blindt på et forslag fra ChatGPT."]
    page = client.get(f"/incidents/{incident_id}").text
    assert "Travl sprint før en deadline." in page and "hæmmende" in page and "stolede blindt" in page


def test_create_incident_from_a_selection_in_the_viewer(webproject: Project) -> None:
    source = webproject.sources()[0][0]
    start = INTERVIEW.index("æøå-projektet 🚀")
    end = start + len("æøå-projektet 🚀")
    client = client_for(webproject, "carl")
    form = client.get(f"/incidents/new?source={source.id}&start={start}&end={end}").text
    assert "»æøå-projektet 🚀«" in form
    data = {
        "csrf": csrf_of(client),
        "title": "Emoji i commit-beskeder",
        "span_source": str(source.id),
        "span_start": str(start),
        "span_end": str(end),
        "valence": "helpful",
    }
    r = client.post("/incidents", data=data)
    assert r.status_code == 303
    incident = webproject.incident(int(r.headers["location"].rsplit("/", 1)[1]))
    assert [(s.start, s.end, s.text) for s in incident.spans] == [(start, end, "æøå-projektet 🚀")]


def test_incident_without_span_is_a_400_with_one_sentence(webproject: Project) -> None:
    client = client_for(webproject, "carl")
    r = client.post("/incidents", data={"csrf": csrf_of(client), "title": "Uden kilde"})
    assert r.status_code == 400
    assert "an incident needs at least one span" in r.text
    assert len(webproject.incidents()) == 1  # the fixture's


def test_filters(webproject: Project) -> None:
    coding = _coding(webproject, "Vi bruger Copilot hver dag")
    webproject.add_incident("Daglig hjælp fra Copilot", codings=[coding], valence="helpful", ai_tools=["Copilot"])
    client = client_for(webproject, "rikke")

    def titles(query: str) -> list[str]:
        html = client.get(f"/incidents{query}").text
        table = html.split('id="incident-list"')[1] if 'id="incident-list"' in html else ""
        return re.findall(r'<a href="/incidents/\d+">([^<]+)</a>', table)

    assert sorted(titles("")) == ["Blind tillid", "Daglig hjælp fra Copilot"]
    assert titles("?valence=helpful") == ["Daglig hjælp fra Copilot"]
    assert titles("?valence=hindering") == ["Blind tillid"]
    assert titles("?tool=copilot") == ["Daglig hjælp fra Copilot"]
    category = webproject.add_incident_category("Tillid til AI")
    webproject.classify_incident(webproject.incidents(valence="hindering")[0].id, category.id, "carl")
    assert titles(f"?category={category.id}") == ["Blind tillid"]
    webproject.update_incident(webproject.incidents(valence="helpful")[0].id, reporter="SWU-P01")
    assert titles("?reporter=SWU-P01") == ["Daglig hjælp fra Copilot"]
    assert titles("?track=SWU&wp=2") == sorted(titles("?track=SWU&wp=2"))
    r = client.get("/incidents?wp=to")
    assert r.status_code == 400 and "the WP filter must be a whole number" in r.text


def test_edit_and_link_another_coding(webproject: Project) -> None:
    incident = webproject.incidents()[0]
    extra = _coding(webproject, "Hvad gik galt?", "Spørgsmål")
    client = client_for(webproject, "carl")
    token = csrf_of(client)
    page = client.get(f"/incidents/{incident.id}").text
    assert f'<option value="{extra}">' in page
    data = {
        "csrf": token,
        "title": "Blind tillid til ChatGPT",
        "situation": "Mødet om æøå-projektet",
        "action": "",
        "outcome": "",
        "valence": "hindering",
        "tools": "ChatGPT",
        "competence": "Kildekritik",
        "reporter": "",
    }
    assert client.post(f"/incidents/{incident.id}", data=data).status_code == 303
    changed = webproject.incident(incident.id)
    assert changed.title == "Blind tillid til ChatGPT" and changed.competence == "Kildekritik"
    assert changed.ai_tools == ["ChatGPT"]
    r = client.post(f"/incidents/{incident.id}", data={**data, "title": " "})
    assert r.status_code == 400 and f"incident {incident.id} needs a title" in r.text
    assert client.post(f"/incidents/{incident.id}/link", data={"csrf": token, "coding": str(extra)}).status_code == 303
    assert len(webproject.incident(incident.id).spans) == 2


def _two_coders_classify(project: Project) -> list[int]:
    """Four incidents classified by carl and lea: agree on two, disagree on one, one only carl classified."""
    coding = project.codings()[0].id
    ids = [project.incidents()[0].id] + [project.add_incident(f"Hændelse {n}", codings=[coding]).id for n in (2, 3, 4)]
    for name in ("Tillid", "Læring", "Værktøjsvalg"):
        project.add_incident_category(name)
    return ids


def test_classify_per_coder_agreement_and_resolve(webproject: Project) -> None:
    ids = _two_coders_classify(webproject)
    cats = {c.name: c.id for c in webproject.incident_categories()}
    plan = {
        "carl": ["Tillid", "Læring", "Tillid", "Værktøjsvalg"],
        "lea": ["Tillid", "Læring", "Værktøjsvalg", None],
    }
    for who, chosen in plan.items():
        client = client_for(webproject, who)
        token = csrf_of(client)
        for incident_id, name in zip(ids, chosen, strict=True):
            if name is not None:
                r = client.post(f"/incidents/{incident_id}/classify", data={"csrf": token, "category": str(cats[name])})
                assert r.status_code == 303
    # each coder sees only their own category on the incident page (independent classification)
    carl = client_for(webproject, "carl")
    page = carl.get(f"/incidents/{ids[2]}").text
    assert "<strong>Tillid</strong>" in page and "lea:" not in page
    assert {(c.classifier, c.category) for c in webproject.incident_classifications(ids[2])} == {
        ("carl", "Tillid"),
        ("lea", "Værktøjsvalg"),
    }
    # the agreement view: the service's figures, the confusion table and the disagreement list
    html = client_for(webproject, "rikke").get("/incidents/agreement").text
    a = ["Tillid", "Læring", "Tillid", "Værktøjsvalg"]
    b = ["Tillid", "Læring", "Værktøjsvalg", None]
    kappa = pair_stats(a, b).kappa
    alpha = krippendorff_alpha_nominal([a, b])
    assert kappa is not None and alpha is not None
    overall = html.split('id="overall"')[1].split("</table>")[0]
    assert f"{kappa:.3f}" in overall and f"{alpha:.3f}" in overall
    confusion = html.split('id="confusion"')[1].split("</table>")[0]
    assert "carl \\ lea" in html and "Værktøjsvalg" in confusion
    disagreements = html.split('id="disagreements"')[1].split("</table>")[0]
    assert "Hændelse 3" in disagreements and "Hændelse 4" in disagreements and "Hændelse 2" not in disagreements
    # resolve one disagreement
    r = carl.post(
        f"/incidents/{ids[2]}/resolve",
        data={"csrf": csrf_of(carl), "category": str(cats["Tillid"]), "note": "Aftalt på mødet"},
    )
    assert r.status_code == 303 and r.headers["location"] == "/incidents/agreement"
    (resolved,) = [d for d in webproject.incident_disagreements() if d.incident_id == ids[2]]
    assert resolved.resolution is not None and resolved.resolution.category == "Tillid"
    assert "Aftalt på mødet" in client_for(webproject, "rikke").get("/incidents/agreement").text


def test_agreement_with_one_classifier_says_what_is_needed(webproject: Project) -> None:
    html = client_for(webproject, "rikke").get("/incidents/agreement").text
    assert "Enighed kræver mindst to klassifikatorer" in html
    r = client_for(webproject, "rikke").get("/incidents/agreement?classifier=carl&classifier=ukendt")
    assert r.status_code in (400, 404) and "has classified no incident" in r.text


def test_categories_create_rename_merge_split_keep_history(webproject: Project) -> None:
    ids = _two_coders_classify(webproject)
    cats = {c.name: c.id for c in webproject.incident_categories()}
    for incident_id in ids[:3]:
        webproject.classify_incident(incident_id, cats["Tillid"], "carl")
    coder = client_for(webproject, "carl")
    token = csrf_of(coder)
    data = {"csrf": token, "name": "Kompetenceløft", "description": "Ny viden i teamet", "why": "Dukkede op i data"}
    assert coder.post("/incidents/categories", data=data).status_code == 303
    r = coder.post("/incidents/categories", data={"csrf": token, "name": "tillid"})
    assert r.status_code == 400 and "there is an incident category" in r.text
    rename = {"csrf": token, "category": str(cats["Læring"]), "new_name": "Læring i praksis", "why": "Præcisering"}
    assert coder.post("/incidents/categories/rename", data=rename).status_code == 303
    # merge and split are the lead's
    merge = {"csrf": token, "source": str(cats["Værktøjsvalg"]), "target": str(cats["Tillid"])}
    assert coder.post("/incidents/categories/merge", data=merge).status_code == 403
    lead = client_for(webproject, "lea")
    merge["csrf"] = csrf_of(lead)
    assert lead.post("/incidents/categories/merge", data=merge).status_code == 303
    split = {
        "csrf": merge["csrf"],
        "category": str(cats["Tillid"]),
        "new_name": "Tillid til kode",
        "incidents": str(ids[2]),
    }
    assert lead.post("/incidents/categories/split", data=split).status_code == 303
    assert [c.category for c in webproject.incident_classifications(ids[2])] == ["Tillid til kode"]
    html = lead.get("/incidents/categories").text
    history = html.split('id="history"')[1]
    for action in ("create", "rename", "merge", "split"):
        assert action in history
    assert "flettet" in html and "Dukkede op i data" in html


def test_exports_are_attachments_with_neutralised_formulas(webproject: Project) -> None:
    coding = webproject.codings()[0].id
    webproject.add_incident('=HYPERLINK("http://ondt.example")', codings=[coding], situation="+45 sagde Søren")
    client = client_for(webproject, "rikke")
    r = client.get("/incidents/export.csv")
    assert r.status_code == 200 and r.headers["content-disposition"].startswith("attachment;")
    assert "h%C3%A6ndelser.csv" in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["id", "title"]
    titles = [row[1] for row in rows[1:]]
    assert "Blind tillid" in titles and '\'=HYPERLINK("http://ondt.example")' in titles
    r = client.get("/incidents/export.xlsx")
    assert r.status_code == 200 and r.headers["content-disposition"].startswith("attachment;")
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        assert "xl/workbook.xml" in z.namelist()
        sheets = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/"))
    assert "Blind tillid" in sheets and "<f>" not in sheets
    for url in ("/incidents/report.md", "/incidents/report.html"):
        r = client.get(url)
        assert r.status_code == 200 and r.headers["content-disposition"].startswith("attachment;"), url
    # the downloads are in the export register (issue 6)
    kinds = [e["kind"] for e in webproject.exports()]
    assert "incidents-csv" in kinds and "incidents-xlsx" in kinds


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/incidents", {"title": "Læserens hændelse", "coding": "1"}),
        ("/incidents/{id}", {"title": "Ændret af læser"}),
        ("/incidents/{id}/classify", {"category": "1"}),
        ("/incidents/{id}/resolve", {"category": "1"}),
        ("/incidents/categories", {"name": "Læserens kategori"}),
    ],
)
def test_reader_cannot_post(webproject: Project, path: str, data: dict[str, str]) -> None:
    incident = webproject.incidents()[0]
    client = client_for(webproject, "rikke")
    r = client.post(path.replace("{id}", str(incident.id)), data={"csrf": csrf_of(client), **data})
    assert r.status_code == 403
    assert webproject.incident(incident.id).title == "Blind tillid" and webproject.incident_categories() == []


def test_coder_cannot_delete_lead_can_after_confirming(webproject: Project) -> None:
    incident = webproject.incidents()[0]
    coder = client_for(webproject, "carl")
    assert (
        coder.post(f"/incidents/{incident.id}/delete", data={"csrf": csrf_of(coder), "confirm": "yes"}).status_code
        == 403
    )
    lead = client_for(webproject, "lea")
    token = csrf_of(lead)
    preview = lead.post(f"/incidents/{incident.id}/delete", data={"csrf": token})
    assert preview.status_code == 200 and "Slet hændelsen »Blind tillid«?" in preview.text
    assert webproject.incidents() != []
    r = lead.post(f"/incidents/{incident.id}/delete", data={"csrf": token, "confirm": "yes"})
    assert r.status_code == 303 and webproject.incidents() == []


def test_incident_text_is_escaped(webproject: Project) -> None:
    evil = "<script>alert('ø')</script><img src=x onerror=alert(1)>"
    coding = webproject.codings()[0].id
    incident = webproject.add_incident(
        evil, codings=[coding], situation=evil, action=evil, outcome=evil, ai_tools=[evil], competence=evil
    )
    category = webproject.add_incident_category(evil, evil)
    webproject.classify_incident(incident.id, category.id, "carl")
    webproject.classify_incident(incident.id, webproject.add_incident_category("Tillid").id, "lea")
    client = client_for(webproject, "lea")
    for url in ("/incidents", f"/incidents/{incident.id}", "/incidents/categories", "/incidents/agreement"):
        html = client.get(url).text
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;alert(&#39;ø&#39;)&lt;/script&gt;" in html, url


def test_every_download_is_registered_under_its_name_for_readers_too(webproject: Project) -> None:
    """A download of incidents is a data release: the register names the file the user got, not a temp path."""
    client = client_for(webproject, "rikke")
    for url in ("/incidents/export.csv", "/incidents/export.xlsx", "/incidents/report.md", "/incidents/report.html"):
        assert client.get(url).status_code == 200, url
    rows = [(e["kind"], e["path"], e["exported_by"]) for e in webproject.exports()]
    assert [(k, p) for k, p, _ in rows] == [
        ("incidents-csv", "download:hændelser.csv"),
        ("incidents-xlsx", "download:hændelser.xlsx"),
        ("incidents-report", "download:kategorier.md"),
        ("incidents-report", "download:kategorier.html"),
    ]
    assert {who for _, _, who in rows} == {"rikke"}
    events = [e for e in webproject.audit_events(action="export") if e.action.startswith("export.incidents")]
    assert [e.actor for e in events] == ["rikke"] * 4


def test_edit_form_blanks_fields(webproject: Project) -> None:
    incident = webproject.incidents()[0]
    webproject.update_incident(incident.id, reporter="SWU-P01", situation="Mødet på Østerbro", ai_tools=["Copilot"])
    client = client_for(webproject, "carl")
    r = client.post(
        f"/incidents/{incident.id}",
        data={
            "csrf": csrf_of(client),
            "title": incident.title,
            "situation": "",
            "action": "",
            "outcome": "",
            "valence": "",
            "tools": "",
            "competence": "",
            "reporter": "",
        },
    )
    assert r.status_code == 303
    after = webproject.incident(incident.id)
    assert (after.situation, after.valence, after.ai_tools, after.reporter) == ("", None, [], None)
    assert after.title == incident.title
