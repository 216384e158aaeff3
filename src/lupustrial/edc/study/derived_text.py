"""A visit's derived results (SLEDAI-2K, PGA, prednisolone equivalent, LLDAS, DORIS) in words.

The clinical layer returns structured results; their `summary_line` is its English for the
command line. The web pages build the same lines here from the structured fields, through the
label catalogue, so a Japanese reader gets them in Japanese. Results this module does not know
(the classification criteria) keep the clinical layer's line.
"""

from __future__ import annotations

from typing import Any

from django.utils import formats
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from lupustrial.clinical.assessment import AssessmentResult
from lupustrial.clinical.components import CompositeResult
from lupustrial.clinical.glucocorticoids import PrednisoloneEquivalent
from lupustrial.clinical.sledai2k import Sledai2kResult
from lupustrial.clinical.status import Status
from lupustrial.edc.study import labels


def _label(code: str, fallback: str) -> str:
    found = labels.LABELS.get(code)
    return str(found) if found is not None else fallback


def component_name(name: str) -> str:
    """An LLDAS or DORIS component's name in the reader's language."""
    found = labels.COMPONENT_NAMES.get(name)
    return str(found) if found is not None else name


def sledai_line(result: Sledai2kResult) -> str:
    score = f"{result.total}" if result.complete else f"{result.total}-{result.maximum_possible}"
    items = _(", ").join(
        f"{_label(f.code, f.name)} {f.weight}" for f in result.findings if f.status is Status.MET
    )
    line = _("SLEDAI-2K %(score)s (clinical %(clinical)s): %(items)s") % {
        "score": score,
        "clinical": result.clinical_total,
        "items": items or _("no descriptor"),
    }
    if result.missing:
        missing = _(", ").join(_label(code, code) for code in result.missing)
        line += _("; not assessed: %(items)s") % {"items": missing}
    return line


def prednisolone_line(result: PrednisoloneEquivalent) -> str:
    line = _("Prednisolone equivalent %(mg)s mg/day") % {"mg": f"{result.mg_per_day:g}"}
    if result.date is not None:
        day = formats.date_format(result.date, "SHORT_DATE_FORMAT")
        line += _(" on %(date)s") % {"date": day}
    if result.mg_per_kg_per_day is not None and result.body_weight_kg is not None:
        line += _(" (%(per_kg)s mg/kg/day at %(kg)s kg)") % {
            "per_kg": f"{result.mg_per_kg_per_day:g}",
            "kg": f"{result.body_weight_kg:g}",
        }
    parts = [
        _("%(drug)s %(dose)s mg/day %(route)s = %(mg)s mg")
        % {
            "drug": c.drug.value,
            "dose": f"{c.daily_dose_mg:g}",
            "route": c.route,
            "mg": f"{c.prednisolone_mg_per_day:g}",
        }
        for c in result.contributions
    ]
    line = _("%(line)s: %(parts)s") % {
        "line": line,
        "parts": _("; ").join(parts) or _("no glucocorticoid"),
    }
    if result.not_current:
        line += ngettext(
            " (%(n)s regimen recorded but not taken that day)",
            " (%(n)s regimens recorded but not taken that day)",
            result.not_current,
        ) % {"n": result.not_current}
    return line


def composite_line(result: CompositeResult) -> str:
    if result.status is Status.MET:
        count = len(result.components)
        return _("%(instrument)s: met (%(n)s/%(n)s components)") % {
            "instrument": result.instrument,
            "n": count,
        }
    # The English line names each deciding component by its evidence, as the dataset's
    # lldas_summary / doris_summary do (tests/edc/test_whole_record.py). The evidence is still
    # the clinical layer's English, so other readers get the component's name instead.
    english = (get_language() or "en").split("-")[0] == "en"
    deciding = _("; ").join(
        f"{c.number} {c.evidence if english else component_name(c.name)}"
        for c in result.components
        if c.status is result.status
    )
    return _("%(instrument)s: %(status)s — %(components)s") % {
        "instrument": result.instrument,
        "status": str(labels.STATUSES[result.status.value]),
        "components": deciding,
    }


def summary_lines(result: AssessmentResult) -> list[str]:
    """`AssessmentResult.summary_lines` in the reader's language."""
    lines: list[str] = []
    if result.sledai2k is not None:
        lines.append(sledai_line(result.sledai2k))
    if result.pga is not None:
        lines.append(_("PGA %(value)s (0-3)") % {"value": f"{result.pga:g}"})
    if result.prednisolone is not None:
        lines.append(prednisolone_line(result.prednisolone))
    for composite in (result.lldas, result.doris):
        if composite is not None:
            lines.append(composite_line(composite))
    others: list[Any] = [result.eular_acr_2019, result.acr_1997, result.slicc_2012]
    lines.extend(other.summary_line() for other in others if other is not None)
    lines.extend(
        _("%(name)s: not computed — %(why)s") % {"name": name, "why": why}
        for name, why in result.not_computed.items()
    )
    return lines
