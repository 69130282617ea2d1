"""aia — the AiA Workbench: a local-first research workbench for AI in Action (EK, Copenhagen).

Public API::

    import aia
    project = aia.init_project("mit-projekt")       # or aia.open_project("mit-projekt")
    track = project.add_track("Softwareudviklere", prefix="SWU")
    project.import_files(["interview.docx"], track="SWU", wp=2)
"""

from __future__ import annotations

__version__ = "0.1.0"

from aia.errors import AiaError, ImportFailed, ProjectError, ProjectTooNewError
from aia.project import Project, init_project, open_project

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
