"""The inclusion criteria I1-I5 of the registration, each judged from a screening record."""

from __future__ import annotations

import datetime as dt

from lupustrial.clinical.acr_1997 import score_acr_1997
from lupustrial.clinical.eular_acr_2019 import score_eular_acr_2019
from lupustrial.clinical.glucocorticoids import parse_glucocorticoid
from lupustrial.clinical.sledai2k import score_sledai2k
from lupustrial.clinical.status import Status
from lupustrial.protocol.config import ProtocolConfig, find_term
from lupustrial.protocol.dates import add_months, age_in_completed_years
from lupustrial.protocol.rules import Evaluation, Phrase, combine, field, said
from lupustrial.protocol.screening import SYSTEMIC_ROUTES, PriorMedication, ScreeningRecord

FIRST_DOSE = "planned_first_dose_date"


def sle_classified(record: ScreeningRecord, config: ProtocolConfig) -> Evaluation:
    """I1: SLE by the 2019 EULAR/ACR (Aringer 2019) or the 1997 ACR criteria (Hochberg 1997)."""
    sets = record.classification
    parts = []
    if sets is not None and sets.eular_acr_2019 is not None:
        eular = score_eular_acr_2019(sets.eular_acr_2019)
        parts.append(
            Evaluation(
                status=eular.classified,
                evidence=[said("classification", eular.summary_line(), result=eular)],
                missing=[field(f"classification.eular_acr_2019.{code}") for code in eular.missing],
            )
        )
    else:
        parts.append(Evaluation.unknown("classification.eular_acr_2019"))
    if sets is not None and sets.acr_1997 is not None:
        acr = score_acr_1997(sets.acr_1997)
        parts.append(
            Evaluation(
                status=acr.classified,
                evidence=[said("classification", acr.summary_line(), result=acr)],
                missing=[field(f"classification.acr_1997.{code}") for code in acr.missing],
            )
        )
    else:
        parts.append(Evaluation.unknown("classification.acr_1997"))
    return combine(parts, all_needed=False)


def no_prior_immunosuppression(record: ScreeningRecord, config: ProtocolConfig) -> Evaluation:
    """I2, first half: no systemic immunosuppressant or immunomodulator for SLE (registration)."""
    if record.prior_medications is None:
        return Evaluation.unknown("prior_medications")
    parts = [_prior_medication(medication, config) for medication in record.prior_medications]
    if not parts:
        return Evaluation(
            status=Status.MET,
            evidence=[said("no_prior_medication", "no prior medication recorded")],
        )
    return combine(parts, all_needed=True)


def _prior_medication(medication: PriorMedication, config: ProtocolConfig) -> Evaluation:
    name = medication.drug
    if _is_glucocorticoid(name):
        return Evaluation(
            status=Status.MET,
            evidence=[
                said(
                    "glucocorticoid_judged_by_e1",
                    f"{name}: a glucocorticoid, judged by E1 not I2",
                    drug=name,
                )
            ],
        )
    entry = find_term(config.immunosuppressants, name)
    if entry is None:
        return Evaluation(
            status=Status.MET,
            evidence=[
                said(
                    "not_an_immunosuppressant",
                    f"{name}: not an immunosuppressant or immunomodulator on the protocol list",
                    drug=name,
                )
            ],
        )
    if medication.route not in SYSTEMIC_ROUTES:
        return Evaluation(
            status=Status.MET,
            evidence=[
                said(
                    "route_not_systemic",
                    f"{name}: {medication.route}, not systemic",
                    drug=name,
                    route=medication.route,
                )
            ],
        )
    if medication.for_sle is False:
        return Evaluation(
            status=Status.MET,
            evidence=[
                said(
                    "given_for_another_condition", f"{name}: given for another condition", drug=name
                )
            ],
        )
    if medication.for_sle is None:
        return Evaluation.unknown(
            said(
                "whether_given_for_sle",
                f"prior_medications: whether {name} was given for SLE",
                drug=name,
            ),
            evidence=[
                said(
                    "indication_not_recorded",
                    f"{_named(name, entry.name)}, {medication.route}: indication not recorded",
                    drug=name,
                    canonical=_canonical(name, entry.name),
                    route=medication.route,
                )
            ],
        )
    started = f" from {medication.start_date.isoformat()}" if medication.start_date else ""
    return Evaluation(
        status=Status.NOT_MET,
        evidence=[
            said(
                "given_for_sle",
                f"{_named(name, entry.name)}, {medication.route}{started}, for SLE",
                drug=name,
                canonical=_canonical(name, entry.name),
                route=medication.route,
                start=medication.start_date,
            )
        ],
    )


def _named(recorded: str, canonical: str) -> str:
    """The recorded name, with the protocol's name for it when they differ."""
    return recorded if recorded.lower() == canonical.lower() else f"{recorded} ({canonical})"


def _canonical(recorded: str, canonical: str) -> str | None:
    """The protocol's name for a recorded drug, when it differs from the recorded one."""
    return None if recorded.lower() == canonical.lower() else canonical


