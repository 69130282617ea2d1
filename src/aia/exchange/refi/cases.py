"""Participants and organisations from a REFI-QDA file's Cases (a part of the planner, :mod:`.planner`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aia.exchange.refi.parsed import ParsedProject
from aia.exchange.refi.plan import PSEUDONYM, Existing, NewOrganisation, NewParticipant, Plan


def _typed(kind: str, text: str) -> Any:
    try:
        if kind == "Boolean":
            return text.lower() in ("true", "1")
        if kind == "Integer":
            return int(text)
        if kind == "Float":
            value = float(text)
            return int(value) if value.is_integer() and "." not in text else value
    except ValueError:
        return text
    return text


class CasesMixin:
    """Plans the Cases: organisations first, then participants (matched by GUID or new, with a free pseudonym)."""

    parsed: ParsedProject
    existing: Existing
    plan: Plan
    placements_cache: tuple[dict[str, tuple[str, int]], dict[str, str]]
    pseudonym_of: dict[str, str]

    if TYPE_CHECKING:  # provided by the planner this mixin is part of

        def track(
            self, name: str, guid: str | None = None, description: str = "", prefix: str | None = None
        ) -> str: ...

        def fallback(self) -> tuple[str, int]: ...

    # -- cases ------------------------------------------------------------------------------------------------
    def cases(self) -> dict[str, list[str]]:
        """Participants and organisations from the Cases; returns source guid -> participant guids to link."""
        links: dict[str, list[str]] = {}
        taken = set(self.existing.pseudonyms)
        org_names = dict(self.existing.organisation_names)
        org_codes = set(self.existing.organisation_codes)
        orgs = [c for c in self.parsed.cases if c.description.startswith("aia organisation")]
        people = [c for c in self.parsed.cases if c not in orgs]
        foreign = 0
        for case in orgs:
            org_names.setdefault(case.name.lower(), case.guid)
            if case.guid in self.existing.organisations:
                self.plan.matched["organisations"] += 1
                continue
            values = {k: _typed(t, v) for k, (t, v) in case.values.items()}
            code = str(values.pop("organisation code", "") or "")
            n = len(org_codes) + 1
            while not code or code in org_codes:
                code, n = f"ORG-{n:02d}", n + 1
            org_codes.add(code)
            sector, size = values.pop("sector", None), values.pop("size", None)
            self.plan.organisations.append(
                NewOrganisation(
                    case.guid,
                    case.name[:300] or code,
                    code,
                    None if sector is None else str(sector),
                    None if size is None else str(size),
                    values,
                )
            )
        placement, _sets = self.placements_cache
        for case in people:
            if case.guid in self.existing.participants:
                self.plan.matched["participants"] += 1
                self.pseudonym_of[case.guid] = case.name
                for s in case.sources:
                    links.setdefault(s, []).append(case.guid)
                continue
            aia = case.description.startswith("aia participant")
            foreign += not aia
            values = {k: _typed(t, v) for k, (t, v) in case.values.items()}
            track_name = str(values.pop("forløb", "") or "") or (
                case.description.removeprefix("aia participant in forløb ") if aia else ""
            )
            if track_name and track_name != "?":
                track = self.track(track_name)
            else:
                track = next((placement[s][0] for s in case.sources if s in placement), None) or self.fallback()[0]
            prefix = self._prefix(track)
            m = PSEUDONYM.match(case.name)
            if aia and m and m.group(1) == prefix and case.name.upper() not in taken:
                pseudonym = case.name
            else:
                numbers = [
                    int(p.rsplit("-P", 1)[1])
                    for p in taken
                    if p.startswith(f"{prefix}-P") and p.rsplit("-P", 1)[1].isdigit()
                ]
                pseudonym = f"{prefix}-P{max(numbers, default=0) + 1:02d}"
                if not aia:
                    values["REFI-case"] = case.name
            taken.add(pseudonym.upper())
            org = values.pop("organisation", None)
            role, job = values.pop("role", None), values.pop("job function", None)
            self.plan.participants.append(
                NewParticipant(
                    case.guid,
                    track,
                    pseudonym,
                    None if role is None else str(role),
                    None if job is None else str(job),
                    org_names.get(str(org).lower()) if org else None,
                    values,
                )
            )
            self.pseudonym_of[case.guid] = pseudonym
            for s in case.sources:
                links.setdefault(s, []).append(case.guid)
        if foreign:
            self.plan.warnings.append(
                f"{foreign} Cases from another tool became participants with new pseudonyms (the case name is "
                "kept in the attribute 'REFI-case')"
            )
        return links

    def _prefix(self, track_guid: str) -> str:
        if track_guid in self.existing.tracks:
            return self.existing.tracks[track_guid][2]
        return next(t.prefix for t in self.plan.tracks if t.guid == track_guid)
