"""The one label catalogue of the forms: each field's label and help, in English and Japanese.

The forms are generated from the clinical and protocol models (`schema_forms`), whose field
names are for programmers ("cva", "ana_positive_at_least_1_80") and whose descriptions
explain the data format. A person reads these instead: a label per field name, and help on
demand. The Japanese is in the EDC's catalogue (`locale/ja/LC_MESSAGES/django.po`); every
text here is a literal, so `makemessages` finds it and the i18n test holds it complete.

The SLEDAI-2K definitions are Gladman 2002's, as `clinical.sledai2k.DESCRIPTORS` gives them;
`tests/edc/test_labels.py` checks that the English here is that text, word for word.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lupustrial.clinical import assessment
from lupustrial.clinical.glucocorticoids import UNDATED_ASSESSMENT
from lupustrial.protocol.safety.expectedness import SHIPPED_VERSION

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise  # gettext_lazy's text, as the form fields take it

LABELS: dict[str, StrPromise] = {
    "lot_number": _("Lot number"),
    "start_time": _("Infusion start (time)"),
    "end_time": _("Infusion end (time)"),
    "interrupted": _("Interrupted"),
    "interruption_reason": _("Reason for the interruption"),
    "not_given_reason": _("Reason not given"),
    "dose_unit": _("Dose unit"),
    "frequency": _("Frequency"),
    "indication": _("Indication"),
    "medical_history": _("Medical history"),
    "condition": _("Condition"),
    "ongoing": _("Ongoing at screening"),
    "notes": _("Notes"),
    "form_version": _("Consent form version"),
    "obtained_by": _("Consent obtained by"),
    "screening_id": _("Screening number"),
    "sex": _("Sex"),
    "date_of_birth": _("Date of birth"),
    "planned_first_dose_date": _("Planned first infusion"),
    "sle_diagnosis_date": _("SLE diagnosis date"),
    "date": _("Date"),
    "ana_titre_denominator": _("ANA titre (1:n), n"),
    "ana_positive_at_least_1_80": _("ANA ≥ 1:80 (entry criterion)"),
    "fever": _("Fever"),
    "leukopenia": _("Leukopenia"),
    "thrombocytopenia": _("Thrombocytopenia"),
    "autoimmune_hemolysis": _("Autoimmune haemolysis"),
    "delirium": _("Delirium"),
    "psychosis": _("Psychosis"),
    "seizure": _("Seizure"),
    "non_scarring_alopecia": _("Non-scarring alopecia"),
    "oral_ulcers": _("Oral ulcers"),
    "subacute_cutaneous_or_discoid_lupus": _("Subacute cutaneous or discoid lupus"),
    "acute_cutaneous_lupus": _("Acute cutaneous lupus"),
    "pleural_or_pericardial_effusion": _("Pleural or pericardial effusion"),
    "acute_pericarditis": _("Acute pericarditis"),
    "joint_involvement": _("Joint involvement"),
    "synovitis_two_or_more_joints": _("Synovitis in ≥ 2 joints"),
    "tenderness_two_or_more_joints": _("Tenderness in ≥ 2 joints"),
    "morning_stiffness_minutes": _("Morning stiffness (minutes)"),
    "proteinuria": _("Proteinuria"),
    "renal_biopsy_class_ii_or_v": _("Renal biopsy: class II or V nephritis"),
    "renal_biopsy_class_iii_or_iv": _("Renal biopsy: class III or IV nephritis"),
    "antiphospholipid_antibodies": _("Antiphospholipid antibodies"),
    "low_c3": _("Low C3"),
    "low_c4": _("Low C4"),
    "anti_dsdna_or_anti_smith": _("Anti-dsDNA or anti-Sm antibodies"),
    "temperature": _("Body temperature"),
    "leukocytes": _("White blood cells"),
    "platelets": _("Platelets"),
    "urine_protein_24h": _("Urine protein (24 h)"),
    "urine_protein_creatinine_ratio": _("Urine protein/creatinine ratio"),
    "malar_rash": _("Malar rash"),
    "discoid_rash": _("Discoid rash"),
    "photosensitivity": _("Photosensitivity"),
    "arthritis": _("Arthritis"),
    "pleuritis": _("Pleuritis"),
    "pericarditis": _("Pericarditis"),
    "persistent_proteinuria": _("Persistent proteinuria"),
    "cellular_casts": _("Cellular casts"),
    "seizures": _("Seizures"),
    "hemolytic_anemia": _("Haemolytic anaemia"),
    "leukopenia_two_occasions": _("Leukopenia (2 occasions)"),
    "lymphopenia_two_occasions": _("Lymphopenia (2 occasions)"),
    "anti_dsdna": _("Anti-dsDNA antibody"),
    "anti_sm": _("Anti-Sm antibody"),
    "anticardiolipin": _("Anticardiolipin antibodies"),
    "lupus_anticoagulant": _("Lupus anticoagulant"),
    "false_positive_syphilis_serology": _("False-positive syphilis serology"),
    "antinuclear_antibody": _("Antinuclear antibody"),
    "count": _("Count"),
    "leukocyte_counts": _("White cell counts"),
    "lymphocyte_counts": _("Lymphocyte counts"),
    "prior_medications": _("Prior medications"),
    "drug": _("Drug"),
    "route": _("Route"),
    "start_date": _("Start date"),
    "for_sle": _("Given for SLE"),
    "lookback_days": _("Look-back window (days)"),
    "organic_brain_syndrome": _("Organic brain syndrome"),
    "visual_disturbance": _("Visual disturbance"),
    "cranial_nerve_disorder": _("Cranial nerve disorder"),
    "lupus_headache": _("Lupus headache"),
    "cva": _("Cerebrovascular accident"),
    "vasculitis": _("Vasculitis"),
    "myositis": _("Myositis"),
    "urinary_casts": _("Urinary casts"),
    "hematuria": _("Haematuria"),
    "pyuria": _("Pyuria"),
    "rash": _("Rash"),
    "alopecia": _("Alopecia"),
    "mucosal_ulcers": _("Mucosal ulcers"),
    "pleurisy": _("Pleurisy"),
    "low_complement": _("Low complement"),
    "increased_dna_binding": _("Increased DNA binding"),
    "urine_rbc_per_hpf": _("Urine red cells (/hpf)"),
    "urine_wbc_per_hpf": _("Urine white cells (/hpf)"),
    "c3": _("C3"),
    "c4": _("C4"),
    "value": _("Value"),
    "lower_limit_of_normal": _("Lower limit of normal"),
    "upper_limit_of_normal": _("Upper limit of normal"),
    "initial_glucocorticoids": _("Initial glucocorticoids"),
    "dose": _("Dose per administration"),
    "times_per_day": _("Times a day"),
    "every_n_days": _("Every n days"),
    "dose_per": _("Dose entered"),
    "end_date": _("End date"),
    "body_weight": _("Body weight"),
    "hepatitis": _("Hepatitis"),
    "hbs_ag": _("HBs antigen"),
    "anti_hbc": _("Anti-HBc antibody"),
    "anti_hbs": _("Anti-HBs antibody"),
    "anti_hbs_from_vaccination_only": _("Anti-HBs from vaccination only"),
    "hbv_dna_detectable": _("HBV DNA detectable"),
    "anti_hcv": _("Anti-HCV antibody"),
    "hcv_rna_detectable": _("HCV RNA detectable"),
    "ast": _("AST"),
    "alt": _("ALT"),
    "creatinine": _("Serum creatinine"),
    "active_tuberculosis": _("Active tuberculosis"),
    "malignancies": _("Malignancies"),
    "site": _("Site or type"),
    "diagnosis_date": _("Diagnosis date"),
    "current": _("Current"),
    "last_evidence_date": _("Last evidence"),
    "in_situ": _("In situ"),
    "local_therapy_only": _("Local therapy only"),
    "metastasis": _("Metastasis"),
    "suspected_active_infection": _("Suspected active infection"),
    "reproduction": _("Pregnancy and contraception"),
    "childbearing_potential": _("Childbearing potential"),
    "pregnant": _("Pregnant"),
    "pregnancy_test": _("Pregnancy test"),
    "pregnancy_test_date": _("Pregnancy test date"),
    "lactating": _("Lactating"),
    "other_collagen_diseases": _("Other collagen diseases"),
    "vaccinations": _("Vaccinations"),
    "vaccine": _("Vaccine"),
    "investigator_judgement": _("Investigator's judgement"),
    "unsuitable": _("Unsuitable"),
    "reason": _("Reason"),
    "investigator": _("Investigator"),
    "haemoglobin": _("Haemoglobin"),
    "lymphocytes": _("Lymphocytes"),
    "systolic_mmhg": _("Systolic BP (mmHg)"),
    "diastolic_mmhg": _("Diastolic BP (mmHg)"),
    "not_assessed_reason": _("Reason items were not assessed"),
    "not_done_reason": _("Reason the form was not done"),
    "pga": _("Physician global assessment (0–3)"),
    "haemolytic_anaemia": _("Haemolytic anaemia"),
    "gastrointestinal_activity": _("Gastrointestinal activity"),
    "maintenance_therapy_standard_and_tolerated": _("Maintenance therapy standard and tolerated"),
    "maintenance_therapy_stable": _("Maintenance therapy stable"),
    "doses": _("Glucocorticoid regimens"),
    "medications": _("Medications"),
    "daily_dose": _("Daily dose"),
    "given": _("Given"),
    "infusion_reaction": _("Infusion reaction"),
    "reaction_details": _("Reaction details"),
    "events": _("Adverse events"),
    "term": _("Term"),
    "onset": _("Onset"),
    "grade": _("Grade"),
    "serious": _("Serious"),
    "related": _("Relatedness"),
    "outcome": _("Outcome"),
    "infection": _("Infection"),
    "herpes_zoster": _("Herpes zoster"),
    "action_taken": _("Action taken"),
    "ctcae_code": _("CTCAE v5.0 term (MedDRA code)"),
    "specified_code": _("MedDRA code of the event specified"),
    "aware_date": _("Date the investigator became aware"),
    "seriousness_criteria": _("Seriousness criteria"),
    "course": _("Course"),
    "done": _("Done"),
    "result": _("Result"),
    "classification": _("Classification"),
    "eular_acr_2019": _("2019 EULAR/ACR"),
    "acr_1997": _("1997 ACR"),
    "slicc_2012": _("SLICC 2012"),
    "screening_sledai2k": _("SLEDAI-2K at screening"),
    "labs": _("Laboratory results"),
}
"""A field's label by its name (the last part of its dotted path, row numbers aside)."""

