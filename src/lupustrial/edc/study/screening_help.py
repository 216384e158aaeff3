"""Help for every field of the screening form, in English and Japanese, by the field's path.

The screening record's model descriptions explain the data for programmers and are English;
`schema_forms.plain_help` makes readable English of them but no Japanese. The screening form
takes its help from here instead (`labels.help_text`), so that every field's help is in the
reader's language (`tests/edc/test_japanese_eligibility.py` walks every field in Japanese).
The English is the model's description without its data-format sentences; the 1997 ACR
definitions are Tan 1982's as revised by Hochberg 1997, word for word.

Paths are dotted, without row numbers and without a quantity's value/unit part.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

SCREENING_HELP: dict[str, Promise] = {
    "planned_first_dose_date": _("Planned first anifrolumab infusion (may be in the future)."),
    "sle_diagnosis_date": _("I2: diagnosis day."),
    "classification.eular_acr_2019.date": _("Date of the classification."),
    "classification.eular_acr_2019.ana_positive_at_least_1_80": _(
        "Entry criterion: ANA at a titre of at least 1:80 on HEp-2 cells or an "
        "equivalent positive test (e.g. a solid-phase immunoassay of at least "
        "equivalent performance), at least once. Counts over a disagreeing titre."
    ),
    "classification.eular_acr_2019.synovitis_two_or_more_joints": _(
        "Synovitis (swelling or effusion) in at least 2 joints, at least once; "
        "meets joint involvement on its own."
    ),
    "classification.eular_acr_2019.tenderness_two_or_more_joints": _(
        "Tenderness in at least 2 joints, at least once; meets joint involvement "
        "only with at least 30 minutes of morning stiffness."
    ),
    "classification.eular_acr_2019.morning_stiffness_minutes": _(
        "Duration of morning stiffness with the joint tenderness, in minutes (at least 30 needed)."
    ),
    "classification.eular_acr_2019.low_c3": _(
        "Serum C3 below the testing laboratory's lower limit of normal "
        "(Complement proteins domain: low C3 or low C4 scores 3, both 4). Counts "
        "only if there is no more likely explanation than SLE; once is enough."
    ),
    "classification.eular_acr_2019.low_c4": _(
        "Serum C4 below the testing laboratory's lower limit of normal "
        "(Complement proteins domain: low C3 or low C4 scores 3, both 4). Counts "
        "only if there is no more likely explanation than SLE; once is enough."
    ),
    "classification.eular_acr_2019.temperature": _(
        "Highest body temperature recorded (fever is > 38.3 °C)."
    ),
    "classification.eular_acr_2019.leukocytes": _(
        "Lowest white blood cell count recorded (leukopenia is < 4.0 ×10⁹/L)."
    ),
    "classification.eular_acr_2019.platelets": _(
        "Lowest platelet count recorded (thrombocytopenia is < 100 ×10⁹/L)."
    ),
    "classification.eular_acr_2019.urine_protein_24h": _(
        "Highest protein in a 24-hour urine collection (criterion: > 0.5 g/24h)."
    ),
    "classification.eular_acr_2019.urine_protein_creatinine_ratio": _(
        "Highest spot urine protein/creatinine ratio (criterion: > 0.5 g/g)."
    ),
    "classification.acr_1997.date": _("Date of the assessment: findings up to this date count."),
    "classification.acr_1997.malar_rash": _(
        "Malar rash (criterion 1): Fixed erythema, flat or raised, over the malar "
        "eminences, tending to spare the nasolabial folds."
    ),
    "classification.acr_1997.discoid_rash": _(
        "Discoid rash (criterion 2): Erythematous raised patches with adherent "
        "keratotic scaling and follicular plugging; atrophic scarring may occur "
        "in older lesions."
    ),
    "classification.acr_1997.photosensitivity": _(
        "Photosensitivity (criterion 3): Skin rash as a result of unusual "
        "reaction to sunlight, by patient history or physician observation."
    ),
    "classification.acr_1997.oral_ulcers": _(
        "Oral ulcers (criterion 4): Oral or nasopharyngeal ulceration, usually "
        "painless, observed by a physician."
    ),
    "classification.acr_1997.pleuritis": _(
        "Pleuritis (criterion 6a): Convincing history of pleuritic pain, or rub "
        "heard by a physician, or evidence of pleural effusion."
    ),
    "classification.acr_1997.persistent_proteinuria": _(
        "Persistent proteinuria (criterion 7a): Persistent proteinuria > 0.5 "
        "g/day, or > 3+ if quantitation not performed."
    ),
    "classification.acr_1997.cellular_casts": _(
        "Cellular casts (criterion 7b): May be red cell, hemoglobin, granular, tubular or mixed."
    ),
    "classification.acr_1997.seizures": _(
        "Seizures (criterion 8a): In the absence of offending drugs or known "
        "metabolic derangements, e.g. uremia, ketoacidosis or electrolyte "
        "imbalance."
    ),
    "classification.acr_1997.hemolytic_anemia": _(
        "Hemolytic anemia (criterion 9a): With reticulocytosis."
    ),
    "classification.acr_1997.leukopenia_two_occasions": _(
        "Leukopenia (criterion 9b): < 4,000/mm³ total on 2 or more occasions."
    ),
    "classification.acr_1997.lymphopenia_two_occasions": _(
        "Lymphopenia (criterion 9c): < 1,500/mm³ on 2 or more occasions."
    ),
    "classification.acr_1997.anti_dsdna": _(
        "Anti-DNA (criterion 10a): Antibody to native DNA in abnormal titer."
    ),
    "classification.acr_1997.anti_sm": _(
        "Anti-Sm (criterion 10b): Presence of antibody to Sm nuclear antigen."
    ),
    "classification.acr_1997.anticardiolipin": _(
        "Anticardiolipin antibodies (criterion 10c(1)): An abnormal serum level "
        "of IgG or IgM anticardiolipin antibodies."
    ),
    "classification.acr_1997.lupus_anticoagulant": _(
        "Lupus anticoagulant (criterion 10c(2)): A positive test result for lupus "
        "anticoagulant using a standard method."
    ),
    "classification.acr_1997.false_positive_syphilis_serology": _(
        "False-positive serologic test for syphilis (criterion 10c(3)): Known to "
        "be positive for at least 6 months and confirmed by Treponema pallidum "
        "immobilization or fluorescent treponemal antibody absorption test."
    ),
    "classification.acr_1997.antinuclear_antibody": _(
        "Antinuclear antibody (criterion 11): An abnormal titer of antinuclear "
        "antibody by immunofluorescence or an equivalent assay at any point in "
        "time, in the absence of drugs known to be associated with drug-induced "
        "lupus."
    ),
    "classification.acr_1997.leukocyte_counts.date": _("Date the sample was taken."),
    "classification.acr_1997.leukocyte_counts.count": _("The count, e.g. 3900 /mm³ or 3.9 10^9/L."),
    "classification.acr_1997.lymphocyte_counts.date": _("Date the sample was taken."),
    "classification.acr_1997.lymphocyte_counts.count": _(
        "The count, e.g. 3900 /mm³ or 3.9 10^9/L."
    ),
    "classification.acr_1997.platelets": _(
        "The lowest platelet count. Derives thrombocytopenia when < 100 10^9/L, "
        "unless that sub-item is entered."
    ),
    "classification.acr_1997.urine_protein_24h": _(
        "Protein in a 24-hour urine collection. Derives persistent_proteinuria "
        "when > 0.5 g/24h, unless that sub-item is entered."
    ),
    "prior_medications": _("I2: every systemic drug before screening."),
    "prior_medications.drug": _("Generic or brand name, e.g. hydroxychloroquine."),
    "prior_medications.route": _("How it was given; only systemic routes count for I2."),
    "prior_medications.start_date": _("When it was first given."),
    "prior_medications.for_sle": _(
        "Whether it was given for SLE; leave it unanswered while not yet confirmed."
    ),
    "screening_sledai2k.date": _("Date of the assessment."),
    "screening_sledai2k.labs.platelets": _("Platelet count."),
    "screening_sledai2k.labs.leukocytes": _("White blood cell count."),
    "screening_sledai2k.labs.temperature": _("Body temperature."),
    "screening_sledai2k.labs.urine_protein_24h": _("Protein in a 24-hour urine collection."),
    "screening_sledai2k.labs.urine_protein_creatinine_ratio": _(
        "Spot urine protein/creatinine ratio."
    ),
    "screening_sledai2k.labs.urine_rbc_per_hpf": _("Urine red blood cells per high-power field."),
    "screening_sledai2k.labs.urine_wbc_per_hpf": _("Urine white blood cells per high-power field."),
    "screening_sledai2k.labs.c3": _("The measured level, e.g. 0.7 g/L."),
    "screening_sledai2k.labs.c3.lower_limit_of_normal": _(
        "The testing laboratory's lower limit of normal."
    ),
    "screening_sledai2k.labs.c4": _("The measured level, e.g. 0.7 g/L."),
    "screening_sledai2k.labs.c4.lower_limit_of_normal": _(
        "The testing laboratory's lower limit of normal."
    ),
    "screening_sledai2k.labs.anti_dsdna": _("The measured anti-dsDNA level."),
    "screening_sledai2k.labs.anti_dsdna.upper_limit_of_normal": _(
        "The testing laboratory's upper limit of normal, in the same unit."
    ),
    "initial_glucocorticoids": _("E1: the initial glucocorticoid regimen, pulses included."),
    "initial_glucocorticoids.drug": _(
        "The drug, e.g. prednisolone, methylprednisolone, cortisone acetate."
    ),
    "initial_glucocorticoids.route": _(
        "Systemic routes only: topical, inhaled and intra-articular doses are not "
        "converted by these tables."
    ),
    "initial_glucocorticoids.start_date": _("First day of this regimen."),
    "initial_glucocorticoids.end_date": _("Last day of this regimen."),
    "body_weight": _("E1: weight at screening."),
    "hepatitis.hbs_ag": _("HBs antigen."),
    "hepatitis.anti_hbc": _("Anti-HBc antibody."),
    "hepatitis.anti_hbs": _("Anti-HBs antibody."),
    "hepatitis.anti_hbs_from_vaccination_only": _(
        "A positive anti-HBs explained by hepatitis B vaccination alone (with a "
        "negative anti-HBc), which is not a history of infection."
    ),
    "hepatitis.hbv_dna_detectable": _("HBV DNA (nucleic acid)."),
    "hepatitis.anti_hcv": _("Anti-HCV antibody."),
    "hepatitis.hcv_rna_detectable": _("HCV RNA (nucleic acid)."),
    "ast": _("E4: AST."),
    "alt": _("E4: ALT."),
    "creatinine": _("E5: serum creatinine."),
    "active_tuberculosis": _("E6."),
    "malignancies": _("E7: current or past malignant tumours."),
    "malignancies.site": _("Organ or type, e.g. breast, cervix."),
    "malignancies.current": _("Still present or under treatment."),
    "malignancies.last_evidence_date": _(
        "The last day the tumour or a recurrence was present (end of treatment "
        "when it never recurred): the recurrence-free time runs from here."
    ),
    "malignancies.in_situ": _("Carcinoma in situ."),
    "malignancies.local_therapy_only": _("Treated with local therapy only (e.g. conisation)."),
    "malignancies.metastasis": _("Ever metastasised."),
    "suspected_active_infection": _("E8."),
    "reproduction.childbearing_potential": _("False after menopause or sterilisation."),
    "reproduction.pregnant": _("Known or suspected pregnancy."),
    "other_collagen_diseases": _("E11: coexisting collagen diseases by name."),
    "vaccinations": _("E12: vaccines in the months before the first dose."),
    "vaccinations.vaccine": _("Vaccine name, e.g. MMR, Shingrix."),
    "investigator_judgement.reason": _("Required when unsuitable."),
    "medical_history": _("Every other condition, past or ongoing (not a criterion)."),
    "medical_history.condition": _("e.g. hypertension, appendicectomy."),
    "medical_history.ongoing": _("Still present at screening."),
}
"""Each screening field's help, by its path (rows and value/unit parts left out)."""
