"""The study as a FHIR R4 Bundle: the hospital's language (`lupustrial export fhir`).

Read from the study's records (a dataset source: the database or the demo), never from the
application's tables, and scored by the dataset's one derivation (`dataset.derive.score_visits`,
i.e. `protocol.crfs.score_visit`), so the bundle's SLEDAI-2K is the report's. Resources:

- ResearchStudy (identifier JPRN-jRCTs031230358), a pseudonymous Patient per subject (subject
  ID, sex, birth year; no name), ResearchSubject, Consent per consent form version;
- Observations: each laboratory result and vital sign with its LOINC code
  (`protocol.laboratory_codes`, declared with its source) and its UCUM unit (`interop.ucum`);
  the SLEDAI-2K total with each assessed descriptor as an Observation it is `derivedFrom`;
  the PGA;
- MedicationAdministration per anifrolumab infusion, MedicationStatement per glucocorticoid
  regimen recorded at a visit.

Each resource is built and checked by fhir.resources' R4B models (`fhir.resources.R4B`,
with R4 semantics: the package has no plain R4). The library does not check coded values
bound to required value sets (statuses, for instance), so `_require` checks those here
against the R4 value sets.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

from lupustrial.dataset.derive import score_visits
from lupustrial.dataset.records import Assessment, StudyRecords, SubjectStatus
from lupustrial.interop.ucum import UCUM_SYSTEM, ucum
from lupustrial.protocol.config import DEFAULT_PROTOCOL, ProtocolConfig
from lupustrial.protocol.laboratory_codes import JLAC10_SYSTEM, LaboratoryCode

LOINC = "http://loinc.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
SNOMED = "http://snomed.info/sct"
STUDY_CODES = "urn:lupustrial:instruments"
"""The study's own code system for SLEDAI-2K and the PGA, which have no LOINC or CDISC code."""
WHO_ICTRP = "https://trialsearch.who.int"
_NAMESPACE = uuid.UUID("6f1c1a52-8e0e-4c5e-9a3e-2f7b9d6c0a11")

# R4 required bindings the library leaves unchecked (hl7.org/fhir/R4 value sets).
REQUIRED_CODES: dict[str, frozenset[str]] = {
    "ResearchStudy.status": frozenset(
        {"active", "administratively-completed", "approved", "closed-to-accrual",
         "closed-to-accrual-and-intervention", "completed", "disapproved", "in-review",
         "temporarily-closed-to-accrual", "temporarily-closed-to-accrual-and-intervention",
         "withdrawn"}
    ),
    "ResearchSubject.status": frozenset(
        {"candidate", "eligible", "follow-up", "ineligible", "not-registered", "off-study",
         "on-study", "on-study-intervention", "on-study-observation", "pending-on-study",
         "potential-candidate", "screening", "withdrawn"}
    ),
    "Consent.status": frozenset(
        {"draft", "proposed", "active", "rejected", "inactive", "entered-in-error"}
    ),
    "Observation.status": frozenset(
        {"registered", "preliminary", "final", "amended", "corrected", "cancelled",
         "entered-in-error", "unknown"}
    ),
    "MedicationAdministration.status": frozenset(
        {"in-progress", "not-done", "on-hold", "completed", "entered-in-error", "stopped",
         "unknown"}
    ),
    "MedicationStatement.status": frozenset(
        {"active", "completed", "entered-in-error", "intended", "stopped", "on-hold",
         "unknown", "not-taken"}
    ),
    "Patient.gender": frozenset({"male", "female", "other", "unknown"}),
    "Bundle.type": frozenset(
        {"document", "message", "transaction", "transaction-response", "batch",
         "batch-response", "history", "searchset", "collection"}
    ),
}  # fmt: skip

_SUBJECT_STATUS = {
    SubjectStatus.SCREENED: "screening",
    SubjectStatus.SCREEN_FAILED: "ineligible",
    SubjectStatus.ENROLLED: "on-study",
    SubjectStatus.WITHDRAWN: "withdrawn",
    SubjectStatus.COMPLETED: "off-study",
}


class FhirError(ValueError):
    """A value the bundle cannot carry as FHIR R4 requires; says which."""


def _require(field: str, code: str) -> str:
    if code not in REQUIRED_CODES[field]:
        raise FhirError(f"{field} {code!r} is not in its R4 value set")
    return code


def _urn(*parts: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, '/'.join(parts))}"


def _coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding], "text": display or code}


def _lab_code(code: LaboratoryCode) -> dict[str, Any]:
    """LOINC first, then the confirmed JLAC10 code (JP Core's system) when there is one."""
    concept = _coding(LOINC, code.loinc, code.display)
    if code.jlac10 is not None:
        concept["coding"].append(
            {"system": JLAC10_SYSTEM, "code": code.jlac10.code, "display": code.jlac10.display}
        )
    return concept