SLEDAI2K_DEFINITIONS: dict[str, Promise] = {
    "seizure": _("Recent onset, excluding metabolic, infectious or drug causes."),
    "psychosis": _(
        "Altered ability to function in normal activity due to severe disturbance in the "
        "perception of reality, excluding uraemia and drug causes."
    ),
    "organic_brain_syndrome": _(
        "Altered mental function with impaired orientation, memory or other intellectual "
        "function, with rapid onset and fluctuating clinical features, excluding "
        "metabolic, infectious or drug causes."
    ),
    "visual_disturbance": _(
        "Retinal changes of SLE (cytoid bodies, retinal haemorrhages, serous exudate or "
        "haemorrhages in the choroid, or optic neuritis), excluding hypertension, "
        "infection or drug causes."
    ),
    "cranial_nerve_disorder": _(
        "New onset of sensory or motor neuropathy involving cranial nerves."
    ),
    "lupus_headache": _(
        "Severe persistent headache, may be migrainous, unresponsive to narcotic analgesia."
    ),
    "cva": _("New onset of cerebrovascular accident(s), excluding arteriosclerosis."),
    "vasculitis": _(
        "Ulceration, gangrene, tender finger nodules, periungual infarction, splinter "
        "haemorrhages, or biopsy or angiogram proof of vasculitis."
    ),
    "arthritis": _(
        "At least 2 joints with pain and signs of inflammation (tenderness, swelling or effusion)."
    ),
    "myositis": _(
        "Proximal muscle aching or weakness, with elevated creatine phosphokinase or "
        "aldolase, electromyogram changes, or a biopsy showing myositis."
    ),
    "urinary_casts": _("Heme-granular or red blood cell casts."),
    "hematuria": _(
        ">5 red blood cells per high-power field, excluding stone, infection or other cause."
    ),
    "proteinuria": _(">0.5 g of protein per 24 hours."),
    "pyuria": _(">5 white blood cells per high-power field, excluding infection."),
    "rash": _("Inflammatory type rash."),
    "alopecia": _("Abnormal, patchy or diffuse loss of hair."),
    "mucosal_ulcers": _("Oral or nasal ulcerations."),
    "pleurisy": _("Pleuritic chest pain with pleural rub or effusion, or pleural thickening."),
    "pericarditis": _(
        "Pericardial pain with at least one of rub, effusion, or electrocardiogram or "
        "echocardiogram confirmation."
    ),
    "low_complement": _(
        "Decrease in CH50, C3 or C4 below the lower limit of normal for the testing laboratory."
    ),
    "increased_dna_binding": _(
        "Increased DNA binding above the normal range for the testing laboratory."
    ),
    "fever": _(">38 °C, excluding infectious cause."),
    "thrombocytopenia": _("<100 ×10⁹ platelets/L, excluding drug causes."),
    "leukopenia": _("<3 ×10⁹ white blood cells/L, excluding drug causes."),
}
"""The SLEDAI-2K descriptors' definitions (Gladman 2002), by descriptor code."""

