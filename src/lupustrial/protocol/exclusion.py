"""The exclusion criteria E1-E13 of the registration, each judged from a screening record.

An exclusion that is *met* excludes the candidate; *not met* is what eligibility needs.
"""

from __future__ import annotations

import datetime as dt

from lupustrial.clinical.glucocorticoids import heaviest_day, total_prednisolone_equivalent
from lupustrial.clinical.status import Status, all_of, negate
from lupustrial.clinical.units import Quantity
from lupustrial.protocol.config import ProtocolConfig, find_term
from lupustrial.protocol.dates import add_years
from lupustrial.protocol.inclusion import FIRST_DOSE
from lupustrial.protocol.rules import Evaluation, Phrase, combine, field, said
from lupustrial.protocol.screening import Hepatitis, Malignancy, ScreeningRecord


def high_initial_glucocorticoid(record: ScreeningRecord, config: ProtocolConfig) -> Evaluation:
    """E1: initial prednisolone-equivalent (BNF) above 0.6 mg/kg/day; exactly 0.6 is allowed."""
    regimen = record.initial_glucocorticoids
    if regimen is None:
        return Evaluation.unknown("initial_glucocorticoids")
    if not regimen:
        return Evaluation(
            status=Status.NOT_MET,
            evidence=[said("no_initial_glucocorticoid", "no initial glucocorticoid")],
        )
    day, doses = heaviest_day(regimen, betamethasone=config.betamethasone)
    total = total_prednisolone_equivalent(
        doses, body_weight=record.body_weight, betamethasone=config.betamethasone
    )
    when = f" on {day.isoformat()}" if day else ""
    evidence = [
        said(
            "highest_daily_dose",
            f"highest daily dose{when}: {total.summary_line()}",
            day=day,
            result=total,
        )
    ]
    limit = config.maximum_initial_prednisolone_mg_per_kg
    if total.mg_per_kg_per_day is None:
        return Evaluation.unknown("body_weight", evidence=evidence)
    exceeds = total.mg_per_kg_per_day > limit
    evidence.append(
        said(
            "mg_per_kg_against_limit",
            f"{total.mg_per_kg_per_day:g} mg/kg/day {'>' if exceeds else '≤'} {limit:g} mg/kg/day",
            value=total.mg_per_kg_per_day,
            above=exceeds,
            limit=limit,
        )
    )
    return Evaluation(status=Status.of(exceeds), evidence=evidence)


def _result(name: str, positive: bool) -> Phrase:
    """A test's result: "anti_hcv positive", "hcv_rna_detectable negative"."""
    return said(
        "test_result",
        f"{name} {'positive' if positive else 'negative'}",
        test=name,
        positive=positive,
    )


def _positive(marker: bool | None, name: str) -> Evaluation:
    if marker is None:
        return Evaluation.unknown(f"hepatitis.{name}")
    return Evaluation(status=Status.of(marker), evidence=[_result(name, marker)])


def hepatitis_carrier_or_active(record: ScreeningRecord, config: ProtocolConfig) -> Evaluation:
    """E2: HBV carrier (HBsAg) or active HBV/HCV infection (detectable HBV DNA or HCV RNA)."""
    markers = record.hepatitis or Hepatitis()
    parts = [_positive(markers.hbs_ag, "hbs_ag")]
    if markers.hbv_dna_detectable is not None:
        parts.append(_positive(markers.hbv_dna_detectable, "hbv_dna_detectable"))
    # HCV RNA is needed only once anti-HCV is positive: a negative antibody rules HCV out.
    if markers.hcv_rna_detectable is not None:
        parts.append(_positive(markers.hcv_rna_detectable, "hcv_rna_detectable"))
    elif markers.anti_hcv:
        parts.append(
            Evaluation.unknown(
                "hepatitis.hcv_rna_detectable", evidence=[_result("anti_hcv", positive=True)]
            )
        )
    else:
        parts.append(_positive(markers.anti_hcv, "anti_hcv"))
    return combine(parts, all_needed=False)


def hepatitis_history(record: ScreeningRecord, config: ProtocolConfig) -> Evaluation:
    """E3: past HBV/HCV infection (anti-HBc, anti-HBs from infection, anti-HCV) unless NAT-negative.

    A positive antibody without its nucleic-acid test is unknown, and asks for that test.
    """
    markers = record.hepatitis or Hepatitis()
    return combine([_hbv_history(markers), _hcv_history(markers)], all_needed=False)