def _quantity(value: float, unit: str) -> dict[str, Any]:
    quantity: dict[str, Any] = {"value": value, "unit": unit}
    code = ucum(unit)
    if code is not None:
        quantity |= {"system": UCUM_SYSTEM, "code": code}
    return quantity


def bundle(
    records: StudyRecords,
    created: dt.datetime,
    protocol: ProtocolConfig = DEFAULT_PROTOCOL,
) -> dict[str, Any]:
    """The FHIR R4 collection Bundle of ``records``, checked by the R4B models, as JSON data."""
    from fhir.resources.R4B.bundle import Bundle

    entries = list(_resources(records, protocol))
    document = {
        "resourceType": "Bundle",
        "id": str(uuid.uuid5(_NAMESPACE, f"bundle/{created.isoformat()}")),
        "type": _require("Bundle.type", "collection"),
        "timestamp": created.astimezone(dt.UTC).isoformat(),
        "entry": [{"fullUrl": url, "resource": resource} for url, resource in entries],
    }
    checked = Bundle.model_validate(document)
    result: dict[str, Any] = checked.model_dump(mode="json", exclude_none=True)
    return result


def _resources(
    records: StudyRecords, protocol: ProtocolConfig
) -> Iterator[tuple[str, dict[str, Any]]]:
    from fhir.resources.R4B.consent import Consent
    from fhir.resources.R4B.researchstudy import ResearchStudy
    from fhir.resources.R4B.researchsubject import ResearchSubject

    jrct = protocol.registration.jrct_id
    study_url = _urn("ResearchStudy", jrct)
    study = ResearchStudy.model_validate(
        {
            "resourceType": "ResearchStudy",
            "identifier": [{"system": WHO_ICTRP, "value": f"JPRN-{jrct}"}],
            "title": protocol.study_title,
            "status": _require("ResearchStudy.status", "active"),
        }
    )
    yield study_url, _json(study)
    patients: dict[str, str] = {}
    for subject in records.subjects:
        patient_url = _urn("Patient", subject.subject_id)
        patients[subject.subject_id] = patient_url
        yield patient_url, _patient(subject.subject_id, subject.sex, subject.birth_year)
        research = ResearchSubject.model_validate(
            {
                "resourceType": "ResearchSubject",
                "identifier": [{"system": f"urn:lupustrial:{jrct}", "value": subject.subject_id}],
                "status": _require("ResearchSubject.status", _SUBJECT_STATUS[subject.status]),
                "study": {"reference": study_url},
                "individual": {"reference": patient_url},
                **(
                    {"period": {"start": subject.enrolment_date.isoformat()}}
                    if subject.enrolment_date
                    else {}
                ),
            }
        )
        yield _urn("ResearchSubject", subject.subject_id), _json(research)
    for consent in records.consents:
        withdrawn_fully = consent.withdrawn_on is not None and consent.withdrawal_scope == "full"
        resource = Consent.model_validate(
            {
                "resourceType": "Consent",
                "status": _require("Consent.status", "inactive" if withdrawn_fully else "active"),
                "scope": _coding(CONSENT_SCOPE, "research", "Research"),
                "category": [_coding(LOINC, "59284-0", "Consent Document")],
                "patient": {"reference": patients[consent.subject_id]},
                "dateTime": consent.consent_date.isoformat(),
                "policyRule": {
                    "text": f"{jrct} informed consent form version {consent.form_version}"
                },
            }
        )
        yield _urn("Consent", consent.subject_id, consent.form_version), _json(resource)
    for scores in score_visits(records):
        yield from _visit(scores.assessment, scores.sledai2k, patients, protocol)


def _json(resource: Any) -> dict[str, Any]:
    data: dict[str, Any] = resource.model_dump(mode="json", exclude_none=True)
    return data


def _patient(subject_id: str, sex: Any, birth_year: int | None) -> dict[str, Any]:
    from fhir.resources.R4B.patient import Patient

    document: dict[str, Any] = {
        "resourceType": "Patient",
        "identifier": [{"system": "urn:lupustrial:subject", "value": subject_id}],
    }
    if sex is not None:
        document["gender"] = _require("Patient.gender", str(getattr(sex, "value", sex)))
    if birth_year is not None:
        document["birthDate"] = f"{birth_year:04d}"  # the year only: pseudonymised
    return _json(Patient.model_validate(document))


def _observation(
    patient: str, date: dt.date, category: str, code: dict[str, Any], **value: Any
) -> dict[str, Any]:
    from fhir.resources.R4B.observation import Observation

    return _json(
        Observation.model_validate(
            {
                "resourceType": "Observation",
                "status": _require("Observation.status", "final"),
                "category": [_coding(OBSERVATION_CATEGORY, category)],
                "code": code,
                "subject": {"reference": patient},
                "effectiveDateTime": date.isoformat(),
                **value,
            }
        )
    )


