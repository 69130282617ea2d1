"""What a REFI-QDA import reports, and an import into a new project (see ``docs/refi-qda.md``, "Import")."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from aia.errors import ProjectError

if TYPE_CHECKING:
    from aia.project import Project


@dataclass
class ImportSummary:
    path: Path
    #: how the file's positions were read: "codepoints" or "utf16" (and whether CRLF counted as one)
    positions: str = "codepoints"
    tracks: int = 0
    codes: int = 0
    sources: int = 0
    codings: int = 0
    memos: int = 0
    participants: int = 0
    organisations: int = 0
    #: already in the project (same GUID): codes, sources, codings, memos, participants, organisations
    matched: dict[str, int] = field(default_factory=dict)
    source_ids: list[int] = field(default_factory=list)
    #: the REFI GUIDs of the sources stored new, in the order of ``source_ids``
    source_guids: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: changes to matched objects, per kind ("codes renamed", "sources renamed", "memos changed", "codings removed" …)
    changed: dict[str, int] = field(default_factory=dict)
    #: one line per change to a matched object
    changes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if self.sources == 0 and self.codings == 0 and not any(self.matched.get(k) for k in ("sources", "codings")):
            new = f"{self.codes} new codes"
        else:
            new = (
                f"{self.sources} sources, {self.codes} codes, {self.codings} codings, {self.memos} memos, "
                f"{self.participants} participants, {self.organisations} organisations, {self.tracks} forløb"
            )
        known = ", ".join(f"{n} {k}" for k, n in sorted(self.matched.items()) if n)
        changed = ", ".join(f"{n} {k}" for k, n in sorted(self.changed.items()) if n)
        return (
            f"imported {self.path.name}: {new}"
            + (f"; already in the project: {known}" if known else "")
            + (f"; changed: {changed}" if changed else "")
        )


def import_into_new_project(
    path: str | Path,
    directory: str | Path,
    positions: str = "auto",
    into: tuple[str | int, int] | None = None,
    user: str | None = None,
    consent_override: str | None = None,
) -> tuple[Project, ImportSummary]:
    """Create a project in ``directory`` (named after the REFI project) and import ``path`` into it.

    The file is read and checked before the project is created; if the import fails, the new directory is
    removed again, so a refused file leaves nothing behind. A new project has no consent recorded, so a file whose
    sources are linked to Cases needs ``consent_override`` (the lead's reason, recorded)."""
    from aia.exchange.refi.prepare import prepare
    from aia.exchange.refi.read import read_qdpx
    from aia.project import init_project

    source = Path(path)
    target = Path(directory)
    parsed = read_qdpx(source)
    prepared = prepare(parsed, source.name, positions)
    existed = target.exists()
    if existed and (not target.is_dir() or any(target.iterdir())):
        raise ProjectError(f"{target} exists and is not an empty directory; choose a new directory for the project")
    project = init_project(target, name=parsed.name or source.stem, user=user)
    try:
        summary = project.import_prepared(source, prepared, into, consent_override=consent_override)
    except BaseException:
        project.close()
        if existed:
            for child in target.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        else:
            shutil.rmtree(target, ignore_errors=True)
        raise
    return project, summary
