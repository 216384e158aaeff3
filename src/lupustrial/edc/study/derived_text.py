"""A visit's derived results (SLEDAI-2K, PGA, prednisolone equivalent, LLDAS, DORIS) in words.

The clinical layer returns structured results; their `summary_line` is its English for the
command line. The web pages build the same lines here from the structured fields, through the
label catalogue, so a Japanese reader gets them in Japanese. The classification criteria's
lines are `classification_text`'s.

An LLDAS or DORIS component's evidence is the clinical layer's codes and values
(`ComponentFinding.reasons`); its English is the clinical layer's own (`evidence`, which the
dataset and the command line print), and any other language is worded here from the codes.
A SLEDAI-2K descriptor judged from laboratory results is the same: its English note
(`DescriptorFinding.derived_from`) and its codes (`DescriptorFinding.reasons`).
"""

from __future__ import annotations

from typing import Any

from django.utils import formats
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _

from lupustrial.clinical.assessment import AssessmentResult
from lupustrial.clinical.components import ComponentFinding, CompositeResult
from lupustrial.clinical.glucocorticoids import PrednisoloneEquivalent
from lupustrial.clinical.model import Reason
from lupustrial.clinical.sledai2k import DescriptorFinding, Sledai2kResult
from lupustrial.clinical.status import Status
from lupustrial.edc.study import labels
from lupustrial.edc.study.classification_text import classification_line


def _label(code: str, fallback: str) -> str:
    found = labels.LABELS.get(code)
    return str(found) if found is not None else fallback


def _english() -> bool:
    return (get_language() or "en").split("-")[0] == "en"


def drug_name(name: str) -> str:
    """A drug's name in the reader's language (the catalogue's), else as recorded."""
    found = labels.DRUGS.get(" ".join(name.strip().lower().split()))
    return str(found) if found is not None else name


def route_name(route: str) -> str:
    """A route of administration in the reader's language, else as recorded."""
    found = labels.ROUTES.get(route)
    return str(found) if found is not None else route


def _names(codes: list[str]) -> str:
    """SLEDAI-2K descriptors or LLDAS's two other features, by their labels."""
    return _(", ").join(_label(code, code.replace("_", " ")) for code in codes)


def _item(code: str) -> str:
    found = labels.REASON_ITEMS.get(code) or labels.LABELS.get(code)
    return str(found) if found is not None else code


def _dose_detail(values: dict[str, Any]) -> str:
    detail = _("; ").join(
        _("%(drug)s %(mg)s mg/day") % {"drug": drug_name(drug), "mg": f"{mg:g}"}
        for drug, mg in values["doses"]
    ) or _("no glucocorticoid")
    if values.get("not_current"):
        day = values["on"]
        detail += _("; %(n)s not taken on %(date)s") % {
            "n": values["not_current"],
            "date": formats.date_format(day, "SHORT_DATE_FORMAT") if day else "",
        }
    return detail


def reason_text(reason: Reason) -> str:
    """One reason of a component's evidence in the reader's language."""
    v, code = reason.values, reason.code
    phrase = labels.REASON_PHRASES.get(code)
    if phrase is not None:
        return str(phrase)
    if code == "not_recorded":
        return _("%(item)s not recorded") % {"item": _item(v["item"])}
    if code == "present":
        return _("%(item)s present") % {"item": _item(v["item"])}
    if code == "compared":
        unit = str(labels.UNITS.get(v.get("unit") or "", v.get("unit") or ""))
        suffix = f" {unit}" if unit else ""
        text = f"{_item(v['item'])} {v['value']:g}{suffix} {v['sign']} {v['limit']:g}{suffix}"
        if "doses" in v:
            text = _("%(text)s (%(detail)s)") % {"text": text, "detail": _dose_detail(v)}
        return text
    names = _names(list(v.get("features", ())))
    score, limit = v.get("score"), v.get("limit")
    if code == "no_new_feature":
        text = _("no new feature since the previous assessment")
        if v.get("persisting"):
            text += _(" (%(n)s persisting)") % {"n": v["persisting"]}
        return text
    if code == "clinical_sledai" and not names:
        return _("clinical SLEDAI-2K %(score)s") % {"score": score}
    wordings = {
        "sledai_within": _(
            "SLEDAI-2K %(score)s ≤ %(limit)s, no major organ, haemolytic or gastrointestinal "
            "activity"
        ),
        "sledai_above": _("SLEDAI-2K %(score)s > %(limit)s"),
        "sledai_may_exceed": _("SLEDAI-2K %(score)s may exceed %(limit)s"),
        "major_organ_activity": _("major organ activity: %(items)s"),
        "major_organ_not_assessed": _("major organ descriptors not assessed: %(items)s"),
        "new_features": _("new since the previous assessment: %(items)s"),
        "cannot_tell_new": _("cannot tell whether new: %(items)s"),
        "clinical_sledai": _("clinical SLEDAI-2K %(score)s (%(items)s ignored)"),
        "clinical_sledai_active": _("clinical SLEDAI-2K %(score)s: %(items)s"),
        "clinical_sledai_not_assessed": _("clinical SLEDAI-2K %(score)s: not assessed: %(items)s"),
    }
    wording = wordings.get(code)
    if wording is None:
        raise ValueError(f"no wording for the reason {code!r}")
    return wording % {"score": score, "limit": limit, "items": names}


