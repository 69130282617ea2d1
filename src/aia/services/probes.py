"""WP1: probes, probe sessions, the editable annotation taxonomy, turn annotations and the overview per probe.

A probe session is an activity of WP1 (kind ``probe_session``) linked to a probe: its participants are the
activity's, its interaction logs are the sources imported into the activity, and its reflection notes are memos on
the activity (or text sources in it). Turns of a log are annotated with a technique and/or an outcome from the
taxonomy (``annotation_terms``), which the project can extend, rename and prune.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aia.errors import ConflictError, NotFoundError, ValidationError
from aia.model import ActivityKind, Memo
from aia.services.memos import MemoService
from aia.services.sources import SourceMove
from aia.services.structure import check_date
from aia.store import probes as db
from aia.store import structure as structure_db
from aia.store.database import read, write
from aia.store.probes import DIMENSIONS, PROBE_KINDS, Probe, SessionRow, Term, TurnAnnotation


@dataclass(frozen=True)
class ProbeSession:
    activity_id: int
    probe: str
    title: str
    date: str | None
    participants: list[str]


@dataclass
class ProbeOverview:
    probe: Probe
    sessions: list[dict[str, Any]]
    #: annotated attempts per technique, and outcomes, over all the probe's sessions
    techniques: dict[str, int]
    outcomes: dict[str, int]
    #: technique -> outcome -> count, for annotations that name both
    technique_outcomes: dict[str, dict[str, int]]
    reflections: list[dict[str, Any]] = field(default_factory=list)


def _session(row: SessionRow) -> ProbeSession:
    return ProbeSession(row.activity_id, row.probe_name, row.title, row.date, row.participants)


class ProbeService(MemoService):
    # -- probes ------------------------------------------------------------------------------------------------------
    def add_probe(self, name: str, kind: str, instructions: str = "", setup: str = "") -> Probe:
        """A probe: a described scenario (kind: jailbreak challenge, provotype, code-review probe, other)."""
        if not name.strip():
            raise ValidationError("a probe needs a name")
        if kind not in PROBE_KINDS:
            raise ValidationError(f"probe kind {kind!r} is unknown; use one of: {', '.join(PROBE_KINDS)}")
        with write(self.engine) as conn:
            same = db.find_probe(conn, name)
            if same is not None:
                raise ConflictError(f"there is a probe called {same.name!r} already; choose another name")
            return db.insert_probe(
                conn,
                {
                    "name": name.strip(),
                    "kind": kind,
                    "instructions": instructions,
                    "setup": setup,
                    "created_by": self.user,
                },
            )

    def probe(self, ref: str | int) -> Probe:
        with read(self.engine) as conn:
            found = db.find_probe(conn, str(ref))
        if found is None:
            raise NotFoundError(f"there is no probe {ref!r}; 'aia probe list' shows them")
        return found

    def probes(self) -> list[Probe]:
        with read(self.engine) as conn:
            return db.list_probes(conn)

    def update_probe(
        self, ref: str | int, instructions: str | None = None, setup: str | None = None, kind: str | None = None
    ) -> Probe:
        probe = self.probe(ref)
        values: dict[str, Any] = {}
        if kind is not None:
            if kind not in PROBE_KINDS:
                raise ValidationError(f"probe kind {kind!r} is unknown; use one of: {', '.join(PROBE_KINDS)}")
            values["kind"] = kind
        if instructions is not None:
            values["instructions"] = instructions
        if setup is not None:
            values["setup"] = setup
        if not values:
            return probe
        with write(self.engine) as conn:
            return db.update_probe(conn, probe.id, values)

    # -- sessions ----------------------------------------------------------------------------------------------------
    def add_probe_session(
        self,
        probe: str | int,
        track: str | int | None = None,
        title: str | None = None,
        date: str | None = None,
        participants: Sequence[str] = (),
        researchers: Sequence[str] = (),
        notes: str = "",
        activity: int | None = None,
    ) -> ProbeSession:
        """A probe session: a new WP1 activity of ``track`` run with ``probe`` (or an existing WP1 ``activity``)."""
        p = self.probe(probe)
        people = [self.participant(x).id for x in participants]
        if activity is not None and (track is not None or title or date or researchers or notes):
            raise ValidationError(
                f"activity {activity} keeps its own forløb, title, date, researchers and notes; "
                "give only the probe, --activity and any --participant"
            )
        with write(self.engine) as conn:
            if activity is not None:
                act = structure_db.get_activity(conn, activity)
                wp = structure_db.get_work_package(conn, act.wp_id)
                if wp.number != 1:
                    raise ValidationError(f"activity {activity} belongs to WP{wp.number}; probe sessions are WP1")
                if db.session_probe(conn, activity) is not None:
                    raise ConflictError(f"activity {activity} is a probe session already")
                activity_id = act.id
                db.add_activity_participants(conn, activity_id, people)
            else:
                if track is None:
                    raise ValidationError("say which forløb the session belongs to (--track), or give --activity")
                work_package = self.work_package(track, 1)
                values: dict[str, Any] = {
                    "wp_id": work_package.id,
                    "kind": ActivityKind.PROBE_SESSION.value,
                    "title": (title or f"Probesession: {p.name}").strip(),
                    "date": check_date(date, "date"),
                    "place": None,
                    "researchers": list(researchers),
                    "notes": notes,
                }
                activity_id = structure_db.insert_activity(conn, values, people).id
            db.insert_session(conn, activity_id, p.id)
            row = next(r for r in db.list_sessions(conn, p.id) if r.activity_id == activity_id)
        return _session(row)

    def probe_sessions(self, probe: str | int | None = None) -> list[ProbeSession]:
        probe_id = self.probe(probe).id if probe is not None else None
        with read(self.engine) as conn:
            return [_session(r) for r in db.list_sessions(conn, probe_id)]

    def _session_activity(self, session: int) -> int:
        with read(self.engine) as conn:
            if db.session_probe(conn, session) is None:
                raise NotFoundError(f"activity {session} is not a probe session; 'aia session list' shows them")
        return session

    def attach_log(self, session: int, source_id: int, consent_override: str | None = None) -> SourceMove:
        """Attach an already-imported AI log (a source in some other activity or WP) to a probe session: the
        source moves into the session's activity with its codings and annotations (see :meth:`move_source`, which
        checks consent for WP1)."""
        self._session_activity(session)
        found = self.source(source_id, with_text=False)
        if found.importer not in db.AI_LOG_IMPORTERS:
            raise ValidationError(
                f"source {source_id} is not an AI-interaction log (it was imported as {found.importer}); "
                "a probe session takes ChatGPT, Claude, DevGPT or generic AI-log sources"
            )
        return self.move_source(source_id, session, consent_override)

    def attachable_logs(self, session: int) -> list[dict[str, Any]]:
        """AI-log sources that are not in the probe session ``session`` (to attach one)."""
        self._session_activity(session)
        with read(self.engine) as conn:
            return db.ai_log_sources(conn, session)

    def add_reflection(self, session: int, title: str, body: str) -> Memo:
        """A reflection note on a probe session (a memo on its activity)."""
        return self.add_memo(title, body, "activity", self._session_activity(session))

    # -- taxonomy ----------------------------------------------------------------------------------------------------
    def _dimension(self, dimension: str) -> str:
        if dimension not in DIMENSIONS:
            raise ValidationError(f"a taxonomy dimension is {' or '.join(DIMENSIONS)}, not {dimension!r}")
        return dimension

    def annotation_terms(self, dimension: str | None = None) -> list[Term]:
        with read(self.engine) as conn:
            return db.list_terms(conn, self._dimension(dimension) if dimension else None)

    def add_annotation_term(self, dimension: str, name: str, description: str = "") -> Term:
        self._dimension(dimension)
        if not name.strip():
            raise ValidationError(f"a {dimension} needs a name")
        with write(self.engine) as conn:
            if db.find_term(conn, dimension, name) is not None:
                raise ConflictError(f"the {dimension} {name.strip()!r} exists already")
            return db.insert_term(conn, dimension, name.strip(), description)

    def _term(self, conn: Any, dimension: str, name: str) -> Term:
        term = db.find_term(conn, self._dimension(dimension), name)
        if term is None:
            names = ", ".join(t.name for t in db.list_terms(conn, dimension))
            raise NotFoundError(f"there is no {dimension} {name!r}; the taxonomy has: {names}")
        return term

    def rename_annotation_term(self, dimension: str, name: str, new_name: str) -> Term:
        with write(self.engine) as conn:
            term = self._term(conn, dimension, name)
            other = db.find_term(conn, dimension, new_name)
            if other is not None and other.id != term.id:
                raise ConflictError(f"the {dimension} {new_name.strip()!r} exists already")
            db.update_term(conn, term.id, {"name": new_name.strip()})
            return self._term(conn, dimension, new_name)

    def remove_annotation_term(self, dimension: str, name: str) -> None:
        with write(self.engine) as conn:
            term = self._term(conn, dimension, name)
            used = db.term_in_use(conn, term.id)
            if used:
                raise ConflictError(f"the {dimension} {term.name!r} is used by {used} annotations; change those first")
            db.delete_term(conn, term.id)

    # -- turn annotations --------------------------------------------------------------------------------------------
    def annotate_turn(
        self,
        source_id: int,
        ordinal: int,
        technique: str | None = None,
        outcome: str | None = None,
        note: str = "",
    ) -> TurnAnnotation:
        """Annotate a turn (segment ``ordinal`` of an AI-log source) with a technique and/or an outcome; annotating
        the same turn again replaces the annotation."""
        if technique is None and outcome is None and not note:
            raise ValidationError("give a technique, an outcome or a note for the turn")
        segment = self.segment(source_id, ordinal)
        if segment.kind != "turn":
            raise ValidationError(f"segment {ordinal} of source {source_id} is a {segment.kind}, not a turn")
        with write(self.engine) as conn:
            values = {
                "source_id": source_id,
                "ordinal": ordinal,
                "technique_id": self._term(conn, "technique", technique).id if technique else None,
                "outcome_id": self._term(conn, "outcome", outcome).id if outcome else None,
                "note": note,
                "annotator": self.user,
            }
            annotation_id = db.upsert_annotation(conn, values)
            return next(a for a in db.list_annotations(conn, [source_id]) if a.id == annotation_id)

    def remove_turn_annotation(self, source_id: int, ordinal: int) -> None:
        with write(self.engine) as conn:
            if not db.delete_annotation(conn, source_id, ordinal):
                raise NotFoundError(f"turn {ordinal} of source {source_id} has no annotation")

    def turn_annotations(self, source_id: int | None = None, probe: str | int | None = None) -> list[TurnAnnotation]:
        source_ids: list[int] | None = [source_id] if source_id is not None else None
        with read(self.engine) as conn:
            if probe is not None:
                activity_ids = [s.activity_id for s in db.list_sessions(conn, self.probe(probe).id)]
                ids = [int(s["id"]) for s in db.session_sources(conn, activity_ids)]
                source_ids = ids if source_ids is None else [i for i in source_ids if i in ids]
            return db.list_annotations(conn, source_ids)

    def probe_overview(self, probe: str | int) -> ProbeOverview:
        """Sessions (participants, logs, reflections), attempts per technique and outcomes of one probe."""
        p = self.probe(probe)
        with read(self.engine) as conn:
            sessions = db.list_sessions(conn, p.id)
            activity_ids = [s.activity_id for s in sessions]
            logs = db.session_sources(conn, activity_ids)
            notes = db.session_memos(conn, activity_ids)
            annotations = db.list_annotations(conn, [int(s["id"]) for s in logs])
        techniques: Counter[str] = Counter(a.technique for a in annotations if a.technique)
        outcomes: Counter[str] = Counter(a.outcome for a in annotations if a.outcome)
        cross: dict[str, dict[str, int]] = {}
        for a in annotations:
            if a.technique and a.outcome:
                row = cross.setdefault(a.technique, {})
                row[a.outcome] = row.get(a.outcome, 0) + 1
        per_source = Counter(a.source_id for a in annotations)
        out_sessions = []
        for s in sessions:
            mine = [
                dict(src, annotations=per_source.get(int(src["id"]), 0))
                for src in logs
                if src["activity_id"] == s.activity_id
            ]
            out_sessions.append(
                {
                    "activity_id": s.activity_id,
                    "title": s.title,
                    "date": s.date,
                    "participants": s.participants,
                    "sources": mine,
                    "reflections": [n for n in notes if n["activity_id"] == s.activity_id],
                }
            )
        return ProbeOverview(
            p,
            out_sessions,
            dict(techniques.most_common()),
            dict(outcomes.most_common()),
            cross,
            notes,
        )