EULAR_ACR_2019_DEFINITIONS: dict[str, Promise] = {
    "fever": _("Temperature > 38.3 °C. (Aringer 2019)"),
    "leukopenia": _("White blood cell count < 4,000/mm³ (4.0 ×10⁹/L). (Aringer 2019)"),
    "thrombocytopenia": _("Platelet count < 100,000/mm³ (100 ×10⁹/L). (Aringer 2019)"),
    "autoimmune_hemolysis": _(
        "Evidence of hemolysis (such as reticulocytosis, low haptoglobin, elevated indirect "
        "bilirubin, elevated LDH) and a positive direct antiglobulin (Coombs) test. "
        "(Aringer 2019)"
    ),
    "delirium": _(
        "Change in consciousness or level of arousal with reduced ability to focus, developing "
        "over hours to < 2 days, fluctuating through the day, with an acute or subacute change "
        "in cognition or a change in behaviour, mood or affect. (Aringer 2019)"
    ),
    "psychosis": _(
        "Delusions and/or hallucinations without insight, in the absence of delirium. "
        "(Aringer 2019)"
    ),
    "seizure": _("Primary generalised seizure or partial/focal seizure. (Aringer 2019)"),
    "non_scarring_alopecia": _("Non-scarring alopecia observed by a clinician. (Aringer 2019)"),
    "oral_ulcers": _("Oral ulcers observed by a clinician. (Aringer 2019)"),
    "subacute_cutaneous_or_discoid_lupus": _(
        "Subacute cutaneous lupus (annular or papulosquamous eruption, usually "
        "photodistributed) or discoid lupus (erythematous-violaceous lesions with atrophic "
        "scarring, dyspigmentation, follicular hyperkeratosis or plugging) observed by a "
        "clinician; if biopsied, with the typical interface dermatitis. (Aringer 2019)"
    ),
    "acute_cutaneous_lupus": _(
        "Malar rash or generalised maculopapular rash observed by a clinician; if biopsied, "
        "with the typical interface dermatitis. (Aringer 2019)"
    ),
    "pleural_or_pericardial_effusion": _(
        "Imaging evidence (ultrasound, X-ray, CT or MRI) of pleural or pericardial effusion, "
        "or both. (Aringer 2019)"
    ),
    "acute_pericarditis": _(
        "At least 2 of: pericardial chest pain, pericardial rub, ECG with new widespread ST "
        "elevation or PR depression, new or worsened pericardial effusion on imaging. "
        "(Aringer 2019)"
    ),
    "joint_involvement": _(
        "Synovitis in at least 2 joints (swelling or effusion), or tenderness in at least 2 "
        "joints with at least 30 minutes of morning stiffness. (Aringer 2019)"
    ),
    "proteinuria": _(
        "Proteinuria > 0.5 g/24 h by 24-hour urine or an equivalent spot urine "
        "protein/creatinine ratio. (Aringer 2019)"
    ),
    "renal_biopsy_class_ii_or_v": _(
        "Class II (mesangial proliferative) or class V (membranous) lupus nephritis on renal "
        "biopsy by the ISN/RPS 2003 classification. (Aringer 2019)"
    ),
    "renal_biopsy_class_iii_or_iv": _(
        "Class III (focal) or class IV (diffuse) lupus nephritis on renal biopsy by the "
        "ISN/RPS 2003 classification. (Aringer 2019)"
    ),
    "antiphospholipid_antibodies": _(
        "Anticardiolipin antibodies (IgA, IgG or IgM) at medium or high titre (> 40 APL, GPL "
        "or MPL units, or > the 99th percentile), or positive anti-β2GP1 antibodies (IgA, IgG "
        "or IgM), or positive lupus anticoagulant. (Aringer 2019)"
    ),
    "low_c3_or_low_c4": _("C3 or C4 below the lower limit of normal. (Aringer 2019)"),
    "low_c3_and_low_c4": _("Both C3 and C4 below their lower limits of normal. (Aringer 2019)"),
    "anti_dsdna_or_anti_smith": _(
        "Anti-dsDNA antibodies in an immunoassay with at least 90% specificity for SLE against "
        "relevant disease controls, or anti-Smith antibodies. (Aringer 2019)"
    ),
}
"""The 2019 EULAR/ACR classification criteria's definitions (Aringer M et al., Arthritis
Rheumatol 2019;71:1400-12), by item code: `clinical.eular_acr_2019`'s wording word for word
(`tests/edc/test_japanese_throughout.py`). They are shown under the screening form's
classification items; the SLEDAI-2K's descriptors of the same name define other thresholds."""


