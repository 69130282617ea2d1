"""The web import page and consent: a file naming a participant without covering consent is refused with its
one-sentence reason per file; the lead may give a reason to import it anyway (recorded); a coder never gets the
field and cannot send it."""

from __future__ import annotations

import sqlite3

from webhelpers import client_for, csrf_of

from aia.project import Project

# the speaker's pseudonym names the registered participant SWU-P01, who has no consent recorded
NAMING = (
    "Interviewer: Hvordan bruger I Copilot i kodegennemgangen?\n\n"
    "SWU-P01: Vi læser alt igennem, før det går i produktion – også det, som værktøjet foreslår på æøå-sider.\n\n"
    "Interviewer: Og når det går galt?\n\n"
    "SWU-P01: Så skriver vi det ned og taler om det på fredagsmødet.\n"
)
PLAIN = "Feltnote: Teamet drøftede brugen af ChatGPT ved frokosten; ingen deltagere nævnt ved navn.\n"
REASON = "Samtykke givet mundtligt og på papir; indtastes i morgen"


def _post(project: Project, user: str, extra: dict[str, str]) -> tuple[int, str]:
    client = client_for(project, user)
    activity = project.activities()[0][0]
    files = [
        ("files", ("interview_swu_p01.txt", NAMING.encode(), "text/plain")),
        ("files", ("feltnote_frokost.txt", PLAIN.encode(), "text/plain")),
    ]
    data = {"csrf": csrf_of(client), "activity": str(activity.id), **extra}
    r = client.post("/import", data=data, files=files)
    return r.status_code, r.text


def _overrides(project: Project) -> list[tuple[int, str, str]]:
    with sqlite3.connect(project.path / "aia.sqlite") as conn:
        return [
            (int(w), str(r), str(b)) for w, r, b in conn.execute("SELECT wp, reason, decided_by FROM consent_overrides")
        ]


def test_a_file_without_covering_consent_is_refused_per_file(webproject: Project) -> None:
    before = len(webproject.sources())
    status, html = _post(webproject, "lea", {})
    assert status == 200
    failed = html.split('<li class="failed">interview_swu_p01.txt: fejlede ', 1)[1].split("</li>", 1)[0]
    assert "SWU-P01 (no consent is recorded)" in failed and "--override-consent" in failed
    assert '<li class="imported">feltnote_frokost.txt:' in html  # the other file goes on
    assert len(webproject.sources()) == before + 1 and _overrides(webproject) == []


def test_the_lead_imports_with_a_recorded_reason(webproject: Project) -> None:
    assert 'name="consent_override"' in client_for(webproject, "lea").get("/import").text
    before = len(webproject.sources())
    status, html = _post(webproject, "lea", {"consent_override": REASON})
    assert status == 200
    assert '<li class="imported">interview_swu_p01.txt:' in html and "override recorded" in html
    assert len(webproject.sources()) == before + 2
    assert _overrides(webproject) == [(2, REASON, "lea")]
    events = webproject.audit_events(action="consent.override")
    assert [(e.actor, e.target) for e in events] == [("lea", "wp:2")]


def test_a_coder_has_no_override_field_and_cannot_send_one(webproject: Project) -> None:
    page = client_for(webproject, "carl").get("/import")
    assert page.status_code == 200 and 'name="consent_override"' not in page.text
    before = len(webproject.sources())
    status, _ = _post(webproject, "carl", {"consent_override": REASON})
    assert status == 403
    assert len(webproject.sources()) == before and _overrides(webproject) == []
    status, html = _post(webproject, "carl", {})  # without the field the coder's import is checked as usual
    assert status == 200 and '<li class="failed">interview_swu_p01.txt: fejlede ' in html