def _measured(assessment: Assessment, item: str) -> tuple[float, str, dict[str, Any]] | None:
    """One measured item's value, unit and reference range, from the visit's forms."""
    form_name, field = item.split(".", 1)
    form = getattr(assessment, form_name)
    value = getattr(form, field, None) if form is not None else None
    if value is None:
        return None
    if isinstance(value, int | float):  # blood pressure: the form's field is in mmHg
        return float(value), "mm[Hg]", {}
    if hasattr(value, "lower_limit_of_normal"):  # C3, C4
        low = value.lower_limit_of_normal
        return value.value.value, value.value.unit, {"low": _quantity(low.value, low.unit)}
    if hasattr(value, "upper_limit_of_normal"):  # anti-dsDNA in the laboratory's unit
        high = _quantity(value.upper_limit_of_normal, value.unit)
        return value.value, value.unit, {"high": high}
    return value.value, value.unit, {}


def _visit(
    assessment: Assessment,
    sledai: Any,
    patients: dict[str, str],
    protocol: ProtocolConfig,
) -> Iterator[tuple[str, dict[str, Any]]]:
    from fhir.resources.R4B.medicationadministration import MedicationAdministration
    from fhir.resources.R4B.medicationstatement import MedicationStatement

    who, when = assessment.subject_id, assessment.date
    visit = assessment.visit_id or assessment.visit.value
    patient = patients[who]
    for code in protocol.laboratory_codes:
        measured = _measured(assessment, code.item)
        if measured is None:
            continue
        value, unit, limits = measured
        yield (
            _urn("Observation", who, visit, code.item),
            _observation(
                patient,
                when,
                code.category,
                _lab_code(code),
                valueQuantity=_quantity(value, unit),
                **({"referenceRange": [limits]} if limits else {}),
            ),
        )
    if sledai is not None:
        descriptors = []
        for finding in sledai.findings:
            if finding.status.value == "unknown":
                continue  # not assessed: the total's `missing`, nothing to derive from
            url = _urn("Observation", who, visit, "sledai2k", finding.code)
            descriptors.append(url)
            yield (
                url,
                _observation(
                    patient,
                    when,
                    "survey",
                    _coding(STUDY_CODES, f"SLEDAI-2K.{finding.code}", f"SLEDAI-2K: {finding.name}"),
                    valueBoolean=finding.status.value == "met",
                ),
            )
        yield (
            _urn("Observation", who, visit, "sledai2k"),
            _observation(
                patient,
                when,
                "survey",
                _coding(STUDY_CODES, "SLEDAI-2K", "SLEDAI-2K total (Gladman 2002)"),
                valueInteger=sledai.total,
                derivedFrom=[{"reference": url} for url in descriptors],
            ),
        )
    activity = assessment.disease_activity
    if activity is not None and activity.pga is not None:
        yield (
            _urn("Observation", who, visit, "pga"),
            _observation(
                patient,
                when,
                "survey",
                _coding(STUDY_CODES, "PGA", "Physician Global Assessment (SELENA 0-3)"),
                valueQuantity={"value": activity.pga, "system": UCUM_SYSTEM, "code": "{score}"},
            ),
        )
    infusion = assessment.infusion
    if infusion is not None and infusion.given and infusion.date and infusion.dose:
        given = MedicationAdministration.model_validate(
            {
                "resourceType": "MedicationAdministration",
                "status": _require("MedicationAdministration.status", "completed"),
                "medicationCodeableConcept": {"text": "anifrolumab"},
                "subject": {"reference": patient},
                "effectiveDateTime": infusion.date.isoformat(),
                "dosage": {
                    "route": _coding(SNOMED, "47625008", "Intravenous route"),
                    "dose": _quantity(infusion.dose.value, infusion.dose.unit),
                },
            }
        )
        yield _urn("MedicationAdministration", who, visit), _json(given)
    steroids = assessment.glucocorticoids
    for n, dose in enumerate((steroids.doses if steroids else None) or []):
        ended = dose.end_date is not None and dose.end_date <= when
        period = {
            k: v.isoformat()
            for k, v in (("start", dose.start_date), ("end", dose.end_date))
            if v is not None
        }
        statement = MedicationStatement.model_validate(
            {
                "resourceType": "MedicationStatement",
                "status": _require(
                    "MedicationStatement.status", "completed" if ended else "active"
                ),
                "medicationCodeableConcept": {"text": str(getattr(dose.drug, "value", dose.drug))},
                "subject": {"reference": patient},
                "dateAsserted": when.isoformat(),
                **({"effectivePeriod": period} if period else {}),
                "dosage": [
                    {
                        "text": f"{dose.dose} {dose.times_per_day}×/day {dose.route}",
                        "route": {"text": str(dose.route)},
                        "timing": {
                            "repeat": {
                                "frequency": dose.times_per_day,
                                "period": 1,
                                "periodUnit": "d",
                            }
                        },
                        "doseAndRate": [
                            {"doseQuantity": _quantity(dose.dose.value, dose.dose.unit)}
                        ],
                    }
                ],
            }
        )
        yield _urn("MedicationStatement", who, visit, str(n)), _json(statement)
