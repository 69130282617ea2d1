from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from webhelpers import make_project

from aia.project import Project


@pytest.fixture
def webproject(tmp_path: Path) -> Iterator[Project]:
    project = make_project(tmp_path)
    yield project
    project.close()
