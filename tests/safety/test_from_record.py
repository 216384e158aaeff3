"""The one mapper from an adverse event's recorded versions (the eCRF document, plain data) to
what the safety clocks read (`EventVersion`, `SafetyEvent`), and the clocks it gives."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from lupustrial.protocol.config import DEFAULT_PROTOCOL
from lupustrial.protocol.crfs import AdverseEvent
from lupustrial.protocol.safety.seriousness import Seriousness, Tier
from lupustrial.safety.events import ActionTaken, AeOutcome, Assumed, open_clocks
from lupustrial.safety.from_record import event_version, safety_event

SAFETY = DEFAULT_PROTOCOL.safety
ONSET = dt.date(2026, 3, 1)


def version(**changes: Any) -> dict[str, Any]:
    """A version of an adverse event as the eCRF stores it (JSON)."""
    return {
        "term": "pneumonia",
        "ctcae_code": 10021881,  # Infections and infestations - Other, specify
        "specified_code": 10035664,  # PT Pneumonia: not in the reference safety information
        "onset": ONSET.isoformat(),
        "aware_date": "2026-03-02",
        "grade": 3,
        "serious": True,
        "seriousness_criteria": ["hospitalisation"],
        "related": "possible",
        "outcome": "recovering",
        "course": "Admitted on 2 March.",
        **changes,
    }


def mapped(**changes: Any) -> Any:
    return event_version(AdverseEvent.model_validate(version(**changes)))


def test_every_reporting_fact_of_a_version_is_carried() -> None:
    ev = mapped(end_date="2026-03-12", outcome="recovered", action_taken="drug interrupted")
    assert ev.aware_date == dt.date(2026, 3, 2)
    assert ev.term.verbatim == "pneumonia"
    assert (ev.term.ctcae_code, ev.term.specified_code) == (10021881, 10035664)
    assert ev.term.meddra_code == 10035664
    assert ev.seriousness == (Seriousness.HOSPITALISATION,)
    assert ev.causality == "possible"
    assert (ev.onset, ev.end_date) == (ONSET, dt.date(2026, 3, 12))
    assert ev.ctcae_grade == 3
    assert ev.outcome is AeOutcome.RECOVERED
    assert ev.action_taken is ActionTaken.INTERRUPTED
    assert ev.course == "Admitted on 2 March."
    assert ev.tier is Tier.SERIOUS
    assert ev.assumed == ()


def test_a_non_serious_version_without_aware_date_takes_the_onset_and_says_so() -> None:
    ev = mapped(serious=False, seriousness_criteria=[], aware_date=None, grade=2)
    assert ev.tier is Tier.NON_SERIOUS
    assert ev.aware_date == ONSET  # the earliest the investigator can have known: strictest
    assert ev.assumed == (Assumed.AWARE_DATE,)


@pytest.mark.parametrize(
    ("grade", "outcome", "tier"),
    [
        (3, "recovering", Tier.SERIOUS),
        # CTCAE v5.0 grade 4: "life-threatening consequences": the death tier (7 days)
        (4, "recovering", Tier.DEATH),
        (5, "fatal", Tier.DEATH),
    ],
)
def test_serious_without_criteria_assumes_the_tier_its_grade_implies(
    grade: int, outcome: str, tier: Tier
) -> None:
    ev = mapped(seriousness_criteria=[], grade=grade, outcome=outcome)
    assert ev.seriousness == ()
    assert ev.tier is tier
    assert Assumed.SERIOUSNESS_CRITERIA in ev.assumed


def test_free_text_maps_to_a_term_not_coded() -> None:
    ev = mapped(term="feeling odd", ctcae_code=None, specified_code=None)
    assert not ev.term.coded
    assert ev.term.meddra_code is None


def test_an_event_is_its_versions_in_recorded_order_with_its_identity() -> None:
    first = version(serious=False, seriousness_criteria=[], aware_date="2026-03-01", grade=2)
    second = version(aware_date="2026-03-05")
    event = safety_event("TKY-001/AE-001", "TKY-001", [first, second], submitted=("PMDA-15",))
    assert event.id == "TKY-001/AE-001"
    assert event.subject_id == "TKY-001"
    assert [v.aware_date for v in event.versions] == [dt.date(2026, 3, 1), dt.date(2026, 3, 5)]
    assert event.submitted == ("PMDA-15",)


def test_a_version_made_serious_starts_the_15_day_clock_from_when_that_was_known() -> None:
    first = version(serious=False, seriousness_criteria=[], aware_date="2026-03-01", grade=2)
    second = version(aware_date="2026-03-05")
    clocks = open_clocks([safety_event("E", "S", [first, second])], SAFETY)
    assert [(o.clock.rule.id, o.clock.day_zero, o.clock.due) for o in clocks] == [
        ("CRB-15-unexpected-serious", dt.date(2026, 3, 5), dt.date(2026, 3, 20)),
        ("PMDA-15", dt.date(2026, 3, 5), dt.date(2026, 3, 20)),
    ]


def test_a_later_version_may_correct_the_aware_date_to_an_earlier_day() -> None:
    # the investigator knew on 3 March, entered 5 March by mistake, corrected later
    wrong = version(aware_date="2026-03-05")
    corrected = version(aware_date="2026-03-03")
    (first, _pmda) = open_clocks([safety_event("E", "S", [wrong, corrected])], SAFETY)
    assert first.clock.day_zero == dt.date(2026, 3, 3)
    assert first.clock.due == dt.date(2026, 3, 18)


def test_a_version_that_is_no_longer_suspected_closes_the_clock() -> None:
    suspected = version()
    unrelated = version(related="unlikely", aware_date="2026-03-04")
    assert open_clocks([safety_event("E", "S", [suspected, unrelated])], SAFETY) == []


def test_an_event_with_no_versions_is_refused() -> None:
    with pytest.raises(ValueError, match="versions"):
        safety_event("E", "S", [])


def test_a_report_says_which_facts_were_not_recorded() -> None:
    from lupustrial.safety.report import ReportRequest, build_report

    legacy = version(aware_date=None, seriousness_criteria=[])
    event = safety_event("E", "S", [legacy])
    document = build_report(
        event,
        ReportRequest(event_id="E", rule_id="CRB-15-unexpected-serious", number="E/1"),
        SAFETY,
        study_title="t",
        registration="r",
        generated_at=dt.datetime(2026, 3, 3, tzinfo=dt.UTC),
    )
    assert document["event"]["assumed"] == ["aware_date", "seriousness_criteria"]
    assert document["report"]["day_zero"] == ONSET.isoformat()
    assert document["seriousness"]["criteria_recorded"] is False
    complete = build_report(
        safety_event("E", "S", [version()]),
        ReportRequest(event_id="E", rule_id="CRB-15-unexpected-serious", number="E/1"),
        SAFETY,
        study_title="t",
        registration="r",
        generated_at=dt.datetime(2026, 3, 3, tzinfo=dt.UTC),
    )
    assert complete["event"]["assumed"] == []
    assert complete["seriousness"]["criteria_recorded"] is True


def test_the_report_page_warns_of_facts_not_recorded(tmp_path: Any) -> None:
    from lupustrial.safety.report import ReportRequest, build_report, write_report

    document = build_report(
        safety_event("E", "S", [version(aware_date=None)]),
        ReportRequest(event_id="E", rule_id="CRB-15-unexpected-serious", number="E/1"),
        SAFETY,
        study_title="t",
        registration="r",
        generated_at=dt.datetime(2026, 3, 3, tzinfo=dt.UTC),
    )
    (_json, html) = write_report(document, tmp_path, pdf=False)
    page = html.read_text(encoding="utf-8")
    assert "aware date not recorded: the onset is day 0" in page
    assert "知った日の記録なし" in page


def test_a_report_kept_before_these_fields_existed_still_renders(tmp_path: Any) -> None:
    # reports are kept as generated and the PDF is rendered again at each download
    from lupustrial.safety.report import ReportRequest, build_report, write_report

    document = build_report(
        safety_event("E", "S", [version()]),
        ReportRequest(event_id="E", rule_id="CRB-15-unexpected-serious", number="E/1"),
        SAFETY,
        study_title="t",
        registration="r",
        generated_at=dt.datetime(2026, 3, 3, tzinfo=dt.UTC),
    )
    del document["event"]["assumed"]
    del document["seriousness"]["criteria_recorded"]
    (_json, html) = write_report(document, tmp_path, pdf=False)
    assert "not recorded: the onset" not in html.read_text(encoding="utf-8")


def test_no_action_recorded_stays_not_recorded() -> None:
    assert mapped().action_taken is None
