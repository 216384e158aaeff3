"""The 1997 ACR classification criteria for SLE (Tan 1982, as updated by Hochberg 1997).

Eleven criteria; a person is classified as having SLE when 4 or more are present, serially
or simultaneously, during any interval of observation. Hochberg 1997 changed criterion 10
only: the LE cell preparation was removed, and the false-positive syphilis serology became
one of three ways to a positive antiphospholipid antibody finding. The LE cell is not an input.

Sub-items are entered as true/false, or omitted when not assessed (never silently false).
Four can instead be derived from raw results with units:

- persistent proteinuria from a 24-hour urine protein (> 0.5 g/day, strictly);
- thrombocytopenia from a platelet count (< 100 ×10⁹/L, strictly);
- leukopenia and lymphopenia from dated counts (< 4.0 and < 1.5 ×10⁹/L, strictly), met only
  when a low value was found on at least 2 distinct dates. Two low values on the same date
  are one occasion. One occasion, or counts that are never low, make the sub-item NOT_MET on
  the evidence given: the criterion asks for an established finding, and the counts entered
  are what was observed. Enter ``leukopenia_two_occasions`` (or the lymphopenia one) to
  record occasions not listed.

An entered value always counts, and any disagreement with the raw results is reported.
Persistence of proteinuria and the absence of offending drugs are clinical judgements that a
single result cannot show: enter the sub-item when the derivation would be wrong.
"""

from __future__ import annotations

from functools import partial
from typing import Self

from pydantic import Field, model_validator

from lupustrial.clinical.criteria_common import (
    ClassificationResult,
    Criterion,
    CriterionFinding,
    SubItem,
    all_discrepancies,
    derived_codes,
    judge_criteria,
    measurement_description,
    missing_fields,
    reaches,
    sub_item_field,
    tally,
)
from lupustrial.clinical.model import PastDate, StrictModel
from lupustrial.clinical.sources import HOCHBERG_1997, TAN_1982
from lupustrial.clinical.status import Status
from lupustrial.clinical.thresholds import Evidence, Threshold, first_given
from lupustrial.clinical.units import CellCount, UrineProtein24h

INSTRUMENT = "1997 ACR"
SOURCE = f"{TAN_1982} Updated by: {HOCHBERG_1997}"
CRITERIA_NEEDED = 4
OCCASIONS_NEEDED = 2
"""Leukopenia and lymphopenia must be found 'on 2 or more occasions' (Tan 1982)."""

_NO_OFFENDING_CAUSE = (
    "In the absence of offending drugs or known metabolic derangements, e.g. uremia, "
    "ketoacidosis or electrolyte imbalance."
)

CRITERIA: tuple[Criterion, ...] = (
    Criterion.single(1, "malar_rash", "Malar rash",
                     "Fixed erythema, flat or raised, over the malar eminences, tending to "
                     "spare the nasolabial folds."),
    Criterion.single(2, "discoid_rash", "Discoid rash",
                     "Erythematous raised patches with adherent keratotic scaling and "
                     "follicular plugging; atrophic scarring may occur in older lesions."),
    Criterion.single(3, "photosensitivity", "Photosensitivity",
                     "Skin rash as a result of unusual reaction to sunlight, by patient "
                     "history or physician observation."),
    Criterion.single(4, "oral_ulcers", "Oral ulcers",
                     "Oral or nasopharyngeal ulceration, usually painless, observed by a "
                     "physician."),
    Criterion.single(5, "arthritis", "Arthritis",
                     "Non-erosive arthritis involving 2 or more peripheral joints, "
                     "characterized by tenderness, swelling or effusion."),
    Criterion(6, "serositis", "Serositis", "Pleuritis or pericarditis.", (
        SubItem("pleuritis", "a", "Pleuritis",
                "Convincing history of pleuritic pain, or rub heard by a physician, or "
                "evidence of pleural effusion."),
        SubItem("pericarditis", "b", "Pericarditis",
                "Documented by ECG or rub or evidence of pericardial effusion."),
    )),
    Criterion(7, "renal_disorder", "Renal disorder",
              "Persistent proteinuria or cellular casts.", (
        SubItem("persistent_proteinuria", "a", "Persistent proteinuria",
                "Persistent proteinuria > 0.5 g/day, or > 3+ if quantitation not performed."),
        SubItem("cellular_casts", "b", "Cellular casts",
                "May be red cell, hemoglobin, granular, tubular or mixed."),
    )),
    Criterion(8, "neurologic_disorder", "Neurologic disorder", "Seizures or psychosis.", (
        SubItem("seizures", "a", "Seizures", _NO_OFFENDING_CAUSE),
        SubItem("psychosis", "b", "Psychosis", _NO_OFFENDING_CAUSE),
    )),
    Criterion(9, "hematologic_disorder", "Hematologic disorder",
              "Hemolytic anemia, leukopenia, lymphopenia or thrombocytopenia.", (
        SubItem("hemolytic_anemia", "a", "Hemolytic anemia", "With reticulocytosis."),
        SubItem("leukopenia_two_occasions", "b", "Leukopenia",
                "< 4,000/mm³ total on 2 or more occasions."),
        SubItem("lymphopenia_two_occasions", "c", "Lymphopenia",
                "< 1,500/mm³ on 2 or more occasions."),
        SubItem("thrombocytopenia", "d", "Thrombocytopenia",
                "< 100,000/mm³ in the absence of offending drugs."),
    )),
    Criterion(10, "immunologic_disorder", "Immunologic disorder",
              "Anti-DNA, anti-Sm, or antiphospholipid antibodies (Hochberg 1997: the LE cell "
              "preparation is no longer a criterion).", (
        SubItem("anti_dsdna", "a", "Anti-DNA", "Antibody to native DNA in abnormal titer."),
        SubItem("anti_sm", "b", "Anti-Sm", "Presence of antibody to Sm nuclear antigen."),
        SubItem("anticardiolipin", "c(1)", "Anticardiolipin antibodies",
                "An abnormal serum level of IgG or IgM anticardiolipin antibodies."),
        SubItem("lupus_anticoagulant", "c(2)", "Lupus anticoagulant",
                "A positive test result for lupus anticoagulant using a standard method."),
        SubItem("false_positive_syphilis_serology", "c(3)",
                "False-positive serologic test for syphilis",
                "Known to be positive for at least 6 months and confirmed by Treponema "
                "pallidum immobilization or fluorescent treponemal antibody absorption test."),
    )),
    Criterion.single(11, "antinuclear_antibody", "Antinuclear antibody",
                     "An abnormal titer of antinuclear antibody by immunofluorescence or an "
                     "equivalent assay at any point in time, in the absence of drugs known to "
                     "be associated with drug-induced lupus."),
)  # fmt: skip

