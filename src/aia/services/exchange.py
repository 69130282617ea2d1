"""Exchange with other QDA tools: REFI-QDA project (``.qdpx``) and codebook (``.qdc``) export."""

from __future__ import annotations

from pathlib import Path

from aia.exchange.refi.export import ExportSummary, export_qdc, export_qdpx
from aia.services.memos import MemoService


class ExchangeService(MemoService):
    def export_qdpx(self, path: str | Path) -> ExportSummary:
        """Write the whole project (sources, codebook, codings, memos, cases, forløb/WP sets) as a ``.qdpx``."""
        return export_qdpx(self, path)

    def export_qdc(self, path: str | Path) -> ExportSummary:
        """Write the codebook as a REFI-QDA ``.qdc`` file."""
        return export_qdc(self, path)
