"""The close-out package (`lupustrial archive --out DIR`): what the study keeps for five years.

The Clinical Trials Act's Enforcement Regulation (MHLW ordinance 17 of 2018) asks that the
records of a specified clinical trial be kept for five years after it ends. The package holds:

- `study.odm.xml`: the whole study as CDISC ODM 1.3.2 (`edc.odm`), validated;
- `snapshot/`: the dataset snapshot (Parquet, CSV, its own manifest) at the moment of closing;
- `report/report.html` and `report/report.pdf`: the study report from that snapshot;
- `audit/audit-trail.csv` (every entry, as the trail's CSV download) and `audit/checkpoints`
  (the keyed checkpoint file, its last line written by this close-out's verification);
- `identification/<SITE>.csv`: each site's subject identification log (site copy: screening
  number, subject ID, name, medical record number, consent and enrolment dates);
- `casebooks/<SITE>/casebook-<subject>.pdf`: each subject's casebook (`study.casebook`, the
  pseudonymised site copy the web application prints), in the site's time zone;
- `manifest.json` (`interop.closeout`): every file's SHA-256, the software version, the trail's
  head. `lupustrial archive verify DIR` checks it.

The audit trail is verified first (chain, checkpoints, reconciliation with the record); a
package is not made from a trail that does not verify.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lupustrial import __version__
from lupustrial.edc.audit.checkpoints import checkpoint_file
from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.audit.verification import verify as verify_trail
from lupustrial.edc.export import database_records
from lupustrial.edc.spreadsheet import write_rows
from lupustrial.edc.study.models import Subject
from lupustrial.interop.closeout import ODM_FILE, SNAPSHOT_DIR, write_manifest

AUDIT_COLUMNS = (
    "seq", "at", "actor", "role", "action", "subject", "visit", "form", "field",
    "old_value", "new_value", "reason", "prev_hash", "hash",
)  # fmt: skip
"""The trail's CSV columns, as the web application's download writes them."""


class CloseOutError(RuntimeError):
    """The package cannot be made; says why (a trail that does not verify, a used folder)."""


def _identification_logs(out: Path) -> list[str]:
    folder = out / "identification"
    folder.mkdir()
    subjects = Subject.objects.select_related("site", "identity").prefetch_related("consents")
    by_site: dict[str, list[list[Any]]] = {}
    for subject in subjects.order_by("site__code", "screening_number"):
        identity = getattr(subject, "identity", None)
        consents = [c.obtained_at for c in subject.consents.all()]
        by_site.setdefault(subject.site.code, []).append(
            [
                subject.screening_number,
                subject.subject_id or "",
                identity.name if identity else "",
                identity.medical_record_number if identity else "",
                subject.site.date_of(min(consents)).isoformat() if consents else "",
                subject.enrolment_date.isoformat() if subject.enrolment_date else "",
                subject.status,
            ]
        )
    header = [
        "screening_number", "subject_id", "name", "medical_record_number",
        "consent_date", "enrolment_date", "status",
    ]  # fmt: skip
    for site, rows in by_site.items():
        with (folder / f"{site}.csv").open("w", encoding="utf-8", newline="") as handle:
            write_rows(handle, header, rows)
    return sorted(by_site)


def _casebooks(out: Path, progress: Callable[[str], None]) -> int:
    """Each subject's casebook PDF, printed as the web application prints it."""
    from django.utils import timezone

    from lupustrial.edc.study.casebook import casebook_pdf

    subjects = list(
        Subject.objects.select_related("site").order_by("site__code", "screening_number")
    )
    for n, subject in enumerate(subjects, 1):
        progress(f"  casebook {n} of {len(subjects)}: {subject.label}")
        folder = out / "casebooks" / subject.site.code
        folder.mkdir(parents=True, exist_ok=True)
        with timezone.override(subject.site.zone):
            data = casebook_pdf(subject, exported_by="lupustrial archive (close-out)")
        (folder / f"casebook-{subject.label}.pdf").write_bytes(data)
    return len(subjects)


def write_closeout(
    out: Path, progress: Callable[[str], None] = lambda _: None, *, casebooks: bool = True
) -> dict[str, Any]:
    """Write the close-out package into ``out`` (absent or empty); return its manifest.

    ``casebooks=False`` leaves out the casebook PDFs (the tests of the package's checks, which
    need no PDF)."""
    from lupustrial.analysis.report import footer_label, write_report
    from lupustrial.dataset.snapshot import read_snapshot, write_snapshot
    from lupustrial.edc.odm import odm_document
    from lupustrial.interop.odm.schema import schema_errors
    from lupustrial.pdf import PdfUnavailableError, write_pdf

    if out.exists() and any(out.iterdir()):
        raise CloseOutError(f"{out} is not empty: a close-out package is never overwritten")
    progress("verifying the audit trail (chain, checkpoints, record)")
    report = verify_trail(checkpoint_by="archive")
    if not report.intact:
        raise CloseOutError("the audit trail does not verify:\n  " + "\n  ".join(report.lines()))
    closed = dt.datetime.now(dt.UTC).replace(microsecond=0)
    out.mkdir(parents=True, exist_ok=True)
    progress("writing the ODM 1.3.2 file")
    odm = odm_document(progress)
    errors = schema_errors(odm)
    if errors:
        raise CloseOutError("the ODM file does not validate:\n  " + "\n  ".join(errors))
    (out / ODM_FILE).write_text(odm, encoding="utf-8")
    progress("writing the dataset snapshot")
    write_snapshot(database_records(), out / SNAPSHOT_DIR, closed, source="database")
    progress("writing the study report")
    snapshot = read_snapshot(out / SNAPSHOT_DIR)
    html = write_report(snapshot, out / "report")
    pdf_note = "written"
    try:
        write_pdf(html, html.with_suffix(".pdf"), footer_label=footer_label(snapshot))
    except PdfUnavailableError as error:
        pdf_note = f"not written: {error}"
        progress(f"warning: report.pdf {pdf_note}")
    progress("writing the audit trail and its checkpoints")
    (out / "audit").mkdir()
    with (out / "audit" / "audit-trail.csv").open("w", encoding="utf-8", newline="") as handle:
        rows = AuditEntry.objects.order_by("seq").values_list(*AUDIT_COLUMNS)
        write_rows(handle, AUDIT_COLUMNS, rows.iterator(chunk_size=5000))
    shutil.copyfile(checkpoint_file(), out / "audit" / "checkpoints")
    progress("writing the subject identification logs")
    sites = _identification_logs(out)
    printed = 0
    if casebooks:
        progress("printing the casebooks")
        try:
            printed = _casebooks(out, progress)
        except PdfUnavailableError as error:
            raise CloseOutError(f"the casebook PDFs cannot be printed here: {error}") from None
    progress("writing the manifest")
    return write_manifest(
        out,
        {
            "closed_at": closed.isoformat(),
            "software": {"name": "lupustrial", "version": __version__},
            "audit": {
                "entries": report.entries,
                "head_seq": report.head_seq,
                "head_hash": report.head_hash,
                "verified": True,
            },
            "sites": sites,
            "report_pdf": pdf_note,
            "casebooks": printed if casebooks else "left out",
        },
    )
