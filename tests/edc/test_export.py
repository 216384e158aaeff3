"""The web application's database as a dataset snapshot, and the endpoints computed from it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lupustrial.cli import main
from lupustrial.edc.export import database_records

pytestmark = pytest.mark.usefixtures("demo")


def test_the_demo_database_exports_pseudonymised_records() -> None:
    records = database_records()
    assert {s.subject_id for s in records.subjects} == {"TKY-001", "OSK-001"}
    assert [s.screening_number for s in records.screenings if s.decision == "ineligible"] == [
        "S-002"
    ]
    assert "Hanako" not in records.model_dump_json()
    w12 = next(a for a in records.assessments if a.subject_id == "TKY-001" and a.visit == "W12")
    assert w12.pga == 0.5
    assert w12.body_weight_kg == 60
    assert len([i for i in records.infusions if i.subject_id == "TKY-001"]) == 4


def test_export_then_endpoints_from_the_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "snapshot"
    with pytest.raises(SystemExit) as exit_:
        main(["dataset", "export", "--source", "database", "--out", str(out)])
    assert exit_.value.code in (0, None)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["source"] == "database"
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_:
        main(["endpoints", str(out), "--format", "json"])
    assert exit_.value.code in (0, None)
    result = json.loads(capsys.readouterr().out)
    primary = result["primary"]["main"]
    assert primary["n"] == 2
    assert primary["responders"] == 1
