"""The eligibility decision's evidence and missing items, and the classification lines, in words.

The protocol layer explains each criterion with phrases: a code, the values behind it, and its
English (`protocol.rules.Phrase`), which the command line prints. The web pages word the code
and values here, through gettext and the label catalogue, so a Japanese reader reads Japanese:
dates in the language's format (`edc/formats`), fields by their labels. What a person typed
(drug, tumour site, disease, vaccine, names, reasons) is shown as typed.

In English, each line reads as the command line's, word for word
(`tests/edc/test_japanese_eligibility.py`), except where the English names an input by its
field name (`hbs_ag positive`): the page names it by its label instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lupustrial.clinical.glucocorticoids import PrednisoloneEquivalent
from lupustrial.clinical.sledai2k import Sledai2kResult
from lupustrial.edc.study import classification_text, derived_text, labels
from lupustrial.protocol.eligibility import CriterionResult, ScreeningDecision
from lupustrial.protocol.rules import FIELD, Phrase

Params = Mapping[str, Any]


PROTOCOL_TERMS: dict[str, Promise] = {
    "measles mumps rubella": gettext_lazy("measles mumps rubella"),
    "measles rubella": gettext_lazy("measles rubella"),
    "varicella": gettext_lazy("varicella"),
    "zoster live": gettext_lazy("zoster live"),
    "yellow fever": gettext_lazy("yellow fever"),
    "BCG": gettext_lazy("BCG"),
    "oral polio": gettext_lazy("oral polio"),
    "rotavirus": gettext_lazy("rotavirus"),
    "oral typhoid": gettext_lazy("oral typhoid"),
    "live attenuated influenza": gettext_lazy("live attenuated influenza"),
    "dengue": gettext_lazy("dengue"),
    "chikungunya live": gettext_lazy("chikungunya live"),
    "smallpox": gettext_lazy("smallpox"),
    "cholera oral live": gettext_lazy("cholera oral live"),
    "inactivated influenza": gettext_lazy("inactivated influenza"),
    "COVID-19 mRNA": gettext_lazy("COVID-19 mRNA"),
    "pneumococcal": gettext_lazy("pneumococcal"),
    "recombinant zoster": gettext_lazy("recombinant zoster"),
    "hepatitis B": gettext_lazy("hepatitis B"),
    "hepatitis A": gettext_lazy("hepatitis A"),
    "HPV": gettext_lazy("HPV"),
    "tetanus diphtheria pertussis": gettext_lazy("tetanus diphtheria pertussis"),
    "inactivated polio": gettext_lazy("inactivated polio"),
    "meningococcal": gettext_lazy("meningococcal"),
    "RSV": gettext_lazy("RSV"),
    "rheumatoid arthritis": gettext_lazy("rheumatoid arthritis"),
    "systemic sclerosis": gettext_lazy("systemic sclerosis"),
    "polymyositis": gettext_lazy("polymyositis"),
    "dermatomyositis": gettext_lazy("dermatomyositis"),
    "mixed connective tissue disease": gettext_lazy("mixed connective tissue disease"),
    "polyarteritis nodosa": gettext_lazy("polyarteritis nodosa"),
    "ANCA-associated vasculitis": gettext_lazy("ANCA-associated vasculitis"),
    "adult-onset Still's disease": gettext_lazy("adult-onset Still's disease"),
    "rheumatic fever": gettext_lazy("rheumatic fever"),
    "Sjögren's syndrome": gettext_lazy("Sjögren's syndrome"),
    "antiphospholipid syndrome": gettext_lazy("antiphospholipid syndrome"),
}
"""The vaccines and diseases the protocol names (`protocol.config`), by their name there; its
drugs are the drug catalogue's (`labels.DRUGS`). A test checks every term is in one of them."""


def _term(name: str | None) -> str | None:
    """A protocol term's name in the reader's language: a vaccine, a disease or a drug."""
    if name is None:
        return None
    found = PROTOCOL_TERMS.get(name)
    return str(found) if found is not None else derived_text.drug_name(name)


def protocol_term(name: str) -> str:
    """A protocol term's name in the reader's language (a vaccine, a disease or a drug)."""
    found = PROTOCOL_TERMS.get(name)
    return str(found) if found is not None else derived_text.drug_name(name)


