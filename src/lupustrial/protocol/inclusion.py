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
from lupustrial.protocol.rules import Evaluation, combine
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
                evidence=[eular.summary_line()],
                missing=[f"classification.eular_acr_2019.{code}" for code in eular.missing],
            )
        )
    else:
        parts.append(Evaluation.unknown("classification.eular_acr_2019"))
    if sets is not None and sets.acr_1997 is not None:
        acr = score_acr_1997(sets.acr_1997)
        parts.append(
            Evaluation(
                status=acr.classified,
                evidence=[acr.summary_line()],
                missing=[f"classification.acr_1997.{code}" for code in acr.missing],
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
        return Evaluation(status=Status.MET, evidence=["no prior medication recorded"])
    return combine(parts, all_needed=True)


def _prior_medication(medication: PriorMedication, config: ProtocolConfig) -> Evaluation:
    name = medication.drug
    if _is_glucocorticoid(name):
        return Evaluation(
            status=Status.MET, evidence=[f"{name}: a glucocorticoid, judged by E1 not I2"]
        )
    entry = find_term(config.immunosuppressants, name)
    if entry is None:
        return Evaluation(
            status=Status.MET,
            evidence=[f"{name}: not an immunosuppressant or immunomodulator on the protocol list"],
        )
    if medication.route not in SYSTEMIC_ROUTES:
        return Evaluation(status=Status.MET, evidence=[f"{name}: {medication.route}, not systemic"])
    if medication.for_sle is False:
        return Evaluation(status=Status.MET, evidence=[f"{name}: given for another condition"])
    if medication.for_sle is None:
        return Evaluation.unknown(
            f"prior_medications: whether {name} was given for SLE",
            evidence=[f"{_named(name, entry.name)}, {medication.route}: indication not recorded"],
        )
    started = f" from {medication.start_date.isoformat()}" if medication.start_date else ""
    return Evaluation(
        status=Status.NOT_MET,
        evidence=[f"{_named(name, entry.name)}, {medication.route}{started}, for SLE"],
    )


def _named(recorded: str, canonical: str) -> str:
    """The recorded name, with the protocol's name for it when they differ."""
    return recorded if recorded.lower() == canonical.lower() else f"{recorded} ({canonical})"


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
            f"diagnosed {record.sle_diagnosis_date.isoformat()}; first dose "
            f"{first_dose.isoformat()} {'on or before' if met else 'after'} "
            f"{limit.isoformat()} ({config.months_since_diagnosis} months)"
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
        evidence=[f"{result.summary_line()}; needs ≥ {config.minimum_sledai2k}"],
        missing=[f"screening_sledai2k.{code}" for code in result.missing],
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
            f"assessed {assessed.isoformat()}, {days} days before the first dose "
            f"(window 0-{config.screening_window_days} days)"
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
        evidence=[f"aged {age} on the consent day {day.isoformat()} (needs {low} to {limit - 1})"],
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
    first_dose = record.planned_first_dose_date
    if first_dose is None:
        return Evaluation.unknown(FIRST_DOSE, evidence=[evidence])
    met = consent.date <= first_dose
    relation = "on or before" if met else "after"
    return Evaluation(
        status=Status.of(met),
        evidence=[f"{evidence}, {relation} the first dose {first_dose.isoformat()}"],
    )
