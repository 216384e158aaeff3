"""The SLICC 2012 classification criteria for SLE (Petri 2012).

Seventeen criteria, 11 clinical and 6 immunologic. A person is classified as having SLE when
at least 4 are met, including at least 1 clinical and 1 immunologic criterion, or when lupus
nephritis is proven by biopsy in the presence of ANA or anti-dsDNA. Criteria are cumulative
and need not be present at the same time.

Sub-items are entered as true/false, or omitted when not assessed (never silently false).
Some can instead be derived from raw results with units; an entered value always counts (the
clinician may have excluded another cause, such as a drug) and any disagreement is reported:

- leukopenia < 4.0, lymphopenia < 1.0, thrombocytopenia < 100 ×10⁹/L, strictly, each 'at
  least once', so one value is enough;
- renal proteinuria 'representing 500 mg protein/24 hours': a 24-hour urine protein
  ≥ 0.5 g/24h, or a protein/creatinine ratio ≥ 0.5 g/g (mg/mg, which approximates g/day).
  The limit is inclusive because 500 mg/24h is itself the qualifying amount, unlike the
  strict '> 0.5 g/day' of the 1997 ACR criteria. The 24-hour collection decides when both
  are given;
- morning stiffness of at least 30 minutes (exactly 30 counts) for the joint criterion.

The direct Coombs test counts only in the absence of hemolytic anemia: a positive test with
hemolytic anemia not assessed is UNKNOWN. Because hemolytic anemia then opens both its own
clinical criterion and the Coombs criterion, of which exactly one will be met, the count
bounds treat the two as independent: the classification may stay UNKNOWN where assessing
hemolytic anemia would settle it either way, but it is never wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from pydantic import Field

from lupustrial.clinical.criteria_common import (
    MORNING_STIFFNESS,
    ClassificationResult,
    Criterion,
    CriterionFinding,
    CriterionKind,
    SubItem,
    all_discrepancies,
    derived_codes,
    every_sub_item,
    joint_involvement,
    judge_criteria,
    measurement_description,
    missing_fields,
    reaches,
    sub_item_field,
    tally,
)
from lupustrial.clinical.model import PastDate, StrictModel
from lupustrial.clinical.sources import PETRI_2012
from lupustrial.clinical.status import Status, all_of, any_of
from lupustrial.clinical.thresholds import Threshold, first_given
from lupustrial.clinical.units import CellCount, UrineProtein24h, UrineProteinCreatinineRatio

INSTRUMENT = "SLICC 2012"
CRITERIA_NEEDED = 4
CLINICAL_NEEDED = 1
IMMUNOLOGIC_NEEDED = 1
BIOPSY_ROUTE_ANTIBODIES = ("antinuclear_antibody", "anti_dsdna")
"""Biopsy-proven lupus nephritis classifies 'in the presence of ANAs or anti-dsDNA'."""

CLINICAL, IMMUNOLOGIC = CriterionKind.CLINICAL, CriterionKind.IMMUNOLOGIC


def _synovitis_rule(statuses: Mapping[str, Status]) -> Status:
    """Synovitis in ≥ 2 joints, or tenderness in ≥ 2 with ≥ 30 min stiffness (Petri 2012)."""
    return joint_involvement(
        statuses["synovitis_two_or_more_joints"],
        statuses["tenderness_two_or_more_joints"],
        statuses["morning_stiffness_minutes"],
    )


CRITERIA: tuple[Criterion, ...] = (
    Criterion(1, "acute_cutaneous_lupus", "Acute cutaneous lupus",
              "Acute or subacute cutaneous lupus.", (
        SubItem("acute_cutaneous_lupus", "", "Acute cutaneous lupus",
                "Lupus malar rash (not malar discoid), bullous lupus, toxic epidermal "
                "necrolysis variant of SLE, maculopapular lupus rash or photosensitive lupus "
                "rash, in the absence of dermatomyositis."),
        SubItem("subacute_cutaneous_lupus", "", "Subacute cutaneous lupus",
                "Non-indurated psoriaform and/or annular polycyclic lesions that resolve "
                "without scarring, although occasionally with post-inflammatory "
                "dyspigmentation or telangiectasias."),
    ), CLINICAL),
    Criterion.single(2, "chronic_cutaneous_lupus", "Chronic cutaneous lupus",
                     "Classic discoid rash (localized or generalized), hypertrophic (verrucous) "
                     "lupus, lupus panniculitis (profundus), mucosal lupus, lupus "
                     "erythematosus tumidus, chilblain lupus, or discoid lupus/lichen planus "
                     "overlap.", CLINICAL),
    Criterion(3, "oral_ulcers", "Oral ulcers", "Oral or nasal ulcers.", (
        SubItem("oral_ulcers", "", "Oral ulcers",
                "Palate, buccal or tongue, in the absence of other causes such as vasculitis, "
                "Behçet's disease, herpesvirus infection, inflammatory bowel disease, reactive "
                "arthritis and acidic foods."),
        SubItem("nasal_ulcers", "", "Nasal ulcers",
                "In the absence of other causes, as for oral ulcers."),
    ), CLINICAL),
    Criterion.single(4, "nonscarring_alopecia", "Non-scarring alopecia",
                     "Diffuse thinning or hair fragility with visible broken hairs, in the "
                     "absence of other causes such as alopecia areata, drugs, iron deficiency "
                     "and androgenic alopecia.", CLINICAL),
    Criterion(5, "synovitis", "Synovitis",
              "Synovitis involving 2 or more joints, characterized by swelling or effusion, "
              "or tenderness in 2 or more joints and at least 30 minutes of morning "
              "stiffness.", (
        SubItem("synovitis_two_or_more_joints", "", "Synovitis in 2 or more joints",
                "Characterized by swelling or effusion."),
        SubItem("tenderness_two_or_more_joints", "", "Tenderness in 2 or more joints",
                "Counts together with at least 30 minutes of morning stiffness."),
        SubItem("morning_stiffness_minutes", "", "Morning stiffness of at least 30 minutes",
                "Derived from the minutes of morning stiffness.", enterable=False),
    ), CLINICAL, _synovitis_rule),
    Criterion(6, "serositis", "Serositis",
              "Pleurisy or pericarditis, in the absence of other causes such as infection, "
              "uremia and Dressler's pericarditis.", (
        SubItem("pleurisy", "", "Pleurisy",
                "Typical pleurisy for more than 1 day, or pleural effusions, or pleural rub."),
        SubItem("pericarditis", "", "Pericarditis",
                "Typical pericardial pain (with recumbency, improved by sitting forward) for "
                "more than 1 day, or pericardial effusion, or pericardial rub, or "
                "pericarditis by electrocardiography."),
    ), CLINICAL),
    Criterion(7, "renal", "Renal", "Proteinuria or red blood cell casts.", (
        SubItem("proteinuria", "", "Proteinuria",
                "Urine protein/creatinine ratio (or 24-hour urine protein) representing "
                "500 mg of protein/24 hours."),
        SubItem("red_cell_casts", "", "Red blood cell casts", "Red blood cell casts."),
    ), CLINICAL),
    Criterion(8, "neurologic", "Neurologic",
              "Seizures, psychosis, mononeuritis multiplex, myelitis, peripheral or cranial "
              "neuropathy, or acute confusional state.", (
        SubItem("seizures", "", "Seizures", "Seizures."),
        SubItem("psychosis", "", "Psychosis", "Psychosis."),
        SubItem("mononeuritis_multiplex", "", "Mononeuritis multiplex",
                "In the absence of other known causes such as primary vasculitis."),
        SubItem("myelitis", "", "Myelitis", "Myelitis."),
        SubItem("peripheral_or_cranial_neuropathy", "", "Peripheral or cranial neuropathy",
                "In the absence of other known causes such as primary vasculitis, infection "
                "and diabetes mellitus."),
        SubItem("acute_confusional_state", "", "Acute confusional state",
                "In the absence of other causes, including toxic/metabolic, uremia and "
                "drugs."),
    ), CLINICAL),
    Criterion.single(9, "hemolytic_anemia", "Hemolytic anemia", "Hemolytic anemia.", CLINICAL),
    Criterion(10, "leukopenia_or_lymphopenia", "Leukopenia or lymphopenia",
              "Leukopenia or lymphopenia, each at least once.", (
        SubItem("leukopenia", "", "Leukopenia",
                "< 4,000/mm³ at least once, in the absence of other known causes such as "
                "Felty's syndrome, drugs and portal hypertension."),
        SubItem("lymphopenia", "", "Lymphopenia",
                "< 1,000/mm³ at least once, in the absence of other known causes such as "
                "corticosteroids, drugs and infection."),
    ), CLINICAL),
    Criterion.single(11, "thrombocytopenia", "Thrombocytopenia",
                     "< 100,000/mm³ at least once, in the absence of other known causes such "
                     "as drugs, portal hypertension and thrombotic thrombocytopenic purpura.",
                     CLINICAL),
    Criterion.single(1, "antinuclear_antibody", "ANA",
                     "ANA level above laboratory reference range.", IMMUNOLOGIC),
    Criterion.single(2, "anti_dsdna", "Anti-dsDNA",
                     "Anti-dsDNA antibody level above laboratory reference range (or > 2-fold "
                     "the reference range if tested by ELISA).", IMMUNOLOGIC),
    Criterion.single(3, "anti_sm", "Anti-Sm",
                     "Presence of antibody to Sm nuclear antigen.", IMMUNOLOGIC),
    Criterion(4, "antiphospholipid", "Antiphospholipid antibody",
              "Antiphospholipid antibody positivity, as determined by any of lupus "
              "anticoagulant, false-positive RPR, medium- or high-titer anticardiolipin, or "
              "anti-β2-glycoprotein I.", (
        SubItem("lupus_anticoagulant", "", "Lupus anticoagulant",
                "Positive test result for lupus anticoagulant."),
        SubItem("false_positive_rpr", "", "False-positive RPR",
                "False-positive test result for rapid plasma reagin."),
        SubItem("anticardiolipin", "", "Anticardiolipin",
                "Medium- or high-titer anticardiolipin antibody level (IgA, IgG or IgM)."),
        SubItem("anti_beta2_glycoprotein_i", "", "Anti-β2-glycoprotein I",
                "Positive test result for anti-β2-glycoprotein I (IgA, IgG or IgM)."),
    ), IMMUNOLOGIC),
    Criterion(5, "low_complement", "Low complement", "Low C3, low C4 or low CH50.", (
        SubItem("low_c3", "", "Low C3", "C3 below the laboratory's lower limit."),
        SubItem("low_c4", "", "Low C4", "C4 below the laboratory's lower limit."),
        SubItem("low_ch50", "", "Low CH50", "CH50 below the laboratory's lower limit."),
    ), IMMUNOLOGIC),
    Criterion(6, "direct_coombs", "Direct Coombs test",
              "Direct Coombs test in the absence of hemolytic anemia.", (
        SubItem("direct_coombs_positive", "", "Direct Coombs test positive",
                "Positive direct Coombs test; counts only in the absence of hemolytic "
                "anemia."),
        SubItem("no_hemolytic_anemia", "", "No hemolytic anemia",
                "Hemolytic anemia absent.", entered_as="hemolytic_anemia", negated=True),
    ), IMMUNOLOGIC, every_sub_item),
)  # fmt: skip

CRITERION_BY_CODE: dict[str, Criterion] = {c.code: c for c in CRITERIA}

THRESHOLDS: tuple[Threshold, ...] = (
    # The 24-hour collection is listed first: the first measurement given decides.
    Threshold("proteinuria", "urine_protein_24h", "≥", 0.5, "g/24h"),
    Threshold("proteinuria", "urine_protein_creatinine_ratio", "≥", 0.5, "g/g"),
    Threshold("leukopenia", "leukocytes", "<", 4.0, "10^9/L"),
    Threshold("lymphopenia", "lymphocytes", "<", 1.0, "10^9/L"),
    Threshold("thrombocytopenia", "platelets", "<", 100.0, "10^9/L"),
    MORNING_STIFFNESS,
)
"""Blood counts are strict ('<'); the renal amount and morning stiffness are inclusive."""

_field = partial(sub_item_field, CRITERIA)
_measured = partial(measurement_description, THRESHOLDS)


class Slicc2012Input(StrictModel):
    """Findings accumulated at any time so far, for the SLICC 2012 criteria (Petri 2012)."""

    date: PastDate | None = Field(
        default=None, description="Date of the assessment: findings up to this date count."
    )
    acute_cutaneous_lupus: bool | None = _field("acute_cutaneous_lupus")
    subacute_cutaneous_lupus: bool | None = _field("subacute_cutaneous_lupus")
    chronic_cutaneous_lupus: bool | None = _field("chronic_cutaneous_lupus")
    oral_ulcers: bool | None = _field("oral_ulcers")
    nasal_ulcers: bool | None = _field("nasal_ulcers")
    nonscarring_alopecia: bool | None = _field("nonscarring_alopecia")
    synovitis_two_or_more_joints: bool | None = _field("synovitis_two_or_more_joints")
    tenderness_two_or_more_joints: bool | None = _field("tenderness_two_or_more_joints")
    morning_stiffness_minutes: int | None = Field(
        default=None,
        ge=0,
        description=_measured("morning_stiffness_minutes", "Duration of morning stiffness."),
    )
    pleurisy: bool | None = _field("pleurisy")
    pericarditis: bool | None = _field("pericarditis")
    proteinuria: bool | None = _field("proteinuria")
    red_cell_casts: bool | None = _field("red_cell_casts")
    seizures: bool | None = _field("seizures")
    psychosis: bool | None = _field("psychosis")
    mononeuritis_multiplex: bool | None = _field("mononeuritis_multiplex")
    myelitis: bool | None = _field("myelitis")
    peripheral_or_cranial_neuropathy: bool | None = _field("peripheral_or_cranial_neuropathy")
    acute_confusional_state: bool | None = _field("acute_confusional_state")
    hemolytic_anemia: bool | None = _field("hemolytic_anemia")
    leukopenia: bool | None = _field("leukopenia")
    lymphopenia: bool | None = _field("lymphopenia")
    thrombocytopenia: bool | None = _field("thrombocytopenia")
    antinuclear_antibody: bool | None = _field("antinuclear_antibody")
    anti_dsdna: bool | None = _field("anti_dsdna")
    anti_sm: bool | None = _field("anti_sm")
    lupus_anticoagulant: bool | None = _field("lupus_anticoagulant")
    false_positive_rpr: bool | None = _field("false_positive_rpr")
    anticardiolipin: bool | None = _field("anticardiolipin")
    anti_beta2_glycoprotein_i: bool | None = _field("anti_beta2_glycoprotein_i")
    low_c3: bool | None = _field("low_c3")
    low_c4: bool | None = _field("low_c4")
    low_ch50: bool | None = _field("low_ch50")
    direct_coombs_positive: bool | None = _field("direct_coombs_positive")
    biopsy_proven_lupus_nephritis: bool | None = Field(
        default=None,
        description="Biopsy-proven nephritis compatible with SLE: with ANA or anti-dsDNA it "
        "classifies on its own. false = no such biopsy (including no biopsy done), omitted = "
        "not assessed.",
    )
    leukocytes: CellCount | None = Field(
        default=None, description=_measured("leukocytes", "The lowest white cell count.")
    )
    lymphocytes: CellCount | None = Field(
        default=None, description=_measured("lymphocytes", "The lowest lymphocyte count.")
    )
    platelets: CellCount | None = Field(
        default=None, description=_measured("platelets", "The lowest platelet count.")
    )
    urine_protein_24h: UrineProtein24h | None = Field(
        default=None,
        description=_measured("urine_protein_24h", "Protein in a 24-hour urine collection."),
    )
    urine_protein_creatinine_ratio: UrineProteinCreatinineRatio | None = Field(
        default=None,
        description=_measured(
            "urine_protein_creatinine_ratio", "Spot urine protein/creatinine ratio."
        ),
    )


class Slicc2012Result(ClassificationResult):
    """A SLICC 2012 classification that explains itself (Petri 2012)."""

    instrument: str = INSTRUMENT
    source: str = PETRI_2012
    clinical_count: int = Field(description="Clinical criteria met.")
    clinical_maximum_possible: int
    immunologic_count: int = Field(description="Immunologic criteria met.")
    immunologic_maximum_possible: int
    count_route: Status = Field(
        description="At least 4 criteria with at least 1 clinical and 1 immunologic."
    )
    renal_biopsy_route: Status = Field(
        description="Biopsy-proven lupus nephritis with ANA or anti-dsDNA."
    )

    def _route_detail(self) -> str:
        if self.renal_biopsy_route is Status.MET and self.count_route is not Status.MET:
            return " by biopsy-proven lupus nephritis with ANA or anti-dsDNA"
        return ""

    def _count_detail(self) -> str:
        return f"; {self.clinical_count} clinical, {self.immunologic_count} immunologic"


def _count_route(
    total: tuple[int, int], clinical: tuple[int, int], immunologic: tuple[int, int]
) -> Status:
    """≥ 4 criteria including ≥ 1 clinical and ≥ 1 immunologic (Petri 2012)."""
    return all_of(
        (
            reaches(*total, CRITERIA_NEEDED),
            reaches(*clinical, CLINICAL_NEEDED),
            reaches(*immunologic, IMMUNOLOGIC_NEEDED),
        )
    )


def _renal_biopsy_route(inp: Slicc2012Input, findings: list[CriterionFinding]) -> Status:
    """Biopsy-proven lupus nephritis in the presence of ANA or anti-dsDNA (Petri 2012)."""
    antibodies = (f.status for f in findings if f.code in BIOPSY_ROUTE_ANTIBODIES)
    return all_of((Status.of(inp.biopsy_proven_lupus_nephritis), any_of(antibodies)))


def _reasons(result: Slicc2012Result, inp: Slicc2012Input) -> list[str]:
    def named(kind: CriterionKind, status: Status) -> str:
        names = [f.name for f in result.criteria if f.kind is kind and f.status is status]
        return ", ".join(names) or "none"

    reasons = [
        f"Classified with at least {CRITERIA_NEEDED} criteria including at least "
        f"{CLINICAL_NEEDED} clinical and {IMMUNOLOGIC_NEEDED} immunologic, or with "
        "biopsy-proven lupus nephritis and ANA or anti-dsDNA; criteria are cumulative "
        "(Petri 2012).",
        f"Clinical met ({result.clinical_count}): {named(CLINICAL, Status.MET)}.",
        f"Immunologic met ({result.immunologic_count}): {named(IMMUNOLOGIC, Status.MET)}.",
    ]
    if result.maximum_possible > result.count:
        reasons.append(
            f"Not assessed: clinical {named(CLINICAL, Status.UNKNOWN)}; "
            f"immunologic {named(IMMUNOLOGIC, Status.UNKNOWN)}."
        )
    if inp.direct_coombs_positive and inp.hemolytic_anemia:
        reasons.append(
            "The direct Coombs test is positive with hemolytic anemia, so it counts as "
            "hemolytic anemia only."
        )
    reasons.append(
        f"Count route {result.count_route.label}: {result.count} criteria "
        f"({result.clinical_count} clinical, {result.immunologic_count} immunologic), "
        f"up to {result.maximum_possible} ({result.clinical_maximum_possible} clinical, "
        f"{result.immunologic_maximum_possible} immunologic) if those not assessed are met."
    )
    reasons.append(
        f"Renal biopsy route {result.renal_biopsy_route.label}: biopsy-proven lupus nephritis "
        f"{_entry(inp.biopsy_proven_lupus_nephritis)}, ANA "
        f"{result.criterion('antinuclear_antibody').status.label}, anti-dsDNA "
        f"{result.criterion('anti_dsdna').status.label}."
    )
    return reasons


def _entry(value: bool | None) -> str:
    return {True: "present", False: "absent", None: "not assessed"}[value]


def score_slicc_2012(inp: Slicc2012Input) -> Slicc2012Result:
    """Classify by SLICC 2012: ≥ 4 criteria (clinical and immunologic) or LN biopsy (Petri 2012)."""
    findings = judge_criteria(
        CRITERIA, inp, lambda sub_item: first_given(THRESHOLDS, sub_item.code, inp)
    )
    total, clinical, immunologic = (
        tally(findings),
        tally(findings, CLINICAL),
        tally(findings, IMMUNOLOGIC),
    )
    count_route = _count_route(total, clinical, immunologic)
    biopsy_route = _renal_biopsy_route(inp, findings)
    missing = missing_fields(findings)
    if biopsy_route is Status.UNKNOWN and inp.biopsy_proven_lupus_nephritis is None:
        missing.append("biopsy_proven_lupus_nephritis")
    result = Slicc2012Result.trusted(
        date=inp.date,
        criteria=findings,
        count=total[0],
        maximum_possible=total[1],
        clinical_count=clinical[0],
        clinical_maximum_possible=clinical[1],
        immunologic_count=immunologic[0],
        immunologic_maximum_possible=immunologic[1],
        count_route=count_route,
        renal_biopsy_route=biopsy_route,
        classified=any_of((count_route, biopsy_route)),
        missing=missing,
        derived=derived_codes(findings),
        discrepancies=all_discrepancies(findings),
        reasons=[],
    )
    # The reasons are written from the finished result, so they cannot disagree with it.
    return result.model_copy(update={"reasons": _reasons(result, inp)})
