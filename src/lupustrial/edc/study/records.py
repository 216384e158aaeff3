"""The one mapper from the web application's stored forms to the study's records.

A visit's saved eCRFs become a `protocol.crfs.VisitForms` (every CRF, every field, typed,
as entered) and, with the subject and the visit's date, the dataset's visit record
(`dataset.records.Assessment`), for scheduled and unscheduled visits alike. The dataset
export (`edc.export`) and the pages' and API's derived scores (`services.derived`) both read
visits through here, and both score them with `protocol.crfs.score_visit` against the
visit `protocol.crfs.previous_assessment` chooses, so a page and the report cannot differ.
"""

from __future__ import annotations

from lupustrial.dataset import records as ds
from lupustrial.edc.study.by_version import ByVersion, forms_version
from lupustrial.edc.study.crfs import RETIRED_CRFS
from lupustrial.edc.study.models import Subject, Visit, VisitStatus
from lupustrial.protocol.crfs import VisitForms
from lupustrial.protocol.schedule import VISIT_BY_CODE

VALIDATED: ByVersion[VisitForms] = ByVersion(4096)
"""Each visit's validated forms, per form version (`by_version`)."""


def visit_forms(visit: Visit) -> VisitForms:
    """The visit's saved eCRFs, validated by their models (what `save_form` stored); validated
    once per version of its forms. The result is shared: read it, never change it. A retired
    form (`crfs.RETIRED_CRFS`: the adverse events form, whose events were carried over to
    their own records) is no longer a visit's form; a form declared not done, or one holding
    no value, is None here (`forms_not_done` names the former)."""
    return VALIDATED.get(
        (visit.pk, forms_version(visit)),
        lambda: VisitForms.model_validate(
            {
                form.crf: form.data
                for form in visit.forms.all()
                if form.crf not in RETIRED_CRFS and form.entered
            }
        ),
    )


def forms_not_done(visit: Visit) -> dict[str, str]:
    """The visit's forms declared not done, by CRF code, with their reasons."""
    return {
        form.crf: form.not_done_reason
        for form in visit.forms.all()
        if form.not_done and form.crf not in RETIRED_CRFS
    }


def visit_code(visit: Visit) -> ds.VisitCode:
    """The dataset's visit code: the scheduled visit's own, else 'unscheduled'."""
    if visit.scheduled and visit.code in VISIT_BY_CODE:
        return ds.VisitCode(visit.code)
    return ds.VisitCode.UNSCHEDULED


def visit_record(subject: Subject, visit: Visit, forms: VisitForms) -> ds.Assessment:
    """One done visit's record for the dataset: its forms, as entered."""
    assert visit.date is not None
    return ds.Assessment(
        subject_id=subject.label,
        visit=visit_code(visit),
        visit_id=visit.code,
        date=visit.date,
        forms_not_done=forms_not_done(visit),
        **{name: getattr(forms, name) for name in VisitForms.model_fields},
    )


def done_visits(subject: Subject) -> list[tuple[Visit, VisitForms]]:
    """The subject's visits that took place, with their forms, in date order."""
    visits = [
        (visit, visit_forms(visit))
        for visit in subject.visits.all()
        if visit.status == VisitStatus.DONE and visit.date is not None
    ]
    visits.sort(key=lambda pair: (pair[0].date, pair[0].code))
    return visits
