"""The demo study holds the situations it promises, the same way every time."""

from __future__ import annotations

from lupustrial.dataset.demo import demo_records
from lupustrial.dataset.records import SubjectStatus, VisitCode


def test_reproducible() -> None:
    assert demo_records() == demo_records()
    assert demo_records(seed=1) != demo_records()


def test_contents() -> None:
    records = demo_records()
    enrolled = [s for s in records.subjects if s.enrolment_date is not None]
    assert len(enrolled) == 10
    assert sum(s.decision == "ineligible" for s in records.screenings) == 4
    withdrawn = [s for s in records.subjects if s.status is SubjectStatus.WITHDRAWN]
    assert [s.subject_id for s in withdrawn] == ["S04"]
    assert not any(v.subject_id == "S04" and v.visit is VisitCode.W12 for v in records.visits)
    s09_w12 = next(
        a for a in records.assessments if a.subject_id == "S09" and a.visit is VisitCode.W12
    )
    assert s09_w12.disease_activity is not None
    assert s09_w12.disease_activity.pga is None
    drugs = {
        d.drug.value
        for a in records.assessments
        for d in (a.glucocorticoids.doses if a.glucocorticoids else None) or []
    }
    assert drugs == {"prednisolone", "methylprednisolone"}
    assert any(e.herpes_zoster for e in records.adverse_events)
    assert any(a.infusion and a.infusion.infusion_reaction for a in records.assessments)
