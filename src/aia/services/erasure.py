"""Withdrawal and erasure of a participant (GDPR Art. 17), resumable after a crash.

1. **Plan** (one write transaction): find everything of the participant — their sources (or, in group material,
   their turns), codings on them, memos on them or naming them, incidents they reported, their consent, and every
   place the key store's identifiers for them (or their pseudonym) appear — and write the plan to the erasure
   journal (``erasure_jobs``) as ids, offsets and file hashes only.
2. **Purge** (one write transaction): carry the plan out; text of turns in group material is overwritten with
   ``[slettet]`` and spaces of the same length, so the offsets of every other coding stay valid; audit rows naming
   the person are redacted; one content-free audit event is added.
3. **Clean the bytes** (idempotent): rebuild the FTS5 index from the segments (its shadow tables keep deleted
   terms otherwise), delete the originals in ``files/``, remove the key-store entry (or mark it pending when the
   key store is locked), ``VACUUM`` and ``wal_checkpoint(TRUNCATE)``, list earlier exports in the report.

A crash after step 1 leaves a job that :meth:`ErasureService.resume_erasures` (run by ``open_project``) finishes.
"""

from __future__ import annotations

import os
import signal
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from aia.clock import now
from aia.errors import AiaError, NotFoundError, ProjectError
from aia.privacy.keystore import KeyStore
from aia.services.consent import ConsentService
from aia.store import audit as audit_db
from aia.store import dataprotection as db
from aia.store.database import BUSY_TIMEOUT_MS, read, write
from aia.store.dataprotection import ErasureJob

#: test hook: kill this process (SIGKILL) when the erasure reaches the named step
CRASH_ENV = "AIA_TEST_ERASURE_CRASH_AT"


