"""The project's pseudonymiser on netnography posts puts what it replaced on the review list (issue 6, item 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from nn_helpers import keyed_project

from aia.privacy.identities import OrganisationIdentity, PersonIdentity
from aia.project import Project

TITLE = "Copilot hos Kodehuset"
SUBMISSION = "Vi prøvede Copilot i marts. Skriv til mette@kodehuset.dk hvis I vil høre mere."
COMMENTS = [
    "Mette Kjærgaard fortalte om det på meetup'et, og Mettes slides var gode.",
    "Ingen navne her, bare en kommentar om promptinjektion.",
    "Jeg talte med Henrik om det, han er skeptisk over for AI-forordningen.",
]


def _dump(path: Path) -> Path:
    rows: list[dict[str, object]] = [
        {
            "id": "abc",
            "title": TITLE,
            "selftext": SUBMISSION,
            "author": "trådstarter",
            "created_utc": 1_760_000_000,
            "score": 12,
            "subreddit": "dkudvikler",
        }
    ]
    for i, body in enumerate(COMMENTS):
        rows.append(
            {
                "id": f"c{i}",
                "link_id": "t3_abc",
                "parent_id": "t3_abc" if i == 0 else f"t1_c{i - 1}",
                "author": f"kommentator{i}",
                "body": body,
                "created_utc": 1_760_000_100 + i,
                "score": 3,
                "subreddit": "dkudvikler",
            }
        )
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _known(project: Project) -> None:
    project.add_participant("SWU", role="AI-champion")
    project.add_organisation("Softwarehus (SMV)")
    keys = project.keys()
    keys.set_person(
        "SWU-P01",
        PersonIdentity(
            full_names=("Mette Kjærgaard",),
            first_name="Mette",
            surname="Kjærgaard",
            emails=("mette@kodehuset.dk",),
        ),
    )
    keys.set_organisation("ORG-01", OrganisationIdentity(names=("Kodehuset",)))
    project.save_keys()


def test_replacements_in_posts_and_title_are_listed_at_their_place(tmp_path: Path) -> None:
    with keyed_project(tmp_path) as project:
        _known(project)
        result = project.import_corpus(_dump(tmp_path / "RS_RC_dk.ndjson"), "SWU", "Copilot-tråde")
        (sid,) = result.source_ids
        text = project.source(sid).text or ""
        for secret in ("Kjærgaard", "mette@kodehuset.dk", "Kodehuset", "Henrik"):
            assert secret not in text
        assert text.startswith("Copilot hos [ORG-01]\n\n")
        items = project.review_items(sid)
        assert result.findings == len(items) >= 5
        # every item points exactly at its replacement in the stored text, in the right segment
        segments = project.segments(sid)
        for item in items:
            assert text[item.start : item.end] == item.shown == item.replacement, item
            (inside,) = [s for s in segments if s.start <= item.start and item.end <= s.end]
            assert inside.kind in ("post", "comment")
        originals = {i.original for i in items}
        assert {"Kodehuset", "mette@kodehuset.dk", "Mette Kjærgaard", "Henrik"} <= originals
        assert {i.status for i in items} == {"replaced"}
        by_original = {i.original: i for i in items}
        assert by_original["Henrik"].detector == "gazetteer"
        assert by_original["Mette Kjærgaard"].detector == "known"
        # the comment with no identifiers has nothing on the list
        clean = next(s for s in segments if "promptinjektion" in text[s.start : s.end])
        assert not [i for i in items if clean.start <= i.start < clean.end]


def test_rejecting_a_post_replacement_puts_the_original_back(tmp_path: Path) -> None:
    with keyed_project(tmp_path) as project:
        _known(project)
        (sid,) = project.import_corpus(_dump(tmp_path / "RS_RC_dk.ndjson"), "SWU", "Copilot-tråde").source_ids
        henrik = next(i for i in project.review_items(sid) if i.original == "Henrik")
        project.review_reject(henrik.id)
        text = project.source(sid).text or ""
        assert "Jeg talte med Henrik om det" in text
        last = project.segments(sid)[-1]
        assert text[last.start : last.end] == COMMENTS[-1]
        assert [i.id for i in project.review_items(sid, status="rejected")] == [henrik.id]


def test_nothing_is_listed_when_pseudonymisation_is_off(tmp_path: Path) -> None:
    with keyed_project(tmp_path) as project:
        _known(project)
        project.set_pseudonymisation(on=False)
        result = project.import_corpus(_dump(tmp_path / "RS_RC_dk.ndjson"), "SWU", "Uden")
        (sid,) = result.source_ids
        assert result.findings == 0 and project.review_items(sid) == []
        assert "mette@kodehuset.dk" in (project.source(sid).text or "")


def test_cli_says_how_many_findings_wait(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner
    from nn_helpers import PASSPHRASE

    from aia.cli import cli

    with keyed_project(tmp_path) as project:
        _known(project)
    root = tmp_path / "projekt"
    monkeypatch.setenv("AIA_KEYSTORE_PASSPHRASE", PASSPHRASE)
    dump = _dump(tmp_path / "RS_RC_dk.ndjson")
    out = CliRunner().invoke(
        cli, ["--project", str(root), "netnography", "import", str(dump), "--track", "SWU", "--name", "Tråde"]
    )
    assert out.exit_code == 0, out.output
    assert "Til gennemgang:" in out.output and "pseudonymiseringsfund" in out.output
