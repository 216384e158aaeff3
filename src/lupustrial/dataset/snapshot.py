"""Versioned snapshots of the study dataset: tidy tables as Parquet and CSV, with a manifest.

`write_snapshot` freezes `StudyRecords` at a data cut into a directory:

    manifest.json            data cut, creation time, software version, row counts, SHA-256
    <table>.parquet          the typed table (what the analysis reads)
    <table>.csv              the same table for a spreadsheet (UTF-8, comma, ISO dates)

The same records give byte-identical table files; the manifest differs only in its
``created_at`` field. `read_snapshot` checks every file against its SHA-256 before anything
reads it, so an analysis never runs on a snapshot that changed after it was written.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import tempfile
import zipfile
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

import lupustrial
from lupustrial.dataset.records import StudyRecords
from lupustrial.dataset.tables import TABLE_BY_NAME, TABLES, Row, TableSpec, build_tables
from lupustrial.protocol.config import DEFAULT_PROTOCOL, ProtocolConfig, non_published_thresholds
from lupustrial.protocol.dates import site_date

SNAPSHOT_FORMAT = "lupustrial-snapshot/2"
"""2: adverse events by identity (event_id, version) with the adverse_event_versions history,
and the sites, consents, deviations, safety_reports and form_values tables of issue 13 and after.
A /1 snapshot is refused with its format named: it cannot say which rows are one event."""
MANIFEST = "manifest.json"
CSV_NOTE = (
    "UTF-8, comma-separated, ISO dates; every value exactly as entered. A cell that begins "
    "with =, +, -, @, a tab or a carriage return is not escaped, so a spreadsheet may run it "
    "as a formula: import the files as text. The audit trail's export, written for people, "
    "escapes such cells."
)
"""What the manifest says of the CSV files: data for programs, not defused for spreadsheets."""

_ARROW_TYPES: dict[type, pa.DataType] = {
    str: pa.string(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
    dt.date: pa.date32(),
}


class SnapshotError(Exception):
    """A snapshot that cannot be written or trusted; the message says which file and why."""


def arrow_schema(spec: TableSpec) -> pa.Schema:
    """The Arrow schema of a declared table (every column nullable)."""
    return pa.schema([pa.field(name, _ARROW_TYPES[kind]) for name, kind in spec.columns])


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)  # shortest round-trip form: stable across platforms
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _csv_bytes(spec: TableSpec, rows: list[Row]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(spec.column_names)
    for row in rows:
        writer.writerow([_csv_cell(row[name]) for name in spec.column_names])
    return buffer.getvalue().encode("utf-8")


def _parquet_bytes(spec: TableSpec, rows: list[Row]) -> bytes:
    table = pa.Table.from_pylist(rows, schema=arrow_schema(spec))
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", version="2.6")
    return bytes(sink.getvalue().to_pybytes())


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def endpoint_thresholds(protocol: ProtocolConfig) -> dict[str, Any]:
    """The endpoint limits the derived tables were computed with, and any non-published one."""
    return {
        "lldas": protocol.lldas.model_dump(),
        "doris": protocol.doris.model_dump(),
        "prednisolone_target_mg_per_day": protocol.prednisolone_target_mg_per_day,
        "visit_window_days": protocol.visit_window_days,
        "non_published": [n.model_dump() for n in non_published_thresholds(protocol)],
    }


def cut_dates(tables: Mapping[str, list[Row]], data_cut: dt.datetime) -> dict[str, dt.date]:
    """The data cut as each site's own date (`protocol.dates.site_date`), by site code."""
    return {site["code"]: site_date(data_cut, site["time_zone"]) for site in tables["sites"]}


def _dates_after(tables: Mapping[str, list[Row]], data_cut: dt.datetime) -> list[str]:
    """Records dated after the data cut at their site (a snapshot cannot hold its future)."""
    cuts = cut_dates(tables, data_cut)
    site_of = {s["subject_id"]: s["site"] for s in tables["subjects"]}
    site_of |= {s["screening_number"]: s["site"] for s in tables["screenings"]}
    latest = max(cuts.values(), default=data_cut.date())
    late = []
    for name, rows in tables.items():
        spec = TABLE_BY_NAME[name]
        # A planned visit day and a lot's expiry date are future by nature, not records.
        dated = [
            c
            for c, kind in spec.columns
            if kind is dt.date and c not in ("planned_date", "expiry_date")
        ]
        for row in rows:
            site = row.get("site") or site_of.get(
                row.get("subject_id") or row.get("screening_number")
            )
            cut = cuts.get(site, latest) if site is not None else latest
            for column in dated:
                value = row[column]
                if value is not None and value > cut:
                    who = row.get("subject_id") or row.get("screening_number")
                    late.append(f"{name}: {who} {column} {value.isoformat()}")
    return late