def _is_glucocorticoid(name: str) -> bool:
    try:
        parse_glucocorticoid(name)
    except ValueError:
        return False
    return True


def within_months_of_diagnosis(record: ScreeningRecord, config: ProtocolConfig) -> Evaluation:
    """I2, second half: first dose within six calendar months of the diagnosis (registration)."""
    missing = [
        name
        for name, value in (
            ("sle_diagnosis_date", record.sle_diagnosis_date),
            (FIRST_DOSE, record.planned_first_dose_date),
        )
        if value is None
    ]
    if record.sle_diagnosis_date is None or record.planned_first_dose_date is None:
        return Evaluation.unknown(*missing)
    limit = add_months(record.sle_diagnosis_date, config.months_since_diagnosis)
    first_dose = record.planned_first_dose_date
    met = first_dose <= limit
    return Evaluation(
        status=Status.of(met),
        evidence=[
            said(
                "first_dose_after_diagnosis",
                f"diagnosed {record.sle_diagnosis_date.isoformat()}; first dose "
                f"{first_dose.isoformat()} {'on or before' if met else 'after'} "
                f"{limit.isoformat()} ({config.months_since_diagnosis} months)",
                diagnosed=record.sle_diagnosis_date,
                first_dose=first_dose,
                in_time=met,
                limit=limit,
                months=config.months_since_diagnosis,
            )
        ],
    )


def untreated_recent_sle(record: ScreeningRecord, config: ProtocolConfig) -> Evaluation:
    """I2: no prior systemic immunosuppression for SLE, within six months of diagnosis."""
    return combine(
        [no_prior_immunosuppression(record, config), within_months_of_diagnosis(record, config)],
        all_needed=True,
    )


def active_disease(record: ScreeningRecord, config: ProtocolConfig) -> Evaluation:
    """I3: screening SLEDAI-2K (Gladman 2002) ≥ 4, dated within the window before first dose."""
    assessment = record.screening_sledai2k
    if assessment is None:
        return Evaluation.unknown("screening_sledai2k")
    result = score_sledai2k(assessment)
    score = Evaluation(
        status=result.at_least(config.minimum_sledai2k),
        evidence=[
            said(
                "sledai2k_needs",
                f"{result.summary_line()}; needs ≥ {config.minimum_sledai2k}",
                result=result,
                minimum=config.minimum_sledai2k,
            )
        ],
        missing=[field(f"screening_sledai2k.{code}") for code in result.missing],
    )
    return combine([score, _in_screening_window(assessment.date, record, config)], all_needed=True)


def _in_screening_window(
    assessed: dt.date | None, record: ScreeningRecord, config: ProtocolConfig
) -> Evaluation:
    if assessed is None:
        return Evaluation.unknown("screening_sledai2k.date")
    first_dose = record.planned_first_dose_date
    if first_dose is None:
        return Evaluation.unknown(FIRST_DOSE)
    days = (first_dose - assessed).days
    met = 0 <= days <= config.screening_window_days
    return Evaluation(
        status=Status.of(met),
        evidence=[
            said(
                "assessed_days_before_first_dose",
                f"assessed {assessed.isoformat()}, {days} days before the first dose "
                f"(window 0-{config.screening_window_days} days)",
                assessed=assessed,
                days=days,
                window=config.screening_window_days,
            )
        ],
    )


def adult_under_age_limit(record: ScreeningRecord, config: ProtocolConfig) -> Evaluation:
    """I4: 18 ≤ age < 80 in completed years on the day consent is obtained (registration)."""
    if record.consent is None:
        return Evaluation.unknown("consent")
    day = record.consent.date
    age = age_in_completed_years(record.date_of_birth, day)
    low, limit = config.minimum_age_years, config.age_limit_years
    return Evaluation(
        status=Status.of(low <= age < limit),
        evidence=[
            said(
                "age_on_consent_day",
                f"aged {age} on the consent day {day.isoformat()} (needs {low} to {limit - 1})",
                age=age,
                day=day,
                low=low,
                high=limit - 1,
            )
        ],
    )


def written_consent(record: ScreeningRecord, config: ProtocolConfig) -> Evaluation:
    """I5: written consent, recorded with form version and investigator, by the first dose."""
    consent = record.consent
    if consent is None:
        return Evaluation.unknown("consent")
    evidence = (
        f"consent form {consent.form_version} signed {consent.date.isoformat()}, "
        f"obtained by {consent.obtained_by}"
    )
    signed = {"version": consent.form_version, "date": consent.date, "by": consent.obtained_by}
    first_dose = record.planned_first_dose_date
    if first_dose is None:
        return Evaluation.unknown(FIRST_DOSE, evidence=[said("consent_signed", evidence, **signed)])
    met = consent.date <= first_dose
    relation = "on or before" if met else "after"
    line: Phrase = said(
        "consent_signed_before_first_dose",
        f"{evidence}, {relation} the first dose {first_dose.isoformat()}",
        **signed,
        in_time=met,
        first_dose=first_dose,
    )
    return Evaluation(status=Status.of(met), evidence=[line])
