"""REFI-QDA (www.qdasoftware.org) project (``.qdpx``) and codebook (``.qdc``) export; see ``docs/refi-qda.md``."""

from __future__ import annotations

from aia.exchange.refi.export import ExportError, ExportSummary, export_qdc, export_qdpx

__all__ = ["ExportError", "ExportSummary", "export_qdc", "export_qdpx"]