HELP: dict[str, Promise] = {
    "ana_titre_denominator": _("160 for a titre of 1:160."),
    "dose": _("The amount given each time, with its unit."),
    "times_per_day": _("How many times a day it is given."),
    "every_n_days": _("1 = every day, 2 = every other day (counted as the average daily dose)."),
    "dose_per": _(
        "Per administration, with its frequency; or per day: the total daily dose (e.g. mg/day), "
        "with times per day and every n days left at 1."
    ),
    "doses": _("One row per regimen; tick 'asked' with no row when none is taken."),
    "medications": _("One row per drug; tick 'asked' with no row when none is taken."),
    "events": _("One row per event; tick 'asked' with no row when there were none."),
    "not_assessed_reason": _("Needed when a descriptor is left not assessed."),
    "pga": _("0 none, 1 mild, 2 moderate, 3 severe disease activity."),
    "given": _("Was anifrolumab infused at this visit?"),
    "lookback_days": _("10 days (Gladman 2002) or 30 days (Touma 2010)."),
    "ctcae_code": _(
        "Pick the term in the CTCAE list beside the form; leave blank for free text (not coded)."
    ),
    "specified_code": _("Only for an 'Other, specify' term: the MedDRA code of the event."),
    "aware_date": _("Day 0 of a safety report's deadline: the site's date."),
    "seriousness_criteria": _("Every criterion the event meets; none for a non-serious event."),
}
"""Help shown on demand, by field name, for fields whose label needs it."""


def field_name(path: str) -> str:
    """The name a dotted path ends in, row numbers and value/unit parts left out."""
    parts = [part for part in path.split(".") if not part.isdigit()]
    while len(parts) > 1 and parts[-1] in ("value", "unit", "recorded"):
        parts.pop()
    return parts[-1]