def component_evidence(finding: ComponentFinding) -> str:
    """Why a component has its status: the clinical layer's English, or worded from its codes."""
    if _english() or not finding.reasons:
        return finding.evidence
    # A component's reasons are one level below the line's "; " between components.
    return pgettext("evidence", "; ").join(reason_text(r) for r in finding.reasons)


def lab_reason_text(reason: Reason) -> str:
    """One laboratory result against its limit, the field by its label (Gladman 2002's limits
    or the testing laboratory's own); numbers as the notes write them, units as symbols."""
    v, code = reason.values, reason.code
    item = _label(v["item"], v["item"])
    value = f"{v['value']:g} {v['unit']}"
    limit = f"{v['limit']:g} {v['limit_unit']}"
    if code == "lab_threshold":
        if v.get("converted") is not None:
            value = f"{value} = {v['converted']:g} {v['limit_unit']}"
        return f"{item} {value} {v['sign']} {limit}"
    values = {"item": item, "value": value, "sign": v["sign"], "limit": limit}
    if code == "lab_lower_limit":
        return _("%(item)s %(value)s %(sign)s lower limit %(limit)s") % values
    if code == "lab_upper_limit":
        return _("%(item)s %(value)s %(sign)s upper limit %(limit)s") % values
    raise ValueError(f"no wording for the laboratory reason {code!r}")


def finding_derived_from(finding: DescriptorFinding) -> str:
    """The laboratory results a SLEDAI-2K descriptor was judged from, in the reader's language."""
    if _english() or not finding.reasons:
        return finding.derived_from or ""
    return pgettext("evidence", "; ").join(lab_reason_text(r) for r in finding.reasons)


def finding_discrepancy(finding: DescriptorFinding) -> str:
    """An entered descriptor the laboratory results contradict, in the reader's language."""
    if _english() or not finding.discrepancy or not finding.reasons:
        return finding.discrepancy or ""
    # The entered value counts, so the finding's status is what was entered.
    entered = finding.status is Status.MET
    word = {True: _("present"), False: _("absent")}
    return _(
        "%(name)s entered as %(entered)s, but the laboratory result says %(derived)s "
        "(%(note)s); the entered value counts."
    ) % {
        "name": _label(finding.code, finding.name),
        "entered": word[entered],
        "derived": word[not entered],
        "note": finding_derived_from(finding),
    }


def instrument_name(name: str) -> str:
    """An instrument's name as the clinical layer gives it, in the reader's language."""
    found = labels.INSTRUMENTS.get(name)
    return str(found) if found is not None else name


def not_computed_reason(why: str) -> str:
    """Why an instrument was not computed (the clinical layer's fixed English), translated."""
    found = labels.NOT_COMPUTED_REASONS.get(why)
    return str(found) if found is not None else why


def component_name(finding: ComponentFinding) -> str:
    """An LLDAS or DORIS component's name, with the limit applied, in the reader's language."""
    wording = labels.COMPONENT_NAMES.get(finding.code)
    if wording is None:
        return finding.name
    if finding.limit is None:
        return str(wording)
    return str(wording) % {"limit": f"{finding.limit:g}"}


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
            "drug": drug_name(c.drug.value),
            "dose": f"{c.daily_dose_mg:g}",
            "route": route_name(c.route),
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
            "instrument": instrument_name(result.instrument),
            "n": count,
        }
    # Each deciding component by its evidence, as the dataset's lldas_summary / doris_summary
    # name it in English (tests/edc/test_whole_record.py).
    deciding = _("; ").join(
        f"{c.number} {component_evidence(c)}"
        for c in result.components
        if c.status is result.status
    )
    return _("%(instrument)s: %(status)s — %(components)s") % {
        "instrument": instrument_name(result.instrument),
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
    lines.extend(classification_line(other) for other in others if other is not None)
    lines.extend(
        _("%(name)s: not computed — %(why)s")
        % {"name": instrument_name(name), "why": not_computed_reason(why)}
        for name, why in result.not_computed.items()
    )
    return lines
