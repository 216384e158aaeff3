"""The monitoring log's trail entries replayed by `lupustrial import odm` (issue 20).

Each entry goes back through `monitoring.services` as its original actor, inside the import
context (`audit.imports`), so the service checks its rules (the monitor's role and sites, an
enrolled subject of the visit's site) and stamps the original time:

- ``create monitoring_visit`` (a study-level entry: a visit is about a site) → `log_visit`,
  with the subjects it reviewed;
- ``create monitoring_finding`` → `add_finding` on the visit the entry names. A finding raised
  as a query or a deviation was written by one call after the query's or the deviation's own
  entry: that entry and the finding are one `add_finding` (`raises_query`,
  `records_deviation`), so the query or deviation is raised once, as it was.

The file names a visit by its number in the source database; the replay keeps which visit
here is which, so a finding goes to its visit whatever number the visit gets here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

from lupustrial.edc.accounts.models import Site
from lupustrial.edc.monitoring import services as monitoring
from lupustrial.edc.monitoring.models import FindingAction, MonitoringFinding, MonitoringVisit
from lupustrial.edc.study.models import FormData, Subject

FORMS = (monitoring.VISIT_FORM, monitoring.FINDING_FORM)

Note = dict[str, Any]


class MonitoringReplayError(Exception):
    """The file's monitoring entries cannot be replayed as they are (the message says why)."""


def _finding_of(following: Note | None, action: str, actor: str) -> Note | None:
    if following is None or following.get("form") != monitoring.FINDING_FORM:
        return None
    new = following.get("new") or {}
    if following.get("action") != "create" or new.get("action") != action:
        return None
    return new if following.get("actor") == actor else None


def raises_query(query: Note, following: Note | None) -> bool:
    """Whether ``following`` is the finding that raised ``query`` (an opened query's entry)."""
    new = _finding_of(following, FindingAction.QUERY, query["actor"])
    return new is not None and new.get("query") == query["new"]["query"]


def records_deviation(create: Note, following: Note | None) -> bool:
    """Whether ``following`` is the finding that recorded ``create``'s deviation."""
    new = _finding_of(following, FindingAction.DEVIATION, create["actor"])
    return new is not None and new.get("deviation") == create["field"]


def _subject(label: str, note: Note) -> Subject:
    found = Subject.objects.filter(Q(subject_id=label) | Q(screening_number=label)).first()
    if found is None:
        raise MonitoringReplayError(f"audit entry {note['seq']}: no subject {label} here")
    return found


class Log:
    """The monitoring log as replayed so far: the file's visits to the visits logged here."""

    def __init__(self) -> None:
        self.visits: dict[str, MonitoringVisit] = {}

    def visit(self, user: Any, note: Note) -> None:
        """A visit logged (its site and day are the entry's field: "TKY:2026-12-01")."""
        if note["action"] != "create":
            raise MonitoringReplayError(f"audit entry {note['seq']}: not a visit logged")
        new = note["new"]
        code, _, day = str(note["field"]).partition(":")
        site = Site.objects.filter(code=code).first()
        if site is None:
            raise MonitoringReplayError(f"audit entry {note['seq']}: no site {code} here")
        visit = monitoring.log_visit(
            user,
            site,
            visited_on=dt.date.fromisoformat(day),
            kind=new["kind"],
            summary=new["summary"],
            follow_up=new.get("follow_up") or "",
            subjects=[_subject(str(label), note) for label in new.get("subjects") or []],
        )
        # By the source's number, and by site and day for entries from before they named it.
        self.visits[str(new.get("visit"))] = self.visits[str(note["field"])] = visit

    def finding(
        self,
        user: Any,
        subject: Subject | None,
        note: Note,
        *,
        form: FormData | None = None,
        deviation: Note | None = None,
    ) -> MonitoringFinding:
        """A finding of a visit: a note, or with the query's form or the deviation's entry."""
        new = note["new"]
        visit = self.visits.get(str(new.get("visit"))) or self.visits.get(str(note["field"]))
        if visit is None:
            raise MonitoringReplayError(
                f"audit entry {note['seq']}: a finding of a monitoring visit not logged"
            )
        recorded = (deviation or {}).get("new") or {}
        occurred = recorded.get("occurred_on")
        found = monitoring.add_finding(
            user,
            visit,
            text=new["text"],
            action=new["action"],
            subject=subject,
            form=form,
            category=recorded.get("category") or "",
            occurred_on=dt.date.fromisoformat(occurred) if occurred else None,
            serious=recorded.get("serious"),
        )
        if deviation is not None and (
            found.deviation is None or found.deviation.number != deviation["field"]
        ):
            made = found.deviation.number if found.deviation else "none"
            raise MonitoringReplayError(
                f"audit entry {deviation['seq']}: the finding's deviation was numbered {made} "
                f"here, {deviation['field']} in the file"
            )
        return found