CRITERION_BY_CODE: dict[str, Criterion] = {c.code: c for c in CRITERIA}

THRESHOLDS: tuple[Threshold, ...] = (
    Threshold("persistent_proteinuria", "urine_protein_24h", ">", 0.5, "g/24h"),
    Threshold("leukopenia_two_occasions", "leukocyte_counts", "<", 4.0, "10^9/L"),
    Threshold("lymphopenia_two_occasions", "lymphocyte_counts", "<", 1.5, "10^9/L"),
    Threshold("thrombocytopenia", "platelets", "<", 100.0, "10^9/L"),
)
"""Each threshold is strict, as published: exactly 4,000/mm³ or 0.5 g/day is not met."""

THRESHOLD_BY_SUB_ITEM: dict[str, Threshold] = {t.code: t for t in THRESHOLDS}


class DatedCellCount(StrictModel):
    """One blood count with the date it was taken, so that occasions can be told apart."""

    date: PastDate = Field(description="Date the sample was taken.")
    count: CellCount = Field(description="The count, e.g. 3900 /mm³ or 3.9 10^9/L.")


_field = partial(sub_item_field, CRITERIA)
_measured = partial(measurement_description, THRESHOLDS)
_ON_OCCASIONS = f" on {OCCASIONS_NEEDED} or more distinct dates"


class Acr1997Input(StrictModel):
    """Findings at any time so far, for the 1997 ACR criteria (Tan 1982; Hochberg 1997)."""

    date: PastDate | None = Field(
        default=None, description="Date of the assessment: findings up to this date count."
    )
    malar_rash: bool | None = _field("malar_rash")
    discoid_rash: bool | None = _field("discoid_rash")
    photosensitivity: bool | None = _field("photosensitivity")
    oral_ulcers: bool | None = _field("oral_ulcers")
    arthritis: bool | None = _field("arthritis")
    pleuritis: bool | None = _field("pleuritis")
    pericarditis: bool | None = _field("pericarditis")
    persistent_proteinuria: bool | None = _field("persistent_proteinuria")
    cellular_casts: bool | None = _field("cellular_casts")
    seizures: bool | None = _field("seizures")
    psychosis: bool | None = _field("psychosis")
    hemolytic_anemia: bool | None = _field("hemolytic_anemia")
    leukopenia_two_occasions: bool | None = _field("leukopenia_two_occasions")
    lymphopenia_two_occasions: bool | None = _field("lymphopenia_two_occasions")
    thrombocytopenia: bool | None = _field("thrombocytopenia")
    anti_dsdna: bool | None = _field("anti_dsdna")
    anti_sm: bool | None = _field("anti_sm")
    anticardiolipin: bool | None = _field("anticardiolipin")
    lupus_anticoagulant: bool | None = _field("lupus_anticoagulant")
    false_positive_syphilis_serology: bool | None = _field("false_positive_syphilis_serology")
    antinuclear_antibody: bool | None = _field("antinuclear_antibody")
    leukocyte_counts: list[DatedCellCount] = Field(
        default_factory=list,
        description=_measured("leukocyte_counts", "Dated total white cell counts.", _ON_OCCASIONS),
    )
    lymphocyte_counts: list[DatedCellCount] = Field(
        default_factory=list,
        description=_measured("lymphocyte_counts", "Dated lymphocyte counts.", _ON_OCCASIONS),
    )
    platelets: CellCount | None = Field(
        default=None, description=_measured("platelets", "The lowest platelet count.")
    )
    urine_protein_24h: UrineProtein24h | None = Field(
        default=None,
        description=_measured("urine_protein_24h", "Protein in a 24-hour urine collection."),
    )

    @model_validator(mode="after")
    def _counts_not_after_the_assessment(self) -> Self:
        if self.date is not None:
            for name in ("leukocyte_counts", "lymphocyte_counts"):
                counts: list[DatedCellCount] = getattr(self, name)
                late = [c.date.isoformat() for c in counts if c.date > self.date]
                if late:
                    raise ValueError(
                        f"{name} dated after the assessment ({self.date.isoformat()}): "
                        f"{', '.join(late)}"
                    )
        return self


