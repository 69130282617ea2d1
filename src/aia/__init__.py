"""aia — the AiA Workbench: a local-first research workbench for AI in Action (EK, Copenhagen).

Public API::

    import aia
    project = aia.init_project("mit-projekt")       # or aia.open_project("mit-projekt")
    track = project.add_track("Softwareudviklere", prefix="SWU")
    project.import_files(["interview.docx"], track="SWU", wp=2)

The names are loaded on first use, so that ``import aia.ingest.pdf`` in a worker process stays light.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from aia.errors import AiaError, ImportFailed, ProjectError, ProjectTooNewError
    from aia.project import Project, init_project, open_project

_LAZY = {
    "AiaError": "aia.errors",
    "ImportFailed": "aia.errors",
    "ProjectError": "aia.errors",
    "ProjectTooNewError": "aia.errors",
    "Project": "aia.project",
    "init_project": "aia.project",
    "open_project": "aia.project",
}

__all__ = [
    "AiaError",
    "ImportFailed",
    "Project",
    "ProjectError",
    "ProjectTooNewError",
    "__version__",
    "init_project",
    "open_project",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'aia' has no attribute {name!r}")
    return getattr(import_module(module), name)
