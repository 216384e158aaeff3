"""The close-out package (issue 20): made from a verified trail, checked by its manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.db import connection

from lupustrial.edc.closeout import CloseOutError, write_closeout
from lupustrial.edc.study.models import Subject
from lupustrial.interop.closeout import MANIFEST, ODM_FILE, sha256, verify
from lupustrial.interop.odm.reader import read

pytestmark = pytest.mark.usefixtures("demo")


@pytest.fixture
def package(tmp_path: Path) -> Path:
    out = tmp_path / "closeout"
    write_closeout(out, casebooks=False)  # the checks need no PDF
    return out


def test_the_package_holds_every_part_and_verifies(tmp_path: Path) -> None:
    package = tmp_path / "closeout"
    write_closeout(package)
    manifest, problems = verify(package)
    assert problems == []
    assert manifest is not None
    files = set(manifest["files"])
    assert {ODM_FILE, "report/report.html", "audit/audit-trail.csv", "audit/checkpoints"} <= files
    assert "snapshot/manifest.json" in files
    assert {"identification/TKY.csv", "identification/OSK.csv"} <= files
    assert manifest["software"]["name"] == "lupustrial"
    assert manifest["audit"]["verified"] is True
    log = (package / "identification" / "TKY.csv").read_text(encoding="utf-8")
    tky = Subject.objects.select_related("identity").get(screening_number="S-001")
    assert tky.identity.medical_record_number in log  # the site copy names the patient
    trail = (package / "audit" / "audit-trail.csv").read_text(encoding="utf-8").splitlines()
    assert len(trail) - 1 == manifest["audit"]["entries"]
    assert read(package / ODM_FILE).changes
    casebooks = sorted(name for name in files if name.startswith("casebooks/"))
    assert casebooks == sorted(
        f"casebooks/{s.site.code}/casebook-{s.label}.pdf" for s in Subject.objects.all()
    )
    assert (package / casebooks[0]).read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("tamper", ["change", "remove", "add"])
def test_a_changed_missing_or_added_file_is_reported(package: Path, tamper: str) -> None:
    target = package / "audit" / "audit-trail.csv"
    if tamper == "change":
        target.write_text(target.read_text(encoding="utf-8") + "x\n", encoding="utf-8")
    elif tamper == "remove":
        target.unlink()
    else:
        (package / "audit" / "note.txt").write_text("added", encoding="utf-8")
    _, problems = verify(package)
    assert len(problems) == 1
    assert problems[0].startswith(("audit/audit-trail.csv", "audit/note.txt"))


def test_an_odm_file_that_no_longer_validates_is_reported_even_with_a_new_hash(
    package: Path,
) -> None:
    odm = package / ODM_FILE
    odm.write_text(
        odm.read_text(encoding="utf-8").replace('Archival="Yes"', 'Archival="No"'),
        encoding="utf-8",
    )
    manifest = json.loads((package / MANIFEST).read_text(encoding="utf-8"))
    manifest["files"][ODM_FILE]["sha256"] = sha256(odm)
    (package / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    _, problems = verify(package)
    assert problems
    assert problems[0].startswith(ODM_FILE)


def test_no_package_from_a_trail_that_does_not_verify(tmp_path: Path) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        cursor.execute("UPDATE audit_auditentry SET reason = 'rewritten' WHERE seq = 5")
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")
    with pytest.raises(CloseOutError, match="does not verify"):
        write_closeout(tmp_path / "closeout")
    assert not (tmp_path / "closeout" / MANIFEST).exists()


def test_a_used_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "old.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(CloseOutError, match="not empty"):
        write_closeout(tmp_path)