def write_snapshot(
    records: StudyRecords,
    out_dir: str | Path,
    data_cut: dt.datetime,
    *,
    source: str = "unspecified",
    created_at: dt.datetime | None = None,
    site_scope: Collection[str] | None = None,
) -> dict[str, Any]:
    """Write the snapshot of ``records`` at ``data_cut`` into ``out_dir``; return the manifest.

    ``out_dir`` must be empty or absent: a snapshot is never overwritten in place.
    ``site_scope`` names the sites the records were limited to (None: the whole study); the
    manifest keeps it so that a report on part of the study says so.
    """
    if data_cut.tzinfo is None:
        raise SnapshotError("data_cut needs a time zone (e.g. 2025-03-31T23:59:00+00:00)")
    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise SnapshotError(f"{out}: exists and is not an empty directory")
    tables = build_tables(records)
    late = _dates_after(tables, data_cut)
    if late:
        shown = "; ".join(late[:5]) + (f" (and {len(late) - 5} more)" if len(late) > 5 else "")
        raise SnapshotError(f"records dated after the data cut {data_cut.isoformat()}: {shown}")
    out.mkdir(parents=True, exist_ok=True)
    entries: dict[str, Any] = {}
    for spec in TABLES:
        rows = tables[spec.name]
        files = {}
        for kind, data in (
            ("parquet", _parquet_bytes(spec, rows)),
            ("csv", _csv_bytes(spec, rows)),
        ):
            name = f"{spec.name}.{kind}"
            (out / name).write_bytes(data)
            files[kind] = {"path": name, "sha256": _sha256(data), "bytes": len(data)}
        entries[spec.name] = {
            "rows": len(rows),
            "row": spec.row,
            "columns": spec.column_names,
            "files": files,
        }
    created = created_at or dt.datetime.now(dt.UTC)
    manifest = {
        "format": SNAPSHOT_FORMAT,
        "study_id": records.study_id,
        "source": source,
        "site_scope": sorted(site_scope) if site_scope is not None else None,
        "endpoint_thresholds": endpoint_thresholds(DEFAULT_PROTOCOL),
        "data_cut": data_cut.isoformat(),
        "data_cut_site_dates": {k: v.isoformat() for k, v in cut_dates(tables, data_cut).items()},
        "created_at": created.isoformat(),
        "software": {"name": "lupustrial", "version": lupustrial.__version__},
        "tables": entries,
        "csv": CSV_NOTE,
    }
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    (out / MANIFEST).write_text(text, encoding="utf-8")
    return manifest


def write_snapshot_zip(
    records: StudyRecords, name: str, data_cut: dt.datetime, *, source: str = "unspecified"
) -> tuple[bytes, dict[str, Any]]:
    """The snapshot of ``records`` as a zip whose one folder ``name`` holds what
    `write_snapshot` writes (manifest included); return its bytes and the manifest.

    The snapshot is written and verified in a temporary directory first, so the zip never
    holds a snapshot that would not read back.
    """
    with tempfile.TemporaryDirectory(prefix="lupustrial-snapshot-") as tmp:
        folder = Path(tmp) / name
        manifest = write_snapshot(records, folder, data_cut, source=source)
        verify_snapshot(folder)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for file in sorted(folder.iterdir()):
                archive.write(file, f"{name}/{file.name}")
    return buffer.getvalue(), manifest


@dataclass(frozen=True)
class Snapshot:
    """A verified snapshot: its manifest and every table as rows (dicts), read from Parquet."""

    path: Path
    manifest: dict[str, Any]
    tables: dict[str, list[Row]]

    def table(self, name: str) -> list[Row]:
        try:
            return self.tables[name]
        except KeyError:
            raise SnapshotError(f"snapshot has no table {name!r}") from None

    def rows(self, name: str, **where: Any) -> Iterator[Row]:
        """Rows of ``name`` whose columns equal the given values."""
        for row in self.table(name):
            if all(row[k] == v for k, v in where.items()):
                yield row

    @property
    def data_cut(self) -> str:
        return str(self.manifest["data_cut"])

    def cut_date(self, site: str) -> dt.date:
        """The data cut as the site's own date (the manifest's ``data_cut_site_dates``)."""
        try:
            return dt.date.fromisoformat(self.manifest["data_cut_site_dates"][site])
        except KeyError:
            raise SnapshotError(f"the manifest gives no data-cut date for site {site!r}") from None


def _load_manifest(path: Path) -> dict[str, Any]:
    file = path / MANIFEST
    if not path.is_dir():
        raise SnapshotError(f"{path}: no such directory")
    if not file.is_file():
        raise SnapshotError(f"{path}: not a snapshot (no {MANIFEST})")
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SnapshotError(f"{file}: cannot be read ({error})") from error
    if not isinstance(manifest, dict) or not str(manifest.get("format", "")).startswith(
        "lupustrial-snapshot/"
    ):
        raise SnapshotError(f"{file}: not a {SNAPSHOT_FORMAT} manifest")
    if manifest["format"] != SNAPSHOT_FORMAT:
        raise SnapshotError(
            f"{file}: format {manifest['format']}, which this version does not read (it reads "
            f"{SNAPSHOT_FORMAT}); export the snapshot again from its source"
        )
    return manifest


def verify_snapshot(path: str | Path) -> dict[str, Any]:
    """Check every file of the snapshot against the manifest's SHA-256; return the manifest."""
    root = Path(path)
    manifest = _load_manifest(root)
    problems = []
    tables = manifest.get("tables", {})
    for spec in TABLES:
        if spec.name not in tables:
            problems.append(f"table {spec.name} is not in the manifest")
            continue
        for entry in tables[spec.name]["files"].values():
            file = root / entry["path"]
            if not file.is_file():
                problems.append(f"{entry['path']}: missing")
            elif (actual := _sha256(file.read_bytes())) != entry["sha256"]:
                problems.append(
                    f"{entry['path']}: SHA-256 {actual[:12]}… does not match the manifest's "
                    f"{entry['sha256'][:12]}… (the file changed after the snapshot was written)"
                )
    if problems:
        raise SnapshotError(f"{root}: snapshot does not verify: " + "; ".join(problems))
    return manifest


def read_snapshot(path: str | Path) -> Snapshot:
    """Verify the snapshot, then read every table from its Parquet file."""
    root = Path(path)
    manifest = verify_snapshot(root)
    tables = {}
    for spec in TABLES:
        file = root / manifest["tables"][spec.name]["files"]["parquet"]["path"]
        table = pq.read_table(file)
        if table.schema.names != spec.column_names:
            raise SnapshotError(f"{file}: columns differ from this software's {spec.name} table")
        tables[spec.name] = table.to_pylist()
    return Snapshot(path=root, manifest=manifest, tables=tables)
