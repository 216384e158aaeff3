"""The web application's database as a dataset snapshot, and the endpoints computed from it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lupustrial.cli import main
from lupustrial.edc.export import database_records
from lupustrial.edc.study.models import Subject

pytestmark = pytest.mark.usefixtures("demo")


def test_the_demo_database_exports_pseudonymised_records() -> None:
    records = database_records()
    assert {s.subject_id for s in records.subjects} == {"TKY-001", "OSK-001"}
    assert [s.screening_number for s in records.screenings if s.decision == "ineligible"] == [
        "S-002"
    ]
    assert "Hanako" not in records.model_dump_json()
    w12 = next(a for a in records.assessments if a.subject_id == "TKY-001" and a.visit == "W12")
    assert w12.disease_activity is not None
    assert w12.disease_activity.pga == 0.5
    assert w12.vitals is not None
    assert w12.vitals.body_weight is not None
    assert (w12.vitals.body_weight.value, w12.vitals.body_weight.unit) == (60, "kg")
    infused = [a for a in records.assessments if a.subject_id == "TKY-001" and a.infusion]
    assert len(infused) == 4
    # Each subject's screening record, every value as saved (the REDCap export carries it).
    # Pseudonymised: the date of birth is its year, as for the subjects.
    saved = {
        s.label: ({k: v for k, v in s.screening.items() if k != "date_of_birth"},
                  int(s.screening["date_of_birth"][:4]))
        for s in Subject.objects.filter(subject_id__in=["TKY-001", "OSK-001"])
        if s.screening is not None
    }  # fmt: skip
    assert len(saved) == 2
    assert {f.subject_id: (f.record, f.birth_year) for f in records.screening_records} == saved


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
    # TKY-001 reached week 12 (responder); OSK-001's week 12 is not yet due (finding 6).
    assert (primary["responders"], primary["n"], primary["population_n"]) == (1, 1, 2)
    assert primary["ongoing"] == ["OSK-001"]
    assert result["primary"]["status"] == "interim"


def test_statistician_downloads_a_snapshot_zip_and_the_export_is_audited(tmp_path: Path) -> None:
    import hashlib
    import io
    import zipfile

    from django.urls import reverse

    from lupustrial.dataset.snapshot import read_snapshot
    from lupustrial.edc.audit.models import Action, AuditEntry
    from tests.edc.clients import login

    home = login("statistician").get(reverse("home")).content.decode()
    assert reverse("dataset_snapshot") in home
    response = login("statistician").get(reverse("dataset_snapshot"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert 'attachment; filename="lupustrial-snapshot-' in response["Content-Disposition"]
    data = response.content
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert any(n.endswith("/manifest.json") for n in names)
        archive.extractall(tmp_path)
    [folder] = list(tmp_path.iterdir())
    snapshot = read_snapshot(folder)  # every file checked against the manifest's SHA-256
    assert snapshot.manifest["source"] == "database"
    assert {r["subject_id"] for r in snapshot.table("subjects")} == {"TKY-001", "OSK-001"}
    [entry] = AuditEntry.objects.filter(action=Action.EXPORT, form="dataset")
    assert entry.actor == "statistician"
    logged = json.loads(entry.new_value)
    assert logged["sha256"] == hashlib.sha256(data).hexdigest()
    assert logged["rows"]["subjects"] == 2


@pytest.mark.parametrize("username", ["coordinator", "investigator", "monitor"])
def test_only_dataset_exporters_download_a_snapshot(username: str) -> None:
    from django.urls import reverse

    from lupustrial.edc.audit.models import Action, AuditEntry
    from tests.edc.clients import login

    assert login(username).get(reverse("dataset_snapshot")).status_code == 403
    assert not AuditEntry.objects.filter(action=Action.EXPORT, form="dataset").exists()
