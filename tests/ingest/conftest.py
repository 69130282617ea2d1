"""Fixtures for the importer tests: the shared transcripts and a checker for the segment invariants."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_helpers import TRANSCRIPTS, Checker, check_source


@pytest.fixture
def check() -> Checker:
    return check_source


@pytest.fixture(scope="session")
def transcripts() -> Path:
    if not TRANSCRIPTS.is_dir():
        pytest.fail(f"the shared transcripts are missing: expected them at {TRANSCRIPTS}")
    return TRANSCRIPTS
