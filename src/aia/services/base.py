"""What every service needs: the project's database, its files directory and who is acting."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa


class ProjectBase:
    path: Path
    engine: sa.Engine
    user: str

    @property
    def files_dir(self) -> Path:
        return self.path / "files"
