"""A pre-screening candidate imported into the web application as a pre-filled screening."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.study.models import Subject
from tests.commands import exit_status

pytestmark = pytest.mark.usefixtures("people")


@pytest.fixture(scope="module")
def prescreened(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int]:
    root = tmp_path_factory.mktemp("prescreen")
    omop, results = root / "omop", root / "results"
    synthetic = ["prescreen", "synthetic", "--persons", "300", "--seed", "7", "--out", str(omop)]
    assert exit_status(synthetic) == 0
    run = ["prescreen", "run", "--omop", str(omop), "--as-of", "2026-11-25", "--out", str(results)]
    assert exit_status(run) == 0
    with (results / "candidates.csv").open() as handle:
        first = next(csv.DictReader(handle))
    return omop, results, int(first["person_id"])


def test_a_candidate_is_registered_with_what_the_records_state(
    prescreened: tuple[Path, Path, int], capsys: pytest.CaptureFixture[str]
) -> None:
    omop, results, person = prescreened
    code = exit_status(
        ["prescreen", "import", str(results), "--omop", str(omop), "--person", str(person),
        "--site", "TKY", "--screening-number", "S-500", "--name", "Test Patient",
        "--mrn", "M-500", "--as", "coordinator"]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    subject = Subject.objects.get(screening_number="S-500")
    screening = subject.screening
    assert screening is not None
    assert {"sex", "date_of_birth", "sle_diagnosis_date"} <= set(screening)
    # Absence of a record is not a finding: nothing the visit must establish is pre-filled.
    assert "active_tuberculosis" not in screening
    assert "prior_medications" not in screening
    assert AuditEntry.objects.filter(subject="S-500", actor="coordinator").exists()
    assert "SLE diagnosis" in capsys.readouterr().out


def test_an_unknown_person_is_a_message(
    prescreened: tuple[Path, Path, int], capsys: pytest.CaptureFixture[str]
) -> None:
    omop, results, _ = prescreened
    code = exit_status(
        ["prescreen", "import", str(results), "--omop", str(omop), "--person", "1",
        "--site", "TKY", "--screening-number", "S-501", "--name", "X", "--mrn", "M",
        "--as", "coordinator"]
    )  # fmt: skip
    assert code == 2
    assert "person 1 is not in" in capsys.readouterr().err
    assert not Subject.objects.filter(screening_number="S-501").exists()
