"""WP2 critical incidents (Flanagan 1954; Chell 1998): records made from spans of interviews, categories that emerge
from them, independent classification by several researchers, agreement, and resolving disagreements.

An incident links one or more spans of sources (an interview, or a netnography thread), each optionally a coding;
it holds the situation/antecedents, what the person did, the outcome, helpful/hindering, the AI tools involved, the
competence at stake, who reported it (a participant) and who recorded it. Every classifier gives an incident at most
one category; merges and splits of categories keep their history (``incident_category_events``).
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aia.analysis.agreement import (
    PairStats,
    krippendorff_alpha_nominal,
    mean_pairwise_percent,
    pair_stats,
)
from aia.analysis.xlsx import FORMULA_START, Sheet, write_atomically, xlsx_bytes
from aia.errors import ConflictError, NotFoundError, ValidationError
from aia.services.memos import MemoService
from aia.store import codebook as codebook_db
from aia.store import incidents as db
from aia.store import sources as sources_db
from aia.store.database import read, write
from aia.store.incidents import VALENCES, Category, Classification, Incident, Resolution

#: what an export or report of incidents is called in the export register (issue 6), by format
EXPORT_KINDS = {"csv": "incidents-csv", "xlsx": "incidents-xlsx", "md": "incidents-report", "html": "incidents-report"}
DOWNLOAD_NAMES = {"csv": "hændelser.csv", "xlsx": "hændelser.xlsx", "md": "kategorier.md", "html": "kategorier.html"}
EXPORT_COLUMNS = (
    "id",
    "title",
    "situation",
    "action",
    "outcome",
    "valence",
    "ai_tools",
    "competence",
    "reporter",
    "recorded_by",
    "tracks",
    "wps",
    "sources",
    "quotes",
    "resolved_category",
)


def neutralise(value: Any) -> str:
    """A CSV cell value that a spreadsheet shows as text, never runs as a formula: a leading apostrophe when it
    begins with ``= + - @``, tab or CR (OWASP's advice for CSV; the XLSX export marks such cells as text instead)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


@dataclass
class CategoryAgreement:
    category: str
    #: items (incidents classified by all compared classifiers) where the classifiers agree on this category or not
    items: int
    percent: float | None
    kappa: float | None
    alpha: float | None


@dataclass
class AgreementReport:
    classifiers: list[str]
    #: incidents classified by at least one of the classifiers / by all of them
    incidents: int
    complete: int
    percent: float | None
    kappa: float | None  # Cohen's kappa: only for exactly two classifiers
    alpha: float | None  # Krippendorff's alpha (nominal), missing values allowed
    per_category: list[CategoryAgreement] = field(default_factory=list)
    pairs: dict[str, PairStats] = field(default_factory=dict)


@dataclass
class Disagreement:
    incident_id: int
    title: str
    categories: dict[str, str | None]
    resolution: Resolution | None


class IncidentService(MemoService):
    # -- incidents ---------------------------------------------------------------------------------------------------
    def _span_rows(self, spans: Sequence[tuple[int, int, int]], codings: Sequence[int]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        with read(self.engine) as conn:
            for source_id, start, end in spans:
                length = sources_db.source_text_length(conn, source_id)
                if length is None:
                    raise NotFoundError(f"there is no source {source_id}; 'aia source list' shows them")
                if not 0 <= start < end <= length:
                    raise ValidationError(
                        f"the span {start}–{end} is not inside source {source_id} (0–{length}); give START < END"
                    )
                rows.append({"source_id": source_id, "start": start, "end": end, "coding_id": None})
            for coding_id in codings:
                coding = codebook_db.find_coding(conn, coding_id)
                if coding is None:
                    raise NotFoundError(f"there is no coding {coding_id}; 'aia coding list' shows them")
                rows.append(
                    {"source_id": coding.source_id, "start": coding.start, "end": coding.end, "coding_id": coding.id}
                )
        return rows

    def _check_fields(self, valence: str | None) -> None:
        if valence is not None and valence not in VALENCES:
            raise ValidationError(f"an incident is {' or '.join(VALENCES)}, not {valence!r}")

    def add_incident(
        self,
        title: str,
        spans: Sequence[tuple[int, int, int]] = (),
        codings: Sequence[int] = (),
        situation: str = "",
        action: str = "",
        outcome: str = "",
        valence: str | None = None,
        ai_tools: Sequence[str] = (),
        competence: str = "",
        reporter: str | None = None,
    ) -> Incident:
        """Record an incident from spans (source id, start, end) and/or codings of interviews or threads."""
        if not title.strip():
            raise ValidationError("an incident needs a title")
        if not spans and not codings:
            raise ValidationError("an incident needs at least one span (--span SOURCE:START:END) or coding (--coding)")
        self._check_fields(valence)
        rows = self._span_rows(spans, codings)
        reporter_id = self.participant(reporter).id if reporter else None
        values = {
            "title": title.strip(),
            "situation": situation,
            "action": action,
            "outcome": outcome,
            "valence": valence,
            "ai_tools": [t.strip() for t in ai_tools if t.strip()],
            "competence": competence,
            "reporter_id": reporter_id,
            "recorded_by": self.user,
        }
        with write(self.engine) as conn:
            incident_id = db.insert_incident(conn, values, rows)
        return self.incident(incident_id)

    def incident(self, incident_id: int) -> Incident:
        with read(self.engine) as conn:
            found = db.list_incidents(conn, [incident_id])
        if not found:
            raise NotFoundError(f"there is no incident {incident_id}; 'aia incident list' shows them")
        return found[0]

    def incidents(
        self,
        track: str | int | None = None,
        wp: int | None = None,
        source: int | None = None,
        valence: str | None = None,
        reporter: str | None = None,
        category: str | int | None = None,
        tool: str | None = None,
    ) -> list[Incident]:
        """Incidents across interviews, forløb and WPs, filtered; ``category`` matches any classifier's or the
        resolved category, ``tool`` an AI tool (case-insensitive)."""
        self._check_fields(valence)
        track_id = self.track(track).id if track is not None else None
        reporter_id = self.participant(reporter).id if reporter else None
        category_id = self.incident_category(category).id if category is not None else None
        with read(self.engine) as conn:
            found = db.list_incidents(conn, None, track_id, wp, source, valence, reporter_id)
            if category_id is not None:
                ids = {c.incident_id for c in db.list_classifications(conn) if c.category_id == category_id}
                ids |= {i for i, r in db.list_resolutions(conn).items() if r.category_id == category_id}
                found = [i for i in found if i.id in ids]
        if tool:
            found = [i for i in found if any(t.lower() == tool.strip().lower() for t in i.ai_tools)]
        return found

    def update_incident(self, incident_id: int, **values: Any) -> Incident:
        """Change fields of an incident: a value of None leaves the field as it is; an empty value clears it
        (``valence=""`` and ``reporter=""`` clear those too; the title cannot be empty)."""
        allowed = {"title", "situation", "action", "outcome", "valence", "ai_tools", "competence", "reporter"}
        unknown = set(values) - allowed
        if unknown:
            raise ValidationError(f"an incident has no field {sorted(unknown)[0]!r}")
        self.incident(incident_id)
        changes = {k: v for k, v in values.items() if v is not None}
        if "title" in changes:
            if not str(changes["title"]).strip():
                raise ValidationError(f"incident {incident_id} needs a title; give a non-empty title")
            changes["title"] = str(changes["title"]).strip()
        if changes.get("valence") == "":
            changes["valence"] = None
        self._check_fields(changes.get("valence"))
        if "reporter" in changes:
            reporter = str(changes.pop("reporter")).strip()
            changes["reporter_id"] = self.participant(reporter).id if reporter else None
        if "ai_tools" in changes:
            changes["ai_tools"] = [str(t).strip() for t in changes["ai_tools"] if str(t).strip()]
        if changes:
            with write(self.engine) as conn:
                db.update_incident(conn, incident_id, changes)
        return self.incident(incident_id)

    def add_incident_span(
        self, incident_id: int, span: tuple[int, int, int] | None = None, coding: int | None = None
    ) -> Incident:
        self.incident(incident_id)
        rows = self._span_rows([span] if span else [], [coding] if coding is not None else [])
        if not rows:
            raise ValidationError("give a span or a coding to link")
        with write(self.engine) as conn:
            db.insert_spans(conn, incident_id, rows)
        return self.incident(incident_id)

    def delete_incident(self, incident_id: int) -> None:
        self.incident(incident_id)
        with write(self.engine) as conn:
            db.delete_incident(conn, incident_id)

    # -- categories --------------------------------------------------------------------------------------------------
    def incident_category(self, ref: str | int) -> Category:
        with read(self.engine) as conn:
            found = db.find_categories(conn, str(ref))
        if not found:
            raise NotFoundError(f"there is no active incident category {ref!r}; 'aia incident categories' shows them")
        return found[0]

    def incident_categories(self, include_merged: bool = False) -> list[Category]:
        with read(self.engine) as conn:
            return db.list_categories(conn, include_merged)

    def category_history(self) -> list[dict[str, Any]]:
        with read(self.engine) as conn:
            return db.list_category_events(conn)

    def add_incident_category(self, name: str, description: str = "", rationale: str | None = None) -> Category:
        if not name.strip():
            raise ValidationError("a category needs a name")
        with write(self.engine) as conn:
            same = db.find_categories(conn, name)
            if same:
                raise ConflictError(f"there is an incident category {same[0].name!r} already; choose another name")
            category = db.insert_category(conn, name.strip(), description, self.user)
            db.insert_category_event(conn, self.user, "create", category, {"description": description}, rationale)
            return category

    def rename_incident_category(self, ref: str | int, new_name: str, rationale: str | None = None) -> Category:
        category = self.incident_category(ref)
        with write(self.engine) as conn:
            other = db.find_categories(conn, new_name)
            if other and other[0].id != category.id:
                raise ConflictError(f"there is an incident category {new_name.strip()!r} already")
            db.update_category(conn, category.id, {"name": new_name.strip()})
            db.insert_category_event(conn, self.user, "rename", category, {"new_name": new_name.strip()}, rationale)
            return db.get_category(conn, category.id)

    def merge_incident_categories(self, source: str | int, target: str | int, rationale: str | None = None) -> Category:
        """Merge ``source`` into ``target``: its classifications move; ``source`` stays in the history as merged."""
        src, dst = self.incident_category(source), self.incident_category(target)
        if src.id == dst.id:
            raise ValidationError("a category cannot be merged into itself")
        with write(self.engine) as conn:
            moved = db.move_classifications(conn, src.id, dst.id)
            db.update_category(conn, src.id, {"status": "merged", "merged_into": dst.id})
            db.insert_category_event(
                conn,
                self.user,
                "merge",
                src,
                {"into": dst.name, "into_id": dst.id, "classifications": moved},
                rationale,
            )
            return db.get_category(conn, dst.id)

    def split_incident_category(
        self, ref: str | int, new_name: str, incident_ids: Sequence[int], rationale: str | None = None
    ) -> Category:
        """Split a category: a new category takes over the classifications of ``incident_ids`` (all classifiers)."""
        category = self.incident_category(ref)
        if not incident_ids:
            raise ValidationError("name the incidents that go to the new category")
        for incident_id in incident_ids:
            self.incident(incident_id)
        with write(self.engine) as conn:
            if db.find_categories(conn, new_name):
                raise ConflictError(f"there is an incident category {new_name.strip()!r} already")
            new = db.insert_category(conn, new_name.strip(), "", self.user)
            moved = db.move_classifications(conn, category.id, new.id, incident_ids)
            details = {"into": new.name, "into_id": new.id, "incidents": list(incident_ids), "classifications": moved}
            db.insert_category_event(conn, self.user, "split", category, details, rationale)
            return new

    # -- classification ----------------------------------------------------------------------------------------------
    def classify_incident(self, incident_id: int, category: str | int, classifier: str | None = None) -> Classification:
        """Put an incident in a category, for one classifier (default: the current user); again replaces it."""
        self.incident(incident_id)
        cat = self.incident_category(category)
        who = (classifier or self.user).strip()
        if not who:
            raise ValidationError("a classification needs a classifier")
        with write(self.engine) as conn:
            db.set_classification(conn, incident_id, who, cat.id)
        return Classification(incident_id, who, cat.id, cat.name)

    def unclassify_incident(self, incident_id: int, classifier: str | None = None) -> None:
        with write(self.engine) as conn:
            if not db.delete_classification(conn, incident_id, classifier or self.user):
                raise NotFoundError(f"incident {incident_id} has no classification by {classifier or self.user!r}")

    def incident_classifications(
        self, incident_id: int | None = None, classifier: str | None = None
    ) -> list[Classification]:
        """Classifications, of one incident and/or one classifier (to classify blind to the others)."""
        with read(self.engine) as conn:
            found = db.list_classifications(conn, [incident_id] if incident_id is not None else None)
        return [c for c in found if classifier is None or c.classifier == classifier]

    def _matrix(self, classifiers: Sequence[str] | None) -> tuple[list[str], list[int], list[list[str | None]]]:
        with read(self.engine) as conn:
            rows = db.list_classifications(conn)
        who = list(classifiers) if classifiers else sorted({c.classifier for c in rows})
        if len(who) < 2:
            raise ValidationError("agreement needs at least two classifiers; classify with --classifier NAME")
        known = {c.classifier for c in rows}
        missing = [w for w in who if w not in known]
        if missing:
            raise NotFoundError(f"{missing[0]!r} has classified no incident")
        by: dict[tuple[int, str], str] = {(c.incident_id, c.classifier): c.category for c in rows}
        items = sorted({c.incident_id for c in rows if c.classifier in who})
        return who, items, [[by.get((i, w)) for i in items] for w in who]

    def incident_agreement(self, classifiers: Sequence[str] | None = None) -> AgreementReport:
        """Percent agreement, Cohen's kappa (two classifiers) and Krippendorff's alpha, overall and per category."""
        who, items, data = self._matrix(classifiers)
        complete = sum(1 for u in range(len(items)) if all(row[u] is not None for row in data))
        pairs = {
            f"{who[i]} / {who[j]}": pair_stats(data[i], data[j])
            for i in range(len(who))
            for j in range(i + 1, len(who))
        }
        report = AgreementReport(
            who,
            len(items),
            complete,
            mean_pairwise_percent(data),
            pair_stats(data[0], data[1]).kappa if len(who) == 2 else None,
            krippendorff_alpha_nominal(data),
            pairs=pairs,
        )
        categories = sorted({v for row in data for v in row if v is not None})
        for cat in categories:
            binary = [[None if v is None else v == cat for v in row] for row in data]
            both = [u for u in range(len(items)) if all(row[u] is not None for row in binary)]
            if len(who) == 2:
                stats = pair_stats(binary[0], binary[1])
                percent, kappa = stats.percent, stats.kappa
            else:
                percent, kappa = mean_pairwise_percent(binary), None
            report.per_category.append(
                CategoryAgreement(cat, len(both), percent, kappa, krippendorff_alpha_nominal(binary))
            )
        return report

    def incident_disagreements(
        self, classifiers: Sequence[str] | None = None, unresolved: bool = False
    ) -> list[Disagreement]:
        """Incidents the classifiers put in different categories (or that some did not classify), to resolve."""
        who, items, data = self._matrix(classifiers)
        with read(self.engine) as conn:
            resolutions = db.list_resolutions(conn)
            titles = {i.id: i.title for i in db.list_incidents(conn, items)}
        out = []
        for u, incident_id in enumerate(items):
            values = [row[u] for row in data]
            if len(set(values)) > 1:
                resolution = resolutions.get(incident_id)
                if unresolved and resolution is not None:
                    continue
                out.append(
                    Disagreement(incident_id, titles[incident_id], dict(zip(who, values, strict=True)), resolution)
                )
        return out

    def resolve_incident(self, incident_id: int, category: str | int, note: str = "") -> Resolution:
        """Store the agreed category of an incident (after discussing a disagreement)."""
        self.incident(incident_id)
        cat = self.incident_category(category)
        with write(self.engine) as conn:
            db.set_resolution(conn, incident_id, cat.id, self.user, note)
            return db.list_resolutions(conn)[incident_id]

    # -- exports -----------------------------------------------------------------------------------------------------
    def _export_rows(self) -> tuple[list[str], list[list[str]]]:
        found = self.incidents()
        with read(self.engine) as conn:
            classifications = db.list_classifications(conn)
            resolutions = db.list_resolutions(conn)
        classifiers = sorted({c.classifier for c in classifications})
        by = {(c.incident_id, c.classifier): c.category for c in classifications}
        header = [*EXPORT_COLUMNS, *(f"category: {w}" for w in classifiers)]
        rows = []
        for i in found:
            res = resolutions.get(i.id)
            rows.append(
                [
                    str(i.id),
                    i.title,
                    i.situation,
                    i.action,
                    i.outcome,
                    i.valence or "",
                    "; ".join(i.ai_tools),
                    i.competence,
                    i.reporter or "",
                    i.recorded_by,
                    "; ".join(sorted({s.track for s in i.spans})),
                    "; ".join(sorted({f"WP{s.wp}" for s in i.spans})),
                    "; ".join(f"{s.source_id}:{s.start}-{s.end}" for s in i.spans),
                    " … ".join(s.text for s in i.spans),
                    res.category if res else "",
                    *(by.get((i.id, w), "") for w in classifiers),
                ]
            )
        return header, rows

    def _csv_text(self) -> tuple[str, int]:
        header, rows = self._export_rows()
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([neutralise(h) for h in header])
        for row in rows:
            writer.writerow([neutralise(v) for v in row])
        return "\ufeff" + out.getvalue(), len(rows)

    def _xlsx_data(self) -> tuple[bytes, int]:
        header, rows = self._export_rows()
        with read(self.engine) as conn:
            classifications = db.list_classifications(conn)
        sheets: list[Sheet] = [
            ("Hændelser", header, rows),
            (
                "Klassifikationer",
                ["incident", "classifier", "category"],
                [[str(c.incident_id), c.classifier, c.category] for c in classifications],
            ),
        ]
        return xlsx_bytes(sheets), len(rows)

    def export_incidents_csv(self, path: str | Path | None = None) -> str:
        """Incidents with their classifications as CSV (UTF-8 with BOM, for spreadsheets); formula cells are
        neutralised. Written to ``path`` (temp file + rename) and registered as an export when given; the text is
        returned."""
        text, count = self._csv_text()
        if path is not None:
            target = write_atomically(path, text.encode("utf-8"))
            self.register_export(EXPORT_KINDS["csv"], target.resolve(), {"incidents": count})
        return text

    def export_incidents_xlsx(self, path: str | Path) -> None:
        """Incidents with their classifications (sheet "Hændelser") and the classifications one per row (sheet
        "Klassifikationer") as XLSX; text cells only, formula starts marked as text (see :mod:`aia.analysis.xlsx`)."""
        data, count = self._xlsx_data()
        target = write_atomically(path, data)
        self.register_export(EXPORT_KINDS["xlsx"], target.resolve(), {"incidents": count})

    def export_incidents(self, path: str | Path) -> str:
        """Export to ``path`` as CSV or XLSX, by its extension; returns the format written."""
        suffix = Path(path).suffix.lower()
        if suffix == ".xlsx":
            self.export_incidents_xlsx(path)
            return "xlsx"
        if suffix == ".csv":
            self.export_incidents_csv(path)
            return "csv"
        raise ValidationError(f"cannot export incidents to {Path(path).name!r}; name the file .csv or .xlsx")

    def write_incident_report(self, path: str | Path, fmt: str = "markdown") -> None:
        """Write the per-category report (it quotes the interviews) to ``path`` and register it as an export."""
        text = self.incident_category_report(fmt)
        target = write_atomically(path, text.encode("utf-8"))
        self.register_export(EXPORT_KINDS["md"], target.resolve(), {"format": fmt, "incidents": len(self.incidents())})

    def download_incidents(self, fmt: str) -> tuple[bytes, str]:
        """An export (``csv``, ``xlsx``) or the report (``md``, ``html``) for a web download: (content, file name).
        Every download is a data release and goes into the export register under ``download:<file name>``,
        whoever asks (readers included)."""
        if fmt == "csv":
            text, count = self._csv_text()
            data = text.encode("utf-8")
        elif fmt == "xlsx":
            data, count = self._xlsx_data()
        elif fmt in ("md", "html"):
            data = self.incident_category_report("markdown" if fmt == "md" else "html").encode("utf-8")
            count = len(self.incidents())
        else:
            raise ValidationError(f"there is no export format {fmt!r}; use csv, xlsx, md or html")
        name = DOWNLOAD_NAMES[fmt]
        self.register_export(EXPORT_KINDS[fmt], f"download:{name}", {"format": fmt, "incidents": count})
        return data, name

    def incident_category_report(self, fmt: str = "markdown") -> str:
        """Per category (resolved category, else the classifiers' when they agree): count, helpful/hindering,
        forløb, and up to three example quotes; ``fmt`` is ``markdown`` or ``html`` (a whole, escaped page)."""
        if fmt not in ("markdown", "html"):
            raise ValidationError(f"the report format is markdown or html, not {fmt!r}")
        found = self.incidents()
        with read(self.engine) as conn:
            classifications = db.list_classifications(conn)
            resolutions = db.list_resolutions(conn)
        agreed: dict[int, str] = {}
        for i in found:
            mine = {c.category for c in classifications if c.incident_id == i.id}
            if i.id in resolutions:
                agreed[i.id] = resolutions[i.id].category
            elif len(mine) == 1:
                agreed[i.id] = next(iter(mine))
        groups = []
        for name in sorted(set(agreed.values())):
            members = [i for i in found if agreed.get(i.id) == name]
            quotes = [
                (" ".join((i.spans[0].text if i.spans else i.situation).split())[:300], i.id, i.title)
                for i in members[:3]
            ]
            groups.append(
                (
                    name,
                    len(members),
                    sum(1 for i in members if i.valence == "helpful"),
                    sum(1 for i in members if i.valence == "hindering"),
                    ", ".join(sorted({s.track for i in members for s in i.spans})) or "—",
                    quotes,
                )
            )
        unplaced = [i.id for i in found if i.id not in agreed]
        title = "Kritiske hændelser pr. kategori"
        if fmt == "html":
            e = html.escape
            parts = [
                f'<!DOCTYPE html>\n<html lang="da"><head><meta charset="utf-8"><title>{e(title)}</title></head><body>'
            ]
            parts.append(f"<h1>{e(title)}</h1>")
            for name, count, helpful, hindering, where, quotes in groups:
                parts.append(
                    f"<h2>{e(name)}</h2><ul><li>Hændelser: {count} (fremmende: {helpful}, hæmmende: {hindering})</li>"
                )
                parts.append(f"<li>Forløb: {e(where)}</li></ul>")
                for quote, incident_id, incident_title in quotes:
                    parts.append(
                        f"<blockquote>{e(quote)} "
                        f"<cite>(hændelse {incident_id}: {e(incident_title)})</cite></blockquote>"
                    )
            if unplaced:
                parts.append(f"<p>Uden enig kategori: {len(unplaced)} hændelser ({', '.join(map(str, unplaced))}).</p>")
            parts.append("</body></html>")
            return "\n".join(parts)
        lines = [f"# {title}", ""]
        for name, count, helpful, hindering, where, quotes in groups:
            lines += [f"## {name}", "", f"- Hændelser: {count} (fremmende: {helpful}, hæmmende: {hindering})"]
            lines += [f"- Forløb: {where}", ""]
            for quote, incident_id, incident_title in quotes:
                lines += [f"> {quote} (hændelse {incident_id}: {incident_title})", ""]
        if unplaced:
            lines += [f"Uden enig kategori: {len(unplaced)} hændelser ({', '.join(map(str, unplaced))}).", ""]
        return "\n".join(lines)
