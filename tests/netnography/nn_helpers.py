"""Helpers for the netnography tests: real sample paths and a project with a key store."""

from __future__ import annotations

from pathlib import Path

import aia
from aia.privacy.kdf import Argon2idParams, ScryptParams, argon2_available
from aia.project import Project

DATA = Path(__file__).resolve().parents[2] / "../shared/data"
SE = DATA / "stackexchange/bicycles.meta.stackexchange.com"
REDDIT = DATA / "reddit/pushshift_comments_sample.ndjson"
HN = DATA / "hackernews/firebase_items_from_api_readme.jsonl"
GH_PAGES = DATA / "github/octokit_fixtures/paginate-issues.normalized-fixture.json"
GH_SEARCH = DATA / "github/octokit_fixtures/search-issues.normalized-fixture.json"
CHEAP = Argon2idParams(iterations=1, lanes=1, memory_kib=8) if argon2_available() else ScryptParams(n=2**10)
PASSPHRASE = "hemmelig nøgle til rødgrød med fløde"


def keyed_project(root: Path) -> Project:
    project = aia.init_project(root / "projekt", user="Forsker Ø")
    project.add_track("Softwareudviklere", prefix="SWU")
    project.create_keystore(PASSPHRASE, kdf=CHEAP)
    return project
