"""Services of adverse events: every change to an adverse event goes through here.

An adverse event is its own record (`models.AdverseEvent`), named ``AE-NNN`` within its
subject, recorded at a visit or between visits, and changed by saving a new version of its
whole document (`protocol.crfs.AdverseEvent`). Like `services.py`, each function checks the
user's permission at the subject's site, refuses what the protocol or data entry forbids with
a message for the user (`RuleError`, `ConflictError`, `NotAllowedError`), writes the audit
trail and keeps the version (`versions.store_version`) in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from pydantic import ValidationError

from lupustrial.edc.accounts.roles import Can
from lupustrial.edc.audit import imports
from lupustrial.edc.audit.models import Action
from lupustrial.edc.audit.trail import record_changes
from lupustrial.edc.study.models import (
    AdverseEvent,
    Subject,
    Visit,
    VisitStatus,
)
from lupustrial.edc.study.services import (
    ConflictError,
    RuleError,
    User,
    _editable,
    _needs_reason,
    account,
    checked,
    clear_verification,
    mark_verified,
    require,
    require_version_opened,
)
from lupustrial.edc.study.versions import store_version
from lupustrial.protocol.crfs import AdverseEvent as AdverseEventForm
from lupustrial.protocol.crfs import reporting_gaps

AUDIT_FORM = "adverse_event"
"""The trail's form name of adverse events; each field is prefixed with the event's id."""
_LABEL = re.compile(r"AE-(\d{3,})")


def adverse_events(subject: Subject, *, people: bool = True) -> list[AdverseEvent]:
    """The subject's adverse events, in the order recorded (AE-001 first); ``people``: with
    who last changed and who verified each (the subject page shows neither, and joining the
    two user rows cost it about 0.5 ms of CPU per view, issue 19)."""
    related = ("visit", "updated_by", "verified_by") if people else ("visit",)
    return list(AdverseEvent.objects.filter(subject=subject).select_related(*related))


def find_adverse_event(subject: Subject, label: str) -> AdverseEvent | None:
    """The subject's event named ``label`` (AE-001), if there is one."""
    found = _LABEL.fullmatch(label.strip())
    if found is None:
        return None
    number = int(found.group(1))
    event = AdverseEvent.objects.filter(subject=subject, number=number).first()
    return event if event is not None and event.label == label.strip() else None


class IncompleteEventError(RuleError):
    """A new version of a serious event lacks what its reporting clock needs; names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _validated(data: Mapping[str, Any]) -> dict[str, Any]:
    """The document as its model holds it. A new version of a serious event must say when the
    investigator became aware and which criteria it meets (`protocol.crfs.reporting_gaps`,
    Clinical Trials Act Regulations Art. 54); versions stored before these were asked still
    read."""
    try:
        model = AdverseEventForm.model_validate(dict(data))
    except ValidationError as error:
        raise RuleError(str(error)) from error
    for field, problem in reporting_gaps(model):
        raise IncompleteEventError(field, f"{field}: {_(problem)}")  # msgid: the protocol's text
    return model.model_dump(mode="json", exclude_none=True)


def _visit_of(subject: Subject, visit: Visit | None) -> Visit | None:
    """The visit the version is entered at, if any: one of the subject's, that took place."""
    if visit is None:
        return None
    if visit.subject_id != subject.pk:
        raise RuleError(_("Visit %(visit)s is not this subject's.") % {"visit": visit.code})
    if visit.status != VisitStatus.DONE:
        raise RuleError(_("Enter the visit date before its forms."))
    return visit


@transaction.atomic
def record_adverse_event(
    user: User, subject: Subject, data: Mapping[str, Any], visit: Visit | None = None
) -> AdverseEvent:
    """A new adverse event of an enrolled (or formerly enrolled) subject, at ``visit`` or
    between visits (None); its first version is kept."""
    require(user, Can.ENTER_DATA, subject)
    checked(data=data)
    subject = Subject.objects.select_for_update().select_related("site").get(pk=subject.pk)
    _editable(subject)
    if subject.subject_id is None:
        raise RuleError(_("Adverse events are recorded for enrolled subjects."))
    visit = _visit_of(subject, visit)
    validated = _validated(data)
    # The subject row is locked: two events recorded at once get two numbers.
    taken = AdverseEvent.objects.filter(subject=subject).aggregate(Max("number"))["number__max"]
    number = (taken or 0) + 1
    now = imports.now()
    event = AdverseEvent.objects.create(
        subject=subject,
        number=number,
        visit=visit,
        data=validated,
        version=1,
        recorded_at=now,
        updated_at=now,
        updated_by=account(user),
    )
    entries = record_changes(
        user,
        Action.CREATE,
        None,
        {event.label: validated},
        subject=subject,
        visit=visit.code if visit else "",
        form=AUDIT_FORM,
    )
    store_version(event, validated, user, "", entries, visit)
    return event


@transaction.atomic
def update_adverse_event(
    user: User,
    event: AdverseEvent,
    data: Mapping[str, Any],
    version: int,
    reason: str,
    visit: Visit | None = None,
) -> AdverseEvent:
    """A new version of the event (a later grade, an end date, the outcome...); the version
    the user opened must still be the latest, a reason is required, and the previous versions
    stay as they were."""
    require(user, Can.ENTER_DATA, event.subject)
    checked(data=data, reason=reason)
    subject = Subject.objects.select_for_update().get(pk=event.subject_id)
    _editable(subject)
    event = AdverseEvent.objects.select_for_update().select_related("updated_by").get(pk=event.pk)
    if event.version != version:
        raise ConflictError(
            _("%(who)s saved %(event)s since you opened it; nothing was overwritten. Reload.")
            % {"who": event.updated_by.get_username(), "event": event.label}
        )
    reason = _needs_reason(reason)
    visit = _visit_of(subject, visit)
    validated = _validated(data)
    if validated == event.data:
        raise RuleError(_("Nothing was changed: no new version was saved."))
    before = event.data
    event.data = validated
    event.version += 1
    event.updated_at = imports.now()
    event.updated_by = account(user)
    clear_verification(  # the new version is not the one verified (as `services.save_form`)
        user,
        event,
        "data changed after verification",
        subject=subject,
        visit=visit.code if visit else "",
        form=AUDIT_FORM,
        field=event.label,
    )
    event.save(
        update_fields=["data", "version", "updated_at", "updated_by", "verified_at", "verified_by"]
    )
    entries = record_changes(
        user,
        Action.UPDATE,
        {event.label: before},
        {event.label: validated},
        subject=subject,
        visit=visit.code if visit else "",
        form=AUDIT_FORM,
        reason=reason,
    )
    store_version(event, validated, user, reason, entries, visit)
    return event


@transaction.atomic
def verify_adverse_event(user: User, event: AdverseEvent, version: int) -> AdverseEvent:
    """Source-data verification of the event's version the monitor opened (ICH E6(R2) 5.18.4,
    2016), the same statement as `services.verify_form` makes of a form: the same permission
    (`Can.VERIFY`, the monitor's), the same trail entry (VERIFY, the version and the time;
    the field names the event), and a version saved since the page was opened is refused."""
    require(user, Can.VERIFY, event.subject)
    current = AdverseEvent.objects.select_for_update().select_related("subject").get(pk=event.pk)
    require_version_opened(version, current.version)
    mark_verified(user, current, subject=current.subject, form=AUDIT_FORM, field=current.label)
    return current