def _hbv_history(markers: Hepatitis) -> Evaluation:
    anti_hbs_from_infection = (
        None
        if markers.anti_hbs is None
        else (markers.anti_hbs and markers.anti_hbs_from_vaccination_only is not True)
    )
    antibodies = combine(
        [
            _positive(markers.anti_hbc, "anti_hbc"),
            Evaluation(
                status=Status.of(anti_hbs_from_infection),
                evidence=[]
                if markers.anti_hbs is None
                else [
                    said("anti_hbs_from_vaccination", "anti_hbs positive, from vaccination only")
                    if markers.anti_hbs and not anti_hbs_from_infection
                    else _result("anti_hbs", markers.anti_hbs)
                ],
                missing=[field("hepatitis.anti_hbs")]
                if markers.anti_hbs is None
                else [field("hepatitis.anti_hbs_from_vaccination_only")],
            ),
        ],
        all_needed=False,
    )
    return _history_unless_nat_negative(
        antibodies, markers.hbv_dna_detectable, "hbv_dna_detectable"
    )


def _hcv_history(markers: Hepatitis) -> Evaluation:
    return _history_unless_nat_negative(
        _positive(markers.anti_hcv, "anti_hcv"), markers.hcv_rna_detectable, "hcv_rna_detectable"
    )


def _history_unless_nat_negative(antibodies: Evaluation, nat: bool | None, name: str) -> Evaluation:
    """History counts when an antibody is positive, unless the nucleic-acid test is negative."""
    if nat is False:
        return Evaluation(
            status=Status.NOT_MET, evidence=[*antibodies.evidence, _result(name, positive=False)]
        )
    if nat is True:
        return Evaluation(
            status=Status.MET, evidence=[*antibodies.evidence, _result(name, positive=True)]
        )
    if antibodies.status is not Status.MET:
        # The antibodies come first: the nucleic-acid test is asked for once one is positive.
        return antibodies
    return Evaluation.unknown(f"hepatitis.{name}", evidence=antibodies.evidence)


def _at_or_above(quantity: Quantity | None, name: str, limit: float, unit: str) -> Evaluation:
    if quantity is None:
        return Evaluation.unknown(name)
    value = quantity.to(unit)
    shown = str(quantity) if quantity.unit == unit else f"{quantity} = {value:g} {unit}"
    high = value >= limit
    return Evaluation(
        status=Status.of(high),
        evidence=[
            said(
                "measured_against_limit",
                f"{name} {shown} {'≥' if high else '<'} {limit:g} {unit}",
                test=name,
                measured=str(quantity),
                converted=None if quantity.unit == unit else value,
                unit=unit,
                at_or_above=high,
                limit=limit,
            )
        ],
    )


def severe_liver_disease(record: ScreeningRecord, config: ProtocolConfig) -> Evaluation:
    """E4: AST or ALT ≥ 100 U/L (registration)."""
    limit = config.liver_enzyme_limit_u_per_l
    return combine(
        [
            _at_or_above(record.ast, "ast", limit, "U/L"),
            _at_or_above(record.alt, "alt", limit, "U/L"),
        ],
        all_needed=False,
    )


def severe_kidney_disease(record: ScreeningRecord, config: ProtocolConfig) -> Evaluation:
    """E5: serum creatinine ≥ 2 mg/dL (registration; µmol/L converted at 88.42 per mg/dL)."""
    return _at_or_above(record.creatinine, "creatinine", config.creatinine_limit_mg_per_dl, "mg/dL")


def _judged(value: bool | None, path: str, present: str, absent: str) -> Evaluation:
    """A yes/no the investigator records; the evidence's code is its English with underscores."""
    if value is None:
        return Evaluation.unknown(path)
    line = present if value else absent
    return Evaluation(status=Status.of(value), evidence=[said(line.replace(" ", "_"), line)])


def active_tuberculosis(record: ScreeningRecord, config: ProtocolConfig) -> Evaluation:
    """E6: active tuberculosis infection (registration)."""
    return _judged(
        record.active_tuberculosis,
        "active_tuberculosis",
        "active tuberculosis",
        "no active tuberculosis",
    )


def suspected_active_infection(record: ScreeningRecord, config: ProtocolConfig) -> Evaluation:
    """E8: suspected active infection (registration)."""
    return _judged(
        record.suspected_active_infection,
        "suspected_active_infection",
        "active infection suspected",
        "no active infection suspected",
    )


def malignancy(record: ScreeningRecord, config: ProtocolConfig) -> Evaluation:
    """E7: current or past malignancy, unless recurrence-free > 5 years (or > 3 for CIN).

    The cervical exception (registration): carcinoma in situ of the cervix treated with local
    therapy only, never metastasised, recurrence-free for more than 3 years.
    Times are counted to the planned first dose; exactly 5 (or 3) years is not "more than".
    """
    if record.malignancies is None:
        return Evaluation.unknown("malignancies")
    if not record.malignancies:
        return Evaluation(status=Status.NOT_MET, evidence=[said("no_malignancy", "no malignancy")])
    first_dose = record.planned_first_dose_date
    parts = [_one_malignancy(tumour, first_dose, config) for tumour in record.malignancies]
    return combine(parts, all_needed=False)


