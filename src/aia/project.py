"""A project: a directory with ``aia.sqlite`` and ``files/``. :func:`init_project` and :func:`open_project`
are the entry points of the Python API; the CLI and the web app call the methods of :class:`Project`."""

from __future__ import annotations

import getpass
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from aia import __version__
from aia.clock import now
from aia.errors import ProjectError, ProjectTooNewError
from aia.privacy.kdf import KdfParams
from aia.services.accounts import AccountService
from aia.services.ailogs import AiLogService
from aia.services.backup import BackupService
from aia.services.codesearch import CodeSearchService
from aia.services.exchange import ExchangeService
from aia.services.importing import ImportService
from aia.services.incidents import IncidentService
from aia.services.memolinks import MemoLinkService
from aia.services.netnography import NetnographyService
from aia.services.overview import OverviewService
from aia.services.probes import ProbeService
from aia.services.pseudonymisation import PseudonymisationService
from aia.services.retention import RetentionService
from aia.services.webviews import WebViewService
from aia.services.workbench import WorkbenchService
from aia.store import migrations
from aia.store.database import read, sqlite_engine, write
from aia.store.schema import project_meta

DB_NAME = "aia.sqlite"


def current_user() -> str:
    """Who is acting: ``AIA_USER`` if set, else the operating-system user."""
    name = os.environ.get("AIA_USER", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no passwd entry
        return "unknown"


class Project(
    WorkbenchService,
    MemoLinkService,
    AiLogService,
    AccountService,
    WebViewService,
    NetnographyService,
    ImportService,
    ExchangeService,
    OverviewService,
    CodeSearchService,
    PseudonymisationService,
    ProbeService,
    IncidentService,
    RetentionService,
    BackupService,
):
    """An open project. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: Path, user: str | None = None) -> None:
        self.path = path
        self.user = user or current_user()
        self.engine = sqlite_engine(path / DB_NAME)
        #: set when opening migrated the project: says where the backup is
        self.upgrade_notice: str | None = None

    @property
    def name(self) -> str:
        with read(self.engine) as conn:
            value = conn.execute(project_meta.select().where(project_meta.c.key == "name")).first()
        return str(value.value) if value else self.path.name

    def close(self) -> None:
        self.lock_keys()
        self.engine.dispose()

    def __enter__(self) -> Project:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Project {str(self.path)!r}>"


def init_project(
    path: str | Path,
    name: str | None = None,
    user: str | None = None,
    keystore_passphrase: str | None = None,
    kdf: KdfParams | None = None,
) -> Project:
    """Create a new, empty project directory and open it.

    With ``keystore_passphrase`` the project gets its key store (``keys.aia``) and pseudonymises every import;
    without, it has none until ``create_keystore`` (CLI: ``aia keys init``) and imports are stored as they are."""
    root = Path(path)
    if (root / DB_NAME).exists():
        raise ProjectError(f"{root} is a project already; open it with --project {root}")
    if root.exists() and not root.is_dir():
        raise ProjectError(f"{root} exists and is not a directory; choose another path")
    if root.exists() and any(root.iterdir()):
        raise ProjectError(f"{root} exists and is not empty; choose a new or empty directory")
    root.mkdir(parents=True, exist_ok=True)
    (root / "files").mkdir(exist_ok=True)
    project = Project(root, user)
    migrations.apply(project.engine)
    with write(project.engine) as conn:
        conn.execute(
            project_meta.insert(),
            [
                {"key": "name", "value": name or root.resolve().name},
                {"key": "created_at", "value": now()},
                {"key": "created_with", "value": __version__},
            ],
        )
    if keystore_passphrase is not None:
        project.create_keystore(keystore_passphrase, kdf)
    return project


def open_project(path: str | Path, user: str | None = None) -> Project:
    """Open an existing project; an older one is backed up beside itself and upgraded first."""
    root = Path(path)
    db_path = root / DB_NAME
    if not db_path.is_file():
        raise ProjectError(f"{root} is not an aia project (no {DB_NAME}); create one with 'aia init {root}'")
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as probe:
            probe.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise ProjectError(f"{db_path} is not a readable SQLite database ({exc})") from exc
    project = Project(root, user)
    with read(project.engine) as conn:
        version = migrations.current_version(conn)
    if version > migrations.HEAD:
        project.close()
        raise ProjectTooNewError(
            f"{root} was written by a newer version of aia (schema {version}; this aia {__version__} knows up to "
            f"{migrations.HEAD}); upgrade aia to open it"
        )
    if version < migrations.HEAD:
        backup = backup_database(project, f"v{version}")
        migrations.apply(project.engine)
        project.upgrade_notice = (
            f"upgraded {root} from schema {version} to {migrations.HEAD}; the previous version is backed up in {backup}"
        )
    remove_stale_temp_files(root / "files")
    project.resume_erasures()  # an erasure interrupted by a crash is finished before anything else
    return project


def remove_stale_temp_files(files_dir: Path) -> int:
    """Delete ``files/*/.tmp-<pid>-…`` left by an import that was killed while writing an original.

    A temp file whose process is still alive belongs to an import in progress and is left alone. Returns how many
    were removed."""
    removed = 0
    for tmp in files_dir.glob("*/.tmp-*"):
        pid_text = tmp.name.split("-", 2)[1] if tmp.name.count("-") >= 2 else ""
        if pid_text.isdigit() and _alive(int(pid_text)):
            continue
        tmp.unlink(missing_ok=True)
        removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - another user's process
        return True
    return True


def backup_database(project: Project, label: str) -> Path:
    """A consistent copy of the database beside it (SQLite's online backup), named with a time stamp."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = project.path / f"{DB_NAME}.backup-{label}-{stamp}"
    n = 1
    while target.exists():
        n += 1
        target = project.path / f"{DB_NAME}.backup-{label}-{stamp}-{n}"
    source = sqlite3.connect(project.path / DB_NAME)
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)
        dest.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
    finally:
        dest.close()
        source.close()
    return target