def _crash_point(name: str) -> None:
    if os.environ.get(CRASH_ENV) == name:  # pragma: no cover - the process dies here
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass
class ErasureReport:
    """What an erasure did and what it could not reach (content-free)."""

    job_id: int
    pseudonym: str
    state: str
    counts: dict[str, int] = field(default_factory=dict)
    keystore: str = "none"
    #: exports and backups registered before the erasure: copies the project cannot reach
    earlier_exports: list[dict[str, Any]] = field(default_factory=list)
    #: database copies beside the project (pre-migration backups) made before the erasure
    earlier_copies: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class ErasureService(ConsentService):
    def withdraw_participant(self, participant: str | int, reason: str = "withdrawal") -> ErasureReport:
        """Erase a participant everywhere (see the module doc); returns the erasure report."""
        person = self.participant(participant)
        identifiers, shared = self._identifiers(person.pseudonym)
        needles = [person.pseudonym, *identifiers]
        at = now()
        with write(self.engine) as conn:
            plan = db.plan_erasure(conn, person.id, needles, shared)
            plan["pseudonym"] = person.pseudonym
            plan["redact_audit"] = audit_db.rows_mentioning(conn, needles)
            plan["searched_identifiers"] = len(needles) - 1 + len(shared)
            plan["shared_names"] = len(shared)
            job_id = db.insert_job(
                conn,
                {
                    "pseudonym": person.pseudonym,
                    "reason": reason,
                    "requested_by": self.user,
                    "requested_at": at,
                    "state": "planned",
                    "plan": plan,
                    "report": {},
                    "keystore": "pending" if self.has_keystore() else "none",
                },
            )
        _crash_point("planned")
        return self._run_job(job_id)

    def _identifiers(self, pseudonym: str) -> tuple[list[str], dict[str, list[str]]]:
        """The key store's identifiers of the person, if the key store can be opened now (else none), split in two:
        those that point at this person only, and the names (first name, surname, alias) another person in the key
        store has too, each with the pseudonyms of those others (see :func:`aia.store.dataprotection.plan_erasure`).
        """
        keys = self._open_keys_quietly()
        if keys is None:
            return [], {}
        identity = keys.person(pseudonym)
        if identity is None:
            return [], {}
        values = list(identity.identifiers())
        for phone in identity.phones:  # as written, without country code, digits only
            digits = "".join(c for c in phone if c.isdigit())
            national = digits[2:] if phone.strip().startswith("+45") else digits
            values += [digits, national, " ".join(national[i : i + 2] for i in range(0, len(national), 2))]
        names = {v.casefold() for v in (identity.first_name, identity.surname, *identity.aliases) if v}
        owners: dict[str, list[str]] = {}
        for other, other_identity in keys.people().items():
            if other.upper() == pseudonym.upper():
                continue
            for value in other_identity.identifiers():
                owners.setdefault(value.casefold(), []).append(other)
        unique: list[str] = []
        shared: dict[str, list[str]] = {}
        for value in dict.fromkeys(values):
            if len(value) < 2:
                continue
            others = owners.get(value.casefold())
            if others and value.casefold() in names:
                shared[value] = sorted(set(others))
            else:
                unique.append(value)
        return unique, shared

    def _open_keys_quietly(self) -> KeyStore | None:
        if not self.has_keystore():
            return None
        try:
            return self.keys()
        except AiaError:
            return None

    def erasure_jobs(self) -> list[ErasureJob]:
        with read(self.engine) as conn:
            return db.list_jobs(conn)

    def erasure_report(self, job_id: int) -> ErasureReport:
        with read(self.engine) as conn:
            job = db.get_job(conn, job_id)
        if job is None:
            raise NotFoundError(f"there is no erasure {job_id}; 'aia erasure list' shows them")
        return self._report(job)

    def resume_erasures(self) -> list[ErasureReport]:
        """Finish every erasure that was interrupted, and remove key-store entries left pending if the key store
        can be opened now. Called by ``open_project``."""
        with read(self.engine) as conn:
            if not db.has_journal(conn):  # a project migrated past 4 before migration 4 existed
                return []
            jobs = db.list_jobs(conn, unfinished_only=True)
        if any(job.state == "done" for job in jobs) and self._open_keys_quietly() is None:
            jobs = [job for job in jobs if job.state != "done"]
        reports: list[ErasureReport] = []
        for job in jobs:
            try:
                reports.append(self._run_job(job.id))
            except ProjectError:
                continue  # the content is purged; compacting waits until no other program holds the database
        return reports

    def unlock_keys(self, passphrase: str) -> KeyStore:
        keys = super().unlock_keys(passphrase)
        with read(self.engine) as conn:
            pending = [j for j in db.list_jobs(conn, unfinished_only=True) if j.keystore == "pending"]
        for job in pending:
            self._run_job(job.id)
        return keys

    # -- the steps --------------------------------------------------------------------------------------------------

    def _run_job(self, job_id: int) -> ErasureReport:
        with write(self.engine) as conn:
            job = db.get_job(conn, job_id)
            assert job is not None
            if job.state == "planned":
                counts = db.execute_plan(conn, job.plan)
                redacted = audit_db.redact(conn, list(job.plan.get("redact_audit", [])))
                audit_db.append(
                    conn,
                    now(),
                    job.requested_by,
                    "participant.erase",
                    f"participant:{job.pseudonym}",
                    {"job": job.id, "reason": job.reason},
                )
                db.update_job(conn, job.id, state="purged", report={"counts": counts, "audit_redacted": redacted})
                _crash_point("purged-uncommitted")
        _crash_point("purged")
        with read(self.engine) as conn:
            job = db.get_job(conn, job_id)
        assert job is not None
        if job.state == "purged":
            with write(self.engine) as conn:
                db.rebuild_search_index(conn)
            _crash_point("indexed")
            for sha in job.plan["delete_files"]:
                self.file_path(sha).unlink(missing_ok=True)
            _crash_point("files")
        keystore = job.keystore
        if keystore == "pending":
            keys = self._open_keys_quietly()
            if keys is not None:
                if keys.remove_person(job.pseudonym):
                    keys.save()
                keystore = "done"
        if job.state == "purged":
            self._compact()
            _crash_point("vacuumed")
        with write(self.engine) as conn:
            db.update_job(
                conn,
                job.id,
                state="done",
                keystore=keystore,
                finished_at=job.finished_at or now(),
                report={**job.report, "earlier_exports": self._earlier_exports(job)},
            )
        complete = self._checkpoint()
        with read(self.engine) as conn:
            done = db.get_job(conn, job_id)
        assert done is not None
        report = self._report(done)
        if not complete:
            report.notes.append(
                "another program has the project open, so the write-ahead log could not be emptied yet; close it and "
                "run 'aia erasure resume'"
            )
        return report

    def _earlier_exports(self, job: ErasureJob) -> list[dict[str, Any]]:
        with read(self.engine) as conn:
            return [e for e in db.list_exports(conn) if e["exported_at"] <= job.requested_at]

    def _report(self, job: ErasureJob) -> ErasureReport:
        report = ErasureReport(job.id, job.pseudonym, job.state, dict(job.report.get("counts", {})), job.keystore)
        report.earlier_exports = list(job.report.get("earlier_exports", []))
        report.earlier_copies = sorted(str(p) for p in self.path.glob("aia.sqlite.backup-*"))
        if job.keystore == "pending":
            report.notes.append(
                f"the key store is locked: the entry of {job.pseudonym} is removed the next time it is opened "
                "('aia erasure resume' with its passphrase)"
            )
        if job.plan.get("shared_names"):
            report.notes.append(
                f"{job.plan['shared_names']} name(s) of the participant belong to other participants too; they were "
                "removed only in the participant's own sources, so check other texts that may mention them"
            )
        if not job.plan.get("searched_identifiers"):
            report.notes.append(
                "the key store was not open, so free text was searched for the pseudonym only, not for the "
                "person's names, e-mails, phone numbers or CPR number"
            )
        if report.earlier_exports:
            report.notes.append(
                f"{len(report.earlier_exports)} export(s) made before the erasure may still hold the participant's "
                "data; delete or recall them"
            )
        if report.earlier_copies:
            report.notes.append(
                f"{len(report.earlier_copies)} database backup(s) beside the project predate the erasure; delete them"
            )
        return report

    # -- the bytes --------------------------------------------------------------------------------------------------

    def _raw(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path / "aia.sqlite", isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return conn

    def _compact(self) -> None:
        """VACUUM (rewrites every page: no freed page keeps old bytes), then empty the WAL."""
        self.engine.dispose()  # no pooled connection holds a snapshot
        conn = self._raw()
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("VACUUM")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError as exc:
            raise ProjectError(
                f"the participant's data are deleted, but the database file could not be compacted ({exc}); close "
                "every other program using the project and run 'aia erasure resume' to finish the erasure"
            ) from None
        finally:
            conn.close()

    def _checkpoint(self) -> bool:
        """Copy the WAL into the database and truncate it; False when another reader kept it from completing."""
        self.engine.dispose()
        conn = self._raw()
        try:
            busy, _log, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            conn.close()
        return not busy
