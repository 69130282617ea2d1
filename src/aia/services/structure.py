"""Tracks (forløb), work packages, activities, organisations and participants."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from aia.errors import ConflictError, NotFoundError, ValidationError
from aia.model import Activity, ActivityKind, Organisation, Participant, Track, WorkPackage
from aia.services.base import ProjectBase
from aia.store import structure as db
from aia.store.database import read, write

_PREFIX_RE = re.compile(r"^[A-Z][A-Z0-9]{1,7}$")


def default_prefix(name: str) -> str:
    """``Softwareudviklere`` → ``SOF``; æ/ø/å become AE/OE/AA first."""
    folded = name.upper().replace("Æ", "AE").replace("Ø", "OE").replace("Å", "AA")
    folded = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    letters = re.sub(r"[^A-Z0-9]", "", folded)
    return (letters[:3] or "TRK").ljust(2, "X")


def check_date(value: str | None, what: str) -> str | None:
    if value is None or value == "":
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?", value):
        raise ValidationError(f"{what} {value!r} is not a date; write it as YYYY-MM-DD")
    return value


class StructureService(ProjectBase):
    # -- tracks ---------------------------------------------------------------------------------
    def add_track(self, name: str, prefix: str | None = None, description: str = "") -> Track:
        """Create an AiA-forløb with its five work packages."""
        name = name.strip()
        if not name:
            raise ValidationError("a forløb needs a name")
        prefix = (prefix or default_prefix(name)).upper()
        if not _PREFIX_RE.match(prefix):
            raise ValidationError(
                f"the prefix {prefix!r} must be 2–8 capital letters or digits, starting with a letter (e.g. SWU)"
            )
        with write(self.engine) as conn:
            if db.track_name_or_prefix_taken(conn, name, prefix):
                raise ConflictError(
                    f"a forløb called {name!r} or with the prefix {prefix} exists already; choose another "
                    "name or --prefix"
                )
            return db.insert_track(conn, name, prefix, description)

    def tracks(self) -> list[Track]:
        with read(self.engine) as conn:
            return db.list_tracks(conn)

    def track(self, ref: str | int) -> Track:
        with read(self.engine) as conn:
            found = db.find_tracks(conn, str(ref))
        if not found:
            raise NotFoundError(f"there is no forløb {ref!r}; 'aia track list' shows them")
        return found[0]

    def work_packages(self, track: str | int | None = None) -> list[WorkPackage]:
        track_id = self.track(track).id if track is not None else None
        with read(self.engine) as conn:
            return db.list_work_packages(conn, track_id)

    def work_package(self, track: str | int, number: int) -> WorkPackage:
        t = self.track(track)
        if number not in range(1, 6):
            raise ValidationError(f"work package {number} does not exist; AiA has WP1 to WP5")
        with read(self.engine) as conn:
            wp = db.find_work_package(conn, t.id, number)
        if wp is None:  # pragma: no cover - every track has all five
            raise NotFoundError(f"forløb {t.name} has no WP{number}")
        return wp

    # -- activities -----------------------------------------------------------------------------
    def add_activity(
        self,
        track: str | int,
        wp: int,
        kind: str,
        title: str,
        date: str | None = None,
        place: str | None = None,
        researchers: Sequence[str] = (),
        notes: str = "",
        participants: Sequence[str] = (),
    ) -> Activity:
        kinds = [k.value for k in ActivityKind]
        if kind not in kinds:
            raise ValidationError(f"activity kind {kind!r} is unknown; use one of: {', '.join(kinds)}")
        if not title.strip():
            raise ValidationError("an activity needs a title")
        work_package = self.work_package(track, wp)
        people = [self.participant(p).id for p in participants]
        values: dict[str, Any] = {
            "wp_id": work_package.id,
            "kind": kind,
            "title": title.strip(),
            "date": check_date(date, "date"),
            "place": place,
            "researchers": list(researchers),
            "notes": notes,
        }
        with write(self.engine) as conn:
            return db.insert_activity(conn, values, people)

    def activity(self, activity_id: int) -> Activity:
        with read(self.engine) as conn:
            return db.get_activity(conn, activity_id)

    def activities(self, track: str | int | None = None, wp: int | None = None) -> list[tuple[Activity, WorkPackage]]:
        track_id = self.track(track).id if track is not None else None
        with read(self.engine) as conn:
            return db.list_activities(conn, track_id, wp)

    # -- organisations and participants --------------------------------------------------------
    def add_organisation(
        self, name: str, sector: str | None = None, size: str | None = None, attributes: dict[str, Any] | None = None
    ) -> Organisation:
        if not name.strip():
            raise ValidationError("an organisation needs a name")
        with write(self.engine) as conn:
            return db.insert_organisation(conn, name.strip(), sector, size, attributes or {})

    def organisation(self, ref: str | int) -> Organisation:
        with read(self.engine) as conn:
            found = db.find_organisations(conn, str(ref))
        if not found:
            raise NotFoundError(f"there is no organisation {ref!r}; 'aia organisation list' shows them")
        return found[0]

    def organisations(self) -> list[Organisation]:
        with read(self.engine) as conn:
            return db.list_organisations(conn)

    def add_participant(
        self,
        track: str | int,
        role: str | None = None,
        job_function: str | None = None,
        organisation: str | int | None = None,
        attributes: dict[str, Any] | None = None,
    ) -> Participant:
        """Register a participant; the pseudonym (``SWU-P03``) is generated per forløb."""
        t = self.track(track)
        org_id = self.organisation(organisation).id if organisation is not None else None
        with write(self.engine) as conn:
            pseudonym = db.next_pseudonym(conn, t)
            return db.insert_participant(
                conn,
                {
                    "track_id": t.id,
                    "pseudonym": pseudonym,
                    "role": role,
                    "job_function": job_function,
                    "organisation_id": org_id,
                    "attributes": attributes or {},
                },
            )

    def participant(self, ref: str | int) -> Participant:
        with read(self.engine) as conn:
            found = db.find_participants(conn, str(ref))
        if not found:
            raise NotFoundError(f"there is no participant {ref!r}; 'aia participant list' shows them")
        return found[0]

    def participants(self, track: str | int | None = None) -> list[Participant]:
        track_id = self.track(track).id if track is not None else None
        with read(self.engine) as conn:
            return db.list_participants(conn, track_id)