def label(path: str) -> StrPromise | str:
    """The label of the field at the dotted ``path``: the catalogue's, else its name."""
    name = field_name(path)
    found = LABELS.get(name)
    return found if found is not None else name.replace("_", " ").capitalize()


def help_text(path: str) -> Promise | None:
    """The catalogue's help for the field at ``path``: a definition or a hint, if any."""
    name = field_name(path)
    if "eular_acr_2019" in path.split("."):
        found = EULAR_ACR_2019_DEFINITIONS.get(name)
        if found is not None:
            return found
    return (
        HELP.get(name)
        or SLEDAI2K_DEFINITIONS.get(name)
        or TREATMENT_HELP.get(name)
        or ADVERSE_EVENT_HELP.get(name)
    )


ORGAN_SYSTEMS: dict[str, Promise] = {
    "central nervous system": _("Central nervous system"),
    "vascular": _("Vascular"),
    "musculoskeletal": _("Musculoskeletal"),
    "renal": _("Renal"),
    "mucocutaneous": _("Mucocutaneous"),
    "cardiopulmonary": _("Cardiopulmonary"),
    "immunologic": _("Immunologic"),
    "constitutional": _("Constitutional"),
    "haematologic": _("Haematologic"),
}
"""The SLEDAI-2K's organ systems (`clinical.sledai2k.OrganSystem`), by their value."""


CRITERIA: dict[str, Promise] = {
    "I1": _(
        "Diagnosed with SLE based on either the 2019 EULAR/ACR classification criteria "
        "or the 1997 ACR classification criteria"
    ),
    "I2": _(
        "No history of systemic administration of immunosuppressive or immunomodulatory"
        " drugs for SLE and within six months of diagnosis"
    ),
    "I3": _("SLEDAI-2K score of 4 or higher, indicating active disease"),
    "I4": _("Age 18 years or older and younger than 80 years at the time of obtaining consent"),
    "I5": _(
        "Patients who have provided written consent for study participation after "
        "receiving a full explanation and understanding"
    ),
    "E1": _(
        "Steroid therapy exceeding a prednisolone equivalent dose of 0.6mg/kg/day as "
        "initial treatment"
    ),
    "E2": _("Carriers of hepatitis viruses or have active HBV/HCV infections"),
    "E3": _(
        "History of HBV/HCV infection (excluding cases with negative nucleic acid "
        "quantification tests)"
    ),
    "E4": _("Severe liver disease (AST or ALT >=100 U/L)"),
    "E5": _("Severe kidney disease (serum creatinine >=2mg/dL)"),
    "E6": _("Active tuberculosis infection"),
    "E7": _(
        "Current or history of malignant tumors (excluding cases with no recurrence for"
        " more than 5 years, and cervical cancer treated with only with local therapy "
        "that remaining in situ and no metastasis for more than 3 years)"
    ),
    "E8": _("Suspected active infection"),
    "E9": _("Pregnant or may be pregnant female"),
    "E10": _("Lactating female"),
    "E11": _(
        "Coexisting collagen diseases, excluding Sjogren's syndrome and "
        "antiphospholipid antibody syndrome"
    ),
    "E12": _("Within 30 days after receiving live vaccine administration"),
    "E13": _("Participation in the study is determined as unsuitable"),
}
"""Each eligibility criterion's wording (the registration's), by its id; the English is
`protocol.criteria`'s word for word (`tests/edc/test_compact_forms.py`)."""

STATUSES: dict[str, Promise] = {
    "met": _("met"),
    "not_met": _("not met"),
    "unknown": _("unknown"),
}
"""Met / not met / unknown (`clinical.status.Status`), as a reader says them."""

OUTCOMES: dict[str, Promise] = {
    "eligible": _("eligible"),
    "ineligible": _("ineligible"),
    # Not a form's "incomplete" (未完了): the decision waits for the items still missing.
    "incomplete": pgettext_lazy("eligibility outcome", "incomplete"),
}
"""The eligibility decision's outcomes (`protocol.eligibility.Outcome`)."""

COMPONENT_NAMES: dict[str, Promise] = {
    # LLDAS, Franklyn 2016 (Table 1).
    "sledai_at_most_without_major": _("SLEDAI-2K ≤ %(limit)s without major activity"),
    "no_new_activity": _("No new activity"),
    "pga_at_most": _("PGA ≤ %(limit)s"),
    "prednisolone_at_most": _("Prednisolone ≤ %(limit)s mg/day"),
    "standard_maintenance": _("Standard maintenance therapy"),
    # DORIS remission, van Vollenhoven 2021.
    "clinical_sledai_zero": _("Clinical SLEDAI-2K = 0"),
    "clinical_sledai_at_most": _("Clinical SLEDAI-2K ≤ %(limit)s"),
    "pga_below": _("PGA < %(limit)s"),
    "prednisolone_below": _("Prednisolone < %(limit)s mg/day"),
    "stable_maintenance": _("Stable maintenance therapy"),
}
"""LLDAS and DORIS component names by their code (`clinical.components.Component.code`), with
the limit the protocol applies (`tests/edc/test_japanese_derived.py` words every component at
the published limits and at others)."""


