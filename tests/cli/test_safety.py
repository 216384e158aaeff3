"""`lupustrial safety due` and `safety rules` as a user runs them: deadlines, errors, help."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.commands import run

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EVENTS = str(EXAMPLES / "safety-events.json")


def test_due_lists_open_clocks_soonest_first_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "safety", "due", EVENTS, "--today", "2026-03-05", "-f", "json")
    assert code == 0, err
    document = json.loads(out)
    assert document["today"] == "2026-03-05"
    rows = [(r["event_id"], r["rule"], r["due"], r["days_left"]) for r in document["open"]]
    assert rows == [
        # anaphylaxis: unexpected, may lead to death; the board's 7-day report is in, PMDA's not
        ("AE-S03-1", "PMDA-7", "2026-02-27", -6),
        # pneumonia, "other, specify", unexpected serious: 15 days from 2 March
        ("AE-S01-1", "CRB-15-unexpected-serious", "2026-03-17", 12),
        ("AE-S01-1", "PMDA-15", "2026-03-17", 12),
    ]
    assert document["open"][0]["overdue"] is True
    # shingles made serious by its second version is expected: the periodic report only
    assert all(r["event_id"] != "AE-S02-1" for r in document["open"])


def test_due_text_marks_overdue_and_periodic_on_request(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "safety", "due", EVENTS, "--today", "2026-03-17", "--periodic")
    assert code == 0
    assert "2026-02-27  OVERDUE by 18 day(s)  PMDA-7" in out
    assert "2026-03-17  0 day(s) left  CRB-15-unexpected-serious" in out
    assert "periodic report  CRB-periodic-expected-serious" in out


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (
            {
                "id": "A",
                "subject_id": "S",
                "versions": [
                    {"aware_date": "2026-03-01", "term": {"verbatim": "x"}, "causality": "maybe"}
                ],
            },
            "A: versions.0.causality: 'maybe' is not on the scale",
        ),
        (
            {
                "id": "A",
                "subject_id": "S",
                "versions": [
                    {
                        "aware_date": "2026-03-01",
                        "term": {"verbatim": "x"},
                        "causality": "possible",
                        "seriousness": ["hospitalization"],
                    }
                ],
            },
            "versions.0.seriousness.0: Input should be",
        ),
        (
            {
                "id": "A",
                "subject_id": "S",
                "versions": [
                    {
                        "aware_date": "2026-03-01",
                        "term": {"verbatim": "x", "ctcae_code": 10021881},
                        "causality": "possible",
                    }
                ],
            },
            "versions.0.term: specified_code:",
        ),
        ({"id": "A", "subject_id": "S", "versions": []}, "versions: Tuple should have at least 1"),
    ],
)
def test_bad_events_are_refused_naming_the_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, record: dict[str, object], message: str
) -> None:
    path = tmp_path / "events.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    code, out, err = run(capsys, "safety", "due", str(path), "--today", "2026-03-05")
    assert code == 2
    assert out == ""
    assert message in err
    assert "Traceback" not in err


def test_a_bad_date_or_zone_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "safety", "due", EVENTS, "--today", "5 March")
    assert code == 2
    assert "--today: '5 March' is not a date" in err
    code, _, err = run(capsys, "safety", "due", EVENTS, "--time-zone", "Mars/Olympus")
    assert code == 2
    assert "--time-zone: unknown time zone 'Mars/Olympus'" in err


def test_rules_prints_the_table_with_sources_and_notes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "safety", "rules")
    assert code == 0
    assert "CRB-7: death, unexpected -> certified review board" in out
    assert "Art. 54" in out
    # the expected-serious rule is confirmed: periodic, and the note says where 30 days belong
    assert "CRB-periodic-expected-serious: serious, expected -> " in out
    assert "periodic report\n" in out
    assert "[NOT CONFIRMED]" not in out
    assert "para. 1 item iv (approved drugs within their label: 30 days)" in out
    assert "may_lead_to_disability" in out
    assert "NOT YET CONFIRMED" in out
    code, out, _ = run(capsys, "safety", "rules", "-f", "json")
    assert json.loads(out)["product_status"] == "unapproved_or_off_label"


def test_protocol_show_points_at_the_safety_rules(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "protocol", "show")
    assert code == 0
    assert "safety: seriousness, causality, expectedness, reporting table" in out


def test_due_says_which_facts_were_not_recorded(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    record = {
        "id": "AE-LEGACY",
        "subject_id": "S09",
        "versions": [
            {
                "aware_date": "2026-03-01",
                "onset": "2026-03-01",
                "term": {"verbatim": "pancreatitis", "ctcae_code": 10033645},
                "causality": "possible",
                "ctcae_grade": 4,
                "assumed_tier": "death",
                "assumed": ["aware_date", "seriousness_criteria"],
            }
        ],
    }
    path = tmp_path / "events.json"
    path.write_text(json.dumps([record]), encoding="utf-8")
    code, out, err = run(capsys, "safety", "due", str(path), "--today", "2026-03-05")
    assert code == 0, err
    assert "CRB-7" in out
    assert "aware date not recorded: the onset is day 0" in out
    assert "seriousness criteria not recorded" in out
    code, out, _ = run(capsys, "safety", "due", str(path), "--today", "2026-03-05", "-f", "json")
    assert json.loads(out)["open"][0]["assumed"] == ["aware_date", "seriousness_criteria"]