class Acr1997Result(ClassificationResult):
    """A 1997 ACR classification that explains itself (Tan 1982; Hochberg 1997)."""

    instrument: str = INSTRUMENT
    source: str = SOURCE


def _on_occasions(threshold: Threshold, counts: list[DatedCellCount]) -> Evidence | None:
    """Low on ≥ 2 distinct dates; same-day repeats are one occasion (Tan 1982)."""
    if not counts:
        return None
    low = sorted((c for c in counts if threshold.holds(c.count)), key=lambda c: c.date)
    dates = {c.date for c in low}
    shown = "; ".join(f"{c.date.isoformat()}: {threshold.shown(c.count)}" for c in low)
    what = f"{threshold.measurement} {threshold.bound()}"
    if len(dates) >= OCCASIONS_NEEDED:
        return Evidence(True, f"{what} on {len(dates)} occasions ({shown})")
    if dates:
        return Evidence(
            False,
            f"{what} on only 1 occasion ({shown}); {OCCASIONS_NEEDED} occasions are needed",
        )
    return Evidence(
        False,
        f"{what} on no occasion among {len(counts)} count(s): not met on the evidence given",
    )


def _derive(inp: Acr1997Input, sub_item: SubItem) -> Evidence | None:
    """Judge a sub-item from raw results by its published threshold (Tan 1982)."""
    threshold = THRESHOLD_BY_SUB_ITEM.get(sub_item.code)
    measured = getattr(inp, threshold.measurement) if threshold is not None else None
    if threshold is not None and isinstance(measured, list):
        return _on_occasions(threshold, measured)
    return first_given(THRESHOLDS, sub_item.code, inp)


def _reasons(findings: list[CriterionFinding], count: int, maximum: int) -> list[str]:
    met = [f.name for f in findings if f.status is Status.MET]
    unknown = [f.name for f in findings if f.status is Status.UNKNOWN]
    reasons = [
        f"Classified when at least {CRITERIA_NEEDED} of the {len(findings)} criteria are "
        "present, serially or simultaneously (Tan 1982; Hochberg 1997).",
        f"Met ({count}): {', '.join(met) or 'none'}.",
    ]
    if unknown:
        reasons.append(f"Not assessed ({len(unknown)}): {', '.join(unknown)}.")
    if count >= CRITERIA_NEEDED:
        reasons.append(f"{count} ≥ {CRITERIA_NEEDED}: classified.")
    elif maximum < CRITERIA_NEEDED:
        reasons.append(
            f"At most {maximum} even if every criterion not assessed were met: "
            f"fewer than {CRITERIA_NEEDED}, not classified."
        )
    else:
        reasons.append(f"{count} met, up to {maximum} if those not assessed are met: undetermined.")
    return reasons


def score_acr_1997(inp: Acr1997Input) -> Acr1997Result:
    """Classify by the 1997 ACR criteria: 4 or more of 11 (Tan 1982; Hochberg 1997)."""
    findings = judge_criteria(CRITERIA, inp, lambda sub_item: _derive(inp, sub_item))
    count, maximum = tally(findings)
    return Acr1997Result.trusted(
        date=inp.date,
        criteria=findings,
        count=count,
        maximum_possible=maximum,
        classified=reaches(count, maximum, CRITERIA_NEEDED),
        missing=missing_fields(findings),
        derived=derived_codes(findings),
        discrepancies=all_discrepancies(findings),
        reasons=_reasons(findings, count, maximum),
    )