# derived results / drugs / report (issue 18): the words of the clinical layer's codes.

REASON_PHRASES: dict[str, Promise] = {
    "maintenance_standard": _("maintenance therapy standard and well tolerated"),
    "maintenance_not_standard": _(
        "maintenance therapy not standard, not tolerated or investigational"
    ),
    "maintenance_stable": _("maintenance therapy, if any, stable"),
    "maintenance_not_stable": _("maintenance therapy not stable"),
    "no_previous": _("no previous assessment"),
    "undated": _(
        "the glucocorticoid regimens are dated but the assessment is not, so the dose taken on "
        "the day cannot be told"
    ),
}
"""LLDAS and DORIS evidence that is a fixed phrase, by the clinical layer's reason code
(`clinical.components.PHRASES`, whose English these are word for word)."""

REASON_ITEMS: dict[str, Promise] = {
    "pga": _("PGA"),
    "prednisolone_equivalent": _("prednisolone equivalent"),
}
"""Inputs named in LLDAS and DORIS evidence that are not form fields; the others are LABELS."""

UNITS: dict[str, Promise] = {
    "mg/day": pgettext_lazy("unit", "mg/day"),
}
"""Units in derived results, as a reader writes them."""

RSI_VERSIONS: dict[str, Promise] = {
    SHIPPED_VERSION: _("as shipped with lupustrial (to be confirmed against the current insert)"),
}
"""A reference safety information's version when it is a phrase, not a number or date."""

INSTRUMENTS: dict[str, Promise] = {
    "Prednisolone equivalent": _("Prednisolone equivalent"),
    "DORIS remission": _("DORIS remission"),
}
"""Instruments whose name the clinical layer gives in English words (`AssessmentResult`);
SLEDAI-2K, LLDAS and the classification sets keep their names in every language."""

NOT_COMPUTED_REASONS: dict[str, Promise] = {
    assessment.NO_SLEDAI2K: _("the SLEDAI-2K form is not saved"),
    assessment.NO_GLUCOCORTICOIDS: _(
        "the glucocorticoid form is not saved (tick 'asked' with no row when none is taken)"
    ),
    assessment.NEEDS_SLEDAI2K: _("needs the SLEDAI-2K"),
    assessment.NO_SECTION: _("not recorded"),
    UNDATED_ASSESSMENT: _(
        "the glucocorticoid regimens are dated but the assessment is not, so the dose taken on "
        "the day cannot be told"
    ),
}
"""Why an instrument was not computed, by the clinical layer's reason (`clinical.assessment`)."""

DRUGS: dict[str, Promise] = {
    # Systemic glucocorticoids (`clinical.glucocorticoids.Glucocorticoid`).
    "prednisolone": pgettext_lazy("drug", "prednisolone"),
    "prednisone": pgettext_lazy("drug", "prednisone"),
    "methylprednisolone": pgettext_lazy("drug", "methylprednisolone"),
    "hydrocortisone": pgettext_lazy("drug", "hydrocortisone"),
    "cortisone": pgettext_lazy("drug", "cortisone"),
    "dexamethasone": pgettext_lazy("drug", "dexamethasone"),
    "betamethasone": pgettext_lazy("drug", "betamethasone"),
    "triamcinolone": pgettext_lazy("drug", "triamcinolone"),
    "deflazacort": pgettext_lazy("drug", "deflazacort"),
    # Immunosuppressants and immunomodulators (`protocol.config`), and the study drug.
    "mycophenolate": pgettext_lazy("drug", "mycophenolate"),
    "mycophenolate mofetil": pgettext_lazy("drug", "mycophenolate mofetil"),
    "azathioprine": pgettext_lazy("drug", "azathioprine"),
    "tacrolimus": pgettext_lazy("drug", "tacrolimus"),
    "ciclosporin": pgettext_lazy("drug", "ciclosporin"),
    "cyclosporine": pgettext_lazy("drug", "cyclosporine"),
    "cyclophosphamide": pgettext_lazy("drug", "cyclophosphamide"),
    "methotrexate": pgettext_lazy("drug", "methotrexate"),
    "mizoribine": pgettext_lazy("drug", "mizoribine"),
    "leflunomide": pgettext_lazy("drug", "leflunomide"),
    "voclosporin": pgettext_lazy("drug", "voclosporin"),
    "belimumab": pgettext_lazy("drug", "belimumab"),
    "rituximab": pgettext_lazy("drug", "rituximab"),
    "anifrolumab": pgettext_lazy("drug", "anifrolumab"),
    "hydroxychloroquine": pgettext_lazy("drug", "hydroxychloroquine"),
    "chloroquine": pgettext_lazy("drug", "chloroquine"),
    "obinutuzumab": pgettext_lazy("drug", "obinutuzumab"),
    "intravenous immunoglobulin": pgettext_lazy("drug", "intravenous immunoglobulin"),
}
"""Drug names by their lower-case English name: the glucocorticoid codes and the protocol's
immunosuppressant list. A drug typed as free text is worded only when it is one of these."""

