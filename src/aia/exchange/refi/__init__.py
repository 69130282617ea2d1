"""REFI-QDA (www.qdasoftware.org) project (``.qdpx``) and codebook (``.qdc``) export and import; see
``docs/refi-qda.md``. Import: ``Project.import_qdpx`` / ``Project.import_qdc`` or :func:`import_into_new_project`."""

from __future__ import annotations

from aia.exchange.refi.export import ExportError, ExportSummary, export_qdc, export_qdpx
from aia.exchange.refi.importer import ImportSummary, import_into_new_project

__all__ = ["ExportError", "ExportSummary", "ImportSummary", "export_qdc", "export_qdpx", "import_into_new_project"]
