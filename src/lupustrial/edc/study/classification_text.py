"""Classification results (2019 EULAR/ACR, 1997 ACR, SLICC 2012) in words.

The clinical layer's `summary_line` is its English for the command line and the dataset; the
pages build the same line here from the result's fields, in the reader's language, naming
criteria and inputs by their labels.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lupustrial.clinical.criteria_common import ClassificationResult
from lupustrial.clinical.eular_acr_2019 import CLASSIFICATION_THRESHOLD, EularAcr2019Result
from lupustrial.clinical.slicc_2012 import Slicc2012Result
from lupustrial.clinical.status import Status
from lupustrial.edc.study import labels


def _list(items: list[str]) -> str:
    return _(", ").join(items)


VERDICTS: dict[Status, Promise] = {
    Status.MET: gettext_lazy("classified"),
    Status.NOT_MET: gettext_lazy("not classified"),
    Status.UNKNOWN: gettext_lazy("undetermined"),
}
"""A classification's verdict (`clinical.criteria_common.VERDICTS`)."""

CRITERION_NAMES: dict[str, Promise] = {
    # 1997 ACR (Hochberg 1997; Tan 1982)
    "Malar rash": gettext_lazy("Malar rash"),
    "Discoid rash": gettext_lazy("Discoid rash"),
    "Photosensitivity": gettext_lazy("Photosensitivity"),
    "Oral ulcers": gettext_lazy("Oral ulcers"),
    "Arthritis": gettext_lazy("Arthritis"),
    "Serositis": gettext_lazy("Serositis"),
    "Renal disorder": gettext_lazy("Renal disorder"),
    "Neurologic disorder": gettext_lazy("Neurologic disorder"),
    "Hematologic disorder": gettext_lazy("Hematologic disorder"),
    "Immunologic disorder": gettext_lazy("Immunologic disorder"),
    "Antinuclear antibody": gettext_lazy("Antinuclear antibody"),
    # SLICC 2012 (Petri 2012)
    "Acute cutaneous lupus": gettext_lazy("Acute cutaneous lupus"),
    "Chronic cutaneous lupus": gettext_lazy("Chronic cutaneous lupus"),
    "Non-scarring alopecia": gettext_lazy("Non-scarring alopecia"),
    "Synovitis": gettext_lazy("Synovitis"),
    "Renal": gettext_lazy("Renal"),
    "Neurologic": gettext_lazy("Neurologic"),
    "Hemolytic anemia": gettext_lazy("Hemolytic anemia"),
    "Leukopenia or lymphopenia": gettext_lazy("Leukopenia or lymphopenia"),
    "Thrombocytopenia": gettext_lazy("Thrombocytopenia"),
    "ANA": gettext_lazy("ANA"),
    "Anti-dsDNA": gettext_lazy("Anti-dsDNA"),
    "Anti-Sm": gettext_lazy("Anti-Sm"),
    "Antiphospholipid antibody": gettext_lazy("Antiphospholipid antibody"),
    "Low complement": gettext_lazy("Low complement"),
    "Direct Coombs test": gettext_lazy("Direct Coombs test"),
}
"""The 1997 ACR and SLICC 2012 criteria by the clinical layer's English name
(`clinical.acr_1997.CRITERIA`, `clinical.slicc_2012.CRITERIA`; a test checks each is here)."""


def criterion_name(name: str) -> str:
    found = CRITERION_NAMES.get(name)
    return str(found) if found is not None else name


def classification_line(result: ClassificationResult | EularAcr2019Result) -> str:
    """A classification result's summary line in the reader's language."""
    if isinstance(result, EularAcr2019Result):
        return _eular_line(result)
    return _counted_line(result)


def _eular_line(result: EularAcr2019Result) -> str:
    if result.total == result.maximum_possible:
        points = _("%(total)s points") % {"total": result.total}
    else:
        points = _("%(total)s–%(maximum)s points") % {
            "total": result.total,
            "maximum": result.maximum_possible,
        }
    name = result.instrument
    if result.classified is Status.MET:
        return _("%(name)s: classified (%(total)s points; entry criterion met)") % {
            "name": name,
            "total": result.total,
        }
    if result.classified is Status.NOT_MET:
        if result.maximum_possible < CLASSIFICATION_THRESHOLD:
            points = f"{points} < {CLASSIFICATION_THRESHOLD}"
        parts = [points]
        if result.entry_criterion is Status.NOT_MET:
            parts.append(_("entry criterion not met"))
        if result.clinical_item is Status.NOT_MET:
            parts.append(_("no clinical item"))
        return _("%(name)s: not classified (%(parts)s)") % {
            "name": name,
            "parts": _("; ").join(parts),
        }
    unassessed = ([_("ANA")] if result.entry_criterion is Status.UNKNOWN else []) + [
        str(labels.label(code)) for code in result.missing
    ]
    return _("%(name)s: undetermined (%(points)s; not assessed: %(items)s)") % {
        "name": name,
        "points": points,
        "items": _list(unassessed),
    }


def _counted_line(result: ClassificationResult) -> str:
    settled = result.classified is Status.MET
    counted = _("%(count)s of %(total)s criteria") % {
        "count": result.count,
        "total": len(result.criteria),
    }
    if result.maximum_possible > result.count and not settled:
        counted = _("%(counted)s, up to %(maximum)s") % {
            "counted": counted,
            "maximum": result.maximum_possible,
        }
    verdict = str(VERDICTS[result.classified])
    if isinstance(result, Slicc2012Result):
        counted = _("%(counted)s; %(clinical)s clinical, %(immunologic)s immunologic") % {
            "counted": counted,
            "clinical": result.clinical_count,
            "immunologic": result.immunologic_count,
        }
        if result.renal_biopsy_route is Status.MET and result.count_route is not Status.MET:
            verdict = _("%(verdict)s by biopsy-proven lupus nephritis with ANA or anti-dsDNA") % {
                "verdict": verdict
            }
    met = [criterion_name(f.name) for f in result.criteria if f.status is Status.MET]
    line = _("%(name)s: %(verdict)s (%(counted)s): %(met)s") % {
        "name": result.instrument,
        "verdict": verdict,
        "counted": counted,
        "met": _list(met) if met else _("no criterion met"),
    }
    unknown = [criterion_name(f.name) for f in result.criteria if f.status is Status.UNKNOWN]
    if unknown and not settled:
        line = _("%(line)s; not assessed: %(items)s") % {"line": line, "items": _list(unknown)}
    return line
