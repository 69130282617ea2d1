"""Importers: one module per format behind a registry (see :mod:`aia.ingest.base`)."""

from __future__ import annotations

import importlib

#: modules that register an importer when imported; order does not matter (sniffers decide)
_MODULES = ("text", "markdown", "docx", "odt", "pdf", "html", "vtt", "srt", "chatgpt", "claude", "devgpt", "ailog")
_loaded = False


def load_all() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for name in _MODULES:
        importlib.import_module(f"aia.ingest.{name}")
