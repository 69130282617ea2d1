"""The ``aia`` command line: thin commands over :class:`aia.Project` (parse → one call → print)."""

from __future__ import annotations

from aia.cli import (  # noqa: F401  (register commands)
    coding,
    dataprotection,
    exchange,
    material,
    netnography,
    privacy,
    search,
    structure,
    web,
    wp1,
    wp2,
)
from aia.cli.app import cli, main

__all__ = ["cli", "main"]