ROUTES: dict[str, Promise] = {
    "oral": pgettext_lazy("route", "oral"),
    "intravenous": pgettext_lazy("route", "intravenous"),
    "subcutaneous": pgettext_lazy("route", "subcutaneous"),
    "intramuscular": pgettext_lazy("route", "intramuscular"),
    "topical": pgettext_lazy("route", "topical"),
    "inhaled": pgettext_lazy("route", "inhaled"),
    "intra-articular": pgettext_lazy("route", "intra-articular"),
    "other": pgettext_lazy("route", "other"),
}
"""Routes of administration by code (`protocol.crfs.Route`, `clinical.glucocorticoids.Route`)."""

DOSE_UNITS: dict[str, Promise] = {
    "units": pgettext_lazy("dose unit", "units"),
    "tablets": pgettext_lazy("dose unit", "tablets"),
    "doses": pgettext_lazy("dose unit", "doses"),
    "puffs": pgettext_lazy("dose unit", "puffs"),
    "drops": pgettext_lazy("dose unit", "drops"),
    "applications": pgettext_lazy("dose unit", "applications"),
}
"""Dose units that are words (`protocol.crfs.DoseUnit`); mg, g, µg, mL and IU are symbols."""

DOSE_PER: dict[str, Promise] = {
    "administration": _("per administration"),
    "day": _("per day (total daily dose)"),
}
"""What a glucocorticoid dose is (`clinical.glucocorticoids.DosePer`)."""

TEST_RESULTS: dict[str, Promise] = {
    "negative": pgettext_lazy("test result", "negative"),
    "positive": pgettext_lazy("test result", "positive"),
}
"""A qualitative test's result (`protocol.crfs.PregnancyTest.result`)."""

SEXES: dict[str, Promise] = {
    "female": pgettext_lazy("sex", "female"),
    "male": pgettext_lazy("sex", "male"),
}
"""The screening record's sex (`protocol.screening`)."""

RELATEDNESS: dict[str, Promise] = {
    "not related": pgettext_lazy("adverse event", "not related"),
    "unlikely": pgettext_lazy("adverse event", "unlikely"),
    "possible": pgettext_lazy("adverse event", "possible"),
    "probable": pgettext_lazy("adverse event", "probable"),
    "definite": pgettext_lazy("adverse event", "definite"),
}
"""An adverse event's relatedness to anifrolumab (`protocol.safety.causality`)."""

AE_OUTCOMES: dict[str, Promise] = {
    "recovered": pgettext_lazy("adverse event", "recovered"),
    "recovering": pgettext_lazy("adverse event", "recovering"),
    "not recovered": pgettext_lazy("adverse event", "not recovered"),
    "with sequelae": pgettext_lazy("adverse event", "with sequelae"),
    "fatal": pgettext_lazy("adverse event", "fatal"),
}
"""An adverse event's outcome (`protocol.crfs.AdverseEvent.outcome`)."""

ACTIONS_TAKEN: dict[str, Promise] = {
    "dose not changed": pgettext_lazy("adverse event", "dose not changed"),
    "drug interrupted": pgettext_lazy("adverse event", "drug interrupted"),
    "drug withdrawn": pgettext_lazy("adverse event", "drug withdrawn"),
    "not applicable": pgettext_lazy("adverse event", "not applicable"),
    "unknown": pgettext_lazy("adverse event", "unknown"),
}
"""What was done with anifrolumab because of an adverse event (`safety.events.ActionTaken`).

The three above are worded as the safety report words them (`safety.report_template.JAPANESE`,
`tests/edc/test_japanese_adverse_events.py`)."""

ADVERSE_EVENT_HELP: dict[str, Promise] = {
    # The adverse-event form (`protocol.crfs.AdverseEvent`).
    "term": _("MedDRA preferred term or a plain description."),
    "grade": _("CTCAE grade 1-5."),
    "action_taken": _("What was done with anifrolumab because of the event."),
    "infection": _("An infection (counted apart)."),
    "herpes_zoster": _("Herpes zoster (counted apart)."),
    "seriousness_criteria": _(
        "The seriousness criteria the event meets (Clinical Trials Act Enforcement Regulations "
        "Art. 54); a serious event meets at least one."
    ),
    "course": _("The course of the event, in the investigator's words."),
}
"""Help of the adverse-event form, the model's descriptions in the reader's language."""

ADVERSE_EVENT_OWN_HELP: dict[str, Promise] = {
    # By path, over the catalogue's help by field name (`FormPlan(help_texts=...)`): a
    # medication's end date, the same field name, is the last day of a regimen.
    "end_date": _("The day the event ended; blank while it is ongoing."),
}
"""Help the adverse-event form keeps for itself, where a field name means another thing in
the visit forms."""

