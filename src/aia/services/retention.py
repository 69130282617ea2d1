"""Retention: the project's end date and retention period, a dry-run report, and deletion or anonymisation.

Settings in ``project_meta``: ``project_end`` (YYYY-MM-DD) and ``retention_years``. The data are due on the end date
plus the period. ``apply`` then either deletes (every participant erased as on withdrawal, then every source, memo,
incident, consent and original; the key store file removed) or anonymises (every identifier the key store knows is
blanked in the texts, originals and consent forms and the review values are deleted, then the key store file is
removed, so no pseudonym can be linked back to a person). The codebook and the project structure stay.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from aia.errors import ValidationError
from aia.services.erasure import ErasureService
from aia.services.structure import check_date
from aia.store import dataprotection as db
from aia.store.database import read, write
from aia.store.schema import consent_forms, pseudonymisation_findings
from aia.store.settings import get_setting, set_setting

END_KEY = "project_end"
YEARS_KEY = "retention_years"
MODES = ("delete", "anonymise")


@dataclass
class RetentionReport:
    project_end: str | None
    retention_years: int | None
    due_date: str | None
    due: bool
    counts: dict[str, int] = field(default_factory=dict)
    actions: list[str] = field(default_factory=list)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class RetentionService(ErasureService):
    def set_retention(self, project_end: str, years: int) -> None:
        """Set the project's end date and how many years after it the data are kept."""
        end = check_date(project_end, "the project end date")
        if years < 0 or years > 100:
            raise ValidationError(f"the retention period must be 0 to 100 years, not {years}")
        with write(self.engine) as conn:
            set_setting(conn, END_KEY, str(end))
            set_setting(conn, YEARS_KEY, str(years))
        self.audit("retention.set", None, {"project_end": end, "retention_years": years})

    def retention_check(self, today: str | None = None, mode: str = "delete") -> RetentionReport:
        """Dry run: when the data are due and what ``retention apply`` would delete or anonymise."""
        if mode not in MODES:
            raise ValidationError(f"the retention mode must be 'delete' or 'anonymise', not {mode!r}")
        with read(self.engine) as conn:
            end = get_setting(conn, END_KEY)
            years_text = get_setting(conn, YEARS_KEY)
            counts = db.content_counts(conn)
        years = int(years_text) if years_text is not None else None
        day = date.fromisoformat(check_date(today, "--today") or date.today().isoformat())
        due_date = _add_years(date.fromisoformat(end), years) if end and years is not None else None
        report = RetentionReport(
            end, years, None if due_date is None else due_date.isoformat(), due_date is not None and day >= due_date
        )
        report.counts = counts
        if due_date is None:
            report.actions.append("no project end date and retention period are set ('aia retention set')")
            return report
        if mode == "delete":
            report.actions += [
                f"erase all {counts['participants']} participants as on withdrawal",
                f"delete {counts['sources']} sources ({counts['segments']} segments, {counts['codings']} codings), "
                f"{counts['memos']} memos, {counts['incidents']} incidents, {counts['consents']} consent records",
                f"delete {counts['files']} original files in files/",
            ]
        else:
            report.actions += [
                "blank every name, e-mail, phone and CPR number the key store knows in all texts",
                f"delete {counts['files']} original files and {counts['consent_forms']} signed consent forms",
            ]
        if self.has_keystore():
            report.actions.append(f"delete the key store {self.keystore_path}")
        report.actions.append("rebuild the search index, VACUUM and checkpoint the database")
        return report

    def retention_apply(self, today: str | None = None, mode: str = "delete") -> RetentionReport:
        """Carry out what :meth:`retention_check` reports; refused before the due date."""
        report = self.retention_check(today, mode)
        if not report.due:
            when = report.due_date or "not set"
            raise ValidationError(f"the retention period has not ended (due {when}); nothing was deleted")
        if mode == "delete":
            for _pid, pseudonym in self._participants_now():
                self.withdraw_participant(pseudonym, reason="retention")
            with write(self.engine) as conn:
                shas = db.delete_all_material(conn)
        else:
            if self.has_keystore() and self._open_keys_quietly() is None:
                raise ValidationError(
                    "anonymising needs the key store open to find the identifiers; give its passphrase"
                )
            keys = self._open_keys_quietly()
            needles: list[str] = []
            if keys is not None:
                for person in keys.people().values():
                    needles += person.identifiers()
                for org in keys.organisations().values():
                    needles += org.identifiers()
            with write(self.engine) as conn:
                plan = db.plan_erasure(conn, -1, needles)
                db.execute_plan(conn, plan)
                conn.execute(pseudonymisation_findings.update().values(value_enc=None))
                conn.execute(consent_forms.delete())
                shas = db.all_file_shas(conn)
        for sha in shas:
            self.file_path(sha).unlink(missing_ok=True)
        if self.has_keystore():
            self.lock_keys()
            self.keystore_path.unlink()
        with write(self.engine) as conn:
            db.rebuild_search_index(conn)
        self.audit("retention.apply", None, {"mode": mode, "counts": report.counts})
        self._compact()
        return report

    def _participants_now(self) -> list[tuple[int, str]]:
        with read(self.engine) as conn:
            return db.participant_ids(conn)
