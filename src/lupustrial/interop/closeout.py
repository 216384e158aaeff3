"""The close-out package's manifest: what is in it, each file's SHA-256, and its check.

`lupustrial archive --out DIR` (`edc.closeout`) writes the files; this module lists them in
`manifest.json` with their SHA-256 and size, the software version and the audit trail's head,
and `verify` checks a package later, with nothing but the package: every file listed is there
and unchanged, no file was added, the ODM file still validates against the ODM 1.3.2 schema
and the snapshot against its own manifest.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

FORMAT = "lupustrial-archive/1"
MANIFEST = "manifest.json"
ODM_FILE = "study.odm.xml"
SNAPSHOT_DIR = "snapshot"


def sha256(path: Path) -> str:
    """The file's SHA-256 in hex, read in blocks (the standard library's file_digest)."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p != root / MANIFEST)


def write_manifest(root: Path, about: dict[str, Any]) -> dict[str, Any]:
    """List every file under ``root`` with its SHA-256 and size, beside ``about``."""
    manifest = {
        "format": FORMAT,
        **about,
        "files": {
            p.relative_to(root).as_posix(): {"sha256": sha256(p), "bytes": p.stat().st_size}
            for p in _files(root)
        },
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True)
    (root / MANIFEST).write_text(text + "\n", encoding="utf-8")
    return manifest


def verify(root: Path) -> tuple[dict[str, Any] | None, list[str]]:
    """The package's manifest and every problem found (none: the package is intact)."""
    path = root / MANIFEST
    if not path.is_file():
        return None, [f"{root}: no {MANIFEST} (not a close-out package, or it was removed)"]
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        return None, [f"{MANIFEST}: not readable JSON ({error})"]
    if manifest.get("format") != FORMAT:
        return manifest, [f"{MANIFEST}: format {manifest.get('format')!r} is not {FORMAT}"]
    problems: list[str] = []
    listed: dict[str, dict[str, Any]] = manifest.get("files", {})
    for name, entry in sorted(listed.items()):
        file = root / name
        if not file.is_file():
            problems.append(f"{name}: missing")
        elif sha256(file) != entry["sha256"]:
            problems.append(f"{name}: SHA-256 differs from the manifest's (changed after closing)")
    for file in _files(root):
        name = file.relative_to(root).as_posix()
        if name not in listed:
            problems.append(f"{name}: not in the manifest (added after closing)")
    if not problems:
        problems.extend(_contents(root, listed))
    return manifest, problems


def _contents(root: Path, listed: dict[str, Any]) -> list[str]:
    """The parts that can check themselves: the ODM file's schema, the snapshot's manifest."""
    problems: list[str] = []
    if ODM_FILE in listed:
        from lupustrial.interop.odm.schema import schema_errors

        errors = schema_errors(root / ODM_FILE, limit=3)
        problems.extend(f"{ODM_FILE}: {error}" for error in errors)
    if any(name.startswith(f"{SNAPSHOT_DIR}/") for name in listed):
        from lupustrial.dataset.snapshot import SnapshotError, verify_snapshot

        try:
            verify_snapshot(root / SNAPSHOT_DIR)
        except SnapshotError as error:
            problems.append(str(error))
    return problems
