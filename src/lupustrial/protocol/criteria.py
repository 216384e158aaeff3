"""Every criterion of the registration, declared once: id, wording, meaning in data, rule.

The wording is the registration's own (shared/protocol/registration.txt); the meaning says
how the rule reads the screening record, including the choices the wording leaves open.
"""

from __future__ import annotations

from lupustrial.protocol import exclusion, inclusion
from lupustrial.protocol.rules import Criterion, Kind

REGISTRATION = (
    "Exploratory study for the usefulness of early introduction of anifrolumab in the first "
    "remission induction therapy for systemic lupus erythematosus: public registration, "
    "Recruitment & Eligibility."
)

_I, _E = Kind.INCLUSION, Kind.EXCLUSION

CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "I1",
        _I,
        "Diagnosed with SLE based on either the 2019 EULAR/ACR classification criteria or the "
        "1997 ACR classification criteria",
        "Classified by the 2019 EULAR/ACR criteria (entry ANA ≥ 1:80, ≥ 10 points, ≥ 1 "
        "clinical item) or by the 1997 ACR criteria (≥ 4 of 11); either set suffices.",
        ("classification.eular_acr_2019", "classification.acr_1997"),
        inclusion.sle_classified,
    ),
    Criterion(
        "I2",
        _I,
        "No history of systemic administration of immunosuppressive or immunomodulatory drugs "
        "for SLE and within six months of diagnosis",
        "No systemic drug on the protocol's immunosuppressant/immunomodulator list given for "
        "SLE (glucocorticoids are judged by E1), and the first dose on or before the same day "
        "six calendar months after the diagnosis.",
        ("prior_medications", "sle_diagnosis_date", "planned_first_dose_date"),
        inclusion.untreated_recent_sle,
    ),
    Criterion(
        "I3",
        _I,
        "SLEDAI-2K score of 4 or higher, indicating active disease",
        "SLEDAI-2K ≥ 4 on the screening assessment, dated 0 to screening_window_days before "
        "the first dose; missing descriptors leave it unknown unless the score is reached.",
        ("screening_sledai2k", "planned_first_dose_date"),
        inclusion.active_disease,
    ),
    Criterion(
        "I4",
        _I,
        "Age 18 years or older and younger than 80 years at the time of obtaining consent",
        "18 ≤ age < 80 in completed years on the consent day.",
        ("date_of_birth", "consent.date"),
        inclusion.adult_under_age_limit,
    ),
    Criterion(
        "I5",
        _I,
        "Patients who have provided written consent for study participation after receiving a "
        "full explanation and understanding",
        "A consent record (date, form version, who obtained it) dated on or before the first dose.",
        ("consent", "planned_first_dose_date"),
        inclusion.written_consent,
    ),
    Criterion(
        "E1",
        _E,
        "Steroid therapy exceeding a prednisolone equivalent dose of 0.6mg/kg/day as initial "
        "treatment",
        "The highest daily prednisolone-equivalent of the initial regimen (intravenous pulses "
        "included; BNF equivalences) divided by the screening body weight is above 0.6 "
        "mg/kg/day; exactly 0.6 is allowed.",
        ("initial_glucocorticoids", "body_weight"),
        exclusion.high_initial_glucocorticoid,
    ),
    Criterion(
        "E2",
        _E,
        "Carriers of hepatitis viruses or have active HBV/HCV infections",
        "HBsAg positive, HBV DNA detectable or HCV RNA detectable (HCV RNA asked for when "
        "anti-HCV is positive).",
        ("hepatitis.hbs_ag", "hepatitis.anti_hcv", "hepatitis.hcv_rna_detectable"),
        exclusion.hepatitis_carrier_or_active,
    ),
    Criterion(
        "E3",
        _E,
        "History of HBV/HCV infection (excluding cases with negative nucleic acid "
        "quantification tests)",
        "Anti-HBc positive, anti-HBs positive from infection (not vaccination), or anti-HCV "
        "positive, unless the matching nucleic-acid test (HBV DNA, HCV RNA) is negative; a "
        "positive antibody without its test is unknown.",
        (
            "hepatitis.anti_hbc",
            "hepatitis.anti_hbs",
            "hepatitis.anti_hcv",
            "hepatitis.hbv_dna_detectable",
            "hepatitis.hcv_rna_detectable",
        ),
        exclusion.hepatitis_history,
    ),
    Criterion(
        "E4",
        _E,
        "Severe liver disease (AST or ALT >=100 U/L)",
        "AST ≥ 100 U/L or ALT ≥ 100 U/L; 99 is allowed.",
        ("ast", "alt"),
        exclusion.severe_liver_disease,
    ),
    Criterion(
        "E5",
        _E,
        "Severe kidney disease (serum creatinine >=2mg/dL)",
        "Serum creatinine ≥ 2.0 mg/dL (176.84 µmol/L).",
        ("creatinine",),
        exclusion.severe_kidney_disease,
    ),
    Criterion(
        "E6",
        _E,
        "Active tuberculosis infection",
        "Active tuberculosis, as judged by the investigator.",
        ("active_tuberculosis",),
        exclusion.active_tuberculosis,
    ),
    Criterion(
        "E7",
        _E,
        "Current or history of malignant tumors (excluding cases with no recurrence for more "
        "than 5 years, and cervical cancer treated with only with local therapy that remaining "
        "in situ and no metastasis for more than 3 years)",
        "A current malignancy, or a past one whose last evidence is not more than 5 years "
        "before the first dose (3 years for a cervical carcinoma in situ treated locally, "
        "never metastasised); exactly 5 years to the day still excludes.",
        ("malignancies", "planned_first_dose_date"),
        exclusion.malignancy,
    ),
    Criterion(
        "E8",
        _E,
        "Suspected active infection",
        "Active infection suspected by the investigator.",
        ("suspected_active_infection",),
        exclusion.suspected_active_infection,
    ),
    Criterion(
        "E9",
        _E,
        "Pregnant or may be pregnant female",
        "Pregnant, or a positive test; a woman of childbearing potential needs a negative test "
        "within pregnancy_test_window_days before the first dose, else unknown.",
        ("sex", "reproduction"),
        exclusion.pregnancy,
    ),
    Criterion(
        "E10",
        _E,
        "Lactating female",
        "Breastfeeding.",
        ("sex", "reproduction.lactating"),
        exclusion.lactation,
    ),
    Criterion(
        "E11",
        _E,
        "Coexisting collagen diseases, excluding Sjogren's syndrome and antiphospholipid "
        "antibody syndrome",
        "A coexisting disease on the protocol's list of collagen diseases; Sjögren's and "
        "antiphospholipid syndromes are allowed; a disease on neither list is for the "
        "investigator to judge (unknown).",
        ("other_collagen_diseases",),
        exclusion.other_collagen_disease,
    ),
    Criterion(
        "E12",
        _E,
        "Within 30 days after receiving live vaccine administration",
        "A live vaccine 0 to 30 days before the first dose (day 30 excludes, day 31 does not); "
        "a vaccine on neither of the protocol's lists is unknown.",
        ("vaccinations", "planned_first_dose_date"),
        exclusion.recent_live_vaccine,
    ),
    Criterion(
        "E13",
        _E,
        "Participation in the study is determined as unsuitable",
        "The investigator's recorded judgement, with a reason when unsuitable.",
        ("investigator_judgement",),
        exclusion.judged_unsuitable,
    ),
)

CRITERION_BY_ID: dict[str, Criterion] = {criterion.id: criterion for criterion in CRITERIA}
