"""Counts in words (issue 18: "1 event in 1 patient", "1 responder"), at 0, 1 and 2."""

from __future__ import annotations

import pytest

from lupustrial.analysis.wording import (
    counted,
    counted_ja,
    events_in_patients,
    events_in_patients_ja,
    responders_of,
    responders_of_ja,
)


@pytest.mark.parametrize(
    ("n", "english", "japanese"),
    [(0, "0 events", "0件"), (1, "1 event", "1件"), (2, "2 events", "2件")],
)
def test_a_count_takes_the_form_its_number_needs(n: int, english: str, japanese: str) -> None:
    assert counted(n, "event") == english
    assert counted_ja(n, "event") == japanese


@pytest.mark.parametrize(
    ("events", "patients", "english", "japanese"),
    [
        (0, 0, "0 events", "0件"),
        (1, 1, "1 event in 1 patient", "1名に1件"),
        (3, 1, "3 events in 1 patient", "1名に3件"),
        (3, 2, "3 events in 2 patients", "2名に3件"),
    ],
)
def test_events_in_patients(events: int, patients: int, english: str, japanese: str) -> None:
    assert events_in_patients(events, patients) == english
    assert events_in_patients_ja(events, patients) == japanese


def test_responders_of_the_evaluable() -> None:
    assert responders_of(1, 1) == "1 responder of 1 evaluable patient"
    assert responders_of(0, 2) == "0 responders of 2 evaluable patients"
    assert responders_of_ja(1, 1) == "評価可能な1名のうち奏効1名"


def test_an_unknown_noun_is_an_error() -> None:
    with pytest.raises(ValueError, match="no wording for 'dose'"):
        counted(1, "dose")