TREATMENT_HELP: dict[str, Promise] = {
    # The anifrolumab infusion (`protocol.crfs.Infusion`).
    "lot_number": _("Lot (batch) number on the vial (drug accountability)."),
    "start_time": _("Infusion start (HH:MM)."),
    "end_time": _("Infusion end (HH:MM)."),
    "not_given_reason": _("Why anifrolumab was not given."),
    # The LLDAS and DORIS items of the disease-activity form (`protocol.crfs.DiseaseActivity`).
    "haemolytic_anaemia": _("Haemolytic anaemia from lupus (LLDAS, Franklyn 2016)."),
    "gastrointestinal_activity": _("Gastrointestinal lupus activity (LLDAS, Franklyn 2016)."),
    "maintenance_therapy_standard_and_tolerated": _(
        "Immunosuppressives and approved biologics (anifrolumab included) at well-tolerated "
        "standard maintenance doses; yes also when none (LLDAS)."
    ),
    "maintenance_therapy_stable": _(
        "Antimalarials, immunosuppressives and biologics at stable doses; yes also when none "
        "(DORIS remission, van Vollenhoven 2021)."
    ),
}
"""Help of the treatment and disease-activity forms, the models' descriptions in words a reader
reads (`help_text` gives them before falling back to a model's description)."""

MEASUREMENT_HELP: dict[str, Promise] = {
    # By field name, or by list and field name where a name means two things.
    # The laboratory and vital-signs forms (`protocol.crfs.Labs`, `protocol.crfs.Vitals`).
    "platelets": _("Platelet count."),
    "leukocytes": _("White blood cell count."),
    "lymphocytes": _("Lymphocyte count."),
    "haemoglobin": _("Haemoglobin."),
    "creatinine": _("Serum creatinine."),
    "ast": _("AST (aspartate aminotransferase)."),
    "alt": _("ALT (alanine aminotransferase)."),
    "urine_protein_24h": _("Protein in a 24-hour urine collection."),
    "urine_protein_creatinine_ratio": _("Spot urine protein/creatinine ratio."),
    "urine_rbc_per_hpf": _("Urine red blood cells per high-power field."),
    "urine_wbc_per_hpf": _("Urine white blood cells per high-power field."),
    "c3": _("Complement C3: the measured level, e.g. 0.7 g/L."),
    "c4": _("Complement C4: the measured level, e.g. 0.1 g/L."),
    "anti_dsdna": _("The measured anti-dsDNA level, in the laboratory's unit (e.g. IU/mL)."),
    "lower_limit_of_normal": _("The testing laboratory's lower limit of normal."),
    "upper_limit_of_normal": _("The testing laboratory's upper limit of normal, in the same unit."),
    "temperature": _("Body temperature."),
    "body_weight": _("Body weight."),
    "systolic_mmhg": _("Systolic blood pressure (mmHg)."),
    "diastolic_mmhg": _("Diastolic blood pressure (mmHg)."),
    "date": _("Date of the assessment."),
    # Glucocorticoid regimens and other medications (`protocol.crfs`).
    "doses.drug": _("The drug, e.g. prednisolone, methylprednisolone, cortisone acetate."),
    "medications.drug": _("e.g. hydroxychloroquine, amlodipine, MMR."),
    "doses.route": _(
        "Systemic routes only: topical, inhaled and intra-articular doses are not converted by "
        "these tables."
    ),
    "start_date": _("First day of this regimen."),
    "end_date": _("Last day of this regimen."),
    "daily_dose": _("Total daily dose (mass)."),
    "frequency": _("e.g. once daily, twice daily, weekly, as needed, once."),
    "indication": _("What it is taken for."),
    "vaccine": _("A vaccine (exclusion criterion E12 and the safety review read these)."),
}
"""Help of the visit forms' measurements and medication rows, in the reader's language: the
models' descriptions are English for programmers. A form's field takes the catalogue's help
(`help_text`), else this, and only then its model's description (`schema_forms`); a form with
help of its own (screening's, by path) keeps it."""

CODED_VALUES: dict[str, dict[str, Promise]] = {
    "drug": DRUGS,
    "route": ROUTES,
    "dose_unit": DOSE_UNITS,
    "result": TEST_RESULTS,
    "dose_per": DOSE_PER,
    "sex": SEXES,
    "pregnancy_test": TEST_RESULTS,  # the screening record's (`protocol.screening`)
    "related": RELATEDNESS,
    "outcome": AE_OUTCOMES,
    "action_taken": ACTIONS_TAKEN,
}
"""Fields whose stored value is a code with words, by field name."""


def value_word(path: str, value: object) -> str:
    """A stored value of the field at ``path`` in the reader's language, else as stored."""
    words = CODED_VALUES.get(field_name(path))
    if words is None or not isinstance(value, str):
        return str(value)
    found = words.get(" ".join(value.strip().lower().split()))
    return str(found) if found is not None else value