def _one_malignancy(
    tumour: Malignancy, first_dose: dt.date | None, config: ProtocolConfig
) -> Evaluation:
    if tumour.current:
        return Evaluation(
            status=Status.MET,
            evidence=[
                said("current_malignancy", f"{tumour.site}: current malignancy", site=tumour.site)
            ],
        )
    if tumour.last_evidence_date is None:
        return Evaluation.unknown(_tumour_detail("last_evidence_date", tumour.site))
    if first_dose is None:
        return Evaluation.unknown(FIRST_DOSE)
    last = tumour.last_evidence_date
    general = _recurrence_free(tumour, last, first_dose, config.malignancy_recurrence_free_years)
    if general.status is Status.NOT_MET or not _is_cervical(tumour.site):
        return general
    cervical = _recurrence_free(
        tumour, last, first_dose, config.cervical_in_situ_recurrence_free_years
    )
    conditions = {
        "in_situ": Status.of(tumour.in_situ),
        "local_therapy_only": Status.of(tumour.local_therapy_only),
        "metastasis": negate(Status.of(tumour.metastasis)),
    }
    exception = all_of([*conditions.values(), negate(cervical.status)])
    if exception is Status.MET:
        return Evaluation(
            status=Status.NOT_MET,
            evidence=[
                *cervical.evidence,
                said("cervical_in_situ", "cervical carcinoma in situ, local therapy only"),
            ],
        )
    if exception is Status.NOT_MET:
        return general
    missing = [
        _tumour_detail(name, tumour.site)
        for name, status in conditions.items()
        if status is Status.UNKNOWN
    ]
    return Evaluation(status=Status.UNKNOWN, evidence=general.evidence, missing=missing)


def _tumour_detail(name: str, site: str) -> Phrase:
    """A missing fact about one recorded tumour: which fact, of which tumour."""
    return said("tumour_detail", f"malignancies: {name} of {site}", detail=name, site=site)


def _recurrence_free(
    tumour: Malignancy, last: dt.date, first_dose: dt.date, years: int
) -> Evaluation:
    """Met (excludes) unless the first dose falls more than ``years`` after the last evidence."""
    allowed_after = add_years(last, years)
    excluded = first_dose <= allowed_after
    return Evaluation(
        status=Status.of(excluded),
        evidence=[
            said(
                "recurrence_free",
                f"{tumour.site}: last evidence {last.isoformat()}, "
                f"{'not ' if excluded else ''}more than {years} years before the first dose",
                site=tumour.site,
                last=last,
                more_than=not excluded,
                years=years,
            )
        ],
    )


def _is_cervical(site: str) -> bool:
    return site.strip().lower() in {"cervix", "cervical", "uterine cervix", "cervix uteri"}


def pregnancy(record: ScreeningRecord, config: ProtocolConfig) -> Evaluation:
    """E9: pregnant or possibly pregnant; childbearing potential needs a recent negative test."""
    if record.sex == "male":
        return Evaluation(status=Status.NOT_MET, evidence=[said("male", "male")])
    facts = record.reproduction
    if facts is None:
        return Evaluation.unknown("reproduction")
    if facts.pregnant or facts.pregnancy_test == "positive":
        reason = "pregnant" if facts.pregnant else "positive pregnancy test"
        return Evaluation(status=Status.MET, evidence=[said(reason.replace(" ", "_"), reason)])
    if facts.childbearing_potential is False:
        return Evaluation(
            status=Status.NOT_MET,
            evidence=[said("no_childbearing_potential", "no childbearing potential")],
        )
    first_dose = record.planned_first_dose_date
    if facts.pregnancy_test is None or facts.pregnancy_test_date is None:
        return Evaluation.unknown("reproduction.pregnancy_test")
    if first_dose is None:
        return Evaluation.unknown(FIRST_DOSE)
    days = (first_dose - facts.pregnancy_test_date).days
    window = config.pregnancy_test_window_days
    shown = f"negative pregnancy test {facts.pregnancy_test_date.isoformat()}, {days} days"
    test = {"date": facts.pregnancy_test_date, "days": days}
    if 0 <= days <= window:
        return Evaluation(
            status=Status.NOT_MET,
            evidence=[said("negative_pregnancy_test", f"{shown} before the first dose", **test)],
        )
    return Evaluation.unknown(
        "reproduction.pregnancy_test",
        evidence=[
            said(
                "pregnancy_test_outside_window",
                f"{shown} from the first dose: outside the {window}-day window, repeat it",
                **test,
                window=window,
            )
        ],
    )


