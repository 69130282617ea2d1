"""The ``aia`` command line: thin commands over :class:`aia.Project` (parse → one call → print)."""

from __future__ import annotations

from aia.cli import coding, exchange, material, privacy, search, structure  # noqa: F401  (register commands)
from aia.cli.app import cli, main

__all__ = ["cli", "main"]
