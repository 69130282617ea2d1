"""One exception tree for everything the workbench refuses to do.

Every message is one sentence a researcher can act on: it names the thing (file, row, code, project) and,
where there is one, the fix. The CLI prints ``error: <message>`` and exits 1; the web shows the sentence.
"""

from __future__ import annotations


class AiaError(Exception):
    """Base class: a known, explainable failure."""


class ProjectError(AiaError):
    """The project directory is missing, not a project, or cannot be opened."""


class ProjectTooNewError(ProjectError):
    """The project was written by a newer version of aia."""


class NotFoundError(AiaError):
    """A track, activity, source, code, participant … that does not exist."""


class ConflictError(AiaError):
    """The change would break a rule (duplicate name, code still in use, cycle in the codebook …)."""


class ValidationError(AiaError):
    """Input that does not make sense (span outside the text, unknown work package, bad date …)."""


class ImportFailed(AiaError):
    """A file could not be imported; nothing of it was stored.

    ``filename`` names the file, ``line`` the line (1-based) where the problem is, when known.
    """

    def __init__(self, filename: str, problem: str, line: int | None = None) -> None:
        self.filename = filename
        self.problem = problem.rstrip(".")
        self.line = line
        where = f"{filename}, line {line}" if line is not None else filename
        super().__init__(f"cannot import {where}: {self.problem}.")


class UnsupportedFormat(ImportFailed):
    """No importer recognises the file."""


class SearchSyntaxError(AiaError):
    """A search query that cannot be turned into a search (only raised for queries with nothing to find)."""


class KeyStoreError(AiaError):
    """The key store cannot be created, opened or saved (wrong passphrase, damaged file, file in the way …)."""


class NotAllowedError(AiaError):
    """The user may not do this to this object (e.g. a coder changing another coder's coding)."""
