"""Fixtures for the search tests (helpers live in :mod:`search_helpers`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from search_helpers import ProjectBuilder, new_engine


@pytest.fixture
def builder(tmp_path: Path) -> Iterator[ProjectBuilder]:
    engine = new_engine(tmp_path)
    yield ProjectBuilder(engine)
    engine.dispose()
