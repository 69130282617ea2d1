"""Consent checked at import, lead-only commands, and erasure that spares a namesake."""

from __future__ import annotations

from pathlib import Path

import pytest

import aia
from aia.errors import ImportFailed, NotAllowedError
from aia.privacy.identities import PersonIdentity
from aia.privacy.kdf import ScryptParams
from aia.project import Project

FAST = ScryptParams(n=2**10)


def _project(root: Path) -> Project:
    project = aia.init_project(root, user="Forsker A")
    project.add_track("Softwareudviklere", prefix="SWU")
    project.add_participant("SWU")
    project.add_participant("SWU")
    return project


def test_import_without_covering_consent_is_refused_unless_overridden(tmp_path: Path) -> None:
    with _project(tmp_path / "p") as project:
        project.add_consent("SWU-P01", "v1", "2026-02-01", wps=[2])
        text = "Vi talte om Copilot og kodegennemgang på kontoret i Århus.".encode()
        ok = project.import_bytes(text, "a.txt", track="SWU", wp=2, participants=["SWU-P01"])
        assert ok.status == "imported"
        with pytest.raises(ImportFailed, match=r"SWU-P02 .no consent is recorded.*--override-consent"):
            project.import_bytes(text, "b.txt", track="SWU", wp=2, participants=["SWU-P02"], force=True)
        with pytest.raises(ImportFailed, match="covers WP2, not WP3"):
            project.import_bytes(text, "c.txt", track="SWU", wp=3, participants=["SWU-P01"])
        done = project.import_bytes(
            text, "d.txt", track="SWU", wp=3, participants=["SWU-P01"], consent_override="mundtligt samtykke"
        )
        assert done.status == "imported" and done.warnings
        assert [e.action for e in project.audit_events(action="consent.override")] == ["consent.override"]
        assert len(project.sources()) == 2


def test_lead_only_when_the_project_has_accounts(tmp_path: Path) -> None:
    with _project(tmp_path / "p") as project:
        project.require_lead("withdrawing a participant")  # no accounts: the local user is the lead
        project.add_account("lea", "en-lang-adgangskode-1", "lead")
        project.add_account("carl", "en-lang-adgangskode-2", "coder")
    with (
        aia.open_project(tmp_path / "p", user="carl") as project,
        pytest.raises(NotAllowedError, match="'carl' is a coder"),
    ):
        project.require_lead("withdrawing a participant")
    with aia.open_project(tmp_path / "p", user="lea") as project:
        project.require_lead("withdrawing a participant")


def test_withdrawal_spares_another_participant_with_the_same_first_name(tmp_path: Path) -> None:
    with _project(tmp_path / "p") as project:
        project.create_keystore("en lang nøgle-adgangssætning", kdf=FAST)
        keys = project.keys()
        keys.set_person("SWU-P01", PersonIdentity(full_names=("Mette Lindholm",), first_name="Mette"))
        keys.set_person("SWU-P02", PersonIdentity(full_names=("Mette Brandt",), first_name="Mette"))
        project.save_keys()
        project.set_pseudonymisation(False)
        for person in ("SWU-P01", "SWU-P02"):
            project.add_consent(person, "Informationsark v1", "2026-01-15", wps=[2])
        own = b"Jeg hedder Mette og arbejder med backend."
        other = b"Mette fra frontend brugte ChatGPT til testene."
        project.import_bytes(own, "egen.txt", track="SWU", wp=2, participants=["SWU-P01"])
        kept = project.import_bytes(other, "anden.txt", track="SWU", wp=2, participants=["SWU-P02"])
        project.withdraw_participant("SWU-P01")
        assert kept.source_id is not None
        assert project.source(kept.source_id).text == other.decode()
        assert len(project.sources()) == 1
