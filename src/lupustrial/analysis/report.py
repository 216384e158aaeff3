"""The study report: one self-contained HTML page from a verified snapshot.

Flow (CONSORT; Schulz 2010), baseline, primary endpoint with its intervals, secondary
endpoints, figures as inline SVG, adverse events and the manifest. Same snapshot, same page,
apart from the creation time. Published LLDAS rates under anifrolumab
(`analysis.published`) are shown beside the primary result as context, never tested against
it. The PDF is the same page printed by the one PDF engine (`lupustrial.pdf`).
"""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path
from typing import Any

from lupustrial.analysis import report_wording, wording
from lupustrial.analysis.endpoints import compute_endpoints
from lupustrial.analysis.published import PUBLISHED_RATES
from lupustrial.analysis.report_figures import line_per_patient, swimmer
from lupustrial.analysis.report_template import STYLE, report_template
from lupustrial.analysis.results import StudyResults
from lupustrial.dataset.snapshot import Snapshot

BASELINE_ROWS = (
    ("age (years)", "age"),
    ("body weight (kg)", "body_weight_kg"),
    ("SLEDAI-2K", "sledai2k"),
    ("clinical SLEDAI-2K", "clinical_sledai2k"),
    ("PGA (0–3)", "pga"),
    ("prednisolone equivalent (mg/day)", "prednisolone_mg_per_day"),
    ("prednisolone equivalent (mg/kg/day)", "prednisolone_mg_per_kg_per_day"),
    ("C3 (g/L)", "c3_g_per_l"),
    ("C4 (g/L)", "c4_g_per_l"),
    ("anti-dsDNA", "anti_dsdna"),
)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


KINDS = {
    (False, False): ("Study report", "試験報告書"),
    (True, False): ("Interim study report", "中間試験報告書"),
    (False, True): ("Site report", "施設報告書"),
    (True, True): ("Interim site report", "中間施設報告書"),
}
"""The report's kind in English and Japanese, by (interim, limited to some sites)."""


def report_title(result: StudyResults, language: str = "en") -> str:
    """What the report is: interim or final, the whole study or some sites only (in English
    and Japanese; in Japanese alone for a Japanese report)."""
    scope = result.snapshot.site_scope
    english, japanese = KINDS[(result.interim, scope is not None)]
    if language == "ja":
        where = f" — {'、'.join(scope)}" if scope else ""
        return f"{japanese} — {result.snapshot.study_id}{where}"
    where = f" — {', '.join(scope)}" if scope else ""
    return f"{english} / {japanese} — {result.snapshot.study_id}{where}"


def render_report(
    snapshot: Snapshot,
    *,
    created_at: dt.datetime | None = None,
    stylesheet: str | None = None,
    fragment: bool = False,
    language: str = "en",
) -> str:
    """The report's HTML for ``snapshot``, in ``language`` (en or ja; `report_wording`).

    Self-contained by default (style inline, figures as inline SVG), for the file and the PDF.
    With ``stylesheet`` (a URL serving `STYLE`), as the web application serves it under a
    Content-Security-Policy that allows no inline style: the style is linked and each figure
    is an image, whose own SVG styling the page's policy does not govern. With ``fragment``,
    only the report's ``<div class="study-report">``, for a page of the web application that
    keeps its navigation (and links the stylesheet in its head).
    """
    report_wording.check_language(language)
    result = compute_endpoints(snapshot)
    fas = [s.subject_id for s in result.primary.main.subjects]
    rows = snapshot.table("assessments")
    limits = result.snapshot.endpoint_thresholds
    figures = {
        "swimmer": swimmer(rows, fas),
        "sledai": line_per_patient(
            rows, fas, "sledai2k", "SLEDAI-2K", limit=limits.lldas.sledai2k_max
        ),
        "prednisolone": line_per_patient(
            rows,
            fas,
            "prednisolone_mg_per_day",
            "prednisolone mg/day",
            limit=limits.prednisolone_target_mg_per_day,
        ),
    }
    if stylesheet is not None:
        figures = {name: _as_image(svg, name) for name, svg in figures.items()}
    template = report_template(fragment=fragment)
    context: dict[str, Any] = {
        "title": report_title(result, language),
        "r": result,
        "manifest": snapshot.manifest,
        "figures": figures,
        "baseline_rows": BASELINE_ROWS,
        "pct": _pct,
        "published": PUBLISHED_RATES,
        "created_at": (created_at or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
        "style": STYLE,
        "stylesheet": stylesheet,
        "counted": wording.counted,
        "counted_ja": wording.counted_ja,
        "events_in_patients": wording.events_in_patients,
        "events_in_patients_ja": wording.events_in_patients_ja,
        "responders_of": wording.responders_of,
        "responders_of_ja": wording.responders_of_ja,
        "language": language,
        "_": report_wording.translator(language),
        "reason": lambda s: report_wording.reason(s, language),
        "verdict": lambda s: report_wording.verdict(s, language),
        "rule": lambda text: report_wording.rule(text, language),
    }
    return template.render(context)


def _as_image(svg: str, name: str) -> str:
    """An inline SVG figure as an <img> with the SVG in a data: URL."""
    encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img alt="{name}" src="data:image/svg+xml;base64,{encoded}">'


def footer_label(snapshot: Snapshot) -> str:
    """What the PDF's footer says beside the page number: study and data cut."""
    manifest = snapshot.manifest
    return f"{manifest.get('study_id', 'study')} · data cut {manifest.get('data_cut', '?')}"


def write_report(
    snapshot: Snapshot,
    out_dir: str | Path,
    *,
    created_at: dt.datetime | None = None,
    language: str = "en",
) -> Path:
    """Write ``report.html`` (in ``language``) into ``out_dir`` (created if needed); return
    its path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "report.html"
    page = render_report(snapshot, created_at=created_at, language=language)
    path.write_text(page, encoding="utf-8")
    return path