def _day(value: dt.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _named(drug: str, canonical: str | None) -> str:
    """The recorded name (the catalogue's when it is one), with the protocol's when they differ."""
    recorded = derived_text.drug_name(drug)
    return recorded if canonical is None else f"{recorded} ({_term(canonical)})"


_RECORDS: dict[str, Promise] = {"consent": gettext_lazy("Consent")}
"""Parts of the screening record that are not form fields (consent has its own page)."""


def field_label(path: str) -> str:
    """An input field by its labels, section first: "Hepatitis › Anti-HBs antibody"."""
    names = [part for part in path.split(".") if not part.isdigit()]
    return _(" › ").join(str(_RECORDS.get(name) or labels.label(name)) for name in names)


def _test(name: str) -> str:
    return str(labels.label(name))


_NUCLEIC_ACID_TESTS: dict[str, Promise] = {
    "hbv_dna_detectable": gettext_lazy("HBV DNA"),
    "hcv_rna_detectable": gettext_lazy("HCV RNA"),
}
"""The nucleic-acid tests, whose result is detected or not (their fields say "detectable")."""


def _result(p: Params) -> str:
    nucleic_acid = _NUCLEIC_ACID_TESTS.get(p["test"])
    if nucleic_acid is not None:
        template = _("%(test)s detected") if p["positive"] else _("%(test)s not detected")
        return template % {"test": str(nucleic_acid)}
    template = _("%(test)s positive") if p["positive"] else _("%(test)s negative")
    return template % {"test": _test(p["test"])}


def _measured(p: Params) -> str:
    shown = p["measured"]
    if p["converted"] is not None:
        shown = _("%(measured)s = %(converted)s %(unit)s") % {
            "measured": shown,
            "converted": f"{p['converted']:g}",
            "unit": p["unit"],
        }
    return _("%(test)s %(shown)s %(relation)s %(limit)s %(unit)s") % {
        "test": _test(p["test"]),
        "shown": shown,
        "relation": "≥" if p["at_or_above"] else "<",
        "limit": f"{p['limit']:g}",
        "unit": p["unit"],
    }


def _diagnosis(p: Params) -> str:
    template = (
        _(
            "diagnosed %(diagnosed)s; first dose %(first_dose)s on or before %(limit)s "
            "(%(months)s months)"
        )
        if p["in_time"]
        else _(
            "diagnosed %(diagnosed)s; first dose %(first_dose)s after %(limit)s (%(months)s months)"
        )
    )
    return template % {
        "diagnosed": _day(p["diagnosed"]),
        "first_dose": _day(p["first_dose"]),
        "limit": _day(p["limit"]),
        "months": p["months"],
    }


def _sledai(p: Params) -> str:
    result: Sledai2kResult = p["result"]
    return _("%(line)s; needs ≥ %(minimum)s") % {
        "line": derived_text.sledai_line(result),
        "minimum": p["minimum"],
    }


def _consent(p: Params) -> str:
    line = _("consent form %(version)s signed %(date)s, obtained by %(by)s") % {
        "version": p["version"],
        "date": _day(p["date"]),
        "by": p["by"],
    }
    if "first_dose" not in p:
        return line
    template = (
        _("%(line)s, on or before the first dose %(first_dose)s")
        if p["in_time"]
        else _("%(line)s, after the first dose %(first_dose)s")
    )
    return template % {"line": line, "first_dose": _day(p["first_dose"])}


def _highest_dose(p: Params) -> str:
    result: PrednisoloneEquivalent = p["result"]
    line = derived_text.prednisolone_line(result)
    if p["day"] is None:
        return _("highest daily dose: %(line)s") % {"line": line}
    return _("highest daily dose on %(day)s: %(line)s") % {"day": _day(p["day"]), "line": line}


def _recurrence_free(p: Params) -> str:
    template = (
        _("%(site)s: last evidence %(last)s, more than %(years)s years before the first dose")
        if p["more_than"]
        else _(
            "%(site)s: last evidence %(last)s, not more than %(years)s years before the first dose"
        )
    )
    return template % {"site": p["site"], "last": _day(p["last"]), "years": p["years"]}


def _vaccine(p: Params, verdict: str) -> str:
    when = _("%(vaccine)s on %(date)s, %(days)s days before the first dose") % {
        "vaccine": p["vaccine"],
        "date": _day(p["date"]),
        "days": p["days"],
    }
    return _("%(when)s: %(verdict)s") % {"when": when, "verdict": verdict}


def _pregnancy_test(p: Params) -> str:
    return _("negative pregnancy test %(date)s, %(days)s days before the first dose") % {
        "date": _day(p["date"]),
        "days": p["days"],
    }


def _pregnancy_test_outside(p: Params) -> str:
    return _(
        "negative pregnancy test %(date)s, %(days)s days from the first dose: outside the "
        "%(window)s-day window, repeat it"
    ) % {"date": _day(p["date"]), "days": p["days"], "window": p["window"]}


def _judgement(p: Params) -> str:
    who = _("%(investigator)s on %(date)s") % {
        "investigator": p["investigator"],
        "date": _day(p["date"]),
    }
    if "reason" in p:
        return _("unsuitable (%(reason)s): %(who)s") % {"reason": p["reason"], "who": who}
    return _("suitable: %(who)s") % {"who": who}


_FIXED: dict[str, Promise] = {
    "no_prior_medication": gettext_lazy("no prior medication recorded"),
    "no_initial_glucocorticoid": gettext_lazy("no initial glucocorticoid"),
    "anti_hbs_from_vaccination": gettext_lazy("Anti-HBs antibody positive, from vaccination only"),
    "active_tuberculosis": gettext_lazy("active tuberculosis"),
    "no_active_tuberculosis": gettext_lazy("no active tuberculosis"),
    "active_infection_suspected": gettext_lazy("active infection suspected"),
    "no_active_infection_suspected": gettext_lazy("no active infection suspected"),
    "no_malignancy": gettext_lazy("no malignancy"),
    "cervical_in_situ": gettext_lazy("cervical carcinoma in situ, local therapy only"),
    "male": gettext_lazy("male"),
    "pregnant": gettext_lazy("pregnant"),
    "positive_pregnancy_test": gettext_lazy("positive pregnancy test"),
    "no_childbearing_potential": gettext_lazy("no childbearing potential"),
    "lactating": gettext_lazy("lactating"),
    "not_lactating": gettext_lazy("not lactating"),
    "no_other_collagen_disease": gettext_lazy("no other collagen disease"),
    "no_vaccination": gettext_lazy("none"),
}
"""Evidence that is a fixed sentence, by its code."""

_WORDED: dict[str, Callable[[Params], str]] = {
    "classification": lambda p: classification_text.classification_line(p["result"]),
    "glucocorticoid_judged_by_e1": lambda p: (
        _("%(drug)s: a glucocorticoid, judged by E1 not I2")
        % {"drug": derived_text.drug_name(p["drug"])}
    ),
    "not_an_immunosuppressant": lambda p: (
        _("%(drug)s: not an immunosuppressant or immunomodulator on the protocol list")
        % {"drug": derived_text.drug_name(p["drug"])}
    ),
    "route_not_systemic": lambda p: (
        _("%(drug)s: %(route)s, not systemic")
        % {"drug": derived_text.drug_name(p["drug"]), "route": derived_text.route_name(p["route"])}
    ),
    "given_for_another_condition": lambda p: (
        _("%(drug)s: given for another condition") % {"drug": derived_text.drug_name(p["drug"])}
    ),
    "indication_not_recorded": lambda p: (
        _("%(drug)s, %(route)s: indication not recorded")
        % {"drug": _named(p["drug"], p["canonical"]), "route": derived_text.route_name(p["route"])}
    ),
    "given_for_sle": lambda p: (
        (
            _("%(drug)s, %(route)s from %(start)s, for SLE")
            if p["start"] is not None
            else _("%(drug)s, %(route)s, for SLE")
        )
        % {
            "drug": _named(p["drug"], p["canonical"]),
            "route": derived_text.route_name(p["route"]),
            "start": _day(p["start"]) if p["start"] is not None else "",
        }
    ),
    "first_dose_after_diagnosis": _diagnosis,
    "sledai2k_needs": _sledai,
    "assessed_days_before_first_dose": lambda p: (
        _("assessed %(assessed)s, %(days)s days before the first dose (window 0-%(window)s days)")
        % {"assessed": _day(p["assessed"]), "days": p["days"], "window": p["window"]}
    ),
    "age_on_consent_day": lambda p: (
        _("aged %(age)s on the consent day %(day)s (needs %(low)s to %(high)s)")
        % {"age": p["age"], "day": _day(p["day"]), "low": p["low"], "high": p["high"]}
    ),
    "consent_signed": _consent,
    "consent_signed_before_first_dose": _consent,
    "highest_daily_dose": _highest_dose,
    "mg_per_kg_against_limit": lambda p: (
        (
            _("%(value)s mg/kg/day > %(limit)s mg/kg/day")
            if p["above"]
            else _("%(value)s mg/kg/day ≤ %(limit)s mg/kg/day")
        )
        % {"value": f"{p['value']:g}", "limit": f"{p['limit']:g}"}
    ),
    "test_result": _result,
    "measured_against_limit": _measured,
    "current_malignancy": lambda p: _("%(site)s: current malignancy") % {"site": p["site"]},
    "recurrence_free": _recurrence_free,
    "negative_pregnancy_test": _pregnancy_test,
    "pregnancy_test_outside_window": _pregnancy_test_outside,
    "collagen_allowed": lambda p: (
        _("%(disease)s: %(name)s, allowed") % {"disease": p["disease"], "name": _term(p["name"])}
    ),
    "collagen_excluding": lambda p: (
        _("%(disease)s: %(name)s") % {"disease": p["disease"], "name": _term(p["name"])}
    ),
    "collagen_not_listed": lambda p: _("%(disease)s: not on the protocol's lists") % p,
    "vaccine_outside_window": lambda p: _vaccine(p, _("outside window")),
    "vaccine_live": lambda p: _vaccine(p, _("live (%(name)s)") % {"name": _term(p["name"])}),
    "vaccine_not_live": lambda p: _vaccine(p, _("not live")),
    "vaccine_not_listed": lambda p: _vaccine(p, _("not on the protocol's vaccine lists")),
    "judged_unsuitable": _judgement,
    "judged_suitable": _judgement,
}
"""Evidence made of values, by its code."""

_MISSING: dict[str, Callable[[Params], str]] = {
    FIELD: lambda p: field_label(p["path"]),
    "whether_given_for_sle": lambda p: (
        _("Whether %(drug)s was given for SLE") % {"drug": derived_text.drug_name(p["drug"])}
    ),
    "tumour_detail": lambda p: (
        _("%(detail)s of the tumour %(site)s")
        % {"detail": labels.label(p["detail"]), "site": p["site"]}
    ),
    "investigator_to_judge_disease": lambda p: (
        _("The investigator's judgement of the disease %(disease)s") % p
    ),
    "whether_vaccine_live": lambda p: _("Whether the vaccine %(vaccine)s is live") % p,
}
"""Items still to collect, by their code."""

ENGLISH_NAMES_INPUTS = frozenset(
    {
        "classification",
        "sledai2k_needs",
        "test_result",
        "measured_against_limit",
        "anti_hbs_from_vaccination",
    }
)
"""Codes whose command-line English names inputs by their field names; the page's English uses
their labels (and so differs from the command line's)."""


def evidence_line(phrase: Phrase) -> str:
    """One line of evidence in the reader's language; an unknown code keeps its English."""
    fixed = _FIXED.get(phrase.code)
    if fixed is not None:
        return str(fixed)
    worded = _WORDED.get(phrase.code)
    return worded(phrase.params) if worded is not None else phrase.text


def missing_line(phrase: Phrase) -> str:
    """One item still to collect, in the reader's language."""
    worded = _MISSING.get(phrase.code)
    return worded(phrase.params) if worded is not None else phrase.text


def evidence_lines(result: CriterionResult) -> list[str]:
    """A criterion's evidence, one line each, in the reader's language."""
    if not result.evidence_phrases:
        return list(result.evidence)
    return [evidence_line(phrase) for phrase in result.evidence_phrases]


def missing_lines(result: CriterionResult) -> list[str]:
    """What a criterion still needs, one item each, in the reader's language."""
    if not result.missing_phrases:
        return list(result.missing)
    return [missing_line(phrase) for phrase in result.missing_phrases]


def outcome_word(outcome: Any) -> str:
    """Eligible / ineligible / incomplete in the reader's language."""
    value = str(getattr(outcome, "value", outcome))
    found = labels.OUTCOMES.get(value)
    return str(found) if found is not None else value


def status_word(status: Any) -> str:
    """Met / not met / unknown in the reader's language."""
    value = getattr(status, "value", status)
    found = labels.STATUSES.get(str(value))
    return str(found) if found is not None else str(getattr(status, "label", status))


def criterion_wording(criterion: Any) -> str:
    """An eligibility criterion's wording in the reader's language."""
    found = labels.CRITERIA.get(str(getattr(criterion, "id", "")))
    return str(found) if found is not None else str(getattr(criterion, "wording", ""))


def _said(phrases: list[Phrase], lines: list[str]) -> list[dict[str, Any]]:
    """Each line with its code and values (JSON-ready); a result without phrases has none."""
    if not phrases:
        return [{"code": None, "params": {}, "text": line} for line in lines]
    return [
        {"code": p.code, "params": p.model_dump(mode="json")["params"], "text": line}
        for p, line in zip(phrases, lines, strict=True)
    ]


def worded_decision(decision: ScreeningDecision) -> dict[str, Any]:
    """The decision as the pages word it, in the reader's language, for the JSON API: each
    criterion's wording, status, evidence and missing items, with their codes and values."""
    return {
        "outcome": outcome_word(decision.outcome),
        "criteria": [
            {
                "id": c.id,
                "wording": criterion_wording(c),
                "status": status_word(c.status),
                "evidence": _said(c.evidence_phrases, evidence_lines(c)),
                "missing": _said(c.missing_phrases, missing_lines(c)),
            }
            for c in decision.criteria
        ],
    }