def lactation(record: ScreeningRecord, config: ProtocolConfig) -> Evaluation:
    """E10: lactating female (registration)."""
    if record.sex == "male":
        return Evaluation(status=Status.NOT_MET, evidence=[said("male", "male")])
    lactating = record.reproduction.lactating if record.reproduction else None
    return _judged(lactating, "reproduction.lactating", "lactating", "not lactating")


def other_collagen_disease(record: ScreeningRecord, config: ProtocolConfig) -> Evaluation:
    """E11: another collagen disease, except Sjögren's and antiphospholipid syndromes."""
    diseases = record.other_collagen_diseases
    if diseases is None:
        return Evaluation.unknown("other_collagen_diseases")
    if not diseases:
        return Evaluation(
            status=Status.NOT_MET,
            evidence=[said("no_other_collagen_disease", "no other collagen disease")],
        )
    parts = []
    for disease in diseases:
        if (allowed := find_term(config.allowed_collagen_diseases, disease)) is not None:
            line = f"{disease}: {allowed.name}, allowed"
            parts.append(
                Evaluation(
                    status=Status.NOT_MET,
                    evidence=[said("collagen_allowed", line, disease=disease, name=allowed.name)],
                )
            )
        elif (excluding := find_term(config.excluding_collagen_diseases, disease)) is not None:
            line = f"{disease}: {excluding.name}"
            parts.append(
                Evaluation(
                    status=Status.MET,
                    evidence=[
                        said("collagen_excluding", line, disease=disease, name=excluding.name)
                    ],
                )
            )
        else:
            parts.append(
                Evaluation.unknown(
                    said(
                        "investigator_to_judge_disease",
                        f"other_collagen_diseases: investigator to judge {disease!r}",
                        disease=disease,
                    ),
                    evidence=[
                        said(
                            "collagen_not_listed",
                            f"{disease}: not on the protocol's lists",
                            disease=disease,
                        )
                    ],
                )
            )
    return combine(parts, all_needed=False)


def recent_live_vaccine(record: ScreeningRecord, config: ProtocolConfig) -> Evaluation:
    """E12: a live vaccine (CDC 2023 list) 30 days or fewer before the first dose."""
    if record.vaccinations is None:
        return Evaluation.unknown("vaccinations")
    first_dose = record.planned_first_dose_date
    if first_dose is None:
        return Evaluation.unknown(FIRST_DOSE)
    window = config.live_vaccine_window_days
    none = [] if record.vaccinations else [said("no_vaccination", "none")]
    parts = [Evaluation(status=Status.NOT_MET, evidence=none)]
    for shot in record.vaccinations:
        days = (first_dose - shot.date).days
        when = f"{shot.vaccine} on {shot.date.isoformat()}, {days} days before the first dose"
        shown = {"vaccine": shot.vaccine, "date": shot.date, "days": days}
        if not 0 <= days <= window:
            line = said("vaccine_outside_window", f"{when}: outside window", **shown)
            parts.append(Evaluation(status=Status.NOT_MET, evidence=[line]))
        elif (live := find_term(config.live_vaccines, shot.vaccine)) is not None:
            line = said("vaccine_live", f"{when}: live ({live.name})", **shown, name=live.name)
            parts.append(Evaluation(status=Status.MET, evidence=[line]))
        elif find_term(config.non_live_vaccines, shot.vaccine) is not None:
            line = said("vaccine_not_live", f"{when}: not live", **shown)
            parts.append(Evaluation(status=Status.NOT_MET, evidence=[line]))
        else:
            parts.append(
                Evaluation.unknown(
                    said(
                        "whether_vaccine_live",
                        f"vaccinations: whether {shot.vaccine!r} is live",
                        vaccine=shot.vaccine,
                    ),
                    evidence=[
                        said(
                            "vaccine_not_listed",
                            f"{when}: not on the protocol's vaccine lists",
                            **shown,
                        )
                    ],
                )
            )
    return combine(parts, all_needed=False)


def judged_unsuitable(record: ScreeningRecord, config: ProtocolConfig) -> Evaluation:
    """E13: the investigator judges participation unsuitable, with a recorded reason."""
    judgement = record.investigator_judgement
    if judgement is None:
        return Evaluation.unknown("investigator_judgement")
    who = f"{judgement.investigator} on {judgement.date.isoformat()}"
    by = {"investigator": judgement.investigator, "date": judgement.date}
    if judgement.unsuitable:
        line = f"unsuitable ({judgement.reason}): {who}"
        return Evaluation(
            status=Status.MET,
            evidence=[said("judged_unsuitable", line, **by, reason=judgement.reason)],
        )
    return Evaluation(
        status=Status.NOT_MET, evidence=[said("judged_suitable", f"suitable: {who}", **by)]
    )
