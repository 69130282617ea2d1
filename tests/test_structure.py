"""The AiA structure: forløb with five WPs, activities, organisations, participants with pseudonyms."""

from __future__ import annotations

import pytest

from aia.errors import ConflictError, NotFoundError, ValidationError
from aia.model import WORK_PACKAGES
from aia.project import Project


def test_every_track_gets_the_five_work_packages(project: Project) -> None:
    project.add_track("Softwareudviklere", prefix="SWU", description="Udviklere i SMV'er")
    wps = project.work_packages("SWU")
    assert [wp.number for wp in wps] == [1, 2, 3, 4, 5]
    assert [wp.name for wp in wps] == [p.name for p in WORK_PACKAGES]
    assert "Critical Incident" in wps[1].method
    assert "AI-Eksploratori" in wps[0].method
    assert wps[3].label == "WP4 Netnografi"


def test_track_lookup_by_name_prefix_or_id(project: Project) -> None:
    t = project.add_track("Multimediedesignere")
    assert t.prefix == "MUL"
    assert project.track("multimediedesignere").id == t.id
    assert project.track("mul").id == t.id
    assert project.track(t.id).id == t.id
    with pytest.raises(NotFoundError, match="aia track list"):
        project.track("Sygeplejersker")


def test_prefix_folds_danish_letters(project: Project) -> None:
    assert project.add_track("Ældreplejere").prefix == "AEL"
    assert project.add_track("Østjyder").prefix == "OES"


def test_duplicate_track_and_bad_prefix_are_refused(project: Project) -> None:
    project.add_track("Softwareudviklere", prefix="SWU")
    with pytest.raises(ConflictError):
        project.add_track("softwareudviklere", prefix="XYZ")
    with pytest.raises(ConflictError):
        project.add_track("Andre", prefix="swu")
    with pytest.raises(ValidationError, match="prefix"):
        project.add_track("Andre", prefix="S-W")


def test_pseudonyms_are_generated_per_track(swu: Project) -> None:
    swu.add_organisation("Kodehuset ApS", sector="Software", size="12 ansatte")
    p2 = swu.add_participant("SWU", role="Udvikler", organisation="ORG-01", attributes={"erfaring": "8 år"})
    m1 = swu.add_participant("MMD")
    assert p2.pseudonym == "SWU-P02"
    assert m1.pseudonym == "MMD-P01"
    assert p2.organisation_id == swu.organisation("Kodehuset ApS").id
    assert p2.attributes == {"erfaring": "8 år"}
    assert [p.pseudonym for p in swu.participants("SWU")] == ["SWU-P01", "SWU-P02"]


def test_activity_validation(swu: Project) -> None:
    with pytest.raises(ValidationError, match="kind"):
        swu.add_activity("SWU", 2, "kaffepause", "Pause")
    with pytest.raises(ValidationError, match="WP1 to WP5"):
        swu.add_activity("SWU", 6, "interview", "Interview")
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        swu.add_activity("SWU", 2, "interview", "Interview", date="12/3 2026")
    with pytest.raises(NotFoundError):
        swu.add_activity("SWU", 2, "interview", "Interview", participants=["SWU-P99"])


def test_activities_listed_with_their_work_package(swu: Project) -> None:
    swu.add_activity(
        "SWU",
        3,
        "workshop",
        "Workshop om prompts",
        date="2026-04-02",
        place="EK, Guldbergsgade",
        researchers=["Forsker A", "Forsker B"],
    )
    rows = swu.activities("SWU")
    assert [(a.title, wp.number) for a, wp in rows] == [("Interview om Copilot", 2), ("Workshop om prompts", 3)]
    assert rows[1][0].researchers == ["Forsker A", "Forsker B"]
    assert swu.activities("SWU", wp=3)[0][0].place == "EK, Guldbergsgade"
