"""Snapshots are deterministic, verified on reading, and refuse what they cannot hold."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from pydantic import ValidationError

import lupustrial
from lupustrial.dataset.demo import demo_records
from lupustrial.dataset.records import StudyRecords, StudySite, Subject
from lupustrial.dataset.snapshot import (
    MANIFEST,
    SnapshotError,
    read_snapshot,
    write_snapshot,
)
from lupustrial.dataset.tables import TABLES, build_tables

CUT = dt.datetime(2025, 3, 31, 23, 59, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def records() -> StudyRecords:
    return demo_records()


def test_same_records_same_bytes(records: StudyRecords, tmp_path: Path) -> None:
    write_snapshot(records, tmp_path / "a", CUT)
    write_snapshot(demo_records(), tmp_path / "b", CUT)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert len(names) == 2 * len(TABLES) + 1
    for name in names:
        a, b = (tmp_path / d / name for d in ("a", "b"))
        if name == MANIFEST:
            left, right = (json.loads(p.read_text()) for p in (a, b))
            left.pop("created_at")
            right.pop("created_at")
            assert left == right
        else:
            assert a.read_bytes() == b.read_bytes(), name


def test_manifest(records: StudyRecords, tmp_path: Path) -> None:
    manifest = write_snapshot(records, tmp_path / "s", CUT, source="demo")
    on_disk = json.loads((tmp_path / "s" / MANIFEST).read_text())
    assert on_disk == manifest
    assert manifest["data_cut"] == "2025-03-31T23:59:00+00:00"
    assert manifest["software"]["version"] == lupustrial.__version__
    assert manifest["source"] == "demo"
    assert manifest["tables"]["subjects"]["rows"] == 12
    assert len(manifest["tables"]["assessments"]["files"]["csv"]["sha256"]) == 64


def test_read_back_equals_the_tables(records: StudyRecords, tmp_path: Path) -> None:
    write_snapshot(records, tmp_path / "s", CUT)
    snapshot = read_snapshot(tmp_path / "s")
    assert snapshot.tables == build_tables(records)
    with (tmp_path / "s" / "assessments.csv").open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == len(snapshot.table("assessments"))
    s09 = next(r for r in rows if r["subject_id"] == "S09" and r["visit"] == "W12")
    assert s09["pga"] == ""  # missing stays empty, not 0 or false
    assert s09["lldas"] == "unknown"


def test_changed_file_is_refused(records: StudyRecords, tmp_path: Path) -> None:
    write_snapshot(records, tmp_path / "s", CUT)
    path = tmp_path / "s" / "subjects.csv"
    path.write_text(path.read_text().replace("withdrawn", "completed"))
    with pytest.raises(SnapshotError, match=r"subjects\.csv: SHA-256 .* does not match"):
        read_snapshot(tmp_path / "s")
    (tmp_path / "s" / "visits.parquet").unlink()
    with pytest.raises(SnapshotError, match=r"visits\.parquet: missing"):
        read_snapshot(tmp_path / "s")


def test_not_a_snapshot(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="no such directory"):
        read_snapshot(tmp_path / "absent")
    with pytest.raises(SnapshotError, match=r"no manifest\.json"):
        read_snapshot(tmp_path)


def test_a_format_1_snapshot_is_refused_with_its_format_named(
    records: StudyRecords, tmp_path: Path
) -> None:
    manifest = write_snapshot(records, tmp_path / "s", CUT)
    assert manifest["format"] == "lupustrial-snapshot/2"
    assert "adverse_event_versions" in manifest["tables"]
    (tmp_path / "s" / MANIFEST).write_text(
        json.dumps({**manifest, "format": "lupustrial-snapshot/1"}), encoding="utf-8"
    )
    with pytest.raises(SnapshotError, match=r"format lupustrial-snapshot/1, which this version"):
        read_snapshot(tmp_path / "s")


def test_refuses_to_overwrite(records: StudyRecords, tmp_path: Path) -> None:
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "old.txt").write_text("x")
    with pytest.raises(SnapshotError, match="not an empty directory"):
        write_snapshot(records, tmp_path / "s", CUT)


def test_records_after_the_data_cut_are_refused(records: StudyRecords, tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="after the data cut"):
        write_snapshot(records, tmp_path / "s", dt.datetime(2024, 9, 1, tzinfo=dt.UTC))
    assert not (tmp_path / "s").exists()


def test_data_cut_needs_a_time_zone(records: StudyRecords, tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="time zone"):
        write_snapshot(records, tmp_path / "s", dt.datetime(2025, 1, 1))


def test_empty_study(tmp_path: Path) -> None:
    write_snapshot(StudyRecords(), tmp_path / "s", CUT)
    snapshot = read_snapshot(tmp_path / "s")
    assert all(rows == [] for rows in snapshot.tables.values())


def _consented_on(day: dt.date, *sites: tuple[str, str]) -> StudyRecords:
    return StudyRecords(
        sites=[StudySite(code=code, time_zone=zone) for code, zone in sites],
        subjects=[
            Subject(subject_id=f"S-{code}", site=code, consent_date=day, status="screened")
            for code, _ in sites
        ],
    )


def test_the_data_cut_is_each_sites_own_date(tmp_path: Path) -> None:
    """23:00 UTC on 9 March is 08:00 on 10 March in Tokyo: a Tokyo record of 10 March is held."""
    cut = dt.datetime(2025, 3, 9, 23, 0, tzinfo=dt.UTC)
    day = dt.date(2025, 3, 10)
    manifest = write_snapshot(_consented_on(day, ("TKY", "Asia/Tokyo")), tmp_path / "a", cut)
    assert manifest["data_cut_site_dates"] == {"TKY": "2025-03-10"}
    assert read_snapshot(tmp_path / "a").cut_date("TKY") == day
    with pytest.raises(SnapshotError, match="S-LON consent_date 2025-03-10"):
        write_snapshot(
            _consented_on(day, ("TKY", "Asia/Tokyo"), ("LON", "Europe/London")),
            tmp_path / "b",
            cut,
        )


def test_every_site_declares_its_time_zone() -> None:
    with pytest.raises(ValidationError, match="site TKY is not declared in sites"):
        StudyRecords(subjects=[Subject(subject_id="S1", site="TKY", status="screened")])
    with pytest.raises(ValidationError, match="unknown time zone 'Asia/Tokio'"):
        StudySite(code="TKY", time_zone="Asia/Tokio")


def test_the_manifest_records_the_endpoint_thresholds(
    records: StudyRecords, tmp_path: Path
) -> None:
    thresholds = write_snapshot(records, tmp_path / "s", CUT)["endpoint_thresholds"]
    assert thresholds["lldas"]["prednisolone_max_mg_per_day"] == 7.5
    assert thresholds["doris"]["prednisolone_max_mg_per_day"] == 5.0
    assert thresholds["visit_window_days"] == 7
    assert thresholds["non_published"] == []
